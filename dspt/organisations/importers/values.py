"""Turn spreadsheet cells into typed values, with plain messages for cells that are wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from dspt.organisations.importers.tables import FileRefused, Formula, Value

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00)?)?$")
# Spreadsheet serial day numbers count from 30 December 1899 (the 1900 date system).
_EXCEL_EPOCH = date(1899, 12, 30)
_EARLIEST = date(1990, 1, 1)
_LATEST = date(2100, 1, 1)


class CellError(ValueError):
    """One cell's value is wrong; the message says why in plain English."""


def show(value: Value) -> str:
    """How a cell value is quoted in a message."""
    if isinstance(value, Formula):
        return f"formula {value}"[:80]
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)[:80]


def reject_formula(value: Value) -> Value:
    if isinstance(value, Formula):
        raise CellError(f"holds a formula ({show(value)}); enter the value itself")
    return value


def text(value: Value) -> str:
    """A cell as text ('' when empty). A number keeps its integer form (12 not 12.0)."""
    value = reject_formula(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value).strip()


def parse_date(value: Value) -> date | None:
    """dd/mm/yyyy text, yyyy-mm-dd text, a spreadsheet date, or a spreadsheet day number."""
    value = reject_formula(value)
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            result = _EXCEL_EPOCH + timedelta(days=int(value))
        except OverflowError:
            raise CellError(f"'{show(value)}' is not a date") from None
    else:
        raw = str(value).strip()
        result = None
        if m := _DMY.match(raw):
            day, month, year = int(m[1]), int(m[2]), int(m[3])
        elif m := _ISO.match(raw):
            year, month, day = int(m[1]), int(m[2]), int(m[3])
        else:
            raise CellError(f"'{show(value)}' is not a date (use dd/mm/yyyy)")
        try:
            result = date(year, month, day)
        except ValueError:
            raise CellError(f"'{show(value)}' is not a date") from None
    if not _EARLIEST <= result < _LATEST:
        raise CellError(f"'{show(value)}' is not a believable date")
    return result


def parse_int(value: Value, *, minimum: int = 0, maximum: int = 100_000) -> int | None:
    value = reject_formula(value)
    if value is None or value == "":
        return None
    try:
        number = float(str(value).replace(",", "")) if not isinstance(value, int) else value
    except ValueError:
        raise CellError(f"'{show(value)}' is not a whole number") from None
    if isinstance(number, float) and not number.is_integer():
        raise CellError(f"'{show(value)}' is not a whole number")
    number = int(number)
    if not minimum <= number <= maximum:
        raise CellError(f"'{show(value)}' is out of range ({minimum} to {maximum})")
    return number


def parse_float(value: Value, *, minimum: float, maximum: float) -> float | None:
    value = reject_formula(value)
    if value is None or value == "":
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CellError(f"'{show(value)}' is not a number") from None
    if not minimum <= number <= maximum:
        raise CellError(f"'{show(value)}' is out of range ({minimum} to {maximum})")
    return number


def yes_no(value: Value) -> bool:
    """'Y'/'Yes'/TRUE → True; 'N'/'No'/blank/FALSE → False; anything else is an error."""
    value = reject_formula(value)
    if value is None or value is False:
        return False
    if value is True:
        return True
    raw = str(value).strip().lower()
    if raw in ("y", "yes", "true", "1"):
        return True
    if raw in ("n", "no", "false", "0", ""):
        return False
    raise CellError(f"'{show(value)}' is not Y or N")


@dataclass
class RowProblems:
    """The problems found in one row, each naming its field."""

    row: int
    problems: list[tuple[str, str]] = field(default_factory=list)

    def add(self, column: str, message: str) -> None:
        self.problems.append((column, message))

    def messages(self) -> list[str]:
        return [f"row {self.row}, {column}: {message}" for column, message in self.problems]


class RowReader:
    """Reads named columns of one row, collecting problems instead of stopping at the first."""

    def __init__(self, number: int, values: list[Value], columns: dict[str, int]) -> None:
        self.values = values
        self.columns = columns
        self.problems = RowProblems(number)

    def raw(self, column: str) -> Value:
        index = self.columns.get(column)
        if index is None or index >= len(self.values):
            return None
        return self.values[index]

    def get(self, column: str, parser=text, **kwargs):
        """Parse one column; on error record the problem and return None."""
        try:
            return parser(self.raw(column), **kwargs)
        except CellError as exc:
            self.problems.add(column, str(exc))
            return None

    @property
    def ok(self) -> bool:
        return not self.problems.problems


def parse_email(value: Value) -> str:
    """An email address, lower-cased ('' when empty)."""
    raw = text(value)
    if not raw:
        return ""
    try:
        validate_email(raw)
    except ValidationError:
        raise CellError(f"'{show(value)}' is not an email address") from None
    return raw.lower()


def parse_phone(value: Value) -> str:
    """A telephone number as written ('' when empty). Staff read it; nothing dials it, so any
    text is kept (a location is not refused over how its number is written), cut to 30."""
    return text(value)[:30]


class ImportCounts:
    """For an importer's result dataclass (counts, `bad_rows`, `notes`): the summary a command
    prints, every count with the number of bad rows in place of their list."""

    bad_rows: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("bad_rows", "notes")} | {
            "bad_row_count": len(self.bad_rows)
        }


# Returned by a row parser for a row that belongs to no one (counted, not kept, not reported).
SKIP = object()


def collect_rows(table, result, parse) -> list:
    """Read every data row of `table` with `parse(reader)`, keeping the rows with no problems.

    The one place both importers collect row errors: each row is counted in `result.rows`, a
    bad row's problems (row number and column) go to `result.bad_rows` and the row is left out,
    and a file with a header but no data rows is refused.
    """
    good = []
    for number, values in table.rows:
        result.rows += 1
        reader = RowReader(number, values, table.columns)
        parsed = parse(reader)
        if parsed is SKIP:
            continue
        if reader.ok:
            good.append(parsed)
        else:
            result.bad_rows.extend(reader.problems.messages())
    if result.rows == 0:
        raise FileRefused("The file has a header row but no data rows.")
    return good
