"""The one guarded reader for uploaded spreadsheets (.xlsx and .ods).

Every upload or import that takes a spreadsheet reads it here, so each gets the same guards:

- the archive is checked before anything is unpacked (`dspt.core.archives`: total unpacked size,
  compression ratio, number of parts, no password);
- sheets are streamed, row by row, and the limits are enforced while reading: reading stops with
  a clear message at the first row past `max_rows` rows holding a value, or the first value past
  column `max_columns`. The sheet's declared size (`<dimension ref="A1:XFD1048576"/>` in an
  .xlsx, repeated rows and cells in an .ods) is never trusted and nothing is padded to it: a
  row is as long as its last value, and blank rows are counted, not built;
- XML is parsed with defusedxml (no entity expansion, no external resources);
- formulas are never evaluated: with `data_only=False` a formula cell reads as a `Formula` (its
  text), which callers treat as bad data; with `data_only=True` an .xlsx cell gives the value the
  spreadsheet program last saved.

Rows come as `(row_number, values)`: the row as a spreadsheet program numbers it, and its
values (str, int, float, bool, date, datetime, time, a `Formula`, or None for an empty cell).
A row numbered `NEW_SHEET` (0) starts each sheet, with the sheet's name as its only value.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from defusedxml.ElementTree import iterparse

from dspt.core.archives import ArchiveLimits, ArchiveRefused, guarded_archive

Value = str | int | float | bool | date | datetime | None
Row = tuple[int, list[Value]]

NEW_SHEET = 0
# The file formats' own limits: anything beyond is not a real sheet.
SHEET_MAX_ROWS = 1_048_576
SHEET_MAX_COLUMNS = 16_384

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_X = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# What a damaged file makes the parsers raise.
_DAMAGED = (
    SyntaxError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    EOFError,
    OSError,
    zipfile.BadZipFile,
    zlib.error,
)


class SpreadsheetRefused(ArchiveRefused):
    """The spreadsheet cannot be read, or is bigger than allowed; nothing was read from it."""


class Formula(str):
    """A cell holding a formula (the formula text). Treated as bad data, never evaluated."""


@dataclass(frozen=True)
class SheetLimits:
    archive: ArchiveLimits
    max_rows: int  # rows holding a value, all sheets together
    max_columns: int  # the last column a value may be in


def _column_letters(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _Counter:
    """Counts rows with a value across the sheets of one read, refusing past the limits."""

    def __init__(self, limits: SheetLimits, what: str) -> None:
        self.limits, self.what, self.rows = limits, what, 0

    def row(self, number: int) -> None:
        if number > SHEET_MAX_ROWS:
            raise SpreadsheetRefused(f"The {self.what} is damaged: it has a row {number:,}.")
        self.rows += 1
        if self.rows > self.limits.max_rows:
            raise SpreadsheetRefused(
                f"The {self.what} has more than {self.limits.max_rows:,} rows with values; "
                "that is more than we read at once. Split it or remove the extra rows."
            )

    def column(self, number: int, row: int) -> None:
        if number > self.limits.max_columns:
            where = (
                f"cell {_column_letters(number)}{row}"
                if number <= SHEET_MAX_COLUMNS
                else f"row {row} after column {SHEET_MAX_COLUMNS:,}"
            )
            raise SpreadsheetRefused(
                f"The {self.what} has a value in {where}, beyond the "
                f"{self.limits.max_columns:,} columns we read. Remove it and try again."
            )


class Spreadsheet:
    """An opened, checked spreadsheet. `rows()` streams it; close it (or use `with`) when done."""

    def __init__(self, kind: str, source, limits: SheetLimits, data_only: bool, what: str):
        self.kind, self.limits, self.what = kind, limits, what
        self._source, self._data_only = source, data_only
        self._workbook = None
        self.sheet_names: list[str] | None = None
        if kind == "xlsx":
            from openpyxl import load_workbook

            try:
                self._workbook = load_workbook(source, read_only=True, data_only=data_only)
            except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
                raise SpreadsheetRefused(
                    f"The {what} is damaged and cannot be opened. Save it again as .xlsx."
                ) from None
            self.sheet_names = list(self._workbook.sheetnames)

    def __enter__(self) -> Spreadsheet:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None

    def rows(self, sheet: str | int | None = None) -> Iterator[Row]:
        """Every sheet's rows (sheet=None), or one sheet's by name or position. Rows with no
        value are left out. The spreadsheet is closed when the rows run out."""
        counter = _Counter(self.limits, self.what)
        try:
            if self.kind == "xlsx":
                yield from self._xlsx_rows(sheet, counter)
            else:
                yield from self._ods_rows(sheet, counter)
        except SpreadsheetRefused:
            raise
        except _DAMAGED as exc:
            raise SpreadsheetRefused(
                f"The {self.what} is damaged and cannot be read ({type(exc).__name__})."
            ) from None
        finally:
            self.close()

    # .xlsx -----------------------------------------------------------------------------------

    def _xlsx_rows(self, sheet: str | int | None, counter: _Counter) -> Iterator[Row]:
        wb = self._workbook
        if wb is None:
            raise SpreadsheetRefused(f"The {self.what} is closed.")
        sheets = wb.worksheets
        if isinstance(sheet, int):
            sheets = sheets[sheet : sheet + 1]
        elif isinstance(sheet, str):
            sheets = [ws for ws in sheets if ws.title == sheet]
        for ws in sheets:
            yield NEW_SHEET, [ws.title]
            yield from self._xlsx_sheet(wb, ws, counter)

    def _xlsx_sheet(self, wb, ws, counter: _Counter) -> Iterator[Row]:
        # openpyxl's own row iterator pads every row to the sheet's declared dimension; here the
        # sheet XML is walked directly and openpyxl only turns each cell into a value.
        from openpyxl.worksheet._reader import WorkSheetParser

        row_tag, cell_tag = f"{_X}row", f"{_X}c"
        with ws._get_source() as src:
            parser = WorkSheetParser(
                src,
                ws._shared_strings,
                data_only=wb.data_only,
                epoch=wb.epoch,
                date_formats=wb._date_formats,
                timedelta_formats=wb._timedelta_formats,
            )
            stack: list = []
            number, values, cells = 0, [], 0
            for event, elem in iterparse(src, events=("start", "end")):
                if event == "start":
                    stack.append(elem)
                    if elem.tag == row_tag:
                        r = elem.get("r")
                        number = int(r) if r else number + 1
                        if not 1 <= number <= SHEET_MAX_ROWS:
                            raise SpreadsheetRefused(
                                f"The {self.what} is damaged: it has a row {number:,}."
                            )
                        parser.row_counter, parser.col_counter = number, 0
                        values, cells = [], 0
                    continue
                stack.pop()
                if elem.tag == cell_tag:
                    cells += 1
                    if cells > SHEET_MAX_COLUMNS:
                        raise SpreadsheetRefused(
                            f"The {self.what} is damaged: row {number:,} has too many cells."
                        )
                    cell = parser.parse_cell(elem)
                    column, value = cell["column"], cell["value"]
                    if not 1 <= column <= SHEET_MAX_COLUMNS:
                        raise SpreadsheetRefused(
                            f"The {self.what} is damaged: row {number:,} has a cell outside "
                            "the sheet."
                        )
                    if cell["data_type"] == "f":
                        value = Formula(getattr(value, "text", None) or str(value))
                    if value is not None and value != "":
                        counter.column(column, number)
                        if column > len(values):
                            values.extend([None] * (column - len(values)))
                        values[column - 1] = value
                    elem.clear()
                    if stack:
                        stack[-1].remove(elem)
                elif elem.tag == row_tag:
                    if values:
                        counter.row(number)
                        yield number, values
                    values = []
                    elem.clear()
                    if stack:
                        stack[-1].remove(elem)
                elif len(stack) == 1:
                    elem.clear()  # a part of the sheet beside its rows (merged cells, links…)

    # .ods ------------------------------------------------------------------------------------

    def _ods_rows(self, sheet: str | int | None, counter: _Counter) -> Iterator[Row]:
        with (
            guarded_archive(self._source, self.limits.archive, self.what) as zf,
            zf.open("content.xml") as stream,
        ):
            yield from self._ods_stream(stream, sheet, counter)

    def _ods_stream(self, stream, sheet: str | int | None, counter: _Counter) -> Iterator[Row]:
        table, row_tag = f"{_T}table", f"{_T}table-row"
        cell_tags = (f"{_T}table-cell", f"{_T}covered-table-cell")
        stack: list = []
        sheet_index, wanted = -1, False
        number, row, pending_empty = 0, [], 0
        for event, elem in iterparse(stream, events=("start", "end")):
            tag = elem.tag
            if event == "start":
                stack.append(elem)
                if tag == table:
                    sheet_index += 1
                    name = elem.get(f"{_T}name") or ""
                    wanted = sheet is None or sheet in (sheet_index, name)
                    number = 0
                    if wanted:
                        yield NEW_SHEET, [name]
                elif tag == row_tag:
                    row, pending_empty = [], 0
                continue
            stack.pop()
            if tag in cell_tags:
                if wanted:
                    value = _ods_cell_value(elem)
                    repeat = int(elem.get(f"{_T}number-columns-repeated", "1"))
                    # Empty cells are often "repeated" thousands of times to the sheet's edge:
                    # count them and only fill them in when a value follows.
                    if value is None:
                        pending_empty += repeat
                    else:
                        counter.column(len(row) + pending_empty + repeat, number + 1)
                        row.extend([None] * pending_empty)
                        row.extend([value] * repeat)
                        pending_empty = 0
                elem.clear()
                if stack:
                    stack[-1].remove(elem)
            elif tag == row_tag:
                repeat = int(elem.get(f"{_T}number-rows-repeated", "1"))
                if not row or not wanted:
                    number += repeat  # blank rows are counted, not produced
                else:
                    for _ in range(repeat):
                        number += 1
                        counter.row(number)
                        yield number, list(row)
                elem.clear()
                if stack:
                    stack[-1].remove(elem)


def _ods_cell_value(elem) -> Value:
    if elem.get(f"{_T}formula") is not None:
        return Formula(elem.get(f"{_T}formula"))
    kind = elem.get(f"{_O}value-type")
    if kind in ("float", "percentage", "currency"):
        raw = elem.get(f"{_O}value")
        number = float(raw) if raw is not None else None
        return int(number) if number is not None and number.is_integer() else number
    if kind == "date":
        raw = elem.get(f"{_O}date-value", "")
        return datetime.fromisoformat(raw) if "T" in raw else date.fromisoformat(raw)
    if kind == "boolean":
        return elem.get(f"{_O}boolean-value") == "true"
    text = "\n".join("".join(p.itertext()) for p in elem if p.tag.endswith("}p")).strip()
    return text or None


def spreadsheet_kind(archive: zipfile.ZipFile) -> str | None:
    """ "xlsx", "ods" or None, from what is inside the archive (not the file's name)."""
    names = set(archive.namelist())
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "mimetype" in names and archive.read("mimetype")[:200].strip() == ODS_MIMETYPE:
        return "ods"
    return None


def open_spreadsheet(
    source: bytes | Path,
    limits: SheetLimits,
    *,
    data_only: bool = False,
    what: str = "spreadsheet",
    kinds: tuple[str, ...] = ("xlsx", "ods"),
) -> Spreadsheet:
    """Check the archive and open the spreadsheet in it; SpreadsheetRefused if it cannot be
    read, is not one of `kinds`, or is bigger than the limits allow."""
    import io

    try:
        with guarded_archive(source, limits.archive, what) as archive:
            kind = spreadsheet_kind(archive)
    except SpreadsheetRefused:
        raise
    except ArchiveRefused as exc:
        raise SpreadsheetRefused(str(exc)) from None
    if kind not in kinds:
        names = " or ".join(f".{k}" for k in kinds)
        raise SpreadsheetRefused(f"The {what} is a zip archive but not an {names} spreadsheet.")
    opened = io.BytesIO(source) if isinstance(source, bytes) else source
    return Spreadsheet(kind, opened, limits, data_only, what)
