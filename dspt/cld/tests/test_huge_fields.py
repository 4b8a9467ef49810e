"""Rows are never lost, however big: a line far longer than any read buffer is counted and
reported as LINE_TOO_LONG on its own row (DuckDB once dropped a 20 MB row silently and accepted
the file), and a file with a header but no rows is refused."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from dspt.cld.generate import companion_paths, generate
from dspt.cld.pipeline import process
from dspt.cld.spec import load_spec

from .conftest import TEST_KEY_HEX, check

R1 = load_spec("release-1")
ROWS = 1000
MB = 1024 * 1024


@pytest.fixture(scope="module")
def thousand_rows(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("huge") / "base.csv"
    generate(path, rows=ROWS, seed=21)
    return path


def with_giant_field(base: Path, target: Path, size: int, *, row: int = 5, quoted=False) -> Path:
    """`base` with data row `row`'s GP_Practice_Name replaced by `size` bytes."""
    header, *lines = base.read_bytes().split(b"\n")
    column = header.decode().split(",").index("GP_Practice_Name")
    cells = lines[row - 1].split(b",")
    assert len(cells) == len(header.split(b","))  # the generator quotes nothing on this row
    value = b"A" * size
    if quoted:  # commas and doubled quotes inside a quoted value
        value = b'"' + (b'Surgery, ""The"" Green ' * (size // 24 + 1))[:size] + b'"'
    cells[column] = value
    lines[row - 1] = b",".join(cells)
    target.write_bytes(b"\n".join([header, *lines]))
    return target


def assert_one_giant_row(report, row: int = 5) -> None:
    assert report.rows == ROWS
    assert not report.accepted
    assert report.summary == {"LINE_TOO_LONG": 1}, report.summary
    assert [(e["row"], e["rule"]) for e in report.errors] == [(row, "LINE_TOO_LONG")]


@pytest.mark.parametrize("size_mb", [20, 50])
def test_a_giant_field_is_counted_and_reported_on_its_row(thousand_rows, tmp_path, size_mb):
    extract = with_giant_field(thousand_rows, tmp_path / "giant.csv", size_mb * MB)
    assert_one_giant_row(check(extract, tmp_path))


def test_a_giant_quoted_field_leaves_the_rows_after_it_alone(thousand_rows, tmp_path):
    extract = with_giant_field(thousand_rows, tmp_path / "q.csv", 20 * MB, row=7, quoted=True)
    assert_one_giant_row(check(extract, tmp_path), row=7)


def test_a_giant_field_in_a_gzipped_file(thousand_rows, tmp_path):
    extract = with_giant_field(thousand_rows, tmp_path / "g.csv", 20 * MB, row=ROWS)
    gz = tmp_path / "g.csv.gz"
    gz.write_bytes(gzip.compress(extract.read_bytes(), compresslevel=1))
    report = check(gz, tmp_path)
    assert_one_giant_row(report, row=ROWS)
    assert report.gzipped


def test_a_file_with_a_giant_field_is_not_processed(thousand_rows, tmp_path, monkeypatch):
    monkeypatch.setenv("DSPT_PSEUDONYM_KEY", TEST_KEY_HEX)
    extract = with_giant_field(thousand_rows, tmp_path / "giant.csv", 20 * MB)
    out = tmp_path / "out"
    index, lookup = companion_paths(thousand_rows)
    result = process(extract, out, spec=R1, index=index, lookup=lookup)
    assert result.exit_code == 1 and result.report.rows == ROWS
    assert not out.exists()


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_long_lines_are_found_across_chunks(newline):
    from dspt.cld.landing import CHUNK, LongLines

    limit = 2 * CHUNK
    lines = [b"h,e,a,d", b"x" * 10, b"y" * limit, b"z" * (limit - len(newline)), b"w" * (3 * limit)]
    lines.append(b"v")
    data = newline.join(lines)
    expected, offset = [], 0
    for line in lines:
        length = len(line) + len(newline)  # a record's line break counts to its length
        if length > limit:
            expected.append((offset, offset + length - 1))  # the span stops before the "\n"
        offset += len(line) + len(newline)
    for size in (CHUNK, CHUNK - 7, 3 * CHUNK):  # chunk edges anywhere; over-sized chunks too
        found = LongLines(limit)
        for i in range(0, len(data), size):
            found.feed(data[i : i + size])
        assert found.finish() == expected


def test_quoted_line_breaks_do_not_end_a_record():
    from dspt.cld.landing import LongLines

    limit = 1000
    many = b'a,"' + b"\n".join([b'line "" of, text'] * 100) + b'",b'  # 1,706 bytes, 100 lines
    records = [
        b"h,e,a,d",
        b"x,y",
        many,
        b'"' + b"q" * 995 + b'",z',
        b"s,t",
        b'r,"open' + b"\n" * 999,
    ]
    data = b"\n".join(records)
    starts = [data.index(r) for r in records]
    expected = [(starts[2], starts[2] + len(many)), (starts[5], len(data))]
    for size in (1, 7, 64, 1000, 5000):
        found = LongLines(limit)
        for i in range(0, len(data), size):
            found.feed(data[i : i + size])
        assert found.finish() == expected, size


def header_only(tmp_path: Path, thousand_rows: Path) -> Path:
    path = tmp_path / "header-only.csv"
    path.write_bytes(thousand_rows.read_bytes().split(b"\n", 1)[0] + b"\n")
    return path


def assert_refused_for_no_rows(report) -> None:
    assert not report.accepted and report.rows == 0
    assert report.summary == {"NO_DATA_ROWS": 1}
    (error,) = report.errors
    assert error["rule"] == "NO_DATA_ROWS"
    assert error["message"].startswith("The file has a header row but no data rows")


def test_a_header_without_rows_is_refused(thousand_rows, tmp_path, monkeypatch):
    assert_refused_for_no_rows(check(header_only(tmp_path, thousand_rows), tmp_path))
    monkeypatch.setenv("DSPT_PSEUDONYM_KEY", TEST_KEY_HEX)
    index, lookup = companion_paths(thousand_rows)
    extract = header_only(tmp_path, thousand_rows)
    result = process(extract, tmp_path / "out", spec=R1, index=index, lookup=lookup)
    assert result.exit_code == 1 and not (tmp_path / "out").exists()


@pytest.mark.spark
def test_spark_refuses_a_header_without_rows(thousand_rows, tmp_path):
    assert_refused_for_no_rows(check(header_only(tmp_path, thousand_rows), tmp_path, "spark"))


# The limit measures a record's bytes as they are in the file: quotes, doubled quotes and quoted
# line breaks count, and so does the line break that ends it (DuckDB's reader counts it too).
# Both engines must report such a record as one LINE_TOO_LONG on its row and read on normally.
LIMIT = 64 * 1024
ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]


def with_record(base: Path, target: Path, value: bytes, *, row: int = 5) -> Path:
    """`base` with data row `row`'s GP_Practice_Name replaced by `value` (raw CSV bytes)."""
    header, *lines = base.read_bytes().split(b"\n")
    column = header.decode().split(",").index("GP_Practice_Name")
    cells = lines[row - 1].split(b",")
    assert len(cells) == len(header.split(b","))
    cells[column] = value
    lines[row - 1] = b",".join(cells)
    target.write_bytes(b"\n".join([header, *lines]))
    return target


def row_bytes(path: Path, row: int) -> int:
    """The bytes of data row `row` in the file, its line break included."""
    return len(path.read_bytes().split(b"\n")[row]) + 1


@pytest.fixture
def small_limit(settings):
    settings.DSPT_CLD_MAX_LINE_BYTES = LIMIT
    settings.DSPT_CLD_SPARK_SHUFFLE_PARTITIONS = 2


@pytest.mark.usefixtures("small_limit")
@pytest.mark.parametrize("engine", ENGINES)
def test_a_value_of_many_short_lines_is_one_long_record(thousand_rows, tmp_path, engine):
    # 3,000 lines of 24 bytes: no line is long, the record (72 KB) is.
    value = b'"' + b"\n".join([b"Surgery, The Green Lane"] * 3000) + b'"'
    extract = with_record(thousand_rows, tmp_path / "multi.csv", value, row=7)
    assert_one_giant_row(check(extract, tmp_path, engine), row=7)


@pytest.mark.usefixtures("small_limit")
@pytest.mark.parametrize("engine", ENGINES)
def test_a_record_over_the_limit_by_its_quotes_is_too_long(thousand_rows, tmp_path, engine):
    # 33,000 doubled quotes: 33,000 quote characters as a value, 66,002 bytes in the file.
    extract = with_record(thousand_rows, tmp_path / "q.csv", b'"' + b'""' * 33_000 + b'"')
    over = row_bytes(extract, 5) - LIMIT
    assert 0 < over < 33_000  # over the limit as sent, under it once unquoted
    assert_one_giant_row(check(extract, tmp_path, engine))


@pytest.mark.usefixtures("small_limit")
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("spare", [0, -1])
def test_the_limit_is_the_record_as_sent(thousand_rows, tmp_path, engine, spare):
    """A record of exactly the limit (line break included) passes; one byte more does not."""
    extract = with_record(thousand_rows, tmp_path / "edge.csv", b'"x"')
    padding = LIMIT - row_bytes(extract, 5) - spare
    value = b'"' + b'""' * (padding // 2) + b"x" * (padding % 2 + 1) + b'"'
    extract = with_record(thousand_rows, tmp_path / "edge.csv", value)
    assert row_bytes(extract, 5) == LIMIT - spare
    report = check(extract, tmp_path, engine)
    assert report.rows == ROWS
    assert ("LINE_TOO_LONG" in report.summary) == (spare < 0), report.summary


@pytest.mark.parametrize("engine", ENGINES)
def test_a_giant_value_of_many_short_lines(thousand_rows, tmp_path, engine, settings):
    """Past any read buffer (two chunks of landing at the least): DuckDB once reported every
    short line as a row of its own with the wrong number of columns."""
    settings.DSPT_CLD_SPARK_SHUFFLE_PARTITIONS = 2
    value = b'"' + b"\n".join([b"Surgery, The Green Lane"] * (20 * MB // 24)) + b'"'
    extract = with_record(thousand_rows, tmp_path / "g.csv", value, row=9)
    assert_one_giant_row(check(extract, tmp_path, engine), row=9)


@pytest.mark.usefixtures("small_limit")
def test_a_stray_quote_does_not_swallow_the_rest_of_the_file(thousand_rows, tmp_path):
    """Counting quotes, every line break after an unclosed quote looks quoted: the rest of the
    file (far over the limit) would be one record. Landing finds the stray quote instead
    (`walk_records`): its row is one QUOTING, nothing is cut as too long, and every row after
    it is counted and checked (test_stray_quotes.py has the rest)."""
    header, *lines = thousand_rows.read_bytes().split(b"\n")
    lines[2] = b'"' + lines[2]
    extract = tmp_path / "stray.csv"
    extract.write_bytes(b"\n".join([header, *lines]))
    assert len(extract.read_bytes()) > 4 * LIMIT
    report = check(extract, tmp_path)
    assert report.rows == ROWS
    assert report.summary == {"QUOTING": 1}, report.summary
