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
from dspt.cld.validate import validate

from .conftest import TEST_KEY_HEX

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


def check(path: Path, tmp_path: Path, engine: str = "duckdb"):
    work = tmp_path / f"work-{engine}"
    work.mkdir()
    result = validate(path, R1, work, engine=engine)
    if result.con is not None:
        result.con.close()
    return result.report


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
    lines = [b"h,e,a,d", b"x" * 10, b"y" * (limit + 1), b"z" * limit, b"w" * (3 * limit), b"v"]
    data = newline.join(lines)
    expected, offset = [], 0
    for line in lines:
        length = len(line) + len(newline) - 1  # a "\r" before the "\n" counts to the line
        if length > limit:
            expected.append((offset, offset + length))
        offset += len(line) + len(newline)
    for size in (CHUNK, CHUNK - 7, 3 * CHUNK):  # chunk edges anywhere; over-sized chunks too
        found = LongLines(limit)
        for i in range(0, len(data), size):
            found.feed(data[i : i + size])
        assert found.finish() == expected


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
