"""Run the shared plan on Apache Spark: `local[*]` by default, any master by DSPT_CLD_SPARK_MASTER.

The SQL is the same plan as DuckDB's, rendered in the Spark dialect. The session is configured so
no query text or plan can leak key material: the web UI is off, logging is at ERROR, and the keys
enter as a one-row DataFrame rather than as literals.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from pathlib import Path

from dspt.cld import conf
from dspt.cld.dialect import SPARK
from dspt.cld.engines.common import (
    INDEX_COLUMNS,
    LOOKUP_COLUMNS,
    RunInputs,
    RunOutputs,
    is_parquet,
)
from dspt.cld.plan import build_plan

_session = None


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
    builder = (
        SparkSession.builder.master(str(conf.get("DSPT_CLD_SPARK_MASTER")))
        .appName("dspt-cld")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(conf.get("DSPT_CLD_SPARK_SHUFFLE_PARTITIONS")))
        .config("spark.driver.memory", "1g")
        # Bound what the JVM holds beyond its heap (direct buffers default to the heap's size
        # again), so local mode keeps within the 2 GB a machine like ours can give it.
        .config(
            "spark.driver.extraJavaOptions",
            "-XX:MaxDirectMemorySize=256m -XX:MaxMetaspaceSize=256m -XX:ReservedCodeCacheSize=128m",
        )
        .config("spark.sql.parquet.compression.codec", "zstd")
        .config("spark.sql.legacy.timeParserPolicy", "CORRECTED")
        .config("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
        .config("spark.hadoop.parquet.enable.summary-metadata", "false")
        .config(
            "spark.sql.sources.commitProtocolClass",
            "org.apache.spark.sql.execution.datasources.SQLHadoopMapReduceCommitProtocol",
        )
    )
    # Operators add or override any Spark setting (cluster master, memory, ...) as JSON.
    for key, value in json.loads(str(conf.get("DSPT_CLD_SPARK_CONF")) or "{}").items():
        builder = builder.config(key, str(value))
    _session = builder.getOrCreate()
    _session.sparkContext.setLogLevel("ERROR")
    return _session


def _string_schema(columns):
    from pyspark.sql.types import StringType, StructField, StructType

    return StructType([StructField(c, StringType(), True) for c in columns])


def _read(spark, path: Path, columns: tuple[str, ...]):
    if is_parquet(path):
        df = spark.read.parquet(str(path))
        return df.selectExpr(*[f"CAST({c} AS STRING) AS {c}" for c in columns])
    return spark.read.csv(str(path), header=True, schema=_string_schema(columns), mode="FAILFAST")


def run_plan(
    inputs: RunInputs, outputs: RunOutputs, workdir: Path, *, progress=None
) -> dict[str, int]:
    """Run the plan; write Parquet parts and the trace results. Returns rows per trace outcome."""
    from dspt.cld.progress import as_progress

    tracker = as_progress(progress)
    spark = session()
    tracker.update(0.05)
    src = spark.read.csv(
        str(inputs.extract),
        header=True,
        schema=_string_schema(inputs.spec.header),
        quote='"',
        escape='"',
        multiLine=inputs.multiline,
        mode="DROPMALFORMED",
        encoding="UTF-8",
    )
    src.createOrReplaceTempView("src")
    _read(spark, inputs.index, INDEX_COLUMNS).createOrReplaceTempView("ix_raw")
    _read(spark, inputs.lookup, LOOKUP_COLUMNS).createOrReplaceTempView("lk_raw")
    spark.createDataFrame(
        [(bytearray(inputs.keys.ipad), bytearray(inputs.keys.opad))], "ipad binary, opad binary"
    ).createOrReplaceTempView("__keys")
    steps = build_plan(inputs.spec, SPARK, threshold=inputs.threshold)
    try:
        for step in steps:
            spark.sql(SPARK.create(step.name, step.sql, step.materialise))
        tracker.update(0.1)
        out_tmp = workdir / "spark-output"
        spark.table("output").write.mode("overwrite").parquet(str(out_tmp))
        tracker.update(0.9)
        for i, part in enumerate(sorted(out_tmp.glob("part-*.parquet"))):
            shutil.move(str(part), outputs.parquet_dir / f"part-{i:05d}.parquet")
        if outputs.trace_csv is not None:
            csv_tmp = workdir / "spark-trace"
            spark.table("trace_results").orderBy("la_person_id").coalesce(1).write.mode(
                "overwrite"
            ).csv(str(csv_tmp), header=True)
            shutil.move(str(next(csv_tmp.glob("part-*.csv"))), outputs.trace_csv)
        counts = (
            spark.read.parquet(str(outputs.parquet_dir)).groupBy("trace_outcome").count().collect()
        )
        return {r["trace_outcome"]: r["count"] for r in counts}
    finally:
        for step in reversed(steps):
            if step.materialise:
                spark.sql(f"UNCACHE TABLE IF EXISTS {step.name}")
            spark.catalog.dropTempView(step.name)
        spark.catalog.clearCache()


def stop() -> None:
    global _session
    if _session is not None:
        _session.stop()
        _session = None
