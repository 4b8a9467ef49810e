"""Two extracts joined into one file: the second one's header row is a data row to the readers,
and fails dozens of checks. The report names it first, as one HEADER_REPEATED on its row, so
the sender sees why; both engines agree."""

from __future__ import annotations

import pytest

from dspt.cld.generate import generate

from .conftest import check

ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_header_row_repeated_in_the_data_is_named(tmp_path, engine, settings):
    settings.DSPT_CLD_SPARK_SHUFFLE_PARTITIONS = 2
    base = tmp_path / "base.csv"
    generate(base, rows=200, seed=4)
    header, *rows = base.read_bytes().rstrip(b"\n").split(b"\n")
    # A second extract's lines appended, its header row with them (row 101).
    path = tmp_path / "joined.csv"
    path.write_bytes(b"\n".join([header, *rows[:100], header, *rows[100:]]) + b"\n")
    report = check(path, tmp_path, engine)
    assert not report.accepted and report.rows == 201
    assert report.summary["HEADER_REPEATED"] == 1
    first = report.errors[0]
    assert (first["row"], first["rule"]) == (101, "HEADER_REPEATED")
    assert "were two extracts joined into one file?" in first["message"]
    assert {e["row"] for e in report.errors} == {101}  # every other finding is on that row


def test_a_file_without_one_has_no_such_finding(good_extract, tmp_path):
    report = check(good_extract, tmp_path)
    assert report.accepted and "HEADER_REPEATED" not in report.summary
