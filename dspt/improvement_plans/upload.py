"""Read an uploaded plan file (XLSX or CSV) into plain rows, refusing anything unsafe.

This module only reads: it never stores anything. It refuses files that are too big, zip bombs,
macro workbooks, encrypted or broken files, formulas, wrong text encodings and anything whose
header row is not the template's. What the rows say is judged in `checks`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from dspt.improvement_plans import conf
from dspt.improvement_plans.columns import HEADERS, MAX_CELL_CHARS, cell_text

PLAN_SHEET = "Plan"
MAX_ROWS = 1000
# Zip safety limits for XLSX (an XLSX file is a zip of XML parts).
MAX_ZIP_MEMBERS = 200
MAX_MEMBER_BYTES = 25 * 1024 * 1024
MAX_TOTAL_UNCOMPRESSED = 60 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, for members big enough to matter
RATIO_FLOOR_BYTES = 1024 * 1024


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


def _check_zip(data: bytes) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UploadRefused(["The spreadsheet is damaged and cannot be opened."]) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise UploadRefused(["The spreadsheet has too many parts to be a plan."])
        total = 0
        names = set()
        for info in infos:
            names.add(info.filename)
            if info.flag_bits & 0x1:
                raise UploadRefused(["The spreadsheet is password-protected. Remove the password."])
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if (
                info.file_size > MAX_MEMBER_BYTES
                or total > MAX_TOTAL_UNCOMPRESSED
                or (info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_RATIO)
            ):
                raise UploadRefused(
                    [
                        "The spreadsheet expands to far more data than a plan holds, so we will not "
                        "open it."
                    ]
                )
        if "xl/workbook.xml" not in names:
            raise UploadRefused(["This is not an Excel workbook (.xlsx)."])
        if "xl/vbaProject.bin" in names:
            raise UploadRefused(["The workbook contains macros. Save it as a plain .xlsx file."])


def _read_xlsx(data: bytes) -> RawPlan:
    _check_zip(data)
    # openpyxl parses through defusedxml when it is installed (it is a dependency).
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any parse failure is the same refusal to the user
        raise UploadRefused(["The spreadsheet is damaged and cannot be opened."]) from None
    try:
        if PLAN_SHEET not in wb.sheetnames:
            raise UploadRefused(
                [f"The workbook has no “{PLAN_SHEET}” sheet, so it is not the plan template."]
            )
        ws = wb[PLAN_SHEET]
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        formulas: list[str] = []
        for row in ws.iter_rows():
            cells = [c for c in row if getattr(c, "value", None) is not None]
            if not cells:
                continue
            number = cells[0].row
            for c in cells:
                if c.data_type == "f" or _is_formula_object(c):
                    formulas.append(f"{c.coordinate}")
            values = [cell_text(getattr(c, "value", None)) for c in row]
            if header is None:
                header = values
                check_header(header)
                continue
            if len(rows) >= MAX_ROWS:
                raise UploadRefused([f"The plan has more than {MAX_ROWS} rows."])
            rows.append((number, values))
        if formulas:
            shown = ", ".join(formulas[:10]) + (" and more" if len(formulas) > 10 else "")
            raise UploadRefused(
                [f"The plan contains formulas (cells {shown}). Type values instead of formulas."]
            )
        if header is None:
            raise UploadRefused(["The “Plan” sheet is empty."])
        _check_lengths(rows)
        return RawPlan("xlsx", header, rows)
    finally:
        wb.close()


def _is_formula_object(cell) -> bool:
    # Array formulas come back as objects in some openpyxl versions; plain text never does.
    return type(cell.value).__name__ in ("ArrayFormula", "DataTableFormula")


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
