"""Write the plan template (XLSX and CSV), pre-filled with the items the plan must cover.

Every text cell goes through `neutralise`, so nothing we write can start a formula in a
spreadsheet, whatever an organisation typed into an earlier version.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from dspt.improvement_plans.checks import PlanItem
from dspt.improvement_plans.columns import (
    COLUMNS,
    HEADERS,
    display_row,
    example_date,
    neutralise,
    parse_date,
)
from dspt.improvement_plans.upload import PLAN_SHEET

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def prefilled_rows(items: list[PlanItem], current: list[dict] | None = None) -> list[dict]:
    """Rows for the template: the plan's current rows if it has some, plus a blank row for every
    item not yet covered (so a resubmission starts from what was sent)."""
    rows = [dict(r) for r in (current or [])]
    covered = {r.get("item_id") for r in rows}
    questions = {i.item_id: i for i in items}
    for r in rows:
        item = questions.get(r.get("item_id"))
        if item:
            r["question"], r["outcome"] = item.question, item.outcome
    for item in items:
        if item.item_id not in covered:
            rows.append(
                {
                    "item_id": item.item_id,
                    "question": item.question,
                    "outcome": item.outcome,
                    "mandatory": item.mandatory,
                }
            )
    return rows


def plan_csv(rows: list[dict]) -> bytes:
    """The template as UTF-8 CSV (with a byte-order mark so Excel reads it as UTF-8)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([neutralise(str(v)) for v in display_row(row)])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def plan_xlsx(
    rows: list[dict],
    *,
    organisation_name: str,
    edition: str,
    today: date,
    title: str = "",
    valid_until: date | None = None,
) -> bytes:
    """The template as an XLSX workbook: the Plan sheet first, then instructions. With
    `valid_until` (the last day the publication is valid) the instructions give the latest
    target date a reviewer can approve."""
    wb = Workbook()
    ws = wb.active
    ws.title = PLAN_SHEET
    ws.append(list(HEADERS))
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="005EB8")
    for i, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[cell.column_letter].width = col.width
    date_col = [c.key for c in COLUMNS].index("target_date")
    for row in rows:
        values = display_row(row)
        values[date_col] = parse_date(str(values[date_col])) or values[date_col]
        ws.append([neutralise(v) if isinstance(v, str) else v for v in values])
    for r in ws.iter_rows(min_row=2):
        for c in r:
            c.alignment = Alignment(wrap_text=True, vertical="top")
            c.number_format = "DD/MM/YYYY" if c.column == date_col + 1 else "@"
    ws.freeze_panes = "B2"
    last = max(len(rows) + 200, 300)
    _validations(ws, last, today, valid_until)
    _instructions(wb, organisation_name, edition, title, today, valid_until)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _letter(key: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter([c.key for c in COLUMNS].index(key) + 1)


def _validations(ws, last: int, today: date, valid_until: date | None) -> None:
    yes_no = DataValidation(type="list", formula1='"Yes,No"', allow_blank=True)
    yes_no.error, yes_no.errorTitle = "Choose Yes or No.", "Affected by disruption"
    status = DataValidation(type="list", formula1='"Open,Done"', allow_blank=True)
    status.error, status.errorTitle = "Choose Open or Done.", "Status of action"
    when = DataValidation(
        type="date",
        operator="greaterThanOrEqual",
        formula1=f"DATE({today.year},{today.month},{today.day})",
        allow_blank=True,
    )
    when.error = f"Enter a date from today onwards, for example {example_date(today, valid_until)}."
    when.errorTitle = "Target completion date"
    for dv, key in ((yes_no, "disruption"), (status, "status"), (when, "target_date")):
        col = _letter(key)
        dv.add(f"{col}2:{col}{last}")
        ws.add_data_validation(dv)


def _instructions(
    wb: Workbook,
    organisation_name: str,
    edition: str,
    title: str,
    today: date,
    valid_until: date | None,
) -> None:
    ws = wb.create_sheet("Instructions")
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 100
    lines = [
        ("Improvement plan", title or f"{organisation_name} – {edition}"),
        ("", ""),
        (
            "How to fill this in",
            "Use the Plan sheet. Keep one row per action; add rows for an item "
            "that needs several actions, and copy the item number into each.",
        ),
        (
            "",
            "Every mandatory item that is not met needs at least one row with actions, an action "
            "owner and a target completion date. Partly met items that are not mandatory are "
            "optional: leave their rows as they are if you have nothing to add.",
        ),
        ("", date_rule(today, valid_until)),
        (
            "",
            "Do not rename, add, move or delete columns, and do not use formulas: the upload will "
            "be refused. Save as .xlsx (or as CSV UTF-8) and upload it on the plan page.",
        ),
        ("", ""),
        ("Columns", ""),
    ]
    example = example_date(today, valid_until)
    lines += [
        (c.header, f"{c.hint} For example {example}." if c.key == "target_date" else c.hint)
        for c in COLUMNS
    ]
    for a, b in lines:
        ws.append([neutralise(a), neutralise(b)])
    ws["A1"].font = Font(bold=True, size=14)
    for r in ws.iter_rows(min_row=2):
        r[0].font = Font(bold=True)
        r[1].alignment = Alignment(wrap_text=True, vertical="top")


def date_rule(today: date, valid_until: date | None) -> str:
    """The rule for target completion dates, in the words the template and plan page use: the
    same criteria the upload checks and the reviewer applies (docs/improvement-plans.md)."""
    rule = "Target completion dates must be from today onwards and within two years"
    if valid_until is not None:
        rule += (
            f", and no later than {valid_until.day} {valid_until:%B %Y}, when this publication "
            "stops being valid: a reviewer cannot approve a later date"
        )
    return rule + f". Write them as day/month/year, for example {example_date(today, valid_until)}."
