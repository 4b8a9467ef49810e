"""What a file is before it is read as text: a spreadsheet, a ZIP archive or binary data is
refused here, naming what it is, rather than reported as a flood of bad rows."""

from __future__ import annotations

import codecs
from pathlib import Path

from dspt.cld.landing.common import Unreadable


def read_head(path: Path, n: int = 65536) -> bytes:
    with open(path, "rb") as f:
        return f.read(n)


# What a spreadsheet saved as a workbook begins with, for a clearer refusal than "binary".
_WORKBOOKS = (
    (b"PK\x03\x04", "a ZIP archive, such as an Excel workbook (.xlsx) or an OpenDocument sheet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)"),
)


def zipped_name(sample: bytes) -> str | None:
    """The name of the first file in a ZIP archive that begins `sample` (from its local file
    header: the name's length at byte 26, the name from byte 30), when it is a CSV or text
    file (a spreadsheet's first part is XML or its type)."""
    if not sample.startswith(b"PK\x03\x04") or len(sample) < 30:
        return None
    name = sample[30 : 30 + int.from_bytes(sample[26:28], "little")].decode("utf-8", "replace")
    return name if name.lower().endswith((".csv", ".txt")) else None


def check_not_binary(sample: bytes) -> None:
    zipped = zipped_name(sample)
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
