"""Reading a file record by record as DuckDB's CSV reader does (`walk_records`), for a file whose
quoting or line endings the streaming read (`scan.LongLines`) could not settle: what the landed
copy must change, exactly (`Records`)."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from pathlib import Path

from dspt.cld.landing import common
from dspt.cld.landing.common import Unreadable, is_blank

# At most this many spaces before opening quotes are taken out of one file: each is kept in
# memory until the copy is written, and a file made of nothing else would hold hundreds of
# millions. Past it the rest are left as sent: DuckDB still reads `x`, Spark the text ` "x"`.
MAX_SPACES_TAKEN_OUT = 100_000

# At most this many carriage returns inside quoted values are kept in a file whose line endings
# are mixed (`Records.quoted_crs`); a file with more is refused (no extract needs so many).
MAX_QUOTED_CRS = 1_000_000


@dataclass
class Records:
    """What needs changing in a landed copy: spans (start, end) of the rows a stray quote or a
    quote closed badly broke and of the records over the line limit, in file order, each end
    before its line break; the spaces before opening quotes and the carriage returns to take
    out or make line feeds.

    `exact` when `walk_records` found them (it reads as a reader does); otherwise the long
    records come from counting quotes and there are no strays, spaces or carriage returns."""

    strays: list[tuple[int, int]]
    long: list[tuple[int, int]]
    # Offsets of the one space before a quote that opens a value (` "x"`), to be taken out.
    spaces: list[int] = field(default_factory=list)
    # In a file whose lines do not all end the same way (`LongLines.mixed_line_ends`), the copy
    # ends every line with a line feed: a carriage return outside a quoted value is left out
    # before a line feed and made one alone. Those inside quoted values are the values' own
    # and kept: their offsets (eight bytes each, at most `MAX_QUOTED_CRS`).
    line_ends: bool = False
    quoted_crs: array = field(default_factory=lambda: array("q"))
    exact: bool = True
    # Offsets of the blank records (`is_blank`), which no reader takes for a row.
    blank: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.strays or self.long or self.spaces or self.line_ends)


def walk_records(path: Path, limit: int, *, line_ends: bool = False) -> Records:
    """Read `path` as DuckDB's CSV reader does, record by record, and find the stray quotes.

    A quote opens a quoted value only at the start of a value, or after exactly one space (noted
    in `spaces`, to be taken out); elsewhere it is an ordinary character. The value ends at a
    quote followed by a comma, a line break or the end of the file (spaces before them
    allowed), and a doubled quote inside it is one quote. A quote followed by anything else
    closes it badly: the reader reports that row and reads on from the next line, and the row
    is found here (Spark's reader would read it). A value that is still open at a line break
    carries the record on to the next line; if it then closes badly, or never, its opening
    quote was a stray: the careful reading, and this one, is
    that the row broken is the line the stray quote is on (with the record's earlier lines, if
    any), and the rows after it are read afresh from the next line. A reader would instead have
    read every line up to the next quote in the file into the broken row, and lost them.

    Records longer than `limit` (their bytes as sent, line break included) are found on the
    way. Lines are read at most a chunk at a time, so memory stays at one chunk; this costs a
    Python step per quote and per line, so `land` calls it only when a line break follows an
    odd number of quotes (`LongLines.quoted_break`), a quote may close a value badly
    (`LongLines.bad_close`) or the line endings are mixed.

    With `line_ends` (the file's lines do not all end the same way) a carriage return outside a
    quoted value ends a line, as a line feed does, and the carriage returns inside quoted values
    are noted to be kept (`Records.quoted_crs`) when the copy makes every other one a line feed.
    """
    found = Records([], [], line_ends=line_ends)
    crs = found.quoted_crs

    def quoted_crs(piece: bytes, start: int, end: int, base: int) -> None:
        """Note the carriage returns in piece[start:end], inside a quoted value."""
        k = piece.find(b"\r", start, end)
        while k >= 0:
            if len(crs) >= MAX_QUOTED_CRS:
                raise Unreadable(
                    "STRUCTURE",
                    f"The file has more than {MAX_QUOTED_CRS:,} carriage returns inside quoted "
                    "values and lines that end in different ways. Save it again with one kind "
                    "of line ending.",
                )
            crs.append(base + k)
            k = piece.find(b"\r", k + 1, end)

    with open(path, "rb") as f:
        offset = record = 0  # where the next piece and the current record begin
        quoted = pending = broken = False
        field_start = True  # the next byte begins a value
        # Past the line break after the line where the open quoted value began, once read (a
        # value closed properly forgets it: a stray quote later in the record is its own).
        opener_end = -1

        def stray() -> None:
            nonlocal offset, record, quoted, pending, broken, field_start, opener_end
            if record > 0:  # the header is left alone: the header check reports it
                found.strays.append((record, opener_end - 1))
            while crs and crs[-1] >= record:  # those lines are replaced or read again
                crs.pop()
            offset = record = opener_end
            quoted = pending = broken = False
            field_start, opener_end = True, -1
            f.seek(offset)

        while True:
            piece = f.readline(common.CHUNK)
            if not piece:
                if quoted and not pending and opener_end >= 0:
                    stray()  # never closed
                    continue
                if offset - record > limit and record > 0:
                    found.long.append((record, offset))
                elif (broken or (quoted and not pending)) and record > 0:
                    # Broken, or a value opened on the last line and never closed (no line
                    # break after it): the row is a stray quote's.
                    found.strays.append((record, offset))
                found.spaces = sorted(set(found.spaces))  # a stray quote's rows are read again
                return found
            bad, i, n = False, 0, len(piece)
            while not broken:
                if pending:  # the last piece ended on a quote inside a quoted value
                    pending = False
                    if piece[:1] == b'"':
                        i = 1
                        continue
                    j = _after_spaces(piece, 0)
                    after = piece[j : j + 1]
                    if after not in (b",", b"\r", b"\n", b""):
                        bad = True
                        break
                    quoted, field_start, i = False, after == b",", j + 1 if after == b"," else j
                    opener_end = -1
                    continue
                q = piece.find(b'"', i)
                if quoted and line_ends:
                    quoted_crs(piece, i, q if q >= 0 else n, offset)
                if q < 0:
                    break
                if not quoted:
                    # Only at the start of a value does a quote open one, or after exactly one
                    # space, which DuckDB drops (` "x"` is the value `x`, `  "x"` the text
                    # `  "x"`). Spark's reader would keep that space and the quotes, so the
                    # space is taken out of the landed copy. A lone carriage return (in a file
                    # whose line endings are mixed, where it becomes a line feed) starts a line.
                    comma = max(piece.rfind(b",", i, q), piece.rfind(b"\r", i, q))
                    start = comma + 1 if comma >= 0 else i if field_start else -1
                    lead = piece[start:q] if start >= 0 else None
                    quoted = lead in (b"", b" ")
                    if lead == b" " and record > 0 and len(found.spaces) < MAX_SPACES_TAKEN_OUT:
                        found.spaces.append(offset + start)
                    field_start, i = False, q + 1
                    continue
                after = piece[q + 1 : q + 2]
                if not after:
                    pending, i = True, n
                    break
                if after == b'"':
                    i = q + 2
                    continue
                # Spaces may follow a closing quote (DuckDB drops them; a tab it rejects).
                j = _after_spaces(piece, q + 1)
                after = piece[j : j + 1]
                if after in (b",", b"\r", b"\n", b""):
                    quoted, field_start, opener_end = False, after == b",", -1
                    i = j + 1 if field_start else j
                else:
                    bad = True
                    break
            if bad:
                if opener_end >= 0:
                    stray()
                    continue
                # A quote closed badly within one line: a reader rejects the row and reads on
                # from the next line. Spark's would read the value as it stands, so the row is
                # replaced like a stray quote's, once its end is read.
                broken, quoted = True, False
            offset += n
            if not piece.endswith(b"\n"):
                if not quoted and not broken:
                    field_start = piece.endswith((b",", b"\r"))
                continue
            if (quoted or pending) and not broken:
                if opener_end < 0:
                    opener_end = offset
                continue
            if offset - record > limit and record > 0:
                found.long.append((record, offset - 1))
            elif broken and record > 0:
                found.strays.append((record, offset - 1))
            elif record == offset - n and is_blank(piece):
                found.blank.append(record)
            record, broken, field_start, opener_end = offset, False, True, -1
            quoted = pending = False


def _after_spaces(piece: bytes, j: int) -> int:
    """The index of the first byte at or after `j` in `piece` that is not a space."""
    while piece[j : j + 1] == b" ":
        j += 1
    return j
