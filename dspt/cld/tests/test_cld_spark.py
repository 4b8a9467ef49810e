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
    # Nothing broadcast: the per-person table joined to the rows in pieces, as a large extract's.
    settings.DSPT_CLD_SPARK_BROADCAST_BYTES = 8 * 1024
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
    from dspt.cld.engines.spark_session import JVM_OPTIONS
    from dspt.cld.engines.spark_session import settings as spark_settings

    settings.DSPT_CLD_SPARK_CONF = (
        '{"spark.driver.memory": "4g", "spark.executor.extraJavaOptions": "-XX:+UseG1GC",'
        ' "spark.driver.extraJavaOptions": "-XX:+DontCompileHugeMethods"}'
    )
    conf = spark_settings()
    assert conf["spark.driver.memory"] == "4g"
    assert conf["spark.executor.extraJavaOptions"] == f"{JVM_OPTIONS} -XX:+UseG1GC"
    driver = conf["spark.driver.extraJavaOptions"].split()
    assert "-XX:MaxDirectMemorySize=256m" in driver
    assert driver[-1] == "-XX:+DontCompileHugeMethods"
    assert driver[-1 - len(JVM_OPTIONS.split()) : -1] == JVM_OPTIONS.split()


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
    # C2 gives up on that method at once instead of after ten seconds' work.
    assert bean.getVMOption("MaxNodeLimit").getValue() == "60000"


@pytest.mark.spark
def test_the_spark_jvm_collects_garbage_without_concurrent_marking():
    """G1's concurrent marking, run again and again over a heap full of the checkpointed
    extract, took an eighth of a 5,000,000-row run's CPU time; the parallel collector does none."""
    from dspt.cld.engines.spark_session import session

    jvm = session()._jvm
    beans = jvm.java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()
    names = {beans.get(i).getName() for i in range(beans.size())}
    assert names == {"PS Scavenge", "PS MarkSweep"}


@pytest.mark.spark
def test_a_table_too_large_to_broadcast_is_joined_in_pieces_none_over_the_limit(settings):
    """The output joins every row to the per-person table. Sorting both sides to merge them
    spilled 4 GB at 5,000,000 rows; instead each task builds a hash table of one piece of the
    per-person table, in as many pieces as keep each within DSPT_CLD_SPARK_BROADCAST_BYTES."""
    from dspt.cld.engines.spark_session import build_side, checkpoint, discard, pieces, session

    settings.DSPT_CLD_SPARK_SHUFFLE_PARTITIONS = 2
    spark = session()
    rows = spark.range(20000).selectExpr("id % 3000 AS k", "repeat('x', 100) AS v")
    people = checkpoint(spark.range(3000).selectExpr("id AS k", "repeat('p', 200) AS n"))
    try:
        size = _stored(people)
        settings.DSPT_CLD_SPARK_BROADCAST_BYTES = size
        hinted, count = build_side(people)
        assert count is None
        assert _joins(rows.join(hinted, "k")) == "BroadcastHashJoin"

        settings.DSPT_CLD_SPARK_BROADCAST_BYTES = size // 5
        hinted, count = build_side(people)
        before = spark.conf.get("spark.sql.shuffle.partitions")
        assert count == -(-size // (size // 5)) >= 5  # more pieces than the setting's 2
        with pieces(spark, count):
            joined = rows.join(hinted, "k")
            plan = joined._jdf.queryExecution().executedPlan().toString()
            assert "ShuffledHashJoin" in plan and "SortMergeJoin" not in plan
            assert joined.count() == 20000
            assert joined.rdd.getNumPartitions() == count  # not merged into fewer
        assert spark.conf.get("spark.sql.shuffle.partitions") == before  # restored after
    finally:
        discard(people)


def _stored(df) -> int:
    from dspt.cld.engines.spark_session import stored_bytes

    size = stored_bytes(df)
    assert size is not None and size > 0
    return size
