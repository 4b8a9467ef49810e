# ruff: noqa: S608 - SQL here is generated from the specification files and fixed templates;
# values from extracts never enter SQL text (they are read by the engine as data).
"""Check an extract against the specification, in DuckDB, without holding rows in Python.

Order of work: land the bytes (gzip, encoding), read and compare the header, then one aggregate
scan counts every row-level check and collects structurally broken rows into DuckDB's reject
table. Only when something failed do further scans list the findings, and they go to a DuckDB
table, not Python: the report takes the first examples from it and the full error CSV is written
from it by DuckDB itself.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dspt.cld import conf
from dspt.cld.checks import Check, build_checks, ident, lit, sql_date, with_dates
from dspt.cld.dialect import DUCKDB
from dspt.cld.engines import duck
from dspt.cld.findings import (
    REJECT_RULES,
    Kind,
    build_report,
    extra_kinds,
    repeats_header,
    shift_rows_past_rejects,
)
from dspt.cld.landing import LandedFile, Limits, Unreadable, blank_lines_before, is_blank, land
from dspt.cld.plan import person_sources
from dspt.cld.progress import Progress, ProgressFn, as_progress
from dspt.cld.report import Report
from dspt.cld.spec import Action, Spec

# The staged extract (`_staging_select`), in the private work directory. Snappy: the file is
# read once or twice and deleted, so cheap compression beats small.
STAGE_FILE = "stage.parquet"
STAGE_COMPRESSION = "snappy"


@dataclass
class Validation:
    """The report, plus what `process` needs to carry on: the landed file and the connection."""

    report: Report
    landed: LandedFile | None
    con: duckdb.DuckDBPyConnection | None
    scan: str = ""


def validate(
    source: Path,
    spec: Spec,
    workdir: Path,
    *,
    error_csv: Path | None = None,
    examples: int | None = None,
    progress: ProgressFn | Progress | None = None,
    engine: str = "duckdb",
) -> Validation:
    """Validate `source`. `workdir` must be a private, empty directory the caller removes.

    `engine="spark"` runs the row-level checks in Spark (the same checks, Spark's SQL dialect);
    the report is built the same way either way.

    `progress`, if given, is called now and then with the fraction done (0.0-1.0), at most about
    twice a second and with 1.0 at the end; it may be called from a background thread.
    """
    examples = examples if examples is not None else int(conf.get("DSPT_CLD_REPORT_EXAMPLES"))
    limits = Limits.from_settings()
    tracker = as_progress(progress)
    tracker.update(0.0)
    try:
        return _validate(source, spec, workdir, limits, error_csv, examples, tracker, engine)
    finally:
        tracker.finish()


def _validate(source, spec, workdir, limits, error_csv, examples, tracker, engine) -> Validation:
    # The encoding is settled on landing (one read through Python's UTF-8 decoder) for both
    # engines: it costs at most ~4% of a validation and judges every file, header line included,
    # by the same decoder (docs/performance.md).
    try:
        landed = land(source, workdir, limits=limits)
        return _validate_landed(landed, spec, workdir, limits, error_csv, examples, tracker, engine)
    except Unreadable as exc:
        return Validation(Report.unreadable_file(exc.rule, exc.message, spec.version), None, None)


def _read_header(path: Path, max_bytes: int) -> list[str] | None:
    with open(path, "rb") as f:
        line = f.readline(max_bytes)
    if not line.strip():
        return None
    text = line.decode("utf-8", errors="replace").lstrip("\ufeff")
    return [h.strip() for h in next(csv.reader(io.StringIO(text)), [])]


def _header_findings(found: list[str], spec: Spec) -> list[str]:
    expected = spec.header
    if len(found) == 1 and len(expected) > 1:
        # A file saved with another separator reads as one column: say so once, rather than
        # listing every column as missing.
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if found[0].count(sep) >= len(expected) // 2:
                return [
                    f"The header's columns are separated by {name}, not commas: save the file as "
                    "comma-separated values (CSV)"
                ]
    missing = [h for h in expected if h not in found]
    extra = [h for h in found if h not in expected]
    # A column sent in other capitals (`la_code`) is named once, with its right spelling.
    spelled = {h.casefold(): h for h in missing}
    wrong_case = {h: spelled[h.casefold()] for h in extra if h.casefold() in spelled}
    renamed = set(wrong_case.values())
    messages = [f"Column {h} is missing from the header" for h in missing if h not in renamed]
    messages += [
        f"Column {h!r} should be written {wrong_case[h]} (column names are case-sensitive)"
        if h in wrong_case
        else f"Column {h!r} is not in {spec.version}"
        for h in extra
    ]
    if not messages and found != expected:
        pos = next(i for i, (a, b) in enumerate(zip(expected, found, strict=False)) if a != b)
        messages.append(
            f"Columns are out of order: position {pos + 1} should be {expected[pos]}, found {found[pos]}"
        )
    if not messages and len(found) != len(expected):
        messages.append("The header repeats a column")
    return messages


def _count_lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as f:
        while chunk := f.read(4 * 1024 * 1024):
            n += chunk.count(b"\n")
    return max(n - 1, 0)


def _validate_landed(
    landed, spec, workdir, limits, error_csv, examples, tracker, engine
) -> Validation:
    header = _read_header(landed.path, limits.max_line_bytes)
    base = Report(
        accepted=False,
        rows=0,
        spec=spec.version,
        source_encoding=landed.source_encoding,
        gzipped=landed.gzipped,
        examples_limit=examples,
        actions={rule: str(action) for rule, action in sorted(spec.actions.items())},
    )
    if header is None:
        base.errors = [
            {"row": 0, "field": "", "rule": "EMPTY_FILE", "message": "The file has no header row"}
        ]
        base.summary, base.error_count = {"EMPTY_FILE": 1}, 1
        return Validation(base, landed, None)
    problems = _header_findings(header, spec)
    if problems:
        base.rows = _count_lines(landed.path)
        base.errors = [
            {"row": 0, "field": "", "rule": "HEADER", "message": m} for m in problems[:examples]
        ]
        base.summary, base.error_count = {"HEADER": len(problems)}, len(problems)
        return Validation(base, landed, None)
    if engine == "spark":
        from dspt.cld.engines import spark_checks

        report = spark_checks.validate_rows(
            landed.path, spec, workdir, limits, base, examples, error_csv, tracker
        )
        return Validation(_refuse_without_rows(report, spec), landed, None)

    con = duck.connect(workdir)
    checks = build_checks(spec)
    scan = duck.csv_scan(landed.path, spec, max_line_bytes=limits.max_line_bytes)
    stage = workdir / STAGE_FILE
    # The checking parse of the CSV: every row DuckDB can read is written, streamed and in
    # parallel, to a narrow Parquet file in the private work directory — every check's verdict
    # as bits, the raw values the person columns come from (normalised later, once per
    # distinct tuple), the period and the duplicate key's hash.
    # Nothing is materialised in memory; structurally broken rows go to the reject table.
    # Counting and tracing read this file; the output is written by one more parse (see
    # `engines.duck.run_plan`), cheaper than writing every value here and reading it back.
    # Only a failed check (a rejected file) parses the CSV again, to list findings with their
    # row numbers and values.
    con.execute("SET preserve_insertion_order = false")
    with tracker.watch(con, 0.1, 0.8):
        con.execute(
            f"COPY ({_staging_select(spec, checks, scan)}) TO {lit(str(stage))} "
            f"(FORMAT parquet, COMPRESSION {STAGE_COMPRESSION})"
        )
    con.execute("RESET preserve_insertion_order")
    staged = f"read_parquet({lit(str(stage))})"
    rejects = rejected_rows(con, landed)
    masks = sorted({_mask(c) for c in checks})
    ored = ", ".join(f"bit_or({m})" for m in masks) or "0"
    la = f"trim({ident(spec.period['la_code'])})"
    with tracker.watch(con, 0.8, 0.85):
        row = con.execute(
            f"SELECT count(*), min({la}), max({la}), min(__ps), max(__ps), min(__pe), max(__pe), "
            f"{ored} FROM {staged}"
        ).fetchall()[0]
    good_rows, (la_min, la_max, ps_min, ps_max, pe_min, pe_max) = row[0], row[1:7]
    any_bits = dict(zip(masks, row[7:], strict=False))
    # Rows per check only for checks whose bit is set somewhere (usually none).
    failing = [c for c in checks if (any_bits.get(_mask(c)) or 0) >> ((c.idx - 1) % MASK_BITS) & 1]
    counts = [0] * len(checks)
    if failing:
        sums = ", ".join(f"sum({_failed(c)})" for c in failing)
        with tracker.watch(con, 0.85, 0.9):
            found = con.execute(f"SELECT {sums} FROM {staged}").fetchall()[0]
        for c, n in zip(failing, found, strict=True):
            counts[c.idx - 1] = int(n)
    kinds = [Kind(c.idx, c.rule, c.field, c.message, c.show_value, c.action) for c in checks]
    extra = extra_kinds(spec, len(kinds))
    kinds += list(extra.values())
    con.execute("CREATE TEMP TABLE findings (row BIGINT, idx INTEGER, value VARCHAR)")
    period_mismatch = la_min != la_max or ps_min != ps_max or pe_min != pe_max
    # Findings are listed from a fresh parse of the CSV, numbered as it reads (row_number over
    # the scan, in file order), skipping the rows already rejected.
    rescan = duck.numbered(
        duck.csv_scan(landed.path, spec, max_line_bytes=limits.max_line_bytes, rejects="skip")
    )
    if failing:
        _insert_check_failures(con, _checked(spec, checks, rescan), checks, counts)
    if "DUPLICATE_EVENT" in extra and _has_duplicate_keys(con, staged):
        _insert_duplicates(con, rescan, spec, extra["DUPLICATE_EVENT"].idx)
    if period_mismatch and "PERIOD_MISMATCH" in extra:
        _insert_period_mismatch(con, rescan, spec, extra["PERIOD_MISMATCH"].idx)
    # A header row repeated in the data carries its column names for its LA code and period:
    # only then is the CSV parsed again to find it.
    p = spec.period
    if "HEADER_REPEATED" in extra and p["la_code"] in (la_min, la_max):
        con.execute(
            f"INSERT INTO findings SELECT __rn, {extra['HEADER_REPEATED'].idx}, NULL "
            f"FROM {rescan} WHERE {repeats_header(spec, DUCKDB)}"
        )
    record_rejects(con, rejects, extra)
    report = build_report(con, base, kinds, examples, error_csv)
    # A broken row can break several ways (reject_errors has a line per way): count it once.
    report.rows = good_rows + len({line for line, _, _ in rejects})
    report.period = (
        {"la_code": la_min, "start": ps_min, "end": pe_min} if not period_mismatch else None
    )
    return Validation(_refuse_without_rows(report, spec), landed, con, staged)


def rejected_rows(con, landed: LandedFile) -> list[tuple[int, str, str | None]]:
    """The rows DuckDB's reader refused, as (line, error type, column): the line numbered as
    DuckDB numbers it (the header is line 1) but without the blank lines before it, so that
    line - 1 is the row's number among the data rows (`record_rejects`).

    A blank line (`landing.is_blank`: spaces, tabs, other control characters, such as the
    end-of-file mark some Windows programs add) is not a row: DuckDB skips an empty line and
    refuses the others, which are dropped here, as Spark's reader skips them. DuckDB's line
    numbers count both kinds, so each row keeps its number among the data rows by taking off
    the blank lines before it (`landing.blank_lines_before`; looked for only when a row was
    refused)."""
    try:
        found = con.execute(
            "SELECT line, error_type, any_value(column_name), "
            "coalesce(min(byte_position), min(line_byte_position), 0), "
            "any_value(csv_line) FROM reject_errors GROUP BY line, error_type ORDER BY line"
        ).fetchall()
    except duckdb.CatalogException:  # DuckDB creates the table only when a row was rejected
        return []
    found = [r for r in found if not is_blank((r[4] or "x").encode("utf-8", "replace"))]
    if not found:
        return []
    at: dict[int, int] = {}
    for line, _, _, position, _ in found:
        at[line] = min(at.get(line, position), position)
    lines = sorted(at)
    blanks = blank_lines_before(
        landed.path, [at[n] for n in lines], records_are_lines=landed.records_are_lines
    )
    shift = dict(zip(lines, blanks, strict=True))
    return [(line - shift[line], kind, column) for line, kind, column, _, _ in found]


def _refuse_without_rows(report: Report, spec: Spec) -> Report:
    """A header with no data rows under it is refused (NO_DATA_ROWS), whichever engine looked:
    accepted, it would be processed into an empty output and counted as a submission."""
    if report.rows or spec.action("NO_DATA_ROWS") is Action.IGNORE:
        return report
    message = "The file has a header row but no data rows: there is nothing to check or process"
    finding = {"row": 0, "field": "", "rule": "NO_DATA_ROWS", "message": message}
    report.summary["NO_DATA_ROWS"] = 1
    if spec.action("NO_DATA_ROWS") is Action.REJECT:
        report.errors.insert(0, finding)
        report.error_count += 1
        report.accepted = False
    else:
        report.warnings.insert(0, finding)
        report.warning_count += 1
    return report


MASK_BITS = 62  # checks per BIGINT bit mask (bit 63 is the sign)


def _mask(c: Check) -> str:
    return f"__fails{(c.idx - 1) // MASK_BITS}"


def _failed(c: Check) -> str:
    """SQL: 1 when the staged row failed check `c`, else 0 (read from the row's bit mask)."""
    return f"(({_mask(c)} >> {(c.idx - 1) % MASK_BITS}) & 1)"


def _mask_columns(checks: list[Check]) -> str:
    """SQL: every check's verdict as bits of one BIGINT per 62 checks (`__fails0`, ...), so the
    ~100 predicates are evaluated once per row and later steps read a few integers."""
    masks: dict[str, list[str]] = {}
    for c in checks:
        bit = 1 << ((c.idx - 1) % MASK_BITS)
        masks.setdefault(_mask(c), []).append(f"(CASE WHEN {c.fails} THEN {bit} ELSE 0 END)")
    return ", ".join(f"({' | '.join(parts)}) AS {name}" for name, parts in masks.items())


def _staging_select(spec: Spec, checks: list[Check], scan: str) -> str:
    """The checking pass over the CSV: check masks, the raw columns the person columns come
    from (`plan.person_sources`) and `__rk`, a 64-bit hash of them, period columns and the
    duplicate key's hash — a narrow file, cheap to write and to read back.

    The person columns are not normalised here: each person's rows repeat the same raw values,
    so `engines.duck.run_plan` normalises each distinct raw tuple once (a quarter of the rows in
    a typical extract) and joins every row to its person's results on `__rk`, an integer join.
    The run checks the hashes for collisions and falls back (`engines.duck.run_plan`).
    """
    p = spec.period
    dup_key = ", ".join(
        ident(n)
        for n in (spec.tracing["person_id"], "Event_Type", "Event_Reference", "Event_Start_Date")
    )
    raw = ", ".join(ident(n) for n in person_sources(spec))
    cols = [
        _mask_columns(checks),
        raw,
        f"hash({raw}) AS __rk",
        f"trim({ident(p['start'])}) AS __ps",
        f"trim({ident(p['end'])}) AS __pe",
        f"hash({dup_key}) AS __dup",
    ]
    return f"SELECT {', '.join(c for c in cols if c)} FROM {with_dates(spec, scan)} __staged"


def _checked(spec: Spec, checks: list[Check], numbered_scan: str) -> str:
    """A numbered scan of the CSV with its raw columns and every check's verdict (for listing
    the findings of a file that failed a check)."""
    return f"(SELECT *, {_mask_columns(checks)} FROM {with_dates(spec, numbered_scan)})"


def _has_duplicate_keys(con, staged: str) -> bool:
    """Whether any two rows share the duplicate key's hash: the cheap gate before the exact
    (and costly) listing, which compares the key itself."""
    return bool(
        con.execute(
            f"SELECT count(*) FROM (SELECT __dup FROM {staged} GROUP BY __dup HAVING count(*) > 1)"
        ).fetchone()[0]
    )


def _insert_check_failures(con, scan: str, checks: list[Check], counts) -> None:
    failing = [c for c, n in zip(checks, counts, strict=True) if n]
    items = ", ".join(
        f"CASE WHEN {_failed(c)} = 1 THEN {{'idx': {c.idx}, 'value': "
        f"{f'left(trim({ident(c.field)}), 40)' if c.show_value else 'NULL::VARCHAR'}}} END"
        for c in failing
    )
    where = " OR ".join(sorted({f"{_mask(c)} <> 0" for c in failing}))
    con.execute(
        f"""INSERT INTO findings
        SELECT __rn, f.idx, f.value FROM (
            SELECT __rn, unnest(list_filter([{items}], lambda x: x IS NOT NULL)) AS f
            FROM {scan} WHERE {where})"""
    )


def _insert_duplicates(con, scan: str, spec: Spec, idx: int) -> None:
    """Every row repeating an earlier row's duplicate key, from a numbered scan (run only when
    the staged hashes show a repeat)."""
    key = ", ".join(
        ident(n)
        for n in (spec.tracing["person_id"], "Event_Type", "Event_Reference", "Event_Start_Date")
    )
    con.execute(
        f"""INSERT INTO findings
        SELECT __rn, {idx}, NULL FROM (
            SELECT __rn, row_number() OVER (PARTITION BY {key} ORDER BY __rn) AS k
            FROM {duck.numbered_table(scan)}
            WHERE hash({key}) IN (SELECT hash({key}) h FROM {scan} GROUP BY h HAVING count(*) > 1))
        WHERE k > 1"""
    )


def _insert_period_mismatch(con, scan: str, spec: Spec, idx: int) -> None:
    """Rows whose LA code or period differ from the most common combination in the file."""
    p = spec.period
    cols = [f"trim({ident(p[k])})" for k in ("la_code", "start", "end")]
    combo = " || '|' || ".join(f"coalesce({c}, '')" for c in cols)
    con.execute(
        f"""INSERT INTO findings
        SELECT __rn, {idx}, NULL FROM {duck.numbered_table(scan)}
        WHERE {combo} <> (SELECT mode({combo}) FROM {scan})"""
    )


__all__ = ["validate", "Validation", "sql_date"]


def record_rejects(con, rejects: list, extra: dict) -> None:
    """Rows the CSV reader refused (a wrong column count, an unclosed quote): shift the row
    numbers of the findings past them, and record each as a finding of its own rule."""
    if not rejects:
        return
    shift_rows_past_rejects(con, [line - 1 for line, _, _ in rejects])
    for line, error_type, column in rejects:
        rule, _ = REJECT_RULES.get(error_type, ("STRUCTURE", ""))
        if rule in extra:
            con.execute(
                "INSERT INTO findings VALUES (?, ?, ?)", [line - 1, extra[rule].idx, column or ""]
            )
