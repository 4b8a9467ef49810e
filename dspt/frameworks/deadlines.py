"""Edition codes, labels and deadlines: which toolkit year a day belongs to and how long a
publication stays valid.

An edition code is the toolkit year, "YYYY-YY" with consecutive years (e.g. "2024-25"); its public
label is "24/25". Deadlines ship in editions/deadlines.json. The national team can move a deadline
at run time (frameworks.models.DeadlineOverride); callers pass those as `overrides`, which win over
the file. Everything here is pure: no database access.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path

DEADLINES_FILE = Path(__file__).resolve().parent / "editions" / "deadlines.json"

_CODE = re.compile(r"^(\d{4})-(\d{2})$")
_LABEL = re.compile(r"^(\d{2})/(\d{2})$")
# Labels carry two-digit years, so codes are limited to one century to keep labels unambiguous.
FIRST_YEAR = 2000
LAST_YEAR = 2099


def parse_code(code: str) -> tuple[int, int]:
    """Return (start year, end year) of an edition code; ValueError if it is not "YYYY-YY"."""
    match = _CODE.match(code) if isinstance(code, str) else None
    if not match:
        raise ValueError(f"{code!r} is not an edition code: use the form 2024-25.")
    start = int(match.group(1))
    if (start + 1) % 100 != int(match.group(2)):
        raise ValueError(f"{code!r} is not an edition code: the two years must be consecutive.")
    if not FIRST_YEAR <= start <= LAST_YEAR:
        raise ValueError(
            f"{code!r} is out of range: editions start between {FIRST_YEAR} and {LAST_YEAR}."
        )
    return start, start + 1


def code_for_start_year(year: int) -> str:
    """The edition that starts in this year, e.g. 2024 -> "2024-25"."""
    code = f"{year:04d}-{(year + 1) % 100:02d}"
    parse_code(code)
    return code


def next_edition_code(code: str) -> str:
    """The following toolkit year: "2023-24" -> "2024-25"."""
    start, _ = parse_code(code)
    return code_for_start_year(start + 1)


def previous_edition_code(code: str) -> str:
    """The toolkit year before: "2024-25" -> "2023-24"."""
    start, _ = parse_code(code)
    return code_for_start_year(start - 1)


def label_for(code: str) -> str:
    """The public label of an edition: "2023-24" -> "23/24"."""
    start, end = parse_code(code)
    return f"{start % 100:02d}/{end % 100:02d}"


def edition_code_for_label(label: str) -> str:
    """The edition code for a public label: "23/24" -> "2023-24" (years taken as 20xx)."""
    match = _LABEL.match(label.strip()) if isinstance(label, str) else None
    if not match:
        raise ValueError(f"{label!r} is not an edition label: use the form 23/24.")
    code = f"{2000 + int(match.group(1))}-{match.group(2)}"
    try:
        parse_code(code)
    except ValueError:
        raise ValueError(
            f"{label!r} is not an edition label: the two years must be consecutive."
        ) from None
    return code


@cache
def shipped_deadlines() -> dict[str, date]:
    """The deadline table from editions/deadlines.json (code -> deadline)."""
    data = json.loads(DEADLINES_FILE.read_text(encoding="utf-8"))
    return {code: date.fromisoformat(day) for code, day in data["deadlines"].items()}


def default_deadline(code: str) -> date:
    """The deadline by the standing rule: 30 June at the end of the toolkit year."""
    _, end = parse_code(code)
    return date(end, 6, 30)


def deadline_for(code: str, overrides: Mapping[str, date] | None = None) -> date:
    """The last day to publish for an edition.

    An override (a deadline moved by the national team) wins; then the shipped table; a code the
    table does not list yet falls back to 30 June at the end of the year.
    """
    parse_code(code)
    if overrides and code in overrides:
        return overrides[code]
    table = shipped_deadlines()
    if code in table:
        return table[code]
    return default_deadline(code)


def valid_until(code: str, overrides: Mapping[str, date] | None = None) -> date:
    """The last day (inclusive) a publication for this edition is valid: the next edition's deadline."""
    return deadline_for(next_edition_code(code), overrides)


def current_edition_code(on: date, overrides: Mapping[str, date] | None = None) -> str:
    """The edition whose window contains `on`.

    An edition's window runs from the day after the previous edition's deadline up to and
    including its own deadline, so 30 June 2025 still belongs to 2024-25 and 1 July 2025 to 2025-26.
    """
    # Deadlines fall in the year after an edition starts (or, when extended, a little later), so
    # starting three years back always begins before the window we are looking for.
    start = max(FIRST_YEAR, on.year - 3)
    code = code_for_start_year(start)
    while deadline_for(code, overrides) < on:
        code = next_edition_code(code)
    return code
