"""Turn whatever arrived into plain UTF-8 CSV text that the engines can scan, or refuse it clearly.

A plain UTF-8 file is used where it lies (no copy). A gzipped file is expanded, and a Windows-1252
file transcoded, into the work directory in bounded chunks, so memory stays flat. Expansion stops
at a size cap and at a compression-ratio cap, which is what defeats a gzip bomb; a truncated or
corrupt stream is reported as such. Nothing here ever holds more than one chunk in memory.

Whether a plain file is UTF-8 is settled here, by one streaming read through Python's UTF-8
decoder, so every engine sees the same text (Spark's CSV reader would silently put U+FFFD in
place of invalid bytes).

The same read finds over-long records. A CSV reader can only reject a record it can hold: DuckDB's
reader silently drops a line longer than its read buffer (a 20 MB field vanished, row and all,
from an extract that was then accepted), and a quoted value of many short lines longer than its
buffer came out as a flood of rows with the wrong number of columns. So a record longer than the
line limit — its bytes as sent, quotes and line break included (`LongLines`) — is replaced in the
landed copy by a stand-in just over the limit, on one line, with the same number of columns and
the same quote parity: every engine then counts the row and reports it as LINE_TOO_LONG on its
own row, and the rows after it read as they would have. An ordinary file is not copied.

A stray quote (`"E0800` never closed properly) would make a reader take every line up to the next
quote in the file for one broken row and lose them. The same read notices any line break after
an odd number of quotes (`LongLines.quoted_break`); only then is the file walked as a reader reads
it (`walk_records`), and each row a stray quote broke is replaced by a stand-in both engines
report as QUOTING on its own row, so the rows after it are counted and checked.

A quoted value closed badly within its line (`"4"x,`) is rejected by DuckDB's reader, but
Spark's reads it as it stands and checks the row like any other. The same read looks for a run
of quotes that leaves a value closed and is followed by something other than a comma or the
line end (`LongLines._closed_badly`, one regular-expression search per slice with quotes, each
line it stops at read by Python's CSV reader); only when one does not read plainly is the file
walked, and each row with a quote closed badly gets the stray quote's stand-in. A value quoted
after one space (` "x"`), which DuckDB reads as `x` and Spark would not, has that space taken
out of the landed copy.

Outside a quoted value a line ends at LF, CR LF or a lone CR, however a file mixes them. DuckDB's
reader takes one line ending from the first lines and stops with an error, or rejects the row,
on meeting another, so the same read notices a carriage return that is not part of a CR LF
ending every line (`LongLines.mixed_line_ends`), and the copy ends every line with LF, keeping
the carriage returns inside quoted values (found by a walk, needed only with a lone CR or a
quoted line break).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import re
import zlib
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path

from dspt.cld import conf

CHUNK = 4 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = codecs.BOM_UTF8


class Unreadable(Exception):
    """The bytes cannot be turned into CSV text at all (exit code 2)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


@dataclass(frozen=True)
class Limits:
    """Configurable guards, defaults from settings (DSPT_CLD_*)."""

    max_uncompressed_bytes: int
    max_ratio: int
    ratio_grace_bytes: int
    max_line_bytes: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_uncompressed_bytes=conf.get("DSPT_CLD_MAX_UNCOMPRESSED_BYTES"),
            max_ratio=conf.get("DSPT_CLD_MAX_GZIP_RATIO"),
            ratio_grace_bytes=64 * 1024 * 1024,
            max_line_bytes=conf.get("DSPT_CLD_MAX_LINE_BYTES"),
        )


@dataclass(frozen=True)
class LandedFile:
    """UTF-8 CSV text ready to scan, and how it got that way."""

    path: Path
    source_encoding: str  # "utf-8" or "windows-1252"
    gzipped: bool
    copied: bool  # True when `path` is our own copy in the work directory
    # No line break was found inside a quoted value, so every line is a record
    # (`blank_lines_before` can then find blank lines without walking the file).
    records_are_lines: bool = True


def _head(path: Path, n: int = 65536) -> bytes:
    with open(path, "rb") as f:
        return f.read(n)


# What a spreadsheet saved as a workbook begins with, for a clearer refusal than "binary".
_WORKBOOKS = (
    (b"PK\x03\x04", "a ZIP archive, such as an Excel workbook (.xlsx) or an OpenDocument sheet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)"),
)


def _zipped_name(sample: bytes) -> str | None:
    """The name of the first file in a ZIP archive that begins `sample` (from its local file
    header: the name's length at byte 26, the name from byte 30), when it is a CSV or text
    file (a spreadsheet's first part is XML or its type)."""
    if not sample.startswith(b"PK\x03\x04") or len(sample) < 30:
        return None
    name = sample[30 : 30 + int.from_bytes(sample[26:28], "little")].decode("utf-8", "replace")
    return name if name.lower().endswith((".csv", ".txt")) else None


def _check_not_binary(sample: bytes) -> None:
    zipped = _zipped_name(sample)
    if zipped is not None:
        raise Unreadable(
            "ENCODING",
            f"The file is a ZIP archive (holding {zipped}), not CSV text: send the CSV file "
            "itself, or compressed with gzip (.csv.gz).",
        )
    for magic, what in _WORKBOOKS:
        if sample.startswith(magic):
            raise Unreadable(
                "ENCODING",
                f"The file is {what}, not CSV text: save it from the spreadsheet as "
                "CSV (comma-separated values) and send that.",
            )
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in sample:
        raise Unreadable(
            "ENCODING",
            "The file contains NUL bytes: it is binary or UTF-16, not UTF-8 or Windows-1252 text.",
        )


def reader_buffer_bytes(max_line_bytes: int) -> int:
    """A CSV reader's buffer that holds any record landing leaves (at most the line limit, or a
    stand-in just over it), with room to spare; at least four chunks."""
    return max(4 * CHUNK, 4 * max_line_bytes)


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
        # stray quote. Without one every record is one line and the quoting cannot carry from
        # one line to the next, so `walk_records` is needed only with one.
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


def _read_plain(path: Path, chunk_size: int, lines: LongLines | None) -> bool:
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


def is_utf8(path: Path, *, chunk_size: int = CHUNK) -> bool:
    """True when the whole file is valid UTF-8 (strict: no surrogates, no overlong forms).

    Streams the file in `chunk_size` pieces through the incremental decoder, so a character split
    across two pieces is judged whole and memory stays at one piece; stops at the first invalid
    byte. A piece of pure ASCII with nothing pending is skipped without decoding (bytes.isascii
    runs at memory speed), which makes the common all-ASCII extract almost free to check.
    """
    return _read_plain(path, chunk_size, None)


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
                piece = f.read(min(CHUNK, left))
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
        while piece := f.read(CHUNK):
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
        piece = f.read(min(CHUNK, n))
        if not piece:
            return
        out.write(piece, base)
        base += len(piece)
        n -= len(piece)


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
            piece = f.readline(CHUNK)
            if not piece:
                if quoted and not pending and opener_end >= 0:
                    stray()  # never closed
                    continue
                if offset - record > limit and record > 0:
                    found.long.append((record, offset))
                elif broken and record > 0:
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


# Spaces, tabs and the other control characters: a line of nothing else is blank.
_BLANK_BYTES = bytes(range(0x21))
# A blank line after a line feed (the search skips from one line feed to the next in C).
_BLANK_LINE = re.compile(rb"\n[\x00-\x09\x0b-\x20]*(?=\n)")


def is_blank(line: bytes) -> bool:
    """Whether a line holds nothing but spaces, tabs and other control characters (bytes up to
    0x20, its line break included). Neither engine takes such a line for a row: DuckDB's reader
    skips an empty one and the validation drops the others it rejects; Spark's skips them all
    when reading line by line and the validation drops them when it reads across lines."""
    return not line.strip(_BLANK_BYTES)


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
            while base < end and (piece := f.read(CHUNK)):
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


def _after_spaces(piece: bytes, j: int) -> int:
    """The index of the first byte at or after `j` in `piece` that is not a space."""
    while piece[j : j + 1] == b" ":
        j += 1
    return j


ENCODINGS = ("detect", "windows-1252")


def land(
    source: Path, workdir: Path, *, encoding: str = "detect", limits: Limits | None = None
) -> LandedFile:
    """Prepare `source` for scanning. `encoding="windows-1252"` forces a transcode.

    With `detect`, a plain file is first read through the UTF-8 decoder (`is_utf8`): valid, it is
    handed over untouched; not, it is transcoded from Windows-1252. Gzipped files and files with a
    UTF-8 byte order mark are decoded while they are copied.
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, not {encoding!r}")
    limits = limits or Limits.from_settings()
    if not source.is_file():
        raise Unreadable("EMPTY_FILE", f"There is no file at {source.name}.")
    size = source.stat().st_size
    if size > limits.max_uncompressed_bytes:
        raise Unreadable(
            "FILE_TOO_LARGE",
            f"The file is {size:,} bytes, over the {limits.max_uncompressed_bytes:,}-byte limit.",
        )
    head = _head(source)
    gzipped = head.startswith(GZIP_MAGIC)
    if not gzipped:
        if not head:
            raise Unreadable("EMPTY_FILE", "The file is empty.")
        _check_not_binary(head)
        if encoding != "windows-1252" and not head.startswith(UTF8_BOM):
            # The check reads but writes nothing, so only the transcode below meets the limits.
            lines = LongLines(limits.max_line_bytes)
            if _read_plain(source, CHUNK, lines):
                found = _changes(source, lines, limits.max_line_bytes)
                simple = not lines.quoted_break
                if not found:
                    return LandedFile(source, "utf-8", False, False, records_are_lines=simple)
                target = workdir / "landed.csv"
                write_landed_copy(source, target, found, limits.max_line_bytes)
                return LandedFile(target, "utf-8", False, True, records_are_lines=simple)
            encoding = "windows-1252"
    target = workdir / "landed.csv"
    if encoding != "windows-1252":
        try:
            simple = _copy(source, target, gzipped, "utf-8", limits)
            return LandedFile(target, "utf-8", gzipped, True, records_are_lines=simple)
        except UnicodeDecodeError:
            encoding = "windows-1252"
    try:
        simple = _copy(source, target, gzipped, "cp1252", limits)
    except UnicodeDecodeError as exc:
        raise Unreadable(
            "ENCODING",
            f"The file is neither UTF-8 nor Windows-1252 text (byte 0x{exc.object[exc.start]:02x} "
            "has no meaning in either).",
        ) from None
    return LandedFile(target, "windows-1252", gzipped, True, records_are_lines=simple)


def _changes(path: Path, lines: LongLines, max_line_bytes: int) -> Records:
    """What the landed copy must change (an empty `Records` when nothing): the over-long
    records to cut and, when the quoting carries across a line break, a quote may close a value
    badly or the line endings are mixed, what `walk_records` finds, exactly.

    Counting quotes finds records only while the quoting is sound: after a stray quote every
    line break would look quoted and the rest of the file be one record. So the quote count's
    records are used only when no line break is quoted, which makes every record one line."""
    spans = lines.finish()
    if lines.quoted_break or lines.bad_close or lines.lone_cr:
        return walk_records(path, max_line_bytes, line_ends=lines.mixed_line_ends)
    # Every line break ends a record: the spans are lines. Lines ending CR LF and LF mixed, with
    # no line break inside a quoted value, have no carriage return inside one: the copy makes
    # every CR LF a line feed without a walk.
    return Records([], spans, exact=False, line_ends=lines.mixed_line_ends)


def _copy(source: Path, target: Path, gzipped: bool, encoding: str, limits: Limits) -> bool:
    """Stream `source` to UTF-8 `target` (see `_expand`), then make the changes it needs.
    Returns whether every line is a record (no line break inside a quoted value)."""
    lines = LongLines(limits.max_line_bytes)
    _expand(source, target, gzipped, encoding, limits, lines)
    found = _changes(target, lines, limits.max_line_bytes)
    if found:
        whole = target.with_name(target.name + ".whole")
        target.rename(whole)
        try:
            write_landed_copy(whole, target, found, limits.max_line_bytes)
        finally:
            whole.unlink(missing_ok=True)
    return not lines.quoted_break


def _expand(
    source: Path, target: Path, gzipped: bool, encoding: str, limits: Limits, lines: LongLines
) -> None:
    """Stream `source` to UTF-8 `target`, expanding gzip and transcoding, within the limits;
    every piece written is fed to `lines`."""
    # Plain UTF-8 with the byte order mark cut by hand: the "utf-8-sig" decoder takes a lone
    # 0xEF (or 0xEF 0xBB) at the end of the input for the start of a mark and drops it silently.
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    compressed_size = max(source.stat().st_size, 1)
    expanded = written = 0
    first = True
    raw = open(source, "rb")  # noqa: SIM115 - closed in finally, possibly via GzipFile
    stream = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
    try:
        with open(target, "wb") as out:
            while True:
                try:
                    chunk = stream.read(CHUNK)
                except EOFError:
                    raise Unreadable(
                        "GZIP",
                        "The gzip file is truncated: it ends before the compressed data does.",
                    ) from None
                except (gzip.BadGzipFile, zlib.error, OSError) as exc:
                    raise Unreadable("GZIP", f"The gzip file is corrupt ({exc}).") from None
                if not chunk:
                    break
                expanded += len(chunk)
                if (
                    gzipped
                    and expanded > limits.ratio_grace_bytes
                    and expanded > limits.max_ratio * compressed_size
                ):
                    raise Unreadable(
                        "GZIP",
                        f"The gzip file expands more than {limits.max_ratio} times: refused as a "
                        "possible decompression bomb.",
                    )
                if first:
                    _check_not_binary(chunk[:65536])
                    first = False
                    if encoding == "utf-8" and chunk.startswith(UTF8_BOM):
                        chunk = chunk[len(UTF8_BOM) :]
                encoded = decoder.decode(chunk).encode("utf-8")
                # Counted as written: a plain file under the limit can still pass it, as
                # Windows-1252 text grows when it becomes UTF-8.
                written += len(encoded)
                if written > limits.max_uncompressed_bytes:
                    raise Unreadable(
                        "GZIP" if gzipped else "FILE_TOO_LARGE",
                        f"The file expands beyond the {limits.max_uncompressed_bytes:,}-byte limit.",
                    )
                lines.feed(encoded)
                out.write(encoded)
            tail = decoder.decode(b"", final=True).encode("utf-8")
            lines.feed(tail)
            out.write(tail)
        if first:
            raise Unreadable("EMPTY_FILE", "The file is empty.")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        stream.close()
        raw.close()
