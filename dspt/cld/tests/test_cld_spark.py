"""One plan, two engines: the same extract through DuckDB and Spark gives the same rows."""

from __future__ import annotations

import pytest

from dspt.cld.generate import generate
from dspt.cld.pipeline import process
from dspt.cld.pseudonymise import pad_key
from dspt.cld.spec import load_spec

from .conftest import TEST_KEY_HEX, output_rows

KEY = bytes.fromhex(TEST_KEY_HEX)


@pytest.mark.spark
@pytest.mark.slow
def test_duckdb_and_spark_agree_row_for_row(tmp_path, capfd, settings):
    settings.DSPT_CLD_SPARK_SHUFFLE_PARTITIONS = 2  # tiny data: fewer tasks, faster
    spec = load_spec("release-2")
    extract = tmp_path / "both.csv"
    generate(extract, rows=600, seed=21, trace_share=0.4, spec=spec)
    duck = process(
        extract, tmp_path / "duck", spec=spec, key=KEY, trace_results=tmp_path / "t1.csv"
    )
    spark = process(
        extract,
        tmp_path / "spark",
        spec=spec,
        key=KEY,
        engine="spark",
        trace_results=tmp_path / "t2.csv",
    )
    assert duck.exit_code == spark.exit_code == 0
    a, b = output_rows(tmp_path / "duck"), output_rows(tmp_path / "spark")
    assert len(a) == len(b) == 600
    assert list(a[0]) == list(b[0])  # same columns, same order
    for x, y in zip(a, b, strict=True):
        assert x == y
    assert duck.trace_outcomes == spark.trace_outcomes
    assert (tmp_path / "t1.csv").read_text() == (tmp_path / "t2.csv").read_text()
    captured = capfd.readouterr()
    keys = pad_key(KEY)
    for secret in (TEST_KEY_HEX, keys.ipad.hex(), keys.opad.hex()):
        assert secret not in captured.out + captured.err
