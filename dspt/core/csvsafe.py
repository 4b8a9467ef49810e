"""Spreadsheet-safe cell values for every file the platform writes.

A cell that starts with = + - @ (or a tab or carriage return) can be run as a formula when the
file is opened in a spreadsheet; we prefix an apostrophe so it is always read as text.
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise a text value that a spreadsheet could treat as a formula. Numbers pass as they are."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def write_csv(header: list[str] | None, rows: Iterable[Iterable[Any]]) -> str:
    """Render rows as CSV text with every cell made safe; without a header row when `header` is
    None (a piece of a longer file)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header is not None:
        writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return out.getvalue()
