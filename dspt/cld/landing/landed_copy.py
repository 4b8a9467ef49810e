"""Writing the landed copy: the file as sent with what `walk.Records` says changed (stand-ins for
over-long records and broken rows, spaces before opening quotes taken out, every line ended
with a line feed)."""

from __future__ import annotations

from array import array
from pathlib import Path

from dspt.cld.landing import common
from dspt.cld.landing.walk import Records


def write_landed_copy(source: Path, target: Path, found: Records, max_line_bytes: int) -> None:
    """Copy `source` to `target` with what `found` says changed: each over-long record replaced
    by a stand-in, and each row a stray quote or a quote closed badly broke by another; the one
    space before a quote that opens a value left out, unless it is in a row replaced; and, when
    the line endings are mixed, every carriage return outside a quoted value made a line feed
    (or left out before one).

    The long record's stand-in is `max_line_bytes + 1` bytes of filler in the first column,
    then as many commas as the header has (so no column-count finding is added to the row's
    LINE_TOO_LONG). When the records were found by counting quotes (not `found.exact`) a quote
    ends it when the cut record held an odd number of them (a quoted value it opened and never
    closed is still open: the rest of the file reads the same); from `walk_records` the records
    are exact and it has none.

    The stray quote's stand-in, `"X"X"` and one comma more than the header has, is a row both
    readers reject as a quoting error within its own line: DuckDB for the quote closed before
    an `X`; Spark, which reads that value as it stands, for the extra column, and classifies
    it by its odd number of quotes. Neither reader carries a quoted value past its line break.
    """
    cuts = [(a, b, "long") for a, b in found.long] + [(a, b, "stray") for a, b in found.strays]
    cuts += [(a, a + 1, "space") for a in found.spaces]
    # At one offset the longer cut first: a row replaced takes the space at its start with it.
    cuts.sort(key=lambda cut: (cut[0], -cut[1]))
    with open(source, "rb") as f, open(target, "wb") as raw_out:
        out = _LineEnds(raw_out, found.quoted_crs) if found.line_ends else _Plain(raw_out)
        commas = f.readline(max_line_bytes).count(b",")
        f.seek(0)
        pos = 0
        for start, end, kind in cuts:
            if start < pos:  # inside a row already replaced
                continue
            _copy_bytes(f, out, pos, start - pos)
            out.cut()
            if kind == "space":
                f.seek(end)
                pos = end
                continue
            quotes, left = 0, end - start
            while left:
                piece = f.read(min(common.CHUNK, left))
                if not piece:
                    break
                quotes += piece.count(b'"')
                left -= len(piece)
            if kind == "stray":
                out.raw.write(b'"X"X"' + b"," * (commas + 1))
            else:
                odd = 0 if found.exact else quotes % 2
                out.raw.write(b"X" * (max_line_bytes + 1) + b"," * commas + b'"' * odd)
            pos = end
        while piece := f.read(common.CHUNK):
            out.write(piece, pos)
            pos += len(piece)
        out.cut()


class _Plain:
    """Writes the bytes copied as they are."""

    def __init__(self, raw) -> None:
        self.raw = raw

    def write(self, piece: bytes, base: int) -> None:
        self.raw.write(piece)

    def cut(self) -> None:
        """Something else is written next (a stand-in), or nothing: the copy so far is done."""


class _LineEnds(_Plain):
    """Writes the bytes copied with every carriage return a line feed, or left out before one,
    except those at the offsets in `kept` (inside quoted values; in file order)."""

    def __init__(self, raw, kept: array) -> None:
        super().__init__(raw)
        self.kept, self.k = kept, 0
        self.pending = False  # the last byte copied was a carriage return, held back

    def write(self, piece: bytes, base: int) -> None:
        if not piece:
            return
        if self.pending:
            self.pending = False
            if piece[:1] != b"\n":
                self.raw.write(b"\n")
        end, pos = base + len(piece), 0
        while self.k < len(self.kept) and self.kept[self.k] < end:
            at = self.kept[self.k] - base
            self.k += 1
            if at >= pos:
                self._outside(piece[pos:at])
                self.raw.write(b"\r")
                pos = at + 1
        rest = piece[pos:]
        if rest.endswith(b"\r"):  # is it before a line feed? The next piece says.
            self.pending, rest = True, rest[:-1]
        self._outside(rest)

    def _outside(self, text: bytes) -> None:
        self.raw.write(text.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))

    def cut(self) -> None:
        # A carriage return before a stand-in, a space taken out or the end is alone: no cut
        # begins at a line feed.
        if self.pending:
            self.pending = False
            self.raw.write(b"\n")


def _copy_bytes(f, out, base: int, n: int) -> None:
    while n > 0:
        piece = f.read(min(common.CHUNK, n))
        if not piece:
            return
        out.write(piece, base)
        base += len(piece)
        n -= len(piece)
