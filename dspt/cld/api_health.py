"""Health datasets and data provision notices in the client-level data API
(/api/v1/cld/health-datasets, /api/v1/cld/notices).

Scoped as the pages are: only the processing centre loads and sees health datasets; notices are
recorded by the processing centre and read by it and by the authority each was served on (a
token only its own organisation's). Every notice download is logged.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from dspt.cld import selectors, services
from dspt.cld.health import health_codes, load_health_spec
from dspt.cld.models import HealthDataset, ProvisionNotice
from dspt.core.api_types import ErrorOut
from dspt.organisations.models import Organisation

router = Router(tags=["client-level data"])


class HealthSpecOut(Schema):
    code: str
    version: str
    title: str
    header: list[str]


class HealthDatasetOut(Schema):
    id: int
    code: str
    title: str
    spec_version: str
    state: str
    state_message: str
    original_name: str
    rows: int
    people: int
    received_at: datetime
    loaded_at: datetime | None = None
    linkage: dict


class HealthDatasetDetail(HealthDatasetOut):
    report: dict


def _health_out(ds: HealthDataset, detail: bool = False) -> dict:
    data = {
        "id": ds.pk,
        "code": ds.code,
        "title": ds.title,
        "spec_version": ds.spec_version,
        "state": ds.state,
        "state_message": ds.state_message,
        "original_name": ds.original_name,
        "rows": ds.rows,
        "people": ds.people,
        "received_at": ds.received_at,
        "loaded_at": ds.loaded_at,
        "linkage": ds.linkage or {},
    }
    if detail:
        data["report"] = ds.report or {}
    return data


@router.get("/health-specifications", response=list[HealthSpecOut])
def health_specifications(request):
    """The health datasets the processing centre can load, and each file's header row."""
    return [
        {"code": s.code, "version": s.version, "title": s.title, "header": s.header}
        for s in (load_health_spec(c) for c in health_codes())
    ]


@router.get("/health-datasets", response=list[HealthDatasetOut])
def list_health_datasets(request):
    """Health datasets loaded (or refused), newest first: the processing centre's alone (anyone
    else gets an empty list)."""
    return [_health_out(d) for d in selectors.health_datasets_for(request.user)[:500]]


@router.get("/health-datasets/{dataset_id}", response=HealthDatasetDetail)
def get_health_dataset(request, dataset_id: int):
    """One health dataset with its check report and linkage figures (processing centre)."""
    ds = get_object_or_404(selectors.health_datasets_for(request.user), pk=dataset_id)
    return _health_out(ds, detail=True)


@router.post("/health-datasets", response={202: HealthDatasetOut})
def load_health_dataset(request, code: Form[str], file: File[UploadedFile]):
    """Load a health dataset's file (processing centre only): checked as extracts are and
    pseudonymised with the same key, in the background; poll it to see the outcome."""
    try:
        ds = services.health_dataset_load(
            user=request.user,
            code=code,
            upload=file,
            original_name=file.name or "health.csv",
            request=request,
        )
    except services.CldError as exc:
        status = 403 if not selectors.is_processor(request.user) else 422
        raise HttpError(status, str(exc)) from exc
    return Status(202, _health_out(ds))


class NoticeOut(Schema):
    id: int
    local_authority: str
    local_authority_name: str
    reference: str
    served_on: date
    mandates_from: date
    mandates_until: date | None = None
    mandates: str
    mandated_periods: list[str]
    document_name: str
    document_url: str | None = None


def _notice_out(n: ProvisionNotice) -> dict:
    return {
        "id": n.pk,
        "local_authority": n.local_authority.ods_code,
        "local_authority_name": n.local_authority.name,
        "reference": n.reference,
        "served_on": n.served_on,
        "mandates_from": n.mandates_from,
        "mandates_until": n.mandates_until,
        "mandates": n.mandates,
        "mandated_periods": [str(p) for p in n.mandated_periods()],
        "document_name": n.document_name,
        "document_url": f"/api/v1/cld/notices/{n.pk}/document" if n.document_path else None,
    }


def _visible_notices(request):
    return selectors.within_token(
        request, selectors.notices_for(request.user), "local_authority_id"
    )


@router.get("/notices", response=list[NoticeOut])
def list_notices(request):
    """Data provision notices you can see: all (processing centre), or those served on your
    local authority."""
    return [_notice_out(n) for n in _visible_notices(request)[:500]]


@router.get("/notices/{notice_id}", response=NoticeOut)
def get_notice(request, notice_id: int):
    """One data provision notice: when served, what it mandates, its document."""
    return _notice_out(get_object_or_404(_visible_notices(request), pk=notice_id))


@router.post("/notices", response={201: NoticeOut, 404: ErrorOut})
def record_notice(
    request,
    local_authority: Form[str],
    reference: Form[str],
    served_on: Form[date],
    mandates_from: Form[date],
    mandates: Form[str],
    document: File[UploadedFile],
    mandates_until: Form[date | None] = None,
):
    """Record a notice served on a local authority (its ODS code), with its PDF (processing
    centre only). 404 when no local authority has that ODS code; 422 for values refused (the
    mandate ends before it starts, the document is not a PDF)."""
    if not selectors.is_processor(request.user):
        raise HttpError(403, "Only the processing centre records data provision notices.")
    la = get_object_or_404(Organisation, ods_code=local_authority, org_type="local_authority")
    try:
        n = services.notice_record(
            user=request.user,
            local_authority=la,
            reference=reference,
            served_on=served_on,
            mandates_from=mandates_from,
            mandates_until=mandates_until,
            mandates=mandates,
            document=document,
            document_name=document.name or "notice.pdf",
            request=request,
        )
    except services.CldError as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(201, _notice_out(n))


@router.post("/notices/{notice_id}", response={200: NoticeOut})
def change_notice(
    request,
    notice_id: int,
    reference: Form[str],
    served_on: Form[date],
    mandates_from: Form[date],
    mandates: Form[str],
    mandates_until: Form[date | None] = None,
    document: File[UploadedFile] = None,
):
    """Change a notice (processing centre only): every value again, and a new PDF or none to
    keep the one it has. Audited with the values before and after; 422 for values refused."""
    if not selectors.is_processor(request.user):
        raise HttpError(403, "Only the processing centre records data provision notices.")
    n = get_object_or_404(selectors.notices_for(request.user), pk=notice_id)
    try:
        n = services.notice_record(
            user=request.user,
            local_authority=n.local_authority,
            notice=n,
            reference=reference,
            served_on=served_on,
            mandates_from=mandates_from,
            mandates_until=mandates_until,
            mandates=mandates,
            document=document,
            document_name=(document.name if document is not None else "") or "notice.pdf",
            request=request,
        )
    except services.CldError as exc:
        raise HttpError(422, str(exc)) from exc
    return _notice_out(n)


@router.get("/notices/{notice_id}/document", response={200: None})
def download_notice(request, notice_id: int):
    """The notice's PDF (the processing centre and the authority it was served on); logged."""
    n = get_object_or_404(_visible_notices(request), pk=notice_id)
    try:
        path = services.notice_document_read(user=request.user, notice=n, request=request)
    except services.CldError as exc:
        raise HttpError(404, str(exc)) from exc
    return FileResponse(
        open(path, "rb"),  # noqa: SIM115 - closed by the response
        as_attachment=True,
        filename=n.document_name or f"notice-{n.pk}.pdf",
        content_type="application/pdf",
    )
