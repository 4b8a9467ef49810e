"""Read the rows of an uploaded table: CSV, XLSX or OpenDocument spreadsheet.

Every reader yields `(row_number, values)` where row_number is the row as a spreadsheet program
shows it (1 = the first line of the file) and values are str, numbers, dates, booleans, None for
an empty cell, or a `Formula` for a cell that holds a formula. Formulas are never evaluated.

Files are checked before they are parsed: a spreadsheet is a zip archive, and a small archive can
unpack to gigabytes, so the declared uncompressed sizes are checked first (zipfile never inflates
a member past its declared size). OpenDocument files are streamed rather than loaded whole.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from defusedxml.ElementTree import iterparse
from django.conf import settings

Value = str | int | float | bool | date | datetime | None
Row = tuple[int, list[Value]]

# Generous: CQC's full directory unpacks to a few hundred megabytes at most.
DEFAULT_MAX_UNCOMPRESSED = 1024 * 1024 * 1024
DEFAULT_MAX_RATIO = 200
DEFAULT_MAX_CSV_BYTES = 512 * 1024 * 1024
# Row number 0 marks the start of a new sheet (rows are numbered from 1).
NEW_SHEET = 0
# Preamble lines allowed before the header row.
HEADER_SEARCH_ROWS = 30

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


class FileRefused(Exception):
    """The file is not something we can import at all; nothing was imported."""


class Formula(str):
    """A cell holding a formula (the formula text). Treated as bad data, never evaluated."""


@dataclass(frozen=True)
class Table:
    """A located header row and the rows beneath it."""

    header_row: int
    columns: dict[str, int]  # header text -> column index
    headers: list[str]
    rows: Iterator[Row]


def _limits() -> tuple[int, int, int]:
    return (
        int(getattr(settings, "DSPT_IMPORT_MAX_UNCOMPRESSED", DEFAULT_MAX_UNCOMPRESSED)),
        int(getattr(settings, "DSPT_IMPORT_MAX_RATIO", DEFAULT_MAX_RATIO)),
        int(getattr(settings, "DSPT_IMPORT_MAX_CSV_BYTES", DEFAULT_MAX_CSV_BYTES)),
    )


def read_rows(path: str | Path) -> tuple[str, Iterator[Row]]:
    """Open `path` by its content (not only its name) and return (kind, rows)."""
    path = Path(path)
    if not path.is_file():
        raise FileRefused(f"{path} is not a file.")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(path)
        return kind, (_xlsx_rows(path) if kind == "xlsx" else _ods_rows(path))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            "This is an old-style Excel (.xls) file. Save it as .xlsx, .ods or .csv and try again."
        )
    if path.suffix.lower() in (".xlsx", ".ods", ".xlsm"):
        raise FileRefused(f"{path.name} is named like a spreadsheet but is not one.")
    return "csv", _csv_rows(path)


def _zip_kind(path: Path) -> str:
    max_total, max_ratio, _ = _limits()
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            total = sum(i.file_size for i in infos)
            if total > max_total:
                raise FileRefused(
                    f"The spreadsheet would unpack to {total // (1024 * 1024)} MB, more than the "
                    f"{max_total // (1024 * 1024)} MB allowed."
                )
            for info in infos:
                if info.file_size > 1024 * 1024 and info.file_size > max_ratio * max(
                    info.compress_size, 1
                ):
                    raise FileRefused(
                        f"The spreadsheet part {info.filename} is compressed suspiciously well "
                        f"({info.file_size // max(info.compress_size, 1)}:1); refusing to unpack it."
                    )
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and zf.read("mimetype").strip() == ODS_MIMETYPE:
                return "ods"
            if "content.xml" in names:
                raise FileRefused("This OpenDocument file is not a spreadsheet.")
    except zipfile.BadZipFile:
        raise FileRefused("The file looks like a zip archive but cannot be opened.") from None
    raise FileRefused("The file is a zip archive but not an .xlsx or .ods spreadsheet.")


def _csv_rows(path: Path) -> Iterator[Row]:
    _, _, max_bytes = _limits()
    size = path.stat().st_size
    if size > max_bytes:
        raise FileRefused(f"The CSV file is {size // (1024 * 1024)} MB, more than allowed.")
    raw = path.read_bytes()
    if b"\x00" in raw[:65536]:
        raise FileRefused(
            "The file is not a text CSV (it holds binary data or is UTF-16). "
            "Save it as CSV in UTF-8 or Windows-1252."
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # Excel on Windows saves CSV in Windows-1252.
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise FileRefused(
                "The CSV file is in an encoding we cannot read: save it as UTF-8 or Windows-1252."
            ) from None
    return _csv_records(text)


def _csv_records(text: str) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for record in reader:
            # The row number is the line the record starts on, as a text editor shows it.
            yield start, [v.strip() if v.strip() else None for v in record]
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FileRefused(f"Line {reader.line_num}: the CSV is malformed ({exc}).") from None


def _xlsx_rows(path: Path) -> Iterator[Row]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileRefused(f"The .xlsx file cannot be read: {exc}") from None
    try:
        for ws in wb.worksheets:
            yield NEW_SHEET, [ws.title]
            for number, cells in enumerate(ws.iter_rows(), start=1):
                values: list[Value] = []
                for cell in cells:
                    value = getattr(cell, "value", None)
                    if getattr(cell, "data_type", None) == "f":
                        value = Formula(str(value))
                    elif isinstance(value, str):
                        value = value.strip() or None
                    values.append(value)
                yield number, values
    finally:
        wb.close()


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


def _ods_rows(path: Path) -> Iterator[Row]:
    with zipfile.ZipFile(path) as zf, zf.open("content.xml") as stream:
        number = 0
        row: list[Value] = []
        pending_empty = 0
        try:
            for event, elem in iterparse(stream, events=("start", "end")):
                tag = elem.tag
                if event == "start":
                    if tag == f"{_T}table":
                        number = 0
                        yield NEW_SHEET, [elem.get(f"{_T}name")]
                    elif tag == f"{_T}table-row":
                        row, pending_empty = [], 0
                    continue
                if tag in (f"{_T}table-cell", f"{_T}covered-table-cell"):
                    value = _ods_cell_value(elem)
                    repeat = int(elem.get(f"{_T}number-columns-repeated", "1"))
                    # Empty cells are often "repeated" thousands of times to the sheet's edge:
                    # count them and only fill them in when a value follows.
                    if value is None:
                        pending_empty += repeat
                    else:
                        row.extend([None] * pending_empty)
                        row.extend([value] * min(repeat, 1024))
                        pending_empty = 0
                    elem.clear()
                elif tag == f"{_T}table-row":
                    repeat = int(elem.get(f"{_T}number-rows-repeated", "1"))
                    if not row:
                        number += repeat  # blank rows are counted, not produced
                    else:
                        for _ in range(min(repeat, 1000)):
                            number += 1
                            yield number, list(row)
                    elem.clear()
        except (SyntaxError, ValueError) as exc:
            raise FileRefused(f"The .ods file cannot be read: {exc}") from None


def find_table(
    rows: Iterable[Row],
    marker: str,
    required: Iterable[str],
    aliases: dict[str, tuple[str, ...]] | None = None,
) -> Table:
    """Find the header row (the first row with a cell equal to `marker`) and check its columns.

    `aliases` names other headings real files use for a column (canonical name -> headings): a
    file with one of them and not the canonical name has that column read under its canonical
    name. Refuses the file with the list of missing columns when a required column is absent.
    """
    required = list(required)
    aliases = aliases or {}
    iterator = iter(rows)
    scanned = 0
    best_missing: list[str] | None = None
    for number, values in iterator:
        if number == NEW_SHEET:
            scanned = 0
            continue
        scanned += 1
        if scanned > HEADER_SEARCH_ROWS:
            continue  # this sheet has no header near the top; look at the next one
        headers = [(str(v).strip() if v is not None else "") for v in values]
        if marker not in headers:
            continue
        columns: dict[str, int] = {}
        for i, h in enumerate(headers):
            if h and h not in columns:
                columns[h] = i
        for canonical, others in aliases.items():
            found = next((columns[o] for o in others if o in columns), None)
            if canonical not in columns and found is not None:
                columns[canonical] = found
        missing = [c for c in required if c not in columns]
        if missing:
            best_missing = missing
            continue
        return Table(number, columns, headers, _data_rows(iterator))
    if best_missing:
        raise FileRefused("The file is missing required columns: " + ", ".join(best_missing) + ".")
    raise FileRefused(
        f"No header row with a '{marker}' column was found in the first {HEADER_SEARCH_ROWS} rows."
    )


def unread_columns(headers: list[str], read) -> list[str]:
    """The headings in `headers` that `read(heading)` says are not read, in file order."""
    return [h for h in dict.fromkeys(headers) if h and not read(h)]


def describe_unread(headers: list[str]) -> str:
    """A note naming columns an import does not read. Runs of headings sharing a prefix before
    " - " (CQC's `Regulated activity - …`) are named once with their count."""
    groups: dict[str, list[str]] = {}
    for h in headers:
        prefix = h.split(" - ", 1)[0] + " - …" if " - " in h else h
        groups.setdefault(prefix, []).append(h)
    parts = [
        f"'{prefix}' ({len(names)} columns)"
        if len(names) > 2
        else ", ".join(f"'{n}'" for n in names)
        for prefix, names in groups.items()
    ]
    return f"{len(headers)} column(s) not read by this import, ignored: " + ", ".join(parts) + "."


def _data_rows(iterator: Iterator[Row]) -> Iterator[Row]:
    for number, values in iterator:
        if number == NEW_SHEET:
            return  # the data ends with the sheet that holds the header
        if any(v is not None for v in values):
            yield number, values
