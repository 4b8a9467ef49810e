"""The one Spark session a process uses (start-up costs seconds), configured so no query text
or plan can leak key material: the web UI off, logging at ERROR. Shared by the processing
(`spark`) and validation (`spark_checks`) halves of the Spark engine."""

from __future__ import annotations

import json
import logging
import os
import sys
from contextlib import contextmanager

from dspt.cld import conf

_session = None


# Spark fuses the row checks (about 90 of them, `spark_checks.stage`) into one generated method
# of about 35 KB of bytecode. HotSpot never compiles a method over 8,000 bytes unless told to, so
# that method ran interpreted for every row, and the checking pass it belongs to took 60% of the
# executors' CPU time in a 1,000,000-row run. Compiled, the pass takes less than half the time
# once warm, for about 0.1 GB more at the peak (docs/performance.md, "Spark").
#
# HotSpot's optimising compiler (C2) then worked about ten seconds on that method and gave up
# ("out of nodes" at its default limit of 80,000), and C1's code ran it. At 60,000 C2 gives up
# while still reading the method, before spending the time or the memory: a 1,000,000-row run
# went from 146 to 120 CPU seconds and its peak from 2.09 to 1.93 GB, 5,000,000 rows from 402
# to 379 CPU seconds (2.10 to 1.99 GB). One other generated method of a run (9.6 KB) goes to
# C1's code with it.
JIT_OPTIONS = "-XX:-DontCompileHugeMethods -XX:MaxNodeLimit=60000"
# The parallel collector, not G1 (the JVM's default). A run keeps the heap nearly full of the
# checkpointed extract, so G1 ran its concurrent marking over and over: 78 CPU seconds of a
# 5,000,000-row run's 648, and its collections another 29. The parallel collector does no
# concurrent work: its collections took 15 CPU seconds of that run. A batch run does not mind
# its longer pauses.
GC_OPTIONS = "-XX:+UseParallelGC"
JVM_OPTIONS = f"{JIT_OPTIONS} {GC_OPTIONS}"
# Options of the JVMs Spark starts that add to ours rather than replace them (see `settings`).
JAVA_OPTIONS = ("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions")


def settings() -> dict[str, str]:
    """Every Spark setting the session starts with: ours, then DSPT_CLD_SPARK_CONF's (JSON).

    An operator's setting replaces ours, except the JVMs' options: theirs are appended to ours,
    so adding a flag keeps the memory bounds and the compiler option below, and a flag of theirs
    that contradicts one of ours wins (HotSpot takes the last)."""
    ours = {
        "spark.master": str(conf.get("DSPT_CLD_SPARK_MASTER")),
        "spark.app.name": "dspt-cld",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.ansi.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": str(conf.get("DSPT_CLD_SPARK_SHUFFLE_PARTITIONS")),
        "spark.driver.memory": "1g",
        # Bound what the JVM holds beyond its heap (direct buffers default to the heap's size
        # again), so local mode keeps within about 2 GB; compile the checks (JIT_OPTIONS); the
        # parallel collector (GC_OPTIONS).
        "spark.driver.extraJavaOptions": "-XX:MaxDirectMemorySize=256m -XX:MaxMetaspaceSize=256m "
        f"-XX:ReservedCodeCacheSize=128m {JVM_OPTIONS}",
        "spark.executor.extraJavaOptions": JVM_OPTIONS,
        "spark.sql.parquet.compression.codec": "zstd",
        # Read the extract in pieces of at most 32 MB (Spark's default is 128 MB): a piece's rows
        # are one block of a checkpoint, and a block spilled to disk is read back through a
        # direct buffer of its whole size. At 5,000,000 rows two 100 MB blocks read at once
        # passed the 256 MB of direct memory above and failed the run.
        "spark.sql.files.maxPartitionBytes": "32m",
        # Nothing is broadcast on Spark's own sizes: a plan's estimate, or (adaptive execution)
        # the compressed bytes of shuffled data, can be a fraction of what the table takes in
        # memory as a hash table. On a 1,000,000-row extract that ran the 1 GB heap out and
        # failed the run. Tables are broadcast by their stored size instead (`broadcastable`).
        "spark.sql.autoBroadcastJoinThreshold": "-1",
        "spark.sql.legacy.timeParserPolicy": "CORRECTED",
        "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
        "spark.hadoop.parquet.enable.summary-metadata": "false",
        "spark.sql.sources.commitProtocolClass": (
            "org.apache.spark.sql.execution.datasources.SQLHadoopMapReduceCommitProtocol"
        ),
    }
    # Operators add or override any Spark setting (cluster master, memory, ...) as JSON.
    for key, value in json.loads(str(conf.get("DSPT_CLD_SPARK_CONF")) or "{}").items():
        ours[key] = f"{ours[key]} {value}" if key in JAVA_OPTIONS else str(value)
    return ours


def session():
    """One Spark session per process (start-up costs seconds; reuse it)."""
    global _session
    if _session is not None:
        return _session
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # glibc gives each JVM thread its own malloc arena by default; native buffers (zstd, Parquet)
    # spread over many arenas inflate the resident size far past the heap. Two is plenty here.
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    from pyspark.sql import SparkSession

    logging.getLogger("py4j").setLevel(logging.ERROR)
    builder = SparkSession.builder
    for key, value in settings().items():
        builder = builder.config(key, value)
    _session = builder.getOrCreate()
    _session.sparkContext.setLogLevel("ERROR")
    return _session


def stop() -> None:
    """Stop the process's Spark session (the next `session()` starts a new one)."""
    global _session
    if _session is not None:
        _session.stop()
        _session = None


def checkpoint(df):
    """`df` computed now and kept as rows in the executors' block stores (memory, spilling to
    disk), returned as a table whose plan is only a scan of those rows.

    Not `persist`: a persisted table keeps its whole plan, so every later query that reads it
    carries that plan again, and Spark analyses, optimises and matches it against its cache
    each time. The check masks and the tracing steps made those plans large enough that
    planning, not the rows, took most of a run (a 600-row extract: 52 s with `persist`, 40 s
    with this; 200,000 rows: 100 s and 68 s). The cost: the rows exist only on the executors
    that computed them, so losing an executor mid-run fails the run rather than recomputing
    them, and the submission is processed again (`docs/operator-guide.md`).
    """
    from pyspark import StorageLevel

    return df.localCheckpoint(eager=True, storageLevel=StorageLevel.MEMORY_AND_DISK)


def stored_bytes(df) -> int | None:
    """The bytes the rows of a `checkpoint` take where they are kept (memory and disk, on every
    executor), or None when Spark holds no record of them."""
    rdd_id = df._jdf.logicalPlan().rdd().id()
    for info in df.sparkSession.sparkContext._jsc.sc().getRDDStorageInfo():
        if info.id() == rdd_id:
            return int(info.memSize()) + int(info.diskSize())
    return None


def broadcastable(df):
    """`df`, a `checkpoint`, hinted to be broadcast to the joins that read it when its rows take
    at most DSPT_CLD_SPARK_BROADCAST_BYTES (a per-person table of tens of thousands of people):
    every task of the join then has it whole, rather than both sides shuffled and sorted. A
    larger table, or one whose size is not known, is joined without a broadcast (nor in
    `build_side`'s pieces)."""
    hinted, count = build_side(df)
    return df if count is not None else hinted


def build_side(df) -> tuple[object, int | None]:
    """`df`, a `checkpoint` that a join builds its hash table from, hinted how, and the number
    of pieces the join must be run in (None: as many as Spark's setting says).

    Broadcast whole when its rows take at most DSPT_CLD_SPARK_BROADCAST_BYTES.
    Otherwise both sides are shuffled into pieces by the join key and each task builds a hash
    table of its piece of `df` alone, in enough pieces that none holds more than that many bytes
    of it. The other side is never sorted: a sort-merge join sorted every row of a 5,000,000-row
    extract, spilling 4 GB, and took 144 CPU seconds where this takes 56. When the size is not
    known, the join is left to Spark (sort-merge, which spills rather than run out of memory)."""
    size = stored_bytes(df)
    limit = int(conf.get("DSPT_CLD_SPARK_BROADCAST_BYTES"))
    if size is None:
        return df, None
    if size <= limit:
        return df.hint("broadcast"), None
    count = max(int(conf.get("DSPT_CLD_SPARK_SHUFFLE_PARTITIONS")), -(-size // limit))
    return df.hint("shuffle_hash"), count


@contextmanager
def pieces(spark, count: int | None):
    """Queries planned inside run their shuffles in exactly `count` pieces (`build_side`): not
    fewer, as adaptive execution would otherwise make them by merging small ones."""
    if count is None:
        yield
        return
    keys = ("spark.sql.shuffle.partitions", "spark.sql.adaptive.coalescePartitions.enabled")
    before = {k: spark.conf.get(k) for k in keys}
    spark.conf.set(keys[0], str(count))
    spark.conf.set(keys[1], "false")
    try:
        yield
    finally:
        for k, v in before.items():
            spark.conf.set(k, v)


def discard(df) -> None:
    """Free the rows a `checkpoint` (or `persist`) of `df` keeps, on every executor.

    Nothing to free once the Spark context has stopped (a run that failed, the heap run out):
    its rows went with it. Trying raised an error of its own from the clean-up, which was then
    reported in place of the one that stopped the run."""
    try:
        if df.sparkSession.sparkContext._jsc.sc().isStopped():
            return
    except Exception:  # noqa: BLE001 - the JVM itself is gone: nothing is kept
        return
    plan = df._jdf.logicalPlan()
    if plan.getClass().getSimpleName() == "LogicalRDD":
        plan.rdd().unpersist(False)
    else:
        df.unpersist()
