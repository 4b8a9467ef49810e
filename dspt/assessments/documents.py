"""Evidence documents: what may be uploaded, how it is checked and where it is kept.

A file is accepted only when its extension is on the list AND its first bytes (or, for office
files, the inside of the zip) say it really is that kind of file. Executables, web pages, SVG
and macro-enabled office files are refused, and so are office files (zip archives) that would
unpack to more than DSPT_UPLOAD_MAX_UNCOMPRESSED or hold a part compressed more than
DSPT_UPLOAD_MAX_RATIO to 1 (dspt.core.archives): nothing reads them, but they are kept and
handed to whoever downloads them. Files are stored under MEDIA_ROOT with opaque names
and are only ever served by the access-checked download view, never from a public URL.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from dspt.assessments.caf_services import answer_lock_reason
from dspt.assessments.editions import caf_edition_of, edition_of, is_caf
from dspt.assessments.errors import AssessmentError
from dspt.assessments.locking import bump_version, lock_assessment
from dspt.assessments.models import Assessment, EvidenceDocument
from dspt.audit.services import record
from dspt.core.archives import ArchiveRefused, check_archive, upload_limits
from dspt.core.dates import today

# extension -> (content type served, kind checked by sniffing)
ALLOWED: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "odt": ("application/vnd.oasis.opendocument.text", "odt"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "ods"),
    "png": ("image/png", "png"),
    "jpg": ("image/jpeg", "jpeg"),
    "jpeg": ("image/jpeg", "jpeg"),
    "txt": ("text/plain", "text"),
    "csv": ("text/csv", "text"),
}
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED)
ALLOWED_DESCRIPTION = (
    "PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt, .ods), PNG, JPEG, text or CSV"
)
MAX_DOCUMENTS_PER_ITEM = 20
# The social care action plan is attached under this pseudo item ID.
ACTION_PLAN = "action-plan"
_SNIFF_BYTES = 8192
_OPENDOCUMENT = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
}
_OOXML_MAIN = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
_HOSTILE_TEXT = (b"<html", b"<!doctype", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")


class DocumentRefused(AssessmentError):
    """An upload that is not accepted; the message says why in plain English."""


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, with the name and type the toolkit will use."""

    name: str
    extension: str
    content_type: str
    size: int


def _max_mb() -> str:
    mb = settings.DSPT_MAX_UPLOAD_BYTES / (1024 * 1024)
    return f"{mb:g} MB"


def _clean_name(name: str) -> str:
    # Keep only the final part of whatever path a browser sent, without control characters.
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:200] or "document"


def _read_all(uploaded: UploadedFile) -> bytes:
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    return data


def _zip_names(data: bytes) -> tuple[zipfile.ZipFile, set[str]] | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        return archive, set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def _looks_like(kind: str, data: bytes) -> bool:
    head = data[:_SNIFF_BYTES]
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if kind in _OOXML_MAIN or kind in _OPENDOCUMENT:
        if not head.startswith(b"PK\x03\x04"):
            return False
        opened = _zip_names(data)
        if opened is None:
            return False
        archive, names = opened
        try:
            check_archive(archive, upload_limits())
        except ArchiveRefused as exc:
            raise DocumentRefused(str(exc)) from None
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise DocumentRefused(
                "The file contains macros. Save it without macros and upload it again."
            )
        if kind in _OOXML_MAIN:
            return _OOXML_MAIN[kind] in names and "[Content_Types].xml" in names
        return "mimetype" in names and archive.read("mimetype").strip() == _OPENDOCUMENT[kind]
    if kind == "text":
        if b"\x00" in data:
            return False
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                return False
        start = text.lstrip()[:4096].lower().encode("utf-8", "ignore")
        return not any(marker in start for marker in _HOSTILE_TEXT) and not start.startswith(
            (b"#!", b"mz")
        )
    return False


def check_upload(uploaded: UploadedFile) -> tuple[CheckedFile, bytes]:
    """Check size, extension and content; DocumentRefused with the reason if not acceptable."""
    name = _clean_name(uploaded.name or "")
    size = uploaded.size or 0
    if size == 0:
        raise DocumentRefused("The file is empty.")
    if size > settings.DSPT_MAX_UPLOAD_BYTES:
        raise DocumentRefused(f"The file must be smaller than {_max_mb()}.")
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in ALLOWED:
        raise DocumentRefused(f"The file must be a {ALLOWED_DESCRIPTION}.")
    content_type, kind = ALLOWED[extension]
    data = _read_all(uploaded)
    if len(data) > settings.DSPT_MAX_UPLOAD_BYTES:
        raise DocumentRefused(f"The file must be smaller than {_max_mb()}.")
    if data[:2] == b"MZ" or data[:4] == b"\x7fELF":
        raise DocumentRefused("Programs cannot be uploaded as evidence.")
    if not _looks_like(kind, data):
        raise DocumentRefused(
            f"The file's content is not a real .{extension} file. Check the file and try again."
        )
    return CheckedFile(name=name, extension=extension, content_type=content_type, size=size), data


def _refuse_if_locked(locked: Assessment, item_id: str) -> None:
    # A CAF outcome under an open independent review keeps its evidence as the assessor saw it.
    if is_caf(locked):
        reason = answer_lock_reason(locked, item_id)
        if reason:
            raise AssessmentError(reason)


def attach_document(
    assessment: Assessment,
    item_id: str,
    uploaded_file,
    user,
    *,
    expected_version: int | None = None,
    request=None,
) -> EvidenceDocument:
    """Check and store an evidence document for an item (or the action plan, "action-plan").

    Raises DocumentRefused (a ValueError) for a file that is too big, empty, of a type not
    allowed or whose content does not match its name.
    """
    if is_caf(assessment):
        # A CAF assessment's evidence is attached to a contributing outcome (e.g. A1.a).
        if not caf_edition_of(assessment).has_outcome(item_id):
            raise AssessmentError(f"There is no outcome {item_id} in this assessment.")
    elif item_id != ACTION_PLAN and not edition_of(assessment).has_item(item_id):
        raise AssessmentError(f"There is no evidence item {item_id} in this assessment.")
    checked, data = check_upload(uploaded_file)
    with transaction.atomic():
        locked = lock_assessment(assessment, expected_version, today())
        _refuse_if_locked(locked, item_id)
        if locked.documents.filter(item_id=item_id).count() >= MAX_DOCUMENTS_PER_ITEM:
            raise DocumentRefused(
                f"An item can have at most {MAX_DOCUMENTS_PER_ITEM} documents. "
                "Remove one before adding another."
            )
        document = EvidenceDocument(
            assessment=locked,
            item_id=item_id,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            uploaded_by=user,
        )
        document.file.save(checked.name, ContentFile(data), save=False)
        try:
            document.save()
            bump_version(locked, assessment)
            record(
                "document.attached",
                actor=user,
                organisation=locked.organisation,
                obj=document,
                detail={"item": item_id, "size": checked.size, "version": locked.version},
                request=request,
            )
        except Exception:
            # Nothing half-done: the stored file goes if the row does not make it.
            document.file.delete(save=False)
            raise
    return document


def remove_document(
    assessment: Assessment,
    document: EvidenceDocument,
    user,
    *,
    expected_version: int | None = None,
    request=None,
) -> None:
    """Remove a document from the assessment; the file goes once no assessment refers to it."""
    if document.assessment_id != assessment.pk:
        raise AssessmentError("That document does not belong to this assessment.")
    with transaction.atomic():
        locked = lock_assessment(assessment, expected_version, today())
        _refuse_if_locked(locked, document.item_id)
        name = document.file.name
        doc_id, item_id = document.pk, document.item_id
        document.delete()
        bump_version(locked, assessment)
        record(
            "document.removed",
            actor=user,
            organisation=locked.organisation,
            obj=locked,
            detail={"item": item_id, "document": doc_id, "version": locked.version},
            request=request,
        )
        still_used = EvidenceDocument.objects.filter(file=name).exists()
        if not still_used:
            storage = document.file.storage
            transaction.on_commit(lambda: storage.delete(name))
