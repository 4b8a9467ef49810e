"""Blank lines before a row: DuckDB numbers the rows it rejects counting them, so the validation
takes them off (`blank_lines_before`)."""

from __future__ import annotations

import re
from bisect import bisect_left
from pathlib import Path

from dspt.cld import conf
from dspt.cld.landing import common
from dspt.cld.landing.walk import walk_records

# A blank line after a line feed (the search skips from one line feed to the next in C).
_BLANK_LINE = re.compile(rb"\n[\x00-\x09\x0b-\x20]*(?=\n)")


def blank_lines_before(path: Path, positions: list[int], *, records_are_lines: bool) -> list[int]:
    """How many blank lines (`is_blank`) begin before each of `positions` (byte offsets, in any
    order): DuckDB numbers the rows it rejects counting them, and every other row not.

    With `records_are_lines` (no line break inside a quoted value) a blank line is found by a
    search from line feed to line feed, read a chunk at a time up to the last position; else
    the file is walked as a reader reads it (`walk_records`), so a blank line inside a quoted
    value is not counted."""
    if not positions:
        return []
    end = max(positions)
    if records_are_lines:
        starts: list[int] = []
        with open(path, "rb") as f:
            base, rest = 0, b""
            while base < end and (piece := f.read(common.CHUNK)):
                text = rest + piece
                cut = text.rfind(b"\n") + 1
                if not cut:
                    rest = text
                    continue
                # Searched with a line feed in front: each chunk begins a line.
                for m in _BLANK_LINE.finditer(b"\n" + text[:cut]):
                    if m.end() < cut + 1:  # a line feed after it in this chunk
                        starts.append(base + m.start())
                base += cut
                rest = text[cut:]
    else:
        starts = walk_records(path, conf.get("DSPT_CLD_MAX_LINE_BYTES")).blank
    return [bisect_left(starts, p) for p in positions]
