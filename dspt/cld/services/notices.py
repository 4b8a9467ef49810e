"""Writes: data provision notices served on local authorities (processing centre only).

A notice's document is a PDF kept in the processing zone (`notices/<id>/notice.pdf`), never
under MEDIA_ROOT: it is read only through `notice_document_read`, which checks who is asking and
logs the download. Recording a notice also sets the authority's "notice served on" in the
participation register when the notice is its latest.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from django.db import transaction

from dspt.audit.services import record
from dspt.cld import selectors
from dspt.cld.models import Participation, ProvisionNotice
from dspt.cld.services.common import CldError, zone
from dspt.organisations.models import OrgType

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def _read_document(document) -> bytes:
    """The bytes of an uploaded file (or bytes), refused unless a PDF within the size limit."""
    if isinstance(document, bytes | bytearray):
        data = bytes(document)
    else:
        if getattr(document, "size", 0) and document.size > MAX_DOCUMENT_BYTES:
            raise CldError(f"The notice is larger than the {MAX_DOCUMENT_BYTES:,}-byte limit.")
        data = b"".join(document.chunks())
    if len(data) > MAX_DOCUMENT_BYTES:
        raise CldError(f"The notice is larger than the {MAX_DOCUMENT_BYTES:,}-byte limit.")
    if not data.startswith(PDF_MAGIC):
        raise CldError("The notice must be a PDF file (it does not start as a PDF does).")
    return data


def _snapshot(n: ProvisionNotice) -> dict:
    return {
        "reference": n.reference,
        "served_on": n.served_on.isoformat(),
        "mandates_from": n.mandates_from.isoformat(),
        "mandates_until": n.mandates_until.isoformat() if n.mandates_until else None,
        "mandates": n.mandates,
        "document": n.document_name,
    }


def notice_record(
    *,
    user,
    local_authority,
    reference: str,
    served_on: date,
    mandates_from: date,
    mandates_until: date | None,
    mandates: str,
    document=None,
    document_name: str = "",
    notice: ProvisionNotice | None = None,
    request=None,
) -> ProvisionNotice:
    """Record a notice served on `local_authority` (or, given `notice`, change one), with its
    PDF (`document`: an uploaded file or bytes; required for a new notice, optional when
    changing one). Audited with what changed; refused (CldError) with nothing stored when the
    values or the document are not acceptable."""
    if not selectors.is_processor(user):
        raise CldError("Only the processing centre records data provision notices.")
    if local_authority.org_type != OrgType.LOCAL_AUTHORITY:
        raise CldError(f"{local_authority.name} is not a local authority.")
    if notice is not None and notice.local_authority_id != local_authority.pk:
        raise CldError("That notice was served on another authority.")
    if mandates_until is not None and mandates_until < mandates_from:
        raise CldError("The notice cannot mandate submissions until a date before it starts.")
    if not reference.strip() or not mandates.strip():
        raise CldError("Give the notice's reference and what it mandates.")
    if notice is None and document is None:
        raise CldError("Attach the notice (a PDF).")
    data = _read_document(document) if document is not None else None
    with transaction.atomic():
        before = _snapshot(notice) if notice is not None else {}
        n = notice or ProvisionNotice(local_authority=local_authority, recorded_by=user)
        n.reference, n.served_on, n.mandates = reference.strip(), served_on, mandates.strip()
        n.mandates_from, n.mandates_until = mandates_from, mandates_until
        if data is not None:
            n.document_name = Path(
                document_name or getattr(document, "name", "") or "notice.pdf"
            ).name[:255]
            n.document_bytes = len(data)
        n.save()
        if data is not None:
            target = zone("notices", str(n.pk)) / "notice.pdf"
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(fd, "wb") as out:
                out.write(data)
            ProvisionNotice.objects.filter(pk=n.pk).update(document_path=str(target))
            n.document_path = str(target)
        latest = ProvisionNotice.objects.filter(local_authority=local_authority).order_by(
            "-served_on"
        )[0]
        p, _ = Participation.objects.get_or_create(local_authority=local_authority)
        if p.notice_served_on != latest.served_on:
            p.notice_served_on = latest.served_on
            p.save(update_fields=["notice_served_on"])
        after = _snapshot(n)
        record(
            "cld.notice_recorded" if notice is None else "cld.notice_changed",
            actor=user,
            organisation=local_authority,
            obj=n,
            detail={"before": before, "after": after} if notice is not None else after,
            request=request,
        )
    return n


def notice_document_read(*, user, notice: ProvisionNotice, request=None) -> Path:
    """The notice's PDF for someone entitled to it (the processing centre, or the authority it
    was served on), the download logged; CldError otherwise or when there is no document."""
    if not selectors.notices_for(user).filter(pk=notice.pk).exists():
        raise CldError(
            "Only the processing centre and the authority it was served on can read this notice."
        )
    path = Path(notice.document_path) if notice.document_path else None
    if path is None or not path.is_file():
        raise CldError("The notice's document is missing.")
    record(
        "cld.notice_downloaded",
        actor=user,
        organisation=notice.local_authority,
        obj=notice,
        request=request,
    )
    return path
