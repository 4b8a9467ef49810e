"""Read an uploaded plan file (XLSX or CSV) into plain rows, refusing anything unsafe.

This module only reads: it never stores anything. It refuses files that are too big, zip bombs,
macro workbooks, encrypted or broken files, formulas, wrong text encodings and anything whose
header row is not the template's. What the rows say is judged in `checks`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from dspt.core.archives import ArchiveLimits, ArchiveRefused, guarded_archive
from dspt.core.spreadsheets import (
    NEW_SHEET,
    Formula,
    SheetLimits,
    SpreadsheetRefused,
    open_spreadsheet,
)
from dspt.improvement_plans import conf
from dspt.improvement_plans.columns import HEADERS, MAX_CELL_CHARS, cell_text

PLAN_SHEET = "Plan"
MAX_ROWS = 1000
# Zip safety limits for XLSX (an XLSX file is a zip of XML parts; dspt.core.archives).
MAX_ZIP_MEMBERS = 200
MAX_TOTAL_UNCOMPRESSED = 60 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, for parts big enough to matter


class UploadRefused(Exception):
    """The file cannot be read as a plan; `messages` says why, in plain English."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class RawPlan:
    """What the file holds: its header and each data row as text, with spreadsheet row numbers."""

    kind: str  # "xlsx" or "csv"
    header: list[str]
    rows: list[tuple[int, list[str]]]


def max_upload_bytes() -> int:
    """The largest plan file accepted, in bytes (DSPT_PLAN_MAX_UPLOAD_BYTES, default 2 MB)."""
    return conf.get_int("DSPT_PLAN_MAX_UPLOAD_BYTES")


def read_plan_file(filename: str, data: bytes) -> RawPlan:
    """Read an upload by its content (the name only breaks ties); raise UploadRefused if unsafe."""
    limit = max_upload_bytes()
    if len(data) > limit:
        raise UploadRefused(
            [
                f"The file is {len(data) // 1024} KB; the largest plan we accept is {limit // 1024} KB."
            ]
        )
    if not data:
        raise UploadRefused(["The file is empty."])
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if name.endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        raise UploadRefused(
            ["This is not a spreadsheet we can read. Upload the XLSX template or a CSV file."]
        )
    return _read_csv(data)


def check_header(header: list[str]) -> None:
    """Refuse a header that is not exactly the template's columns, naming what is wrong."""
    got = [h.strip() for h in header]
    while got and not got[-1]:
        got.pop()
    expected = list(HEADERS)
    if [g.lower() for g in got] == [e.lower() for e in expected]:
        return
    got_lower = {g.lower() for g in got}
    expected_lower = {e.lower() for e in expected}
    problems = []
    missing = [e for e in expected if e.lower() not in got_lower]
    extra = [g for g in got if g.lower() not in expected_lower]
    if missing:
        problems.append("Missing columns: " + ", ".join(f"“{m}”" for m in missing) + ".")
    if extra:
        problems.append(
            "Columns that are not in the template (renamed or added): "
            + ", ".join(f"“{x or '(blank heading)'}”" for x in extra)
            + "."
        )
    if not missing and not extra:
        problems.append("The columns are in a different order from the template's.")
    raise UploadRefused(
        ["This file is not the improvement plan template.", *problems]
        + ["Download the template again and copy your rows into it."]
    )


def _limits() -> SheetLimits:
    archive = ArchiveLimits(
        max_uncompressed=MAX_TOTAL_UNCOMPRESSED, max_ratio=MAX_RATIO, max_parts=MAX_ZIP_MEMBERS
    )
    # The header and a few lines above it besides the rows; the template has 13 columns.
    return SheetLimits(archive, max_rows=MAX_ROWS + 10, max_columns=50)


def _check_zip(data: bytes) -> None:
    try:
        with guarded_archive(data, _limits().archive, "spreadsheet") as zf:
            names = set(zf.namelist())
    except ArchiveRefused as exc:
        raise UploadRefused([str(exc)]) from None
    if "xl/workbook.xml" not in names:
        raise UploadRefused(["This is not an Excel workbook (.xlsx)."])
    if "xl/vbaProject.bin" in names:
        raise UploadRefused(["The workbook contains macros. Save it as a plain .xlsx file."])


def _read_xlsx(data: bytes) -> RawPlan:
    """The Plan sheet, read row by row by the guarded reader (dspt.core.spreadsheets): the
    sheet's declared size is ignored and reading stops at the limits."""
    _check_zip(data)
    try:
        book = open_spreadsheet(data, _limits(), kinds=("xlsx",))
    except SpreadsheetRefused:
        raise UploadRefused(["The spreadsheet is damaged and cannot be opened."]) from None
    with book:
        if PLAN_SHEET not in (book.sheet_names or []):
            raise UploadRefused(
                [f"The workbook has no “{PLAN_SHEET}” sheet, so it is not the plan template."]
            )
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        formulas: list[str] = []
        try:
            for number, cells in book.rows(PLAN_SHEET):
                if number == NEW_SHEET:
                    continue
                for i, value in enumerate(cells):
                    if isinstance(value, Formula):
                        formulas.append(f"{get_column_letter(i + 1)}{number}")
                values = [cell_text(v) for v in cells]
                if header is None:
                    header = values
                    check_header(header)
                    continue
                if len(rows) >= MAX_ROWS:
                    raise UploadRefused([f"The plan has more than {MAX_ROWS} rows."])
                rows.append((number, values))
        except SpreadsheetRefused as exc:
            raise UploadRefused([str(exc)]) from None
    if formulas:
        shown = ", ".join(formulas[:10]) + (" and more" if len(formulas) > 10 else "")
        raise UploadRefused(
            [f"The plan contains formulas (cells {shown}). Type values instead of formulas."]
        )
    if header is None:
        raise UploadRefused(["The “Plan” sheet is empty."])
    _check_lengths(rows)
    return RawPlan("xlsx", header, rows)


def _read_csv(data: bytes) -> RawPlan:
    if b"\x00" in data:
        raise UploadRefused(["This is not a text CSV file. Upload the XLSX template or a CSV."])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRefused(
            [
                "The CSV file is not in UTF-8 text encoding. In Excel choose "
                "“Save as” → “CSV UTF-8 (comma delimited)”, or upload the XLSX template."
            ]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    formulas: list[str] = []
    try:
        for raw in reader:
            number = reader.line_num
            if not any(v.strip() for v in raw):
                continue
            if header is None:
                header = [cell_text(v) for v in raw]
                check_header(header)
                continue
            if len(rows) >= MAX_ROWS:
                raise UploadRefused([f"The plan has more than {MAX_ROWS} rows."])
            # Our own files prefix formula-like text with '; anything else starting with = is a
            # formula a spreadsheet would run.
            for i, v in enumerate(raw):
                if v.lstrip().startswith("="):
                    col = HEADERS[i] if i < len(HEADERS) else f"column {i + 1}"
                    formulas.append(f"row {number} ({col})")
            rows.append((number, [cell_text(v) for v in raw]))
    except csv.Error as exc:
        raise UploadRefused([f"The CSV file cannot be read: {exc}."]) from None
    if header is None:
        raise UploadRefused(["The CSV file has no header row."])
    if formulas:
        shown = ", ".join(formulas[:10]) + (" and more" if len(formulas) > 10 else "")
        raise UploadRefused(
            [f"The plan contains formulas: {shown}. Type values instead of formulas."]
        )
    _check_lengths(rows)
    return RawPlan("csv", header, rows)


def _check_lengths(rows: list[tuple[int, list[str]]]) -> None:
    for number, values in rows:
        if len(values) > len(HEADERS) and any(v for v in values[len(HEADERS) :]):
            raise UploadRefused(
                [f"Row {number} has values beyond the template's last column. Remove them."]
            )
        for i, v in enumerate(values[: len(HEADERS)]):
            if len(v) > MAX_CELL_CHARS:
                raise UploadRefused(
                    [
                        f"Row {number}, “{HEADERS[i]}”: more than {MAX_CELL_CHARS} characters. "
                        "Keep each cell short and put detail in your own documents."
                    ]
                )
