"""'Today' for the platform (DSPT_TODAY pins it for demos and tests; otherwise the London date),
and dates as people type them into the NHS.UK date input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone


def today() -> date:
    """The current date in Europe/London, unless DSPT_TODAY pins it."""
    pinned = getattr(settings, "DSPT_TODAY", "")
    if pinned:
        return date.fromisoformat(pinned)
    return timezone.localdate()


def parse_iso_date(value: str | None) -> date | None:
    """Parse YYYY-MM-DD, raising ValueError with a plain message on anything else."""
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"'{value}' is not a date in the form YYYY-MM-DD.") from None


@dataclass(frozen=True)
class DateParts:
    """A date as typed into the NHS.UK date input (day, month, year boxes), and what it means.

    `value` is the date, or None when the boxes are empty or wrong; `error` says what is wrong.
    """

    day: str = ""
    month: str = ""
    year: str = ""
    value: date | None = None
    error: str | None = None

    @property
    def given(self) -> bool:
        return bool(self.day or self.month or self.year)

    @classmethod
    def of(cls, value: date | None) -> DateParts:
        """The boxes filled in with a date (empty for None)."""
        if value is None:
            return cls()
        return cls(str(value.day), str(value.month), str(value.year), value)


def date_parts(data, name: str) -> DateParts:
    """Read the date input called `name` from a query or form (`name[day]`, `name[month]`,
    `name[year]`, as the NHS.UK date input names its boxes). A plain `name=YYYY-MM-DD` is read too,
    so links and bookmarks written that way keep working."""
    day, month, year = (str(data.get(f"{name}[{p}]", "")).strip() for p in ("day", "month", "year"))
    if not (day or month or year):
        raw = str(data.get(name, "") or "").strip()
        if not raw:
            return DateParts()
        try:
            return DateParts.of(date.fromisoformat(raw))
        except ValueError:
            return DateParts(error=f"'{raw}' is not a date. Enter a day, month and year.")
    if not (day and month and year):
        missing = [p for p, v in (("day", day), ("month", month), ("year", year)) if not v]
        return DateParts(
            day, month, year, error=f"The date must include a {' and '.join(missing)}."
        )
    if len(year) != 4 or not year.isdigit():
        return DateParts(day, month, year, error="Enter the year as 4 digits, for example 2024.")
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        return DateParts(day, month, year, error="Enter a real date, for example 31 7 2024.")
    return DateParts(day, month, year, value)


def date_text(data, name: str) -> str:
    """The date input `name` as text for a parser that takes YYYY-MM-DD or dd/mm/yyyy: the date
    when the boxes make one, else what was typed (so the parser's message quotes it)."""
    parts = date_parts(data, name)
    if parts.value is not None:
        return parts.value.isoformat()
    if parts.given:
        return f"{parts.day}/{parts.month}/{parts.year}"
    return str(data.get(name, "") or "")
