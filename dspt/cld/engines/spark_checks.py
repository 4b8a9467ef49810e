# ruff: noqa: S608 - SQL here is generated from the specification files and fixed templates;
# values from extracts never enter SQL text (they are read by the engine as data).
"""The row-level validation in Spark: the same checks (`checks.build_checks`) rendered in the
Spark dialect, run where the data is, for `--engine spark`.

Landing (gzip, encoding) and the header are checked in Python first, as for DuckDB. Spark reads
the file with a corrupt-record column: rows it cannot split into the header's columns become
structural findings (too few or too many values, an unbalanced quote, an over-long line). Row
numbers come from Spark's per-partition ids turned into file order with one small count per
partition, so no row passes through Python. Findings are written as Parquet into the private work
directory and the report is built from them with the same code as DuckDB's.
"""

from __future__ import annotations

from pathlib import Path

from dspt.cld.checks import Check, build_checks, lit, with_dates
from dspt.cld.dialect import SPARK
from dspt.cld.findings import Kind, build_report, extra_kinds
from dspt.cld.spec import Spec

CORRUPT = "__corrupt"


def staged_rows(spark, path: Path, spec: Spec, *, multiline: bool = False):
    """The extract as text columns plus `__rn` (data row number from 1) and the corrupt record."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(c, StringType(), True) for c in [*spec.header, CORRUPT]])
    df = spark.read.csv(
        str(path),
        header=True,
        schema=schema,
        quote='"',
        escape='"',
        mode="PERMISSIVE",
        columnNameOfCorruptRecord=CORRUPT,
        encoding="UTF-8",
        multiLine=multiline,
    ).select("*", F.monotonically_increasing_id().alias("__id"))
    # monotonically_increasing_id = partition index << 33 | position in the partition; the
    # partitions of one file are in file order, so offsets from per-partition counts give the
    # row number without funnelling every row through one task.
    df = df.select("*", F.shiftright("__id", 33).alias("__part"))
    counts = sorted((r["__part"], r["count"]) for r in df.groupBy("__part").count().collect())
    offsets, total = [], 0
    for part, n in counts:
        offsets.append((part, total))
        total += n
    offs = spark.createDataFrame(offsets or [(0, 0)], "__part long, __off long")
    return df.join(F.broadcast(offs), "__part").select(
        *[F.col(f"`{c}`") for c in spec.header],
        F.col(CORRUPT),
        (F.col("__off") + (F.col("__id") - F.shiftleft("__part", 33)) + 1).alias("__rn"),
    )


def run_checks(
    spark, path: Path, spec: Spec, findings_dir: Path, *, max_line_bytes: int, kinds_extra: dict
):
    """Count and list every finding; returns (rows, period extremes, checks, counts per check).

    Findings (row, idx, value) are written as Parquet under `findings_dir`; `kinds_extra` maps the
    file-level rules (duplicates, period, structure) that are not ignored to their kind ids.
    """
    from pyspark import StorageLevel

    d = SPARK
    # Persisted (on disk: memory stays flat): Spark will not query the corrupt-record column of a
    # raw CSV read, and every later query reads the parsed rows instead of the CSV again.
    rows = staged_rows(spark, path, spec).persist(StorageLevel.DISK_ONLY)
    rows.createOrReplaceTempView("__all_rows")
    # Line by line first, so the file splits across tasks. A quoted line break shows up as broken
    # rows with an odd number of quotes; only then read again with multiLine (one split).
    if spark.sql(f"SELECT 1 FROM __all_rows WHERE {_odd_quotes(CORRUPT)} LIMIT 1").collect():
        rows.unpersist()
        rows = staged_rows(spark, path, spec, multiline=True).persist(StorageLevel.DISK_ONLY)
        rows.createOrReplaceTempView("__all_rows")
    spark.sql(f"SELECT * FROM __all_rows WHERE {CORRUPT} IS NULL").createOrReplaceTempView("__rows")
    checks = build_checks(spec, d)
    p = spec.period
    src = with_dates(spec, "__rows", d)
    sums = ", ".join(f"sum(CASE WHEN {c.fails} THEN 1 ELSE 0 END)" for c in checks) or "0"
    extremes = ", ".join(
        f"min(trim({d.ident(n)})), max(trim({d.ident(n)}))"
        for n in (p["la_code"], p["start"], p["end"])
    )
    agg = spark.sql(
        f"SELECT count(*), {extremes}, {sums}, "
        f"(SELECT count(*) FROM __all_rows WHERE {CORRUPT} IS NOT NULL) FROM {src}"
    ).collect()[0]
    values = list(agg)
    good_rows, extremes_v, counts, broken = values[0], values[1:7], values[7:-1], values[-1]
    counts = [int(n or 0) for n in counts]
    parts = []
    failing = [c for c, n in zip(checks, counts, strict=True) if n]
    if failing:
        parts.append(_check_findings(failing, src))
    if "DUPLICATE_EVENT" in kinds_extra:
        parts.append(_duplicates(spec, kinds_extra["DUPLICATE_EVENT"]))
    la_min, la_max, ps_min, ps_max, pe_min, pe_max = extremes_v
    if (
        la_min != la_max or ps_min != ps_max or pe_min != pe_max
    ) and "PERIOD_MISMATCH" in kinds_extra:
        parts.append(_period_mismatch(spec, kinds_extra["PERIOD_MISMATCH"]))
    if broken:
        parts.append(_structural(spec, kinds_extra, max_line_bytes))
    parts = [q for q in parts if q]
    if parts:
        union = " UNION ALL ".join(f"SELECT row, idx, value FROM ({q})" for q in parts)
        spark.sql(union).coalesce(1).write.mode("overwrite").parquet(str(findings_dir))
    for view in ("__rows", "__all_rows"):
        spark.catalog.dropTempView(view)
    rows.unpersist()
    return good_rows + broken, extremes_v, checks, counts, bool(parts)


def _check_findings(failing: list[Check], src: str) -> str:
    d = SPARK
    items = ", ".join(
        f"CASE WHEN {c.fails} THEN named_struct('idx', {c.idx}, 'value', "
        f"{f'left(trim({d.ident(c.field)}), 40)' if c.show_value else 'CAST(NULL AS STRING)'}) END"
        for c in failing
    )
    where = " OR ".join(f"({c.fails})" for c in failing)
    return f"""SELECT __rn AS row, f.idx AS idx, f.value AS value FROM (
        SELECT __rn, explode(filter(array({items}), x -> x IS NOT NULL)) AS f
        FROM {src} WHERE {where})"""


def _duplicates(spec: Spec, kind) -> str:
    d = SPARK
    key = ", ".join(
        d.ident(n)
        for n in (spec.tracing["person_id"], "Event_Type", "Event_Reference", "Event_Start_Date")
    )
    return f"""SELECT __rn AS row, {kind.idx} AS idx, CAST(NULL AS STRING) AS value FROM (
        SELECT __rn, row_number() OVER (PARTITION BY {key} ORDER BY __rn) AS k FROM __rows)
        WHERE k > 1"""


def _period_mismatch(spec: Spec, kind) -> str:
    d = SPARK
    p = spec.period
    cols = [f"trim({d.ident(p[k])})" for k in ("la_code", "start", "end")]
    combo = " || '|' || ".join(f"coalesce({c}, '')" for c in cols)
    # The most common combination; ties broken by the smallest, as DuckDB's mode() would not
    # promise either - a file with a tie is wrong whichever way round it is reported.
    return f"""SELECT __rn AS row, {kind.idx} AS idx, CAST(NULL AS STRING) AS value FROM __rows
        WHERE {combo} <> (SELECT c FROM (SELECT {combo} AS c, count(*) AS n FROM __rows GROUP BY 1)
                          ORDER BY n DESC, c LIMIT 1)"""


def _odd_quotes(col: str) -> str:
    return f"({col} IS NOT NULL AND (length({col}) - length(replace({col}, '\"', ''))) % 2 = 1)"


def _structural(spec: Spec, kinds_extra: dict, max_line_bytes: int) -> str:
    """Rows Spark could not split: classify like DuckDB's reject types, as far as text allows."""
    n = len(spec.header)
    raw = CORRUPT
    fields = f"size(split({raw}, ',', -1))"
    cases = []
    for rule, cond in (
        ("LINE_TOO_LONG", f"octet_length({raw}) > {max_line_bytes}"),
        ("QUOTING", _odd_quotes(raw)),
        ("COLUMN_COUNT", f"{fields} <> {n}"),
        ("STRUCTURE", "TRUE"),
    ):
        if rule in kinds_extra:
            cases.append(f"WHEN {cond} THEN {kinds_extra[rule].idx}")
    if not cases:
        return ""
    return f"""SELECT * FROM (SELECT __rn AS row, CASE {" ".join(cases)} END AS idx,
        CAST(NULL AS STRING) AS value FROM __all_rows WHERE {raw} IS NOT NULL) WHERE idx IS NOT NULL"""


def validate_rows(
    path: Path, spec: Spec, workdir: Path, limits, base, examples, error_csv, tracker
):
    """The same checks run in Spark; findings come back as Parquet and the report is built from
    them in DuckDB, by the same code as a DuckDB run (the findings are few; the rows stay put)."""
    from dspt.cld.engines import duck, spark

    tracker.update(0.15)
    findings_dir = workdir / "spark-findings"
    n_checks = len(build_checks(spec))
    extra = extra_kinds(spec, n_checks)
    rows, extremes, checks, _counts, listed = run_checks(
        spark.session(),
        path,
        spec,
        findings_dir,
        max_line_bytes=limits.max_line_bytes,
        kinds_extra=extra,
    )
    tracker.update(0.85)
    kinds = [Kind(c.idx, c.rule, c.field, c.message, c.show_value, c.action) for c in checks]
    kinds += list(extra.values())
    con = duck.connect(workdir)
    if listed:
        pattern = lit(str(findings_dir / "*.parquet"))
        con.execute(
            "CREATE TEMP TABLE findings AS SELECT CAST(row AS BIGINT) AS row, "
            f"CAST(idx AS INTEGER) AS idx, CAST(value AS VARCHAR) AS value FROM read_parquet({pattern})"
        )
    else:
        con.execute("CREATE TEMP TABLE findings (row BIGINT, idx INTEGER, value VARCHAR)")
    report = build_report(con, base, kinds, examples, error_csv)
    con.close()
    la_min, la_max, ps_min, ps_max, pe_min, pe_max = extremes
    report.rows = rows
    mismatch = la_min != la_max or ps_min != ps_max or pe_min != pe_max
    report.period = None if mismatch else {"la_code": la_min, "start": ps_min, "end": pe_min}
    return report


__all__ = ["validate_rows", "run_checks", "staged_rows"]
