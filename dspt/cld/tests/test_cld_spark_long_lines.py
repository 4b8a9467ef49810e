"""A giant field through `--engine spark`: the row is counted and refused as LINE_TOO_LONG.

Spark's CSV reader has no line limit of its own, so a row with a 20 MB or 50 MB value parses
cleanly; the engine measures every row's line and treats one over DSPT_CLD_MAX_LINE_BYTES as
broken, as DuckDB's reader does. Nothing is written for the refused file.
"""

from __future__ import annotations

import csv

import pytest

from dspt.cld.generate import generate
from dspt.cld.pipeline import process
from dspt.cld.spec import load_spec

from .conftest import TEST_KEY_HEX

MB = 1024 * 1024


@pytest.fixture(scope="module")
def base_extract(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("long") / "base.csv", rows=1000, seed=61)


def _with_giant_field(base, target, size: int) -> None:
    """The extract with data row 5's GP_Practice_Name replaced by `size` bytes of text."""
    with open(base, newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    table[5][table[0].index("GP_Practice_Name")] = "A" * size
    with open(target, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(table)


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.parametrize("size", [20 * MB, 50 * MB])
def test_giant_field_is_counted_and_refused(base_extract, tmp_path, settings, size):
    settings.DSPT_CLD_SPARK_SHUFFLE_PARTITIONS = 2
    extract = tmp_path / "giant.csv"
    _with_giant_field(base_extract.extract, extract, size)
    out = tmp_path / "out"
    result = process(
        extract,
        out,
        spec=load_spec("release-1"),
        key=bytes.fromhex(TEST_KEY_HEX),
        engine="spark",
        index=base_extract.index,
        lookup=base_extract.lookup,
    )
    report = result.report
    assert result.exit_code == 1 and not report.accepted
    assert report.rows == 1000  # the giant row is counted, not lost
    assert report.summary == {"LINE_TOO_LONG": 1}
    assert [(e["row"], e["rule"]) for e in report.errors] == [(5, "LINE_TOO_LONG")]
    assert not out.exists() and list(tmp_path.glob(".out.work-*")) == []
