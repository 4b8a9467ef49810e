"""Blank lines. A line holding nothing, or nothing but spaces, tabs and other control characters
(the end-of-file mark some Windows programs add, 0x1A, among them), is not a row in either
engine, and every row keeps its number among the data rows.

Before: DuckDB skipped an empty line but counted it in the numbers of the rows it refused (a
broken row after one was reported a row late), and refused a line of spaces or a lone 0x1A as a
row with too few values, where Spark, reading line by line, skipped both; reading across lines
(a file with a quoted line break) Spark refused them too."""

from __future__ import annotations

from pathlib import Path

import pytest

from dspt.cld import landing
from dspt.cld.generate import generate

from .conftest import check

ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]
LIMIT = 4096  # the line limit in these tests, so a long row is cheap to make


def faulty_lines(tmp_path: Path) -> list[bytes]:
    """A generated extract's lines (header first) with a code-list fault on row 50, a row with
    one value too many on row 100 and a row over the line limit on row 150."""
    base = tmp_path / "base.csv"
    generate(base, rows=300, seed=5)
    lines = base.read_bytes().rstrip(b"\n").split(b"\n")
    header = lines[0].decode().split(",")
    cells = lines[50].split(b",")
    cells[header.index("Gender")] = b"Robot"
    lines[50] = b",".join(cells)
    lines[100] += b",extra"
    cells = lines[150].split(b",")
    cells[header.index("GP_Practice_Name")] = b"Y" * LIMIT
    lines[150] = b",".join(cells)
    return lines


def blank_lines(lines: list[bytes]) -> dict[str, bytes]:
    """The extract with blank lines of each kind put in, before and after the faulty rows."""

    def joined(extra: dict[int, bytes], tail: bytes = b"", end: bytes = b"\n") -> bytes:
        out = []
        for i, line in enumerate(lines):
            if i in extra:
                out.append(extra[i])
            out.append(line)
        return end.join(out) + end + tail

    # A quoted line break in an early row makes Spark read across lines.
    row = next(i for i in range(1, 50) if b',"' in lines[i])
    across = [*lines[:row], lines[row].replace(b',"', b',"\n\n', 1), *lines[row + 1 :]]
    return {
        "empty": joined({10: b"", 120: b"", 200: b""}),
        "spaces and tabs": joined({10: b"   ", 120: b"\t", 200: b" \t "}),
        "end-of-file mark": joined({}, tail=b"\x1a"),
        "CR LF, empty": joined({10: b"", 120: b""}, end=b"\r\n"),
        "across lines": b"\n".join([*across[:10], b"  ", b"", *across[10:]]) + b"\n\x1a",
    }


@pytest.mark.parametrize(
    ("engine", "kinds"),
    [
        ("duckdb", None),
        # Spark reading line by line skips blank lines of itself: read across lines (the one
        # file with a quoted line break) it needs leaving them out, with every kind there.
        pytest.param("spark", {"across lines"}, marks=pytest.mark.spark),
    ],
)
def test_blank_lines_are_not_rows(tmp_path, engine, kinds, settings):
    settings.DSPT_CLD_SPARK_SHUFFLE_PARTITIONS = 2
    settings.DSPT_CLD_MAX_LINE_BYTES = LIMIT
    lines = faulty_lines(tmp_path)
    expected = [(50, "CODE_LIST"), (100, "COLUMN_COUNT"), (150, "LINE_TOO_LONG")]
    for name, data in blank_lines(lines).items():
        if kinds is not None and name not in kinds:
            continue
        path = tmp_path / f"{name}.csv"
        path.write_bytes(data)
        work = tmp_path / name
        work.mkdir()
        report = check(path, work, engine)
        assert report.rows == 300, (name, report.rows)
        assert [(e["row"], e["rule"]) for e in report.errors] == expected, (name, report.errors)


def test_a_line_of_spaces_or_control_characters_is_blank():
    for line in (b"", b"\n", b"\r\n", b"   \n", b"\t\x1a", b"\x0b\x0c"):
        assert landing.is_blank(line), line
    for line in (b",\n", b" x \n", b'""\n', b"\xc2\xa0\n"):  # a comma, text, a quoted empty value
        assert not landing.is_blank(line), line


@pytest.mark.parametrize("records_are_lines", [True, False])
def test_blank_lines_before_a_position(tmp_path, monkeypatch, records_are_lines):
    data = b'h,i\n1,2\n\n3,4\n \t\n5,"6\n\n7"\n\r\n8,9\n'
    path = tmp_path / "b.csv"
    path.write_bytes(data)
    monkeypatch.setattr(landing.common, "CHUNK", 5)  # lines split between chunks
    positions = [data.index(b"3,4"), data.index(b"5,"), data.index(b"8,9"), data.index(b"1,2")]
    found = landing.blank_lines_before(path, positions, records_are_lines=records_are_lines)
    # Read line by line the empty line inside the quoted value counts too: `records_are_lines`
    # is only true of a file with no line break inside a quoted value.
    assert found == ([1, 2, 4, 0] if records_are_lines else [1, 2, 3, 0])
