# ruff: noqa: S608 - SQL here is generated from the specification files and fixed templates;
# values from files never enter SQL text (they are read by the engine as data).
"""Health datasets (e.g. hospital admissions): their specifications, and checking and loading a
file into the processing zone, pseudonymised.

A health dataset's file goes through the same landing as a social care extract (`landing.land`:
gzip, encoding, giant lines), the same header comparison, the same CSV reader (malformed rows are
reported, row by row, never dropped) and the same row-level checks generated from its
specification (`specs/health-<code>.json`). Its NHS number is replaced by the same keyed HMAC the
social care pipeline gives a traced NHS number (`plan.build_plan`, step `traced`), so one person
has one pseudonym in both and the two can be linked inside the processing zone (`linkage.py`).
The NHS number itself is never written out. All or nothing: the output is written in a private
work directory and renamed into place only when the file is accepted.

Health loads run in DuckDB only (the file is one provider feed, not a national extract).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from dspt.cld import conf
from dspt.cld.checks import Check, _field_checks, date_alias, ident, lit, with_dates
from dspt.cld.dialect import DUCKDB
from dspt.cld.engines import duck
from dspt.cld.findings import REJECT_RULES, Kind, build_report
from dspt.cld.landing import Limits, Unreadable, land
from dspt.cld.pseudonymise import PaddedKey
from dspt.cld.report import Report
from dspt.cld.spec import SPEC_DIR, Action, Field, SpecError, field_from_json
from dspt.cld.validate import (
    _checked,
    _header_findings,
    _insert_check_failures,
    _read_header,
    _refuse_without_rows,
    record_rejects,
    rejected_rows,
)

PREFIX = "health-"
PSEUDONYM = "nhs_number_pseudo"


@dataclass(frozen=True)
class HealthSpec:
    """A health dataset's specification: the columns of its file, their checks and actions."""

    code: str
    version: str
    title: str
    description: str
    fields: tuple[Field, ...]
    date_order: tuple[tuple[str, str], ...]
    period_field: str
    actions: dict[str, Action]
    rule_descriptions: dict[str, str]
    field_descriptions: dict[str, str] = field(default_factory=dict)

    @property
    def header(self) -> list[str]:
        return [f.name for f in self.fields]

    def action(self, rule: str) -> Action:
        return self.actions.get(rule, Action.REJECT)

    def output_name(self, f: Field) -> str:
        """The column a field becomes in the loaded dataset (the NHS number its pseudonym)."""
        return PSEUDONYM if f.type == "nhs_number" else f.name.lower()

    @property
    def period_column(self) -> str:
        """The loaded column a release's reporting period is matched against."""
        return self.period_field.lower()


def health_codes() -> list[str]:
    """The codes of the health datasets the centre can load (one specification file each)."""
    return sorted(p.stem.removeprefix(PREFIX) for p in SPEC_DIR.glob(f"{PREFIX}*.json"))


@cache
def load_health_spec(code: str) -> HealthSpec:
    """The specification of health dataset `code`; SpecError when there is none."""
    if code not in health_codes():
        known = ", ".join(health_codes()) or "none"
        raise SpecError(f"No health dataset {code!r}; known: {known}")
    raw: dict[str, Any] = json.loads((SPEC_DIR / f"{PREFIX}{code}.json").read_text("utf-8"))
    fields = tuple(field_from_json(f) for f in raw["fields"])
    if sum(f.type == "nhs_number" for f in fields) != 1:
        raise SpecError(f"{code}: a health dataset links by exactly one NHS number field")
    names = {f.name for f in fields}
    if raw["period_field"] not in names:
        raise SpecError(f"{code}: period_field {raw['period_field']!r} is not a field")
    return HealthSpec(
        code=raw["code"],
        version=raw["version"],
        title=raw["title"],
        description=raw.get("description", ""),
        fields=fields,
        date_order=tuple((d["start"], d["end"]) for d in raw.get("date_order", [])),
        period_field=raw["period_field"],
        actions={rule: Action(r["action"]) for rule, r in raw["rules"].items()},
        rule_descriptions={rule: r["description"] for rule, r in raw["rules"].items()},
        field_descriptions={f["name"]: f.get("description", "") for f in raw["fields"]},
    )


def health_title(code: str) -> str:
    """A dataset code's title ("Hospital admissions"), or the code when it has no specification."""
    try:
        return load_health_spec(code).title
    except SpecError:
        return code


def build_health_checks(spec: HealthSpec) -> list[Check]:
    """The row-level checks of a health dataset: each field's own rules (as for extracts) and
    the date order, skipping ignored rules."""
    raw = []
    for f in spec.fields:
        raw += [
            (rule, f.name, fails, msg, show) for rule, fails, msg, show in _field_checks(f, DUCKDB)
        ]
    for start, end in spec.date_order:
        fails = f"{date_alias(end)} < {date_alias(start)}"
        raw.append(("DATE_ORDER", end, fails, f"{end} is before {start}", False))
    checks = []
    for rule, name, fails, message, show in raw:
        action = spec.action(rule)
        if action is not Action.IGNORE:
            checks.append(Check(len(checks) + 1, rule, name, fails, message, show, action))
    return checks


@dataclass
class HealthLoad:
    """The outcome of checking (and, when accepted, loading) one health file."""

    report: Report
    output_dir: Path | None = None
    rows: int = 0
    people: int = 0


def _structure_kinds(spec: HealthSpec, offset: int) -> dict[str, Kind]:
    rules = {rule: message for rule, message in REJECT_RULES.values()}
    rules["STRUCTURE"] = "The row could not be read as CSV"
    out: dict[str, Kind] = {}
    for rule, message in rules.items():
        if spec.action(rule) is not Action.IGNORE:
            out[rule] = Kind(offset + len(out) + 1, rule, "", message, False, spec.action(rule))
    return out


def check_file(
    source: Path, spec: HealthSpec, workdir: Path, *, error_csv: Path | None = None
) -> tuple[Report, Any, str]:
    """Check `source` against `spec`: (report, open DuckDB connection or None, landed path).

    `workdir` is a private directory the caller removes; the caller closes the connection."""
    limits = Limits.from_settings()
    examples = int(conf.get("DSPT_CLD_REPORT_EXAMPLES"))
    try:
        landed = land(source, workdir, limits=limits)
    except Unreadable as exc:
        return Report.unreadable_file(exc.rule, exc.message, spec.version), None, ""
    base = Report(
        accepted=False,
        rows=0,
        spec=spec.version,
        source_encoding=landed.source_encoding,
        gzipped=landed.gzipped,
        examples_limit=examples,
        actions={rule: str(a) for rule, a in sorted(spec.actions.items())},
    )
    header = _read_header(landed.path, limits.max_line_bytes)
    problems = ["The file has no header row"] if header is None else _header_findings(header, spec)
    if problems:
        rule = "EMPTY_FILE" if header is None else "HEADER"
        base.errors = [{"row": 0, "field": "", "rule": rule, "message": m} for m in problems]
        base.summary, base.error_count = {rule: len(problems)}, len(problems)
        return base, None, ""
    con = duck.connect(workdir)
    checks = build_health_checks(spec)
    scan = duck.csv_scan(landed.path, spec, max_line_bytes=limits.max_line_bytes)
    sums = ", ".join(f"sum(CASE WHEN {c.fails} THEN 1 ELSE 0 END)" for c in checks)
    row = con.execute(f"SELECT count(*){', ' + sums if sums else ''} FROM {with_dates(spec, scan)}")
    good, *counts = row.fetchall()[0]  # all: a fetched-one result leaves the scan open
    counts = [int(n or 0) for n in counts]
    rejects = rejected_rows(con, landed)
    kinds = [Kind(c.idx, c.rule, c.field, c.message, c.show_value, c.action) for c in checks]
    extra = _structure_kinds(spec, len(kinds))
    kinds += list(extra.values())
    con.execute("CREATE TEMP TABLE findings (row BIGINT, idx INTEGER, value VARCHAR)")
    if any(counts):
        rescan = duck.numbered(
            duck.csv_scan(landed.path, spec, max_line_bytes=limits.max_line_bytes, rejects="skip")
        )
        _insert_check_failures(con, _checked(spec, checks, rescan), checks, counts)
    record_rejects(con, rejects, extra)
    report = build_report(con, base, kinds, examples, error_csv)
    report.rows = good + len({line for line, _, _ in rejects})
    return _refuse_without_rows(report, spec), con, str(landed.path)


def _output_select(spec: HealthSpec) -> str:
    cols = []
    for f in spec.fields:
        if f.type == "nhs_number":
            value = f"trim({ident(f.name)})"
            cols.append(f"CASE WHEN {value} = '' THEN NULL ELSE {DUCKDB.hmac_hex(value)} END")
        elif f.type == "date":
            cols.append(date_alias(f.name))
        else:
            cols.append(f"nullif({ident(f.name)}, '')")
    return ", ".join(
        f"{sql} AS {ident(spec.output_name(f))}" for sql, f in zip(cols, spec.fields, strict=True)
    )


def load_file(
    source: Path,
    out_dir: Path,
    *,
    spec: HealthSpec,
    keys: PaddedKey,
    error_csv: Path | None = None,
) -> HealthLoad:
    """Check `source` and, when it is accepted, write it pseudonymised to `out_dir` (created, and
    only then: a rejected or failed file leaves nothing there)."""
    if out_dir.exists():
        raise FileExistsError(f"{out_dir} already exists")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.work-", dir=out_dir.parent))
    os.chmod(work, 0o700)
    con = None
    try:
        report, con, landed = check_file(source, spec, work, error_csv=error_csv)
        if not report.accepted:
            return HealthLoad(report)
        con.execute(
            "CREATE TEMP TABLE __keys AS SELECT ?::BLOB AS ipad, ?::BLOB AS opad",
            [keys.ipad, keys.opad],
        )
        limits = Limits.from_settings()
        scan = duck.csv_scan(
            Path(landed), spec, max_line_bytes=limits.max_line_bytes, rejects="skip"
        )
        stage = work / "output"
        stage.mkdir()
        part = stage / "part-00000.parquet"
        con.execute(
            f"COPY (SELECT {_output_select(spec)} FROM {with_dates(spec, scan)} CROSS JOIN __keys __k) "
            f"TO {lit(str(part))} (FORMAT parquet, COMPRESSION zstd)"
        )
        src = f"read_parquet({lit(str(part))})"
        rows, people = con.execute(
            f"SELECT count(*), count(DISTINCT {PSEUDONYM}) FROM {src}"
        ).fetchone()
        os.replace(stage, out_dir)
        return HealthLoad(report, out_dir, int(rows), int(people))
    finally:
        if con is not None:
            con.close()
        shutil.rmtree(work, ignore_errors=True)
