"""Run the shared plan on Apache Spark: `local[*]` by default, any master by DSPT_CLD_SPARK_MASTER.

The SQL is the same plan as DuckDB's, rendered in the Spark dialect, run over the table the
extract's validation cached (`spark_checks`): the file is parsed once. The session is configured
so no query text or plan can leak key material: the web UI is off, logging is at ERROR, and the
keys enter as a one-row DataFrame built in the JVM (`keys_frame`) rather than as literals.

On a cluster (`docs/operator-guide.md`) this process is the driver; the executors read the
extract and write the output by the same paths, so they must be on storage every worker shares.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from dspt.cld.dialect import SPARK
from dspt.cld.engines.common import (
    INDEX_COLUMNS,
    LOOKUP_COLUMNS,
    RunInputs,
    RunOutputs,
    is_parquet,
    outcome_counts,
)
from dspt.cld.engines.spark_session import (
    broadcastable,
    build_side,
    checkpoint,
    discard,
    pieces,
    session,
    stop,
)
from dspt.cld.plan import build_plan


def _string_schema(columns):
    from pyspark.sql.types import StringType, StructField, StructType

    return StructType([StructField(c, StringType(), True) for c in columns])


def _read(spark, path: Path, columns: tuple[str, ...]):
    if is_parquet(path):
        df = spark.read.parquet(str(path))
        return df.selectExpr(*[f"CAST({c} AS STRING) AS {c}" for c in columns])
    return spark.read.csv(str(path), header=True, schema=_string_schema(columns), mode="FAILFAST")


def keys_frame(spark, keys):
    """The padded keys as a one-row DataFrame (ipad, opad), built inside the JVM.

    Handed over through the Py4J gateway rather than `createDataFrame`, which would pickle them to
    a temporary file on the driver's disk and need Python workers on every executor to unpickle
    them. The row travels to executors with the tasks that compute pseudonyms, as data: it never
    appears in SQL text or a query plan's description.
    """
    from pyspark.sql import DataFrame

    jvm = spark._jvm
    values = spark.sparkContext._gateway.new_array(jvm.java.lang.Object, 2)
    values[0] = bytearray(keys.ipad)
    values[1] = bytearray(keys.opad)
    rows = jvm.java.util.ArrayList()
    rows.add(jvm.org.apache.spark.sql.RowFactory.create(values))
    schema = jvm.org.apache.spark.sql.types.StructType.fromDDL("ipad BINARY, opad BINARY")
    return DataFrame(spark._jsparkSession.createDataFrame(rows, schema), spark)


def run_plan(
    inputs: RunInputs, outputs: RunOutputs, workdir: Path, *, progress=None
) -> dict[str, int]:
    """Run the plan; write Parquet parts and the trace results. Returns rows per trace outcome.

    The extract comes from the table its validation cached (`spark_checks.take_staged`): the
    text columns and the plan's `rec` columns of every row, parsed once. Only when there is none
    (a caller that did not validate first) is the file parsed here.
    """
    from dspt.cld.engines import spark_checks
    from dspt.cld.landing import Limits
    from dspt.cld.progress import as_progress

    tracker = as_progress(progress)
    spark = session()
    tracker.update(0.05)
    staged = spark_checks.take_staged(inputs.extract, inputs.spec)
    if staged is None:
        df, masks = spark_checks.stage(
            spark,
            inputs.extract,
            inputs.spec,
            multiline=inputs.multiline,
            max_line_bytes=Limits.from_settings().max_line_bytes,
        )
        staged = spark_checks.Staged(
            df, inputs.extract, inputs.spec.version, inputs.multiline, workdir, masks
        )
    kept = []
    output_pieces = None
    steps = build_plan(inputs.spec, SPARK, threshold=inputs.threshold)
    try:
        # Rows Spark could not read, or over the line limit, are left out as DuckDB leaves its
        # rejects out (they only reach here when their rules are set to warn).
        staged.df.where("NOT __broken").drop(
            *spark_checks.BOOKKEEPING, *staged.masks
        ).createOrReplaceTempView("src")
        _read(spark, inputs.index, INDEX_COLUMNS).createOrReplaceTempView("ix_raw")
        _read(spark, inputs.lookup, LOOKUP_COLUMNS).createOrReplaceTempView("lk_raw")
        # One row: broadcast to the joins with it (none is broadcast unless hinted).
        keys_frame(spark, inputs.keys).hint("broadcast").createOrReplaceTempView("__keys")
        for i, step in enumerate(steps):
            sql = "SELECT * FROM src" if step.name == "rec" else step.sql
            df = spark.sql(sql)
            if step.materialise:
                # Built now, as rows (`checkpoint`): the steps after it read those rows, not its
                # plan again, and a small one (by the size of its rows, not an estimate) is
                # broadcast to the joins that read it instead of both sides shuffled.
                df = checkpoint(df)
                kept.append(df)
                if step.name == "traced":
                    # The per-person table the output joins every row to: at a million rows
                    # and more too large to broadcast, so joined in pieces (`build_side`).
                    df, output_pieces = build_side(df)
                else:
                    df = broadcastable(df)
            df.createOrReplaceTempView(step.name)
            tracker.update(0.1 + 0.3 * (i + 1) / len(steps))
        out_tmp = workdir / "spark-output"
        with pieces(spark, output_pieces):
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
        return outcome_counts(outputs.parquet_dir)
    finally:
        for name in ("src", "ix_raw", "lk_raw", "__keys", *(s.name for s in steps)):
            spark.catalog.dropTempView(name)
        for df in kept:
            discard(df)
        spark_checks.release(staged)


__all__ = ["run_plan", "keys_frame", "session", "stop"]
