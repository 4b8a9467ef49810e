"""Turn whatever arrived into plain UTF-8 CSV text that the engines can scan, or refuse it clearly.

A plain UTF-8 file is used where it lies (no copy). A gzipped file is expanded, and a Windows-1252
file transcoded, into the work directory in bounded chunks, so memory stays flat. Expansion stops
at a size cap and at a compression-ratio cap, which is what defeats a gzip bomb; a truncated or
corrupt stream is reported as such. Nothing here ever holds more than one chunk in memory.

Whether a plain file is UTF-8 is settled here, by one streaming read through Python's UTF-8
decoder, so every engine sees the same text (Spark's CSV reader would silently put U+FFFD in
place of invalid bytes).

The same read finds giant lines. A CSV reader can only reject a line it can hold: DuckDB's reader
silently drops a line longer than its read buffer (a 20 MB field vanished, row and all, from an
extract that was then accepted). So a line longer than `giant_line_bytes` (far beyond the line
limit, so certainly too long) is replaced in the landed copy by a stand-in just over the line
limit, with the same number of columns and the same quote parity: every engine then counts the
row and reports it as LINE_TOO_LONG, and the rows after it read as they would have.
"""

from __future__ import annotations

import codecs
import gzip
import zlib
from dataclasses import dataclass
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


def _head(path: Path, n: int = 65536) -> bytes:
    with open(path, "rb") as f:
        return f.read(n)


def _check_not_binary(sample: bytes) -> None:
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in sample:
        raise Unreadable(
            "ENCODING",
            "The file contains NUL bytes: it is binary or UTF-16, not UTF-8 or Windows-1252 text.",
        )


def giant_line_bytes(max_line_bytes: int) -> int:
    """Lines longer than this are cut on landing (see the module docstring).

    Twice the line limit, so a cut line is certainly over it; at least two chunks, so a line
    lying wholly inside one chunk never needs looking for. An engine's read buffer must hold a
    line of this size (DuckDB's is twice it: `engines.duck.csv_scan`).
    """
    return max(2 * CHUNK, 2 * max_line_bytes)


class LongLines:
    """Finds the physical lines longer than `limit` bytes in a stream of chunks, by offset.

    Only each chunk's first and last line end are looked up (`bytes.find` and `rfind`, which stop
    at the first hit): a line longer than a chunk must cross a chunk boundary, so this is exact
    for any `limit` at least the chunk size, at almost no cost on top of the read. Bigger chunks
    are looked at in `limit`-sized slices.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.spans: list[tuple[int, int]] = []  # (start, end) offsets, the line end excluded
        self._offset = 0  # bytes seen
        self._start = 0  # offset where the current line began

    def feed(self, chunk: bytes) -> None:
        """Look at the next piece of the stream."""
        if len(chunk) > self.limit:
            for i in range(0, len(chunk), self.limit):
                self.feed(chunk[i : i + self.limit])
            return
        first = chunk.find(b"\n")
        if first >= 0:
            self._ended(self._offset + first)
            self._start = self._offset + chunk.rfind(b"\n") + 1
        self._offset += len(chunk)

    def finish(self) -> list[tuple[int, int]]:
        """The long lines' spans, once the whole stream has been fed."""
        if self._offset > self._start:
            self._ended(self._offset)
            self._start = self._offset
        return self.spans

    def _ended(self, end: int) -> None:
        # The header (the line at offset 0) is left alone: the header check reports it.
        if end - self._start > self.limit and self._start > 0:
            self.spans.append((self._start, end))


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


def cut_long_lines(
    source: Path, target: Path, spans: list[tuple[int, int]], max_line_bytes: int
) -> None:
    """Copy `source` to `target` with each span (a giant line) replaced by a stand-in.

    The stand-in is `max_line_bytes + 1` bytes of filler in the first column, then as many
    commas as the header has (so no column-count finding is added to the row's LINE_TOO_LONG),
    then a quote when the cut line held an odd number of them (so a quoted value the line opened
    or closed is still opened or closed: the rows after it read the same).
    """
    with open(source, "rb") as f, open(target, "wb") as out:
        commas = f.readline(max_line_bytes).count(b",")
        f.seek(0)
        pos = 0
        for start, end in spans:
            _copy_bytes(f, out, start - pos)
            quotes, left = 0, end - start
            while left:
                piece = f.read(min(CHUNK, left))
                if not piece:
                    break
                quotes += piece.count(b'"')
                left -= len(piece)
            out.write(b"X" * (max_line_bytes + 1) + b"," * commas + b'"' * (quotes % 2))
            pos = end
        while piece := f.read(CHUNK):
            out.write(piece)


def _copy_bytes(f, out, n: int) -> None:
    while n > 0:
        piece = f.read(min(CHUNK, n))
        if not piece:
            return
        out.write(piece)
        n -= len(piece)


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
            lines = LongLines(giant_line_bytes(limits.max_line_bytes))
            if _read_plain(source, CHUNK, lines):
                if not lines.finish():
                    return LandedFile(source, "utf-8", gzipped=False, copied=False)
                target = workdir / "landed.csv"
                cut_long_lines(source, target, lines.spans, limits.max_line_bytes)
                return LandedFile(target, "utf-8", gzipped=False, copied=True)
            encoding = "windows-1252"
    target = workdir / "landed.csv"
    if encoding != "windows-1252":
        try:
            _copy(source, target, gzipped, "utf-8", limits)
            return LandedFile(target, "utf-8", gzipped, copied=True)
        except UnicodeDecodeError:
            encoding = "windows-1252"
    try:
        _copy(source, target, gzipped, "cp1252", limits)
    except UnicodeDecodeError as exc:
        raise Unreadable(
            "ENCODING",
            f"The file is neither UTF-8 nor Windows-1252 text (byte 0x{exc.object[exc.start]:02x} "
            "has no meaning in either).",
        ) from None
    return LandedFile(target, "windows-1252", gzipped, copied=True)


def _copy(source: Path, target: Path, gzipped: bool, encoding: str, limits: Limits) -> None:
    """Stream `source` to UTF-8 `target` (see `_expand`), then cut any giant line."""
    lines = LongLines(giant_line_bytes(limits.max_line_bytes))
    _expand(source, target, gzipped, encoding, limits, lines)
    if lines.finish():
        whole = target.with_name(target.name + ".whole")
        target.rename(whole)
        try:
            cut_long_lines(whole, target, lines.spans, limits.max_line_bytes)
        finally:
            whole.unlink(missing_ok=True)


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
