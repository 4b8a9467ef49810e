"""What every part of landing shares: the size of the pieces files are read in, the error that
refuses a file, and what a blank line is."""

from __future__ import annotations

# Files are read this much at a time (a line at most this long at a time when read by lines), so
# memory stays flat whatever the file's size. Read from here when used, so a test can change it.
CHUNK = 4 * 1024 * 1024


class Unreadable(Exception):
    """The bytes cannot be turned into CSV text at all (exit code 2)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


# Spaces, tabs and the other control characters: a line of nothing else is blank.
_BLANK_BYTES = bytes(range(0x21))


def is_blank(line: bytes) -> bool:
    """Whether a line holds nothing but spaces, tabs and other control characters (bytes up to
    0x20, its line break included). Neither engine takes such a line for a row: DuckDB's reader
    skips an empty one and the validation drops the others it rejects; Spark's skips them all
    when reading line by line and the validation drops them when it reads across lines."""
    return not line.strip(_BLANK_BYTES)
