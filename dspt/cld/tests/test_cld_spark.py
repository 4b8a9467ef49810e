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


def _joins(df) -> str:
    plan = df._jdf.queryExecution().executedPlan().toString()
    return " ".join(k for k in ("BroadcastHashJoin", "SortMergeJoin") if k in plan)


@pytest.mark.spark
def test_tables_are_broadcast_by_their_stored_size_not_an_estimate(settings):
    """Spark's own sizes (a plan's estimate, shuffled bytes) can be a fraction of a table's size
    in memory: broadcasting on them ran the 1 GB heap out at 1,000,000 rows. Only a checkpointed
    table whose stored rows fit DSPT_CLD_SPARK_BROADCAST_BYTES is broadcast."""
    from dspt.cld.engines.spark_session import (
        broadcastable,
        checkpoint,
        discard,
        session,
        stored_bytes,
    )

    spark = session()
    rows = spark.range(2000).selectExpr("id AS k", "repeat('x', 100) AS v")
    people = checkpoint(spark.range(500).selectExpr("id AS k", "id * 2 AS n"))
    try:
        # Two small tables, neither hinted: joined without a broadcast, whatever Spark estimates.
        assert _joins(rows.join(spark.range(500).withColumnRenamed("id", "k"), "k")) == (
            "SortMergeJoin"
        )
        size = stored_bytes(people)
        assert size is not None and 0 < size < 1_000_000
        settings.DSPT_CLD_SPARK_BROADCAST_BYTES = size
        assert _joins(rows.join(broadcastable(people), "k")) == "BroadcastHashJoin"
        settings.DSPT_CLD_SPARK_BROADCAST_BYTES = size - 1
        assert _joins(rows.join(broadcastable(people), "k")) == "SortMergeJoin"
    finally:
        discard(people)


@pytest.mark.spark
def test_rows_kept_by_a_stopped_context_are_discarded_without_an_error():
    """A run whose Spark context stopped (its heap ran out) reports that error: the clean-up
    after it raised an error of its own from the JVM, which was reported instead."""
    from dspt.cld.engines.spark_session import checkpoint, discard, session, stop

    kept = checkpoint(session().range(10))
    stop()
    discard(kept)
    assert session().range(3).count() == 3  # the next run starts a session afresh


def test_an_operators_jvm_options_add_to_ours(settings):
    """DSPT_CLD_SPARK_CONF replaces a setting of ours, but a JVM option is added after ours: a
    cluster's extra flag must not drop the memory bounds or the compiler option, and a flag that
    contradicts ours still wins (HotSpot takes the last)."""
    from dspt.cld.engines.spark_session import JIT_OPTIONS
    from dspt.cld.engines.spark_session import settings as spark_settings

    settings.DSPT_CLD_SPARK_CONF = (
        '{"spark.driver.memory": "4g", "spark.executor.extraJavaOptions": "-XX:+UseG1GC",'
        ' "spark.driver.extraJavaOptions": "-XX:+DontCompileHugeMethods"}'
    )
    conf = spark_settings()
    assert conf["spark.driver.memory"] == "4g"
    assert conf["spark.executor.extraJavaOptions"] == f"{JIT_OPTIONS} -XX:+UseG1GC"
    driver = conf["spark.driver.extraJavaOptions"].split()
    assert "-XX:MaxDirectMemorySize=256m" in driver
    assert driver[-2:] == ["-XX:-DontCompileHugeMethods", "-XX:+DontCompileHugeMethods"]


@pytest.mark.spark
def test_the_spark_jvm_compiles_the_checks_generated_code():
    """The checks run as one generated method far over HotSpot's 8,000-byte limit for
    compiling a method; left interpreted it was most of a large extract's CPU time."""
    from dspt.cld.engines.spark_session import session

    jvm = session()._jvm
    bean = jvm.java.lang.management.ManagementFactory.getPlatformMXBean(
        jvm.java.lang.Class.forName("com.sun.management.HotSpotDiagnosticMXBean")
    )
    assert bean.getVMOption("DontCompileHugeMethods").getValue() == "false"
