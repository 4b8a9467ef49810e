"""CSV and XLSX writing for every downloadable table. No cell may start a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Neutralise text a spreadsheet would run as a formula by prefixing an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(rows: Sequence[dict], columns: Sequence[str] | None = None) -> str:
    """Rows as CSV (header from `columns` or the first row's keys)."""
    columns = list(columns or (rows[0].keys() if rows else []))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in columns])
    for r in rows:
        writer.writerow([safe_cell("" if r.get(c) is None else r.get(c)) for c in columns])
    return buf.getvalue()


def xlsx_bytes(
    rows: Sequence[dict], columns: Sequence[str] | None = None, title: str = "Data"
) -> bytes:
    """Rows as a one-sheet XLSX workbook; numbers stay numbers."""
    columns = list(columns or (rows[0].keys() if rows else []))
    wb = Workbook()
    ws = wb.active
    ws.title = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Data"
    ws.append([safe_cell(c) for c in columns])
    for r in rows:
        ws.append([safe_cell(r.get(c)) for c in columns])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
