"""The one guard for uploaded zip archives (XLSX, DOCX, ODS, ODT…): refuse bombs before unpacking.

A small archive can unpack to gigabytes. `zipfile` never inflates a part past the size its
directory declares (a part that holds more fails its checksum), so checking the declared sizes
before anything is read bounds what reading can cost: the total of every part, and how much
better than ordinary data any sizeable part compresses (a run of zeros compresses about 1000:1,
real documents and spreadsheets well under 100:1).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

# Parts smaller than this are never refused for their ratio: they cannot cost much.
RATIO_FLOOR_BYTES = 1024 * 1024
MB = 1024 * 1024


class ArchiveRefused(ValueError):
    """The archive is damaged or would unpack to too much; the message says so in plain English."""


@dataclass(frozen=True)
class ArchiveLimits:
    max_uncompressed: int  # bytes, all parts together, as declared
    max_ratio: int  # uncompressed / compressed, for any part over RATIO_FLOOR_BYTES
    max_parts: int = 1000


def upload_limits() -> ArchiveLimits:
    """The limits for files uploaded through the web pages and the API
    (DSPT_UPLOAD_MAX_UNCOMPRESSED, DSPT_UPLOAD_MAX_RATIO)."""
    return ArchiveLimits(
        max_uncompressed=int(settings.DSPT_UPLOAD_MAX_UNCOMPRESSED),
        max_ratio=int(settings.DSPT_UPLOAD_MAX_RATIO),
    )


def open_archive(source: bytes | Path, what: str = "file") -> zipfile.ZipFile:
    """Open a zip archive from bytes or a path; ArchiveRefused if it is not a readable one."""
    try:
        return zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ArchiveRefused(f"The {what} is damaged and cannot be opened.") from None


def check_archive(archive: zipfile.ZipFile, limits: ArchiveLimits, what: str = "file") -> None:
    """Refuse an archive with too many parts, a password, or parts that would unpack to more
    than the limits allow. Reads only the directory: nothing is decompressed."""
    infos = archive.infolist()
    if len(infos) > limits.max_parts:
        raise ArchiveRefused(
            f"The {what} has {len(infos):,} parts inside it; the most we open is "
            f"{limits.max_parts:,}."
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ArchiveRefused(f"The {what} is password-protected. Remove the password.")
        total += info.file_size
        if total > limits.max_uncompressed:
            raise ArchiveRefused(
                f"The {what} would unpack to more than {limits.max_uncompressed // MB:,} MB, "
                "so we will not open it."
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > limits.max_ratio:
            raise ArchiveRefused(
                f"The {what} is compressed far more than real documents are "
                f"({int(ratio):,} to 1; at most {limits.max_ratio} to 1), so we will not open it."
            )


def guarded_archive(
    source: bytes | Path, limits: ArchiveLimits, what: str = "file"
) -> zipfile.ZipFile:
    """Open and check an archive (see check_archive); the caller closes it."""
    archive = open_archive(source, what)
    try:
        check_archive(archive, limits, what)
    except ArchiveRefused:
        archive.close()
        raise
    return archive
