"""Plain-English reasons for a CSV file Python's csv module cannot read."""

from __future__ import annotations

import csv


def unreadable(exc: csv.Error, line: int) -> str:
    """What to tell the person about `exc`, raised while reading line `line` of their file."""
    text = str(exc)
    if "new-line character seen in unquoted field" in text:
        return (
            f"Line {line} has a line break inside a value that is not in quotes. Put that value "
            "in double quotes, or save the file again as CSV, and upload it again."
        )
    if "NUL" in text:
        return (
            f"Line {line} contains a NUL character, so this is not a text CSV file. "
            "Save it as CSV and upload it again."
        )
    if "field larger than field limit" in text:
        return f"Line {line} has a value longer than {csv.field_size_limit():,} characters."
    return f"Line {line} cannot be read as CSV ({text})."
