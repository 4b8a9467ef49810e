"""Types every router of the JSON API shares: strict query values and the error shapes.

The contract itself (which responses each operation documents, how errors are written) is
dspt.api.contract's; these live here so that every app's router can use them.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from ninja import Schema
from pydantic import BeforeValidator, WithJsonSchema

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    """Only YYYY-MM-DD: pydantic on its own also reads `0` or `1700000000` as a Unix time (so
    `as_of=0` meant 1 January 1970) and accepts a date-time."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise ValueError("Input should be a date written YYYY-MM-DD")
    return date.fromisoformat(value)


# A calendar date in a query, a path or a form: YYYY-MM-DD and nothing else.
Day = Annotated[
    date,
    BeforeValidator(_iso_day),
    WithJsonSchema({"type": "string", "format": "date"}),
]


class ErrorOut(Schema):
    """Every refusal but 422: `{"detail": "why"}`."""

    detail: str


class ProblemsOut(Schema):
    """Every 422: what was refused (`detail`) and each problem found (`problems`, at least one)."""

    detail: str
    problems: list[str]
