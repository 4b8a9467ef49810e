# ruff: noqa: S608 - SQL here is generated from the specification files and fixed templates;
# values from extracts never enter SQL text (they are read by the engine as data).
"""The row-level validation in Spark: the same checks (`checks.build_checks`) rendered in the
Spark dialect, run where the data is, for `--engine spark`.

Landing (gzip, encoding) and the header are checked in Python first, as for DuckDB. Spark then
parses the CSV once (`stage`) into a checkpointed table (`spark_session.checkpoint`) holding,
per row, the text columns, the plan's `rec` columns (normalised identifiers, trace key), every
check's verdict as bits of a few BIGINT masks, the line's length and whether the row is broken:
Spark could not split it into the header's columns (too few or too many values, an unbalanced
quote) or its line is over the size limit. One aggregate over that table decides the file;
findings are listed only when a bit is set, and row numbers (from Spark's per-partition ids and
one small count per partition, so no row passes through Python) only then. `process` runs the
plan from the same checkpointed table (`take_staged`), so an accepted extract is parsed once for
checks, tracing and output alike.
Findings are written as Parquet into the private work directory and the report is built from them
with the same code as DuckDB's.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from dspt.cld.checks import Check, build_checks, date_alias, lit, with_dates
from dspt.cld.dialect import SPARK
from dspt.cld.engines.spark_session import checkpoint, discard
from dspt.cld.findings import Kind, build_report, extra_kinds, repeats_header
from dspt.cld.plan import rec_select
from dspt.cld.spec import Spec

CORRUPT = "__corrupt"
MASK_BITS = 62  # checks per BIGINT bit mask (bit 63 is the sign)
# Columns of the staged table that are not the extract's own or the plan's `rec` columns.
BOOKKEEPING = ("__id", "__len", "__broken", "__odd", "__badquote", "__fields")
# A value that opens a quote and closes it before something other than a comma, or never closes
# it: what DuckDB's reader rejects as a quoting error (`UNQUOTED VALUE`). A quote inside a plain
# value (`Station Road "Sur`) is text to both readers, so a row it is in is not a quoting error.
BAD_QUOTE = r'(^|,)"([^"]|"")*("[^,"]|$)'


@dataclass
class Staged:
    """An extract parsed once and cached in Spark, with what produced it.

    It lives as long as `workdir` (the run's private work directory): a cached table whose work
    directory is gone belonged to a finished run and is released by the next one (`_sweep`).
    """

    df: object  # pyspark DataFrame, checkpointed (`spark_session.checkpoint`)
    path: Path
    spec_version: str
    multiline: bool
    workdir: Path
    masks: tuple[str, ...]


_staged: dict[tuple[str, str], Staged] = {}
_lock = threading.Lock()


def _mask(c: Check) -> str:
    return f"__fails{(c.idx - 1) // MASK_BITS}"


def _failed(c: Check) -> str:
    """SQL: TRUE when the staged row failed check `c` (read from the row's bit mask)."""
    return f"(shiftright({_mask(c)}, {(c.idx - 1) % MASK_BITS}) & 1) = 1"


def _odd_quotes(col: str) -> str:
    return f"({col} IS NOT NULL AND (length({col}) - length(replace({col}, '\"', ''))) % 2 = 1)"


def _read_csv(spark, path: Path, spec: Spec, multiline: bool):
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(c, StringType(), True) for c in [*spec.header, CORRUPT]])
    raw = spark.read.csv(
        str(path),
        header=True,
        schema=schema,
        quote='"',
        escape='"',
        mode="PERMISSIVE",
        columnNameOfCorruptRecord=CORRUPT,
        encoding="UTF-8",
        multiLine=multiline,
    )
    # A blank line (spaces, tabs, other control characters: `landing.is_blank`) is not a row.
    # Read line by line Spark skips it; read across lines it comes as an unreadable row, left
    # out here before the rows are numbered. (The first column is named as well: Spark refuses
    # a query on a raw CSV that reads nothing but the unreadable rows' text.)
    text = F.coalesce(F.col(CORRUPT), F.col(spec.header[0]))
    blank = F.col(CORRUPT).isNotNull() & text.rlike(r"^[\x00-\x20]*$")
    return raw.where(~blank).select("*", F.monotonically_increasing_id().alias("__id"))


def _stage_sql(spec: Spec, checks: list[Check], source: str) -> str:
    """The one pass over the CSV: text columns, `rec`, the check masks and the line's length.

    A row Spark parsed has no raw line to measure, so its length is its values' bytes plus the
    commas between them (quotes are not counted): a giant field makes the row over-long, and
    broken, exactly as DuckDB's line limit rejects it, instead of slipping through. An
    unsplittable row keeps only what classifies it (length, odd quotes, number of fields), and an
    over-long row none of its values: the cache never holds a giant value.
    """
    d = SPARK
    masks: dict[str, list[str]] = {}
    for c in checks:
        bit = 1 << ((c.idx - 1) % MASK_BITS)
        masks.setdefault(_mask(c), []).append(f"(CASE WHEN {c.fails} THEN {bit} ELSE 0 END)")
    mask_cols = "".join(f", ({' | '.join(parts)}) AS {name}" for name, parts in masks.items())
    values = " + ".join(f"coalesce(octet_length({d.ident(c)}), 0)" for c in spec.header)
    length = (
        f"CASE WHEN {CORRUPT} IS NOT NULL THEN octet_length({CORRUPT}) "
        f"ELSE {values} + {len(spec.header) - 1} END"
    )
    rec = rec_select(spec, SPARK, with_dates(spec, source, SPARK))
    return f"SELECT *{mask_cols}, {length} AS __len FROM ({rec}) __r"


def stage(spark, path: Path, spec: Spec, *, multiline: bool, max_line_bytes: int):
    """Parse the extract into a checkpointed DataFrame (computed now; see module doc).

    Returns (DataFrame, names of the mask columns)."""
    from pyspark.sql import functions as F

    checks = build_checks(spec, SPARK)
    raw = _read_csv(spark, path, spec, multiline)
    view = f"__raw_{id(raw)}"
    raw.createOrReplaceTempView(view)
    try:
        df = spark.sql(_stage_sql(spec, checks, view))
        long = F.expr(f"__len > {int(max_line_bytes)}")
        df = (
            df.withColumns(
                {c: F.when(long, None).otherwise(F.col(SPARK.ident(c))) for c in spec.header}
            )
            .withColumns(
                {
                    "__broken": F.col(CORRUPT).isNotNull() | long,
                    "__odd": F.expr(_odd_quotes(CORRUPT)),
                    "__badquote": F.col(CORRUPT).isNotNull() & F.col(CORRUPT).rlike(BAD_QUOTE),
                    "__fields": F.expr(
                        f"CASE WHEN {CORRUPT} IS NOT NULL THEN size(split({CORRUPT}, ',', -1)) END"
                    ),
                }
            )
            .drop(CORRUPT, *(date_alias(f.name) for f in spec.fields if f.type == "date"))
        )
        df = checkpoint(df)
    finally:
        spark.catalog.dropTempView(view)
    masks = tuple(sorted({_mask(c) for c in checks}))
    return df, masks


def _sweep() -> None:
    """Release cached extracts whose run has ended (its work directory removed)."""
    with _lock:
        done = [k for k, s in _staged.items() if not s.workdir.exists()]
        for key in done:
            discard(_staged.pop(key).df)


def _key(path: Path, spec: Spec) -> tuple[str, str]:
    return (str(path), spec.version)


def take_staged(path: Path, spec: Spec) -> Staged | None:
    """The cached parse of `path` left by its validation, handed over (the caller releases it)."""
    with _lock:
        return _staged.pop(_key(path, spec), None)


def _keep(staged: Staged) -> None:
    key = (str(staged.path), staged.spec_version)
    with _lock:
        old = _staged.pop(key, None)
        _staged[key] = staged
    if old is not None and old.df is not staged.df:
        discard(old.df)


def _aggregate(spark, df, spec: Spec, masks: tuple[str, ...]) -> dict:
    """Everything that decides the file, in one pass over the staged rows."""
    d = SPARK
    p = spec.period
    good = "NOT __broken"
    extremes = ", ".join(
        f"min(CASE WHEN {good} THEN trim({d.ident(n)}) END), "
        f"max(CASE WHEN {good} THEN trim({d.ident(n)}) END)"
        for n in (p["la_code"], p["start"], p["end"])
    )
    bits = "".join(f", bit_or(CASE WHEN {good} THEN {m} ELSE 0 END)" for m in masks)
    view = f"__staged_{id(df)}"
    df.createOrReplaceTempView(view)
    try:
        row = spark.sql(
            f"SELECT count_if({good}), count_if(__broken), "
            f"max(CASE WHEN __odd THEN 1 ELSE 0 END), {extremes}{bits} "
            f"FROM {view}"
        ).collect()[0]
    finally:
        spark.catalog.dropTempView(view)
    values = list(row)
    return {
        "good": int(values[0]),
        "broken": int(values[1]),
        "odd_quotes": bool(values[2]),
        "extremes": values[3:9],
        "masks": {m: int(v or 0) for m, v in zip(masks, values[9:], strict=True)},
    }


def _numbered(spark, df):
    """The staged rows with `__rn`, the data row number from 1 in file order.

    monotonically_increasing_id = partition index << 33 | position in the partition; the
    partitions of one file are in file order, so offsets from per-partition counts (read from
    the cache: cheap) give the row number as plain arithmetic, no join and no single task.
    """
    from pyspark.sql import functions as F

    counts = sorted(
        (r["p"], r["n"])
        for r in df.groupBy(F.shiftright("__id", 33).alias("p"))
        .agg(F.count(F.lit(1)).alias("n"))
        .collect()
    )
    total, cases = 0, []
    for part, n in counts:
        cases.append(f"WHEN {int(part)} THEN {total}")
        total += int(n)
    offset = f"CASE shiftright(__id, 33) {' '.join(cases)} END" if cases else "0"
    return df.selectExpr(
        "*", f"{offset} + (__id - shiftleft(shiftright(__id, 33), 33)) + 1 AS __rn"
    )


def run_checks(
    spark,
    path: Path,
    spec: Spec,
    findings_dir: Path,
    *,
    max_line_bytes: int,
    kinds_extra: dict,
    workdir: Path | None = None,
):
    """Count and list every finding; returns (rows, period extremes, checks, listed).

    Findings (row, idx, value) are written as Parquet under `findings_dir`; `kinds_extra` maps the
    file-level rules (duplicates, period, structure) that are not ignored to their kind ids. With
    `workdir`, the staged table is kept for `process` (`take_staged`) while `workdir` exists.
    """
    _sweep()
    checks = build_checks(spec, SPARK)
    multiline = False
    df, masks = stage(spark, path, spec, multiline=False, max_line_bytes=max_line_bytes)
    agg = _aggregate(spark, df, spec, masks)
    # Line by line first, so the file splits across tasks. A quoted line break shows up as broken
    # rows with an odd number of quotes; only then parse again with multiLine (one split).
    if agg["odd_quotes"]:
        discard(df)
        multiline = True
        df, masks = stage(spark, path, spec, multiline=True, max_line_bytes=max_line_bytes)
        agg = _aggregate(spark, df, spec, masks)
    failing = [c for c in checks if (agg["masks"][_mask(c)] >> ((c.idx - 1) % MASK_BITS)) & 1]
    la_min, la_max, ps_min, ps_max, pe_min, pe_max = agg["extremes"]
    mismatch = la_min != la_max or ps_min != ps_max or pe_min != pe_max
    listed = False
    all_rows = rows = None
    parts: list[str] = []
    try:
        numbered = None

        def views() -> tuple[str, str]:
            nonlocal numbered, all_rows, rows
            if numbered is None:
                numbered = _numbered(spark, df)
                all_rows, rows = f"__all_rows_{id(df)}", f"__rows_{id(df)}"
                numbered.createOrReplaceTempView(all_rows)
                numbered.where("NOT __broken").createOrReplaceTempView(rows)
            return all_rows, rows

        if failing:
            parts.append(_check_findings(failing, views()[1]))
        if "DUPLICATE_EVENT" in kinds_extra and agg["good"]:
            dup = _duplicates(spark, df, spec, kinds_extra["DUPLICATE_EVENT"], views)
            if dup:
                parts.append(dup)
        if mismatch and "PERIOD_MISMATCH" in kinds_extra:
            parts.append(_period_mismatch(spec, kinds_extra["PERIOD_MISMATCH"], views()[1]))
        if "HEADER_REPEATED" in kinds_extra and spec.period["la_code"] in (la_min, la_max):
            parts.append(
                f"SELECT __rn AS row, {kinds_extra['HEADER_REPEATED'].idx} AS idx, "
                f"CAST(NULL AS STRING) AS value FROM {views()[1]} "
                f"WHERE {repeats_header(spec, SPARK)}"
            )
        if agg["broken"]:
            parts.append(_structural(spec, kinds_extra, max_line_bytes, views()[0]))
        parts = [q for q in parts if q]
        if parts:
            union = " UNION ALL ".join(f"SELECT row, idx, value FROM ({q})" for q in parts)
            spark.sql(union).coalesce(1).write.mode("overwrite").parquet(str(findings_dir))
            listed = True
    finally:
        for view in (all_rows, rows):
            if view:
                spark.catalog.dropTempView(view)
    if workdir is not None:
        _keep(Staged(df, path, spec.version, multiline, workdir, masks))
    else:
        discard(df)
    return agg["good"] + agg["broken"], agg["extremes"], checks, listed


def _check_findings(failing: list[Check], rows: str) -> str:
    d = SPARK
    items = ", ".join(
        f"CASE WHEN {_failed(c)} THEN named_struct('idx', {c.idx}, 'value', "
        f"{f'left(trim({d.ident(c.field)}), 40)' if c.show_value else 'CAST(NULL AS STRING)'}) END"
        for c in failing
    )
    where = " OR ".join(sorted({f"{_mask(c)} <> 0" for c in failing}))
    return f"""SELECT __rn AS row, f.idx AS idx, f.value AS value FROM (
        SELECT __rn, explode(filter(array({items}), x -> x IS NOT NULL)) AS f
        FROM {rows} WHERE {where})"""


def _duplicates(spark, df, spec: Spec, kind, views) -> str:
    """Repeated events. A count of repeated key hashes first (one narrow aggregate): the window
    (a full shuffle and sort) runs only when some hash repeats, and only over those rows."""
    d = SPARK
    key = ", ".join(
        d.ident(n)
        for n in (spec.tracing["person_id"], "Event_Type", "Event_Reference", "Event_Start_Date")
    )
    view = f"__dup_{id(df)}"
    df.where("NOT __broken").createOrReplaceTempView(view)
    try:
        repeated = spark.sql(
            f"SELECT count(*) FROM (SELECT xxhash64({key}) h FROM {view} "
            "GROUP BY h HAVING count(*) > 1)"
        ).collect()[0][0]
    finally:
        spark.catalog.dropTempView(view)
    if not repeated:
        return ""
    _, rows = views()
    return f"""SELECT __rn AS row, {kind.idx} AS idx, CAST(NULL AS STRING) AS value FROM (
        SELECT __rn, row_number() OVER (PARTITION BY {key} ORDER BY __rn) AS k FROM {rows}
        WHERE xxhash64({key}) IN (
            SELECT xxhash64({key}) h FROM {rows} GROUP BY h HAVING count(*) > 1))
        WHERE k > 1"""


def _period_mismatch(spec: Spec, kind, rows: str) -> str:
    d = SPARK
    p = spec.period
    cols = [f"trim({d.ident(p[k])})" for k in ("la_code", "start", "end")]
    combo = " || '|' || ".join(f"coalesce({c}, '')" for c in cols)
    # The most common combination; ties broken by the smallest, as DuckDB's mode() would not
    # promise either - a file with a tie is wrong whichever way round it is reported.
    return f"""SELECT __rn AS row, {kind.idx} AS idx, CAST(NULL AS STRING) AS value FROM {rows}
        WHERE {combo} <> (SELECT c FROM (SELECT {combo} AS c, count(*) AS n FROM {rows} GROUP BY 1)
                          ORDER BY n DESC, c LIMIT 1)"""


def _structural(spec: Spec, kinds_extra: dict, max_line_bytes: int, all_rows: str) -> str:
    """Broken rows: classified like DuckDB's reject types, as far as text allows."""
    n = len(spec.header)
    cases = []
    for rule, cond in (
        ("LINE_TOO_LONG", f"__len > {max_line_bytes}"),
        ("QUOTING", "__badquote"),
        ("COLUMN_COUNT", f"__fields <> {n}"),
        ("STRUCTURE", "TRUE"),
    ):
        if rule in kinds_extra:
            cases.append(f"WHEN {cond} THEN {kinds_extra[rule].idx}")
    if not cases:
        return ""
    return f"""SELECT * FROM (SELECT __rn AS row, CASE {" ".join(cases)} END AS idx,
        CAST(NULL AS STRING) AS value FROM {all_rows} WHERE __broken) WHERE idx IS NOT NULL"""


def validate_rows(
    path: Path, spec: Spec, workdir: Path, limits, base, examples, error_csv, tracker
):
    """The same checks run in Spark; findings come back as Parquet and the report is built from
    them in DuckDB, by the same code as a DuckDB run (the findings are few; the rows stay put).

    The parsed extract stays cached for `process` while `workdir` exists (`take_staged`)."""
    from dspt.cld.engines import duck
    from dspt.cld.engines.spark_session import session

    tracker.update(0.15)
    findings_dir = workdir / "spark-findings"
    n_checks = len(build_checks(spec))
    extra = extra_kinds(spec, n_checks)
    rows, extremes, checks, listed = run_checks(
        session(),
        path,
        spec,
        findings_dir,
        max_line_bytes=limits.max_line_bytes,
        kinds_extra=extra,
        workdir=workdir,
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
    if not report.accepted:
        release(take_staged(path, spec))
    return report


def release(staged: Staged | None) -> None:
    """Drop a cached extract from Spark's memory and disk."""
    if staged is not None:
        discard(staged.df)


__all__ = ["validate_rows", "run_checks", "stage", "take_staged", "release", "Staged"]
