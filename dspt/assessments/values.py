"""Turning what a person typed (or an API client sent) into a stored answer value.

Each response type has one canonical stored form (see Answer.value): bool for confirmations,
ISO date text for dates, a number for numbers and percentages, the choice key for choices and the
rating key for CAF ratings. Anything else raises ValueError with a message fit to show as it is.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from dspt.core.dates import today
from dspt.frameworks.model import CAF_RATINGS, EvidenceItem, ResponseType

MAX_TEXT = 5000
MAX_COMMENT = 2000
_YES = {"yes", "true", "y", "1", "on"}
_NO = {"no", "false", "n", "0", "off"}
EARLIEST_DATE = date(1990, 1, 1)


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def parse_confirm(raw: Any) -> bool:
    """Yes/no from a bool or the words a form or script might send."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _YES:
        return True
    if isinstance(raw, str) and raw.strip().lower() in _NO:
        return False
    raise ValueError("Answer yes or no.")


def parse_date(raw: Any, on: date | None = None) -> str:
    """A past or present date as YYYY-MM-DD text."""
    if isinstance(raw, date):
        value = raw
    elif isinstance(raw, str):
        try:
            value = date.fromisoformat(raw.strip())
        except ValueError:
            raise ValueError(
                "Enter a real date in the form YYYY-MM-DD, for example 2025-03-31."
            ) from None
        if len(raw.strip()) != 10:
            raise ValueError("Enter a real date in the form YYYY-MM-DD, for example 2025-03-31.")
    else:
        raise ValueError("Enter a real date in the form YYYY-MM-DD, for example 2025-03-31.")
    if value > (on or today()):
        raise ValueError("The date must be today or in the past.")
    if value < EARLIEST_DATE:
        raise ValueError(f"The date must be after {EARLIEST_DATE.year}.")
    return value.isoformat()


def parse_number(raw: Any, *, percentage: bool = False) -> int | float:
    """A non-negative number (at most 100 for a percentage), kept whole where it is whole."""
    if isinstance(raw, bool):
        raise ValueError("Enter a number.")
    if isinstance(raw, int | float):
        number = float(raw)
    elif isinstance(raw, str):
        text = raw.strip().replace(",", "")
        if percentage:
            text = text.removesuffix("%").strip()
        try:
            number = float(text)
        except ValueError:
            raise ValueError("Enter a number, for example 95.") from None
    else:
        raise ValueError("Enter a number, for example 95.")
    if not math.isfinite(number):
        raise ValueError("Enter a number, for example 95.")
    if number < 0:
        raise ValueError("The number cannot be negative.")
    if percentage and number > 100:
        raise ValueError("A percentage must be between 0 and 100.")
    if number > 1e12:
        raise ValueError("That number is too large.")
    return int(number) if number.is_integer() else round(number, 4)


def parse_value(item: EvidenceItem, raw: Any, on: date | None = None) -> Any:
    """The stored form of `raw` as an answer to `item`; None when nothing was given.

    Raises ValueError with a plain-English message when `raw` cannot be such an answer.
    """
    kind = item.response_type
    if kind == ResponseType.DOCUMENT:
        # The evidence is the uploaded file; there is no typed value to keep.
        return None
    if _blank(raw):
        return None
    if kind == ResponseType.CONFIRM:
        return parse_confirm(raw)
    if kind == ResponseType.TEXT:
        if not isinstance(raw, str):
            raise ValueError("Enter your answer as text.")
        text = raw.strip()
        if len(text) > MAX_TEXT:
            raise ValueError(f"The answer must be {MAX_TEXT} characters or fewer.")
        return text
    if kind == ResponseType.DATE:
        return parse_date(raw, on)
    if kind in (ResponseType.NUMBER, ResponseType.PERCENTAGE):
        return parse_number(raw, percentage=kind == ResponseType.PERCENTAGE)
    if kind == ResponseType.CHOICE:
        key = raw.strip() if isinstance(raw, str) else raw
        if not any(c.key == key for c in item.choices):
            options = "; ".join(c.label for c in item.choices)
            raise ValueError(f"Choose one of the options: {options}.")
        return key
    if kind == ResponseType.CAF_RATING:
        key = raw.strip() if isinstance(raw, str) else raw
        if key not in CAF_RATINGS:
            raise ValueError("Choose achieved, partially achieved or not achieved.")
        return key
    raise ValueError(f"This item has a response type the toolkit does not know ({kind}).")


def parse_comment(raw: Any) -> str:
    """A free-text comment: trimmed, with a length limit."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValueError("The comment must be text.")
    text = raw.strip()
    if len(text) > MAX_COMMENT:
        raise ValueError(f"The comment must be {MAX_COMMENT} characters or fewer.")
    return text


def display_value(item: EvidenceItem, value: Any) -> str:
    """An answer as a person reads it (for read-only pages)."""
    if value is None:
        return ""
    kind = item.response_type
    if kind == ResponseType.CONFIRM:
        return "Yes" if value else "No"
    if kind == ResponseType.PERCENTAGE:
        return f"{value}%"
    if kind == ResponseType.DATE:
        try:
            d = date.fromisoformat(value)
        except (TypeError, ValueError):
            return str(value)
        return f"{d.day} {d:%B %Y}"
    if kind == ResponseType.CHOICE:
        for c in item.choices:
            if c.key == value:
                return c.label
    if kind == ResponseType.CAF_RATING:
        return str(value).replace("_", " ").capitalize()
    return str(value)
