"""The one streaming read of a plain file: whether it is UTF-8 (`is_utf8`), and what `LongLines`
notices on the way (records over the line limit, quoted line breaks, quotes that may close a
value badly, mixed line endings), so that only a file with something to change is copied or
walked (`walk.walk_records`)."""

from __future__ import annotations

import codecs
import csv
import re
from pathlib import Path

from dspt.cld.landing import common


class LongLines:
    """Finds the records longer than `limit` bytes in a stream of chunks, by offset.

    A record is what a CSV reader reads as one row: a line, except that a line break inside a
    quoted value does not end it. A line break ends a record when an even number of quotes comes
    before it in the file (a doubled quote inside a value counts twice, so it changes nothing).
    Its length is its bytes as sent, quotes and the line break that ends it included, which is
    how DuckDB's reader measures it: a record of exactly `limit` bytes passes.

    Only each piece's first and last record end are looked up: a record longer than a piece must
    cross a piece boundary, so this is exact for any `limit` at least the piece size, and pieces
    longer than `limit` are looked at in `limit`-sized slices. The quotes of every piece are
    counted (`bytes.count`, a few GB/s) to carry the quote state on; in a piece with none, and no
    quoted value open, the first and last line break are the record ends (`find` and `rfind`,
    which stop at the first hit). Line breaks are walked one by one only around a quoted value
    that holds some, until the first (or last) that ends a record.
    """

    def __init__(self, limit: int, *, quotes: bool = True, offset: int = 0) -> None:
        """`quotes=False` takes every line break for a record end (physical lines); `offset` is
        where in the file the stream fed begins, at the start of a record."""
        self.limit = limit
        self.quotes = quotes
        self.spans: list[tuple[int, int]] = []  # (start, end) offsets, the line break excluded
        self._offset = offset  # bytes seen
        self._start = offset  # offset where the current record began
        self._open = 0  # 1 when a quoted value is open at `_offset` (odd number of quotes seen)
        # Whether some line break comes after an odd number of quotes: a quoted line break, or a
        # stray quote (the end of the file counts as one, `finish`). Without one every record is
        # one line and the quoting cannot carry from one line to the next, so `walk_records` is
        # needed only with one.
        self.quoted_break = False
        # Whether some quote may close a value badly within its line (`_closed_badly`): a
        # reader rejects that row, which Spark's would read as it stands, so `walk_records` is
        # needed then too, to find the row and have it replaced.
        self.bad_close = False
        # The line the last piece ended in, after the line feed before it, searched again in
        # front of the next piece: a piece can end anywhere, closing quotes included, and a
        # quote the search stops at is judged with its whole line. The file starts a line.
        self._carry = b"\n"
        self._carry_whole = True  # False when that line was too long to carry from its start
        self._lines_read = 0  # lines a quote was looked at in (`MAX_LINES_READ`)
        # Whether the file has a carriage return that is not part of a CR LF ending every line
        # (`_line_ends`): lines ending both ways, or a lone CR. DuckDB's reader, which takes
        # the file's line ending from its first lines, stops with an error or rejects rows on
        # meeting the other kind, so `walk_records` is needed then too, to find the carriage
        # returns outside quoted values and have them made line feeds.
        self.mixed_line_ends = False
        # Whether some carriage return is not followed by a line feed. Without one, and with
        # no line break inside a quoted value, every CR LF ends a line and the copy needs no
        # walk to make them line feeds.
        self.lone_cr = False
        self._cr_seen = self._lf_seen = False
        self._waiting = False  # the last piece ended with a CR: is the next one's first an LF?

    def feed(self, chunk: bytes) -> None:
        """Look at the next piece of the stream."""
        if len(chunk) > self.limit:
            for i in range(0, len(chunk), self.limit):
                self.feed(chunk[i : i + self.limit])
            return
        if not self.lone_cr:
            self._line_ends(chunk)
        quotes = chunk.count(b'"') if self.quotes else 0
        if self.quotes and not self.bad_close:
            if quotes or b'"' in self._carry:
                # Searched with the line the last piece ended in, in front: a quote's
                # neighbours, or a run of quotes it ended with, are judged whole.
                text = self._carry + chunk
                self.bad_close = self._closed_badly(text, final=False)
                self._carry_on(text)
            else:
                self._carry_on(chunk if b"\n" in chunk else self._carry + chunk)
        if not quotes and not self._open:
            first, last = chunk.find(b"\n"), chunk.rfind(b"\n")
        else:
            if not self.quoted_break:
                self.quoted_break = _quoted_break(chunk, self._open)
            first = self._first_end(chunk)
            last = self._last_end(chunk, self._open ^ (quotes & 1)) if first >= 0 else -1
        if first >= 0:
            self._ended(self._offset + first, 1)
            self._start = self._offset + last + 1
        self._open ^= quotes & 1
        self._offset += len(chunk)

    def _carry_on(self, text: bytes) -> None:
        """Keep the line `text` ends in (after its line feed) for the next search; only its
        last bytes when it is longer than `_LONGEST_CARRY` (the line's start is then lost)."""
        nl = text.rfind(b"\n")
        if nl >= 0:
            self._carry, self._carry_whole = text[nl:], True
        elif len(text) <= _LONGEST_CARRY:
            self._carry = text
        else:
            self._carry, self._carry_whole = _tail(text), False
            if len(self._carry) > _LONGEST_CARRY:  # a run of quotes that long: walk the file
                self.bad_close = True

    def _closed_badly(self, text: bytes, *, final: bool) -> bool:
        """Whether a quote in `text` may close a quoted value badly (`"4"x,`), which a reader
        rejects within its line.

        The search (`_QUOTE_AMID_TEXT`) stops at a quote closing a value badly, and also at a
        quote inside a value that does not begin with one (`Dr "Jack" Surgery`), at a comma
        then a quote inside a quoted value (`"Said, ""no"" twice"`) and at a quote opening a
        value after one space. The line each is on is then read by Python's CSV reader
        (`_reads_plainly`): a line it reads strictly, with no value after one space, reads
        alike in both engines and needs nothing changed, so the search goes on after it; any
        other stops here, and the file is walked (`walk_records`). After `MAX_LINES_READ`
        such lines the file is walked anyway. A line with no line feed after it in `text` is
        judged with the next piece, unless `final`."""
        pos = 0
        while (m := _QUOTE_AMID_TEXT.search(text, pos)) is not None:
            end = text.find(b"\n", m.start())
            if end < 0:
                if not final:
                    return False  # carried: judged in front of the next piece
                end = len(text) - 1
            start = text.rfind(b"\n", 0, m.start()) + 1
            if start == 0 and not self._carry_whole:
                return True  # the line's start was not kept
            self._lines_read += 1
            if self._lines_read > MAX_LINES_READ or not _reads_plainly(text[start : end + 1]):
                return True
            pos = end + 1
        return False

    def _line_ends(self, chunk: bytes) -> None:
        """Note whether the line endings so far are all LF, or all CR LF (`mixed_line_ends`),
        and whether a carriage return stands alone (`lone_cr`).

        A file without a carriage return costs one `in` test per piece (memchr). From the first
        piece with one, each piece is searched for a CR not before an LF and (until the endings
        are found mixed) an LF not after a CR: regular-expression searches that skip from one
        to the next, about 0.35 ms per MB each. A CR at a piece's end waits for the next
        piece's first byte."""
        if not self._cr_seen:
            cr = chunk.find(b"\r")
            if cr < 0:
                self._lf_seen = self._lf_seen or b"\n" in chunk
                return
            self._cr_seen = True
            if self._lf_seen or 0 <= chunk.find(b"\n") < cr:  # an LF alone came first
                self.mixed_line_ends = True
        paired = self._waiting and chunk[:1] == b"\n"
        if self._waiting and not paired:
            self.lone_cr = True
        if not self.mixed_line_ends and _LONE_LF.search(chunk, 1 if paired else 0) is not None:
            self.mixed_line_ends = True
        cr = _LONE_CR.search(chunk)
        self._waiting = cr is not None and cr.start() == len(chunk) - 1
        if cr is not None and not self._waiting:
            self.lone_cr = True
        if self.lone_cr:
            self.mixed_line_ends = True

    def _first_end(self, chunk: bytes) -> int:
        open_, pos = self._open, 0
        while (nl := chunk.find(b"\n", pos)) >= 0:
            open_ ^= chunk.count(b'"', pos, nl) & 1
            if not open_:
                return nl
            pos = nl + 1
        return -1

    def _last_end(self, chunk: bytes, open_at_end: int) -> int:
        """The last record end in `chunk` (called only when it has one)."""
        open_, pos = open_at_end, len(chunk)
        while (nl := chunk.rfind(b"\n", 0, pos)) >= 0:
            open_ ^= chunk.count(b'"', nl + 1, pos) & 1
            if not open_:
                return nl
            pos = nl
        raise AssertionError("no record end in a piece that has one")  # pragma: no cover

    def finish(self) -> list[tuple[int, int]]:
        """The long records' spans, once the whole stream has been fed.

        The last record may have no line break, or end inside a quoted value never closed. The
        spans are records only when no line break was quoted (`quoted_break`): after a stray
        quote every line break looks quoted, and `walk_records` is needed instead."""
        if self._offset > self._start:
            self._ended(self._offset, 0)
            self._start = self._offset
        # A quoted value still open at the end of the file ends there as at a line break: the
        # walk finds the value and has its row replaced, as for a stray quote anywhere else.
        # (Spark's reader would otherwise read it without its quote and check the row.)
        if self.quotes and self._open:
            self.quoted_break = True
        if self._waiting:  # the file ends with a lone CR
            self.mixed_line_ends = self.lone_cr = True
        if self.quotes and not self.bad_close and b'"' in self._carry:
            self.bad_close = self._closed_badly(self._carry, final=True)  # the last line
        return self.spans

    def _ended(self, end: int, line_break: int) -> None:
        # The header (the record at offset 0) is left alone: the header check reports it.
        if end - self._start + line_break > self.limit and self._start > 0:
            self.spans.append((self._start, end))


# A carriage return not followed by a line feed, and a line feed not after a carriage return,
# for `LongLines._line_ends`: each starts with a plain byte, so the search skips to it in C.
_LONE_CR = re.compile(rb"\r(?!\n)")
_LONE_LF = re.compile(rb"\n(?<!\r\n)")

# Every byte but the quote and the line break, for `_quoted_break`.
_NOT_QUOTE_OR_BREAK = bytes(b for b in range(256) if b not in b'"\n')


def _quoted_break(chunk: bytes, open_: int) -> bool:
    """Whether a line break in `chunk` follows an odd number of quotes, counting from a point
    where a quoted value is open when `open_` is 1.

    With every other byte deleted (`bytes.translate`, at memory speed) the chunk is its lines'
    quotes between line breaks; a line break is quoted when the quotes before it, the open one
    included, are odd: an odd first line (with `open_`) or any odd line after it."""
    parts = chunk.translate(None, _NOT_QUOTE_OR_BREAK).split(b"\n")
    if len(parts) == 1:
        return False
    return bool((len(parts[0]) + open_) & 1 or any(n & 1 for n in set(map(len, parts[1:-1]))))


# A quote a reader may take for one closing a value badly (`"4"x`), found in C: the regular
# expression starts with a plain quote, so the search skips from quote to quote. It looks at
# whole runs of quotes, since inside a quoted value a pair is one quote and leaves the value
# open. A run whose length leaves the value closed — odd within a value (`"4"x`, `"hi"""x`),
# even at its start (`,""x`) — and that is followed by something other than a comma or a line
# end (spaces before them allowed) is matched. So is a quote opening a value after a comma or
# a line break and one space (DuckDB drops the space, Spark would not: the walk notes it).
# A run with nothing but spaces after it in the searched text is not matched: what follows it
# is in the next piece, searched with it (`LongLines._carry`). `LongLines._closed_badly` reads
# the line of each match to tell an error from a quote that is none.
_QUOTE_AMID_TEXT = re.compile(
    rb'"(?:(?<=[^",\n]")(?:"")*(?!")(?! *(?:[,\r\n]|\Z))'
    rb'|(?<=[,\n]")"(?:"")*(?!")(?! *(?:[,\r\n]|\Z))'
    rb'|(?<=[,\n] "))'
)
# The longest line carried from one piece to the next whole; of a longer one only its last
# bytes (or the run of quotes it ends with) are, and a quote the search stops at in it sends the
# file to the walk.
_LONGEST_CARRY = 64 * 1024
# At most this many lines with a quote the search stops at are read by the CSV reader; a file
# with more is walked (the walk is one pass, whatever it finds).
MAX_LINES_READ = 10_000


def _reads_plainly(line: bytes) -> bool:
    """Whether Python's CSV reader reads `line` (one whole line) strictly — each quoted value
    closed by a quote before a comma or the line end, doubled quotes inside — with no unquoted
    value that begins with one space and a quote (` "x"`, which DuckDB reads as `x`; after two
    or more spaces it is text to DuckDB too). Such a line reads the same in DuckDB's reader,
    Spark's and this one: a quote inside a value that does not begin with one is text to all
    three.

    Which values were quoted is found from their lengths: a quoted value takes its text, its
    doubled quotes and the two around it, so the line is stepped through value by value."""
    text = line.decode("utf-8", "replace")
    try:
        values = next(csv.reader([text], strict=True))
    except csv.Error:
        return False
    at = 0
    for value in values:
        if text.startswith('"', at):
            at += len(value) + value.count('"') + 3  # the quotes around it and the comma
        elif value.startswith(' "'):
            return False
        else:
            at += len(value) + 1
    return True


def _tail(text: bytes) -> bytes:
    """The last bytes of `text` the next search needs in front of its own: the last two (a
    quote's neighbours), or, when it ends with a run of quotes and spaces only after it, the
    run and the two bytes before it (the run is judged with what follows)."""
    end = len(text.rstrip(b" "))
    if not end or text[end - 1] != 0x22:  # '"'
        return text[-2:]
    start = end - 1
    while start > 0 and text[start - 1] == 0x22:
        start -= 1
    return text[max(start - 2, 0) :]


def read_plain(path: Path, chunk_size: int, lines: LongLines | None) -> bool:
    """One read of `path`: True when it is strict UTF-8, stopping at the first invalid byte (the
    file is then transcoded, and its copy looked at instead); feeds each chunk read to `lines`."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with open(path, "rb") as f:
            while chunk := f.read(chunk_size):
                if lines is not None:
                    lines.feed(chunk)
                if chunk.isascii() and not decoder.getstate()[0]:
                    continue
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def is_utf8(path: Path, *, chunk_size: int | None = None) -> bool:
    """True when the whole file is valid UTF-8 (strict: no surrogates, no overlong forms).

    Streams the file in `chunk_size` pieces (`common.CHUNK` unless given) through the incremental
    decoder, so a character split across two pieces is judged whole and memory stays at one piece; stops at the first invalid
    byte. A piece of pure ASCII with nothing pending is skipped without decoding (bytes.isascii
    runs at memory speed), which makes the common all-ASCII extract almost free to check.
    """
    return read_plain(path, chunk_size or common.CHUNK, None)
