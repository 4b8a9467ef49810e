"""Judging one answer to one evidence item on a given day.

Answers arrive as stored JSON values (see assessments.models.Answer). A value that cannot be an
answer of the item's type raises ValueError with a message the web layer can show as it is.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from dspt.frameworks.structure import EvidenceItem, ItemOutcome, ResponseType

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

CAF_RATINGS: dict[str, ItemOutcome] = {
    "achieved": ItemOutcome.MET,
    "partially_achieved": ItemOutcome.PARTLY_MET,
    "not_achieved": ItemOutcome.UNMET,
}


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date_answer(value: Any) -> date:
    """Read a date answer ("YYYY-MM-DD" or a date); ValueError if it is not a real date."""
    # A datetime is a date too, but it cannot be compared with one; keep only its day.
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError("Enter a real date in the form YYYY-MM-DD, for example 2025-03-31.")


def parse_number_answer(value: Any, percentage: bool = False) -> float:
    """Read a number answer (a number or a numeric string); ValueError if it is not one.

    Counts and percentages cannot be negative, and a percentage cannot exceed 100.
    """
    # bool is an int in Python; True must not pass as the number 1.
    if isinstance(value, bool):
        raise ValueError("Enter a number.")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().rstrip("%").replace(",", ""))
        except ValueError:
            raise ValueError("Enter a number, for example 95.") from None
    else:
        raise ValueError("Enter a number.")
    if not math.isfinite(number):
        raise ValueError("Enter a number.")
    if number < 0:
        raise ValueError("The number cannot be negative.")
    if percentage and number > 100:
        raise ValueError("A percentage must be between 0 and 100.")
    return number


def _confirm(value: Any) -> ItemOutcome:
    if not isinstance(value, bool):
        raise ValueError("Answer yes or no.")
    return ItemOutcome.MET if value else ItemOutcome.UNMET


def _text(value: Any) -> ItemOutcome:
    if not isinstance(value, str):
        raise ValueError("Enter your answer as text.")
    return ItemOutcome.MET if value.strip() else ItemOutcome.UNANSWERED


def _date(item: EvidenceItem, value: Any, on: date) -> ItemOutcome:
    answered = parse_date_answer(value)
    # A date after the check day cannot be evidence yet (for example when the status is worked
    # out as of an earlier day), so it does not count.
    if answered > on:
        return ItemOutcome.UNMET
    if item.max_age_days is not None and (on - answered).days > item.max_age_days:
        return ItemOutcome.PARTLY_MET
    return ItemOutcome.MET


def _number(item: EvidenceItem, value: Any) -> ItemOutcome:
    number = parse_number_answer(value, percentage=item.response_type == ResponseType.PERCENTAGE)
    if item.threshold is None or number >= item.threshold:
        return ItemOutcome.MET
    return ItemOutcome.PARTLY_MET if number > 0 else ItemOutcome.UNMET


def _choice(item: EvidenceItem, value: Any) -> ItemOutcome:
    key = value.strip() if isinstance(value, str) else value
    try:
        choice = item.choice(key)
    except KeyError:
        options = ", ".join(f"{c.key} ({c.label})" for c in item.choices)
        raise ValueError(f"{value!r} is not one of the options for {item.id}: {options}.") from None
    if choice.meets:
        return ItemOutcome.MET
    return ItemOutcome.PARTLY_MET if choice.partial else ItemOutcome.UNMET


def _caf_rating(value: Any) -> ItemOutcome:
    key = value.strip() if isinstance(value, str) else None
    if key not in CAF_RATINGS:
        raise ValueError("Rate the outcome as achieved, partially_achieved or not_achieved.")
    return CAF_RATINGS[key]


def evaluate_item(
    item: EvidenceItem, value: Any, not_applicable: bool, documents: int, on: date
) -> ItemOutcome:
    """Judge one answer on the day `on`.

    `value` is the stored answer, `not_applicable` the organisation's "does not apply" mark and
    `documents` how many documents are attached to the item. N/A counts only where the item allows
    it; otherwise the item is unanswered. A malformed value or unknown choice raises ValueError.
    """
    if not_applicable:
        return ItemOutcome.NOT_APPLICABLE if item.allow_na else ItemOutcome.UNANSWERED
    kind = item.response_type
    if kind == ResponseType.DOCUMENT:
        if isinstance(documents, bool) or not isinstance(documents, int) or documents < 0:
            raise ValueError("The number of documents must be a whole number, 0 or more.")
        # Evidence is the upload itself; any value stored alongside it is only a note.
        return ItemOutcome.MET if documents >= 1 else ItemOutcome.UNANSWERED
    if _is_blank(value):
        return ItemOutcome.UNANSWERED
    if kind == ResponseType.CONFIRM:
        return _confirm(value)
    if kind == ResponseType.TEXT:
        return _text(value)
    if kind == ResponseType.DATE:
        return _date(item, value, on)
    if kind in (ResponseType.NUMBER, ResponseType.PERCENTAGE):
        return _number(item, value)
    if kind == ResponseType.CHOICE:
        return _choice(item, value)
    if kind == ResponseType.CAF_RATING:
        return _caf_rating(value)
    raise ValueError(f"Unknown response type {kind!r}.")  # pragma: no cover - enum is closed
