"""Line endings. Outside a quoted value a line ends at a line feed, a carriage return and line
feed, or a carriage return alone, whichever the file uses and however it mixes them; inside a
quoted value they are the value's own. DuckDB's reader takes one line ending from a file's first
lines and, meeting the other kind, stopped the whole check with an error ("the CSV parser state
machine reached an invalid state": the sender was told the check failed unexpectedly) or
rejected the row, where Spark's read it. Landing now ends every line of such a file with a line
feed, so both engines read the same rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dspt.cld import landing
from dspt.cld.generate import generate
from dspt.cld.pipeline import process
from dspt.cld.spec import load_spec

from .conftest import TEST_KEY_HEX, check, output_rows

ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]


def mixed(data: bytes) -> bool:
    lines = landing.LongLines(1 << 20)
    lines.feed(data)
    lines.finish()
    return lines.mixed_line_ends


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"h,i\na,b\nc,d\n", False),
        (b"h,i\r\na,b\r\nc,d\r\n", False),
        (b'h,i\r\na,"b\r\nc"\r\nc,d', False),
        (b"h,i\na,b\r\nc,d\n", True),  # one line of a line-feed file ends CR LF
        (b"h,i\r\na,b\nc,d\r\n", True),  # one line of a CR LF file ends LF
        (b"h,i\r\na,b\r\nc,d\r", True),  # a lone carriage return at the end
        (b"h,i\na,b\rc,d\n", True),
        (b"h,i\r\na\rb,c\r\n", True),
        (b"h,i\r\n,\r,\n", True),  # as many CRs as LFs, but not side by side
        (b'h,i\na,"b\r\nc"\n', True),  # inside a quoted value: the walk tells
    ],
)
def test_landing_notices_lines_that_do_not_all_end_the_same_way(data, expected):
    assert mixed(data) is expected
    # However the file is cut into pieces (a CR LF pair split between two among them).
    for size in (1, 2, 3, 5):
        lines = landing.LongLines(1 << 20)
        for i in range(0, len(data), size):
            lines.feed(data[i : i + size])
        lines.finish()
        assert lines.mixed_line_ends is expected, size


MIXED = (
    b"h,i\r\n"
    b"1,2\r\n"
    b'3,"a\r\nb"\n'  # a quoted CR LF stays as sent; the line's LF ends it
    b'4,"c\rd"\r'  # a quoted lone CR stays; the one after the value ends the line
    b'5,"e"\r\n'
    b"6,7\r"
    b'"8",9\n'
    b"10,11\r\n"
)
LANDED = b'h,i\n1,2\n3,"a\r\nb"\n4,"c\rd"\n5,"e"\n6,7\n"8",9\n10,11\n'


# The walk reads lines a chunk at a time (4 MB), so only a line longer than that is in pieces.
@pytest.mark.parametrize("chunk", [1, 2, 3, 7, landing.CHUNK])
def test_the_landed_copy_ends_every_line_with_a_line_feed(tmp_path, monkeypatch, chunk):
    """Quoted values keep their carriage returns; pieces of any size, so a CR LF pair or a quoted
    value split between two pieces is judged whole."""
    monkeypatch.setattr(landing.common, "CHUNK", chunk)
    source = tmp_path / "mixed.csv"
    source.write_bytes(MIXED)
    landed = landing.land(source, tmp_path)
    assert landed.copied
    assert landed.path.read_bytes() == LANDED


def test_a_file_that_ends_its_lines_one_way_is_not_copied(tmp_path):
    lf = b'h,i\n1,2\n"3",4\n5,"a\nb"\n'
    for name, data in [("lf.csv", lf), ("crlf.csv", lf.replace(b"\n", b"\r\n"))]:
        source = tmp_path / name
        source.write_bytes(data)
        work = tmp_path / f"work-{name}"
        work.mkdir()
        assert not landing.land(source, work).copied, name


def test_carriage_returns_kept_inside_quoted_values_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(landing.walk, "MAX_QUOTED_CRS", 2)
    source = tmp_path / "many.csv"
    source.write_bytes(b'h,i\n1,"a\rb\rc"\r\n2,"d\re"\n')
    with pytest.raises(landing.Unreadable) as caught:
        landing.land(source, tmp_path)
    assert caught.value.rule == "STRUCTURE"
    assert "one kind of line ending" in caught.value.message


def lines_of(tmp_path: Path, rows: int = 300) -> list[bytes]:
    base = tmp_path / "base.csv"
    generate(base, rows=rows, seed=5, trace_share=0.3)
    header, *lines = base.read_bytes().split(b"\n")
    return [header, *(line for line in lines if line)]


def _quote_last(line: bytes) -> bytes:
    """The line with its last value quoted, where that reads the same (not empty, no quote)."""
    head, _, last = line.rpartition(b",")
    return head + b',"' + last + b'"' if last and b'"' not in last else line


def variants(lines: list[bytes]) -> dict[str, bytes]:
    return {
        # Every third line of a line-feed file ends CR LF, after a quoted value (`"x"\r\n`:
        # DuckDB rejected the row as a quoting error).
        "lf-some-crlf": b"".join(
            (_quote_last(line) + b"\r\n" if i % 3 == 1 else line + b"\n")
            for i, line in enumerate(lines)
        ),
        # One line of a CR LF file ends with a line feed alone.
        "crlf-one-lf": b"".join(
            line + (b"\n" if i == 150 else b"\r\n") for i, line in enumerate(lines)
        ),
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_mixed_line_endings_lose_nothing(tmp_path, engine, settings):
    """Every row read and checked as it would be with one kind of line ending (DuckDB stopped the
    whole check with an error on both files)."""
    settings.DSPT_CLD_SPARK_SHUFFLE_PARTITIONS = 2
    lines = lines_of(tmp_path)
    reference = tmp_path / "lf.csv"
    reference.write_bytes(b"\n".join(lines) + b"\n")
    (tmp_path / "ref").mkdir()
    # The yardstick is DuckDB's report of the line-feed file (the engines' reports of it are
    # the same, test_cld_spark_validate.py): one Spark run fewer.
    expected = check(reference, tmp_path / "ref")
    assert expected.accepted and expected.rows == 300
    for name, data in variants(lines).items():
        path = tmp_path / f"{name}.csv"
        path.write_bytes(data)
        work = tmp_path / name
        work.mkdir()
        report = check(path, work, engine)
        assert report.to_dict() == expected.to_dict(), name


def _output(source: Path, out: Path, tmp_path: Path) -> list[dict]:
    base = tmp_path / "base.csv"
    result = process(
        source,
        out,
        spec=load_spec("release-1"),
        key=bytes.fromhex(TEST_KEY_HEX),
        index=base.with_name("base-index.csv"),
        lookup=base.with_name("base-lsoa.csv"),
    )
    assert result.exit_code == 0, result.report.to_json()
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["rows"] == 300
    return output_rows(out)


def test_mixed_line_endings_give_the_same_output_rows(tmp_path):
    """Processed, a file whose lines end both ways gives the rows its line-feed copy gives."""
    lines = lines_of(tmp_path)
    reference = tmp_path / "lf.csv"
    reference.write_bytes(b"\n".join(lines) + b"\n")
    expected = _output(reference, tmp_path / "out-lf", tmp_path)
    for name, data in variants(lines).items():
        path = tmp_path / f"{name}.csv"
        path.write_bytes(data)
        assert _output(path, tmp_path / f"out-{name}", tmp_path) == expected, name


@pytest.mark.parametrize("engine", ENGINES)
def test_a_lone_carriage_return_ends_a_line_in_both_engines(tmp_path, engine, settings):
    """After a closing quote (`"x"\\rx`: DuckDB rejected the row as a quoting error, Spark split
    it) or inside a plain value (DuckDB stopped with an error): the line ends there in both, and
    the two halves are checked as rows."""
    settings.DSPT_CLD_SPARK_SHUFFLE_PARTITIONS = 2
    lines = lines_of(tmp_path)
    quoted = next(i for i, line in enumerate(lines) if i > 5 and b'",' in line)
    plain = next(i for i, line in enumerate(lines) if i > quoted and b'"' not in line)
    lines[quoted] = lines[quoted].replace(b'",', b'"\r,', 1)
    lines[plain] = lines[plain].replace(b",", b"\rX,", 1)
    path = tmp_path / "lone.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = check(path, tmp_path, engine)
    assert report.rows == 302
    rows = sorted({(e["row"], e["rule"]) for e in report.errors})
    # The quoted line's halves: both the wrong number of values. The plain line's: the LA code
    # alone, then a row whose LA code is `X`.
    assert rows[:2] == [(quoted, "COLUMN_COUNT"), (quoted + 1, "COLUMN_COUNT")], rows
    assert (plain + 1, "COLUMN_COUNT") in rows and (plain + 2, "FORMAT") in rows, rows
    assert all(row in (quoted, quoted + 1, plain + 1, plain + 2) for row, _ in rows), rows


plain = st.text(alphabet="ab 1", max_size=4)
quoted = st.lists(st.sampled_from(["a", " ", ",", '""', "\r", "\n", "\r\n"]), max_size=5).map(
    lambda parts: '"' + "".join(parts) + '"'
)
rows = st.lists(st.lists(st.one_of(plain, quoted), min_size=2, max_size=2), min_size=2, max_size=8)


@settings(max_examples=300, deadline=None)
@given(rows, st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=8, max_size=8))
def test_any_mix_of_line_endings_lands_as_line_feeds(tmp_path_factory, rows, endings):
    """Rows of plain and quoted values (quoted ones holding commas, doubled quotes and line
    breaks of every kind), their lines ended in a mix of ways: the landed copy is the same rows
    with every line ending a line feed and every quoted value as sent."""
    endings = ["\r\n", *endings[1 : len(rows)], "\n"]  # always mixed
    lines = ["h,i", *(",".join(row) for row in rows)]
    sent = "".join(line + end for line, end in zip(lines, endings, strict=True))
    root = tmp_path_factory.mktemp("mix")
    source = root / "mix.csv"
    source.write_bytes(sent.encode())
    landed = landing.land(source, root)
    assert landed.copied
    assert landed.path.read_bytes() == ("\n".join(lines) + "\n").encode()


def test_lines_ending_cr_lf_and_lf_are_not_walked(tmp_path, monkeypatch):
    """Without a lone carriage return or a line break inside a quoted value, every CR LF ends a
    line: the copy makes them line feeds without walking the file (about twice as quick)."""

    def no_walk(*args, **kwargs):
        raise AssertionError("walked a file whose lines only end CR LF or LF")

    monkeypatch.setattr(landing, "walk_records", no_walk)
    for name, data in variants(lines_of(tmp_path)).items():
        source = tmp_path / f"{name}.csv"
        source.write_bytes(data)
        work = tmp_path / f"work-{name}"
        work.mkdir()
        landed = landing.land(source, work)
        assert landed.copied, name
        assert landed.path.read_bytes() == data.replace(b"\r\n", b"\n"), name
