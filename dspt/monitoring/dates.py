"""Which days the figures can be asked for: every day the toolkit's editions cover.

Edition codes run from 2000-01 to 2099-00 (their labels have two-digit years, see
dspt.frameworks.deadlines), so figures are answered for 1 January 2000 to 31 December 2099. A day
outside gets a clear refusal: 422 from the API, an error beside the date box on a page (which
then shows the default day's figures).
"""

from __future__ import annotations

from datetime import date

from dspt.frameworks.deadlines import FIRST_YEAR, LAST_YEAR

FIRST_DAY = date(FIRST_YEAR, 1, 1)
LAST_DAY = date(LAST_YEAR, 12, 31)
OUT_OF_RANGE = (
    f"Figures are available for dates from {FIRST_DAY.day} {FIRST_DAY:%B %Y} "
    f"to {LAST_DAY.day} {LAST_DAY:%B %Y}."
)


def out_of_range(day: date) -> str | None:
    """The message to show when `day` is outside the days figures are given for, else None."""
    return None if FIRST_DAY <= day <= LAST_DAY else OUT_OF_RANGE
