"""Validation with `--engine spark`: the same checks, rendered for Spark, find the same things."""

from __future__ import annotations

import csv
import io

import pytest

from dspt.cld.generate import generate
from dspt.cld.pipeline import process
from dspt.cld.spec import load_spec
from dspt.cld.validate import validate

from .conftest import TEST_KEY_HEX


def _bad_extract(path, spec):
    generate(path, rows=400, seed=31, error_rate=0.15, spec=spec)
    with open(path, newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    # A line break inside a quoted free-text value: a warning, not a broken row (and it makes
    # Spark read the file again with multiLine).
    table[300][table[0].index("Event_Description")] = "first line\nsecond line"
    # Lengths are in characters: 100 two-byte letters fit GP_Practice_Name's 100, 101 do not
    # (Spark counts characters only when the bytes are over the limit).
    name = table[0].index("GP_Practice_Name")
    table[20][name], table[21][name] = "é" * 100, "é" * 101
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(table)
    lines = buffer.getvalue().splitlines(keepends=True)
    # Two structurally broken rows (too few values; one value too many) among row-level faults,
    # so row numbers after them must be corrected the same way by both engines.
    lines.insert(50, "E08000035,only,three\n")
    lines.insert(200, lines[199].rstrip("\n") + ",extra\n")
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.spark
@pytest.mark.slow
def test_spark_and_duckdb_validation_agree(tmp_path, settings):
    settings.DSPT_CLD_SPARK_SHUFFLE_PARTITIONS = 2
    spec = load_spec("release-2")
    extract = tmp_path / "bad.csv"
    _bad_extract(extract, spec)
    reports = {}
    for engine in ("duckdb", "spark"):
        work = tmp_path / f"work-{engine}"
        work.mkdir()
        errors_csv = tmp_path / f"errors-{engine}.csv"
        result = validate(extract, spec, work, engine=engine, error_csv=errors_csv)
        if result.con is not None:
            result.con.close()
        reports[engine] = (result.report, errors_csv.read_text(encoding="utf-8"))
    (duck, duck_csv), (spark, spark_csv) = reports["duckdb"], reports["spark"]
    assert not duck.accepted and not spark.accepted
    assert duck.summary["COLUMN_COUNT"] == 2 and duck.summary["LINE_BREAK_IN_VALUE"] == 1
    assert {"DUPLICATE_EVENT", "NHS_NUMBER_CHECK_DIGIT", "DATE_ORDER"} <= set(duck.summary)
    assert spark.summary == duck.summary
    too_long = {(e["row"], e["rule"]) for e in duck.errors if e["rule"] == "MAX_LENGTH"}
    assert (21, "MAX_LENGTH") in too_long and (20, "MAX_LENGTH") not in too_long
    assert (spark.rows, spark.error_count, spark.warning_count) == (
        duck.rows,
        duck.error_count,
        duck.warning_count,
    )
    assert spark.period == duck.period
    # Same findings on the same rows, same messages: the full error lists are identical.
    assert spark_csv == duck_csv
    assert spark.errors == duck.errors and spark.warnings == duck.warnings

    # And `process --engine spark` refuses the same file, leaving nothing behind.
    out = tmp_path / "out"
    rejected = process(extract, out, spec=spec, key=bytes.fromhex(TEST_KEY_HEX), engine="spark")
    assert rejected.exit_code == 1
    assert rejected.report.summary == duck.summary
    assert not out.exists() and list(tmp_path.glob(".out.work-*")) == []
