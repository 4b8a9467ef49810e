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

Here is `land`, which decides what happens to a file; each part it calls has a module:

- `sniff`: a spreadsheet, ZIP archive or binary file refused, naming what it is;
- `scan`: the one streaming read (`is_utf8`, `LongLines`);
- `walk`: reading record by record as a reader does (`walk_records`), what the copy changes;
- `landed_copy`: writing the copy with those changes (`write_landed_copy`);
- `blank`: blank lines before a row, for DuckDB's numbering of the rows it rejects;
- `common`: the piece size, the `Unreadable` error and `is_blank`, which they all share.
"""

from __future__ import annotations

import codecs
import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path

from dspt.cld import conf
from dspt.cld.landing import common
from dspt.cld.landing.blank import blank_lines_before
from dspt.cld.landing.common import CHUNK, Unreadable, is_blank
from dspt.cld.landing.landed_copy import write_landed_copy
from dspt.cld.landing.scan import LongLines, is_utf8, read_plain
from dspt.cld.landing.sniff import check_not_binary, read_head
from dspt.cld.landing.walk import Records, walk_records

__all__ = [
    "CHUNK",
    "ENCODINGS",
    "GZIP_MAGIC",
    "LandedFile",
    "Limits",
    "LongLines",
    "Records",
    "Unreadable",
    "blank_lines_before",
    "is_blank",
    "is_utf8",
    "land",
    "reader_buffer_bytes",
    "walk_records",
    "write_landed_copy",
]

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = codecs.BOM_UTF8


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


def reader_buffer_bytes(max_line_bytes: int) -> int:
    """A CSV reader's buffer that holds any record landing leaves (at most the line limit, or a
    stand-in just over it), with room to spare; at least four chunks."""
    return max(4 * CHUNK, 4 * max_line_bytes)


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
    head = read_head(source)
    gzipped = head.startswith(GZIP_MAGIC)
    if not gzipped:
        if not head:
            raise Unreadable("EMPTY_FILE", "The file is empty.")
        check_not_binary(head)
        if encoding != "windows-1252" and not head.startswith(UTF8_BOM):
            # The check reads but writes nothing, so only the transcode below meets the limits.
            lines = LongLines(limits.max_line_bytes)
            if read_plain(source, common.CHUNK, lines):
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
                    chunk = stream.read(common.CHUNK)
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
                    check_not_binary(chunk[:65536])
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
