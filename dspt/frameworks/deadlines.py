"""PLACEHOLDER until the frameworks branch lands: replaced by the data-file version."""

from collections.abc import Mapping
from datetime import date


def deadline_for(code: str, overrides: Mapping[str, date] | None = None) -> date:
    if overrides and code in overrides:
        return overrides[code]
    start = int(code[:4])
    if start == 2018:
        return date(2019, 3, 31)
    if start == 2019:
        return date(2020, 9, 30)
    return date(start + 1, 6, 30)


def next_edition_code(code: str) -> str:
    start = int(code[:4]) + 1
    return f"{start}-{(start + 1) % 100:02d}"


def valid_until(code: str, overrides: Mapping[str, date] | None = None) -> date:
    return deadline_for(next_edition_code(code), overrides)
