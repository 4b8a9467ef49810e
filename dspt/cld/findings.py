# ruff: noqa: S608 - SQL here is generated from the specification files and fixed templates;
# values from extracts never enter SQL text (they are read by the engine as data).
"""Findings and the report built from them, the same whichever engine ran the checks.

Each engine leaves a DuckDB table `findings (row, idx, value)`; `build_report` joins it to the
kinds of finding, counts every rule, takes the first examples and writes the full error CSV.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dspt.cld.checks import lit
from dspt.cld.dialect import Dialect
from dspt.cld.report import Report
from dspt.cld.spec import Action, Spec

# DuckDB's reject types, mapped to our rules. A rule has one message in a report, whichever
# reject type gave it, so both column counts share one that is true of either.
_COLUMN_COUNT = ("COLUMN_COUNT", "The row does not have as many values as the header has columns")
REJECT_RULES = {
    "MISSING COLUMNS": _COLUMN_COUNT,
    "TOO MANY COLUMNS": _COLUMN_COUNT,
    "UNQUOTED VALUE": ("QUOTING", "A quoted value is not closed properly (unbalanced quotes)"),
    "LINE SIZE OVER MAXIMUM": (
        "LINE_TOO_LONG",
        "The row is longer than the size limit (a giant field?)",
    ),
    "INVALID ENCODING": ("ENCODING", "The row is not valid UTF-8"),
    "INVALID UNICODE": ("ENCODING", "The row is not valid UTF-8"),
}


@dataclass(frozen=True)
class Kind:
    """One kind of finding: a row-level check or a file-level rule."""

    idx: int
    rule: str
    field: str
    message: str
    show_value: bool
    action: Action


def extra_kinds(spec: Spec, offset: int) -> dict[str, Kind]:
    """File-level rules that are not per-field SQL predicates."""
    specs = {
        "HEADER_REPEATED": (
            "",
            "The row repeats the header row: were two extracts joined into one file? "
            "(its other findings come from that)",
        ),
        "DUPLICATE_EVENT": ("Event_Reference", "The same event appears earlier in the file"),
        "PERIOD_MISMATCH": (
            spec.period["la_code"],
            "LA code or reporting period differs from the rest of the file",
        ),
    }
    specs.update(
        {rule: ("", message) for rule, message in {r: m for r, m in REJECT_RULES.values()}.items()}
    )
    specs["STRUCTURE"] = ("", "The row could not be read as CSV")
    out = {}
    for rule, (field_name, message) in specs.items():
        action = spec.action(rule)
        if action is Action.IGNORE:
            continue
        out[rule] = Kind(offset + len(out) + 1, rule, field_name, message, False, action)
    return out


def repeats_header(spec: Spec, d: Dialect) -> str:
    """SQL: TRUE for a row whose every value, trimmed, is its column's name (a header row
    repeated in the data, as when two extracts are joined into one file)."""
    return " AND ".join(f"trim({d.ident(name)}) = {d.string(name)}" for name in spec.header)


def shift_rows_past_rejects(con, reject_rows: list[int]) -> None:
    """Row numbers from the scan skip rejected rows; put them back in file terms.

    With rejected rows r1 < r2 < ... the i-th surviving row is row i + #{j : r_j - (j - 1) <= i}.
    """
    thresholds = sorted(r - j for j, r in enumerate(sorted(reject_rows)))
    con.execute("CREATE TEMP TABLE shifts (threshold BIGINT)")
    con.executemany("INSERT INTO shifts VALUES (?)", [[t] for t in thresholds])
    con.execute(
        "UPDATE findings SET row = row + (SELECT count(*) FROM shifts WHERE threshold <= findings.row)"
    )


# Findings in row order; within a row a repeated header first, since it explains the rest.
ORDER = "row, rule <> 'HEADER_REPEATED', rule, field"


def build_report(
    con, report: Report, kinds: list[Kind], examples: int, error_csv: Path | None
) -> Report:
    con.execute(
        "CREATE TEMP TABLE kinds (idx INTEGER, rule VARCHAR, field VARCHAR, message VARCHAR, severity VARCHAR, show_value BOOLEAN)"
    )
    con.executemany(
        "INSERT INTO kinds VALUES (?, ?, ?, ?, ?, ?)",
        [
            [
                k.idx,
                k.rule,
                k.field,
                k.message,
                "error" if k.action is Action.REJECT else "warning",
                k.show_value,
            ]
            for k in kinds
        ],
    )
    detail = """SELECT f.row, k.field, k.rule, k.severity,
        k.message || CASE WHEN k.show_value AND f.value IS NOT NULL THEN ' (found ''' || f.value || ''')' ELSE '' END AS message
        FROM findings f JOIN kinds k USING (idx)"""
    for rule, severity, n in con.execute(
        "SELECT k.rule, k.severity, count(*) FROM findings f JOIN kinds k USING (idx) GROUP BY ALL ORDER BY 1"
    ).fetchall():
        report.summary[rule] = report.summary.get(rule, 0) + n
        if severity == "error":
            report.error_count += n
        else:
            report.warning_count += n
    for severity, target in (("error", report.errors), ("warning", report.warnings)):
        rows = con.execute(
            f"SELECT row, field, rule, message FROM ({detail}) WHERE severity = ? ORDER BY {ORDER} LIMIT ?",
            [severity, examples],
        ).fetchall()
        target.extend({"row": r, "field": f, "rule": ru, "message": m} for r, f, ru, m in rows)
    if error_csv is not None:
        con.execute(
            f"COPY (SELECT row, field, rule, severity, message FROM ({detail}) ORDER BY {ORDER}) "
            f"TO {lit(str(error_csv))} (HEADER, DELIMITER ',')"
        )
    report.accepted = report.error_count == 0
    return report
