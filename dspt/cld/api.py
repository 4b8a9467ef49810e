"""Client-level data API (mounted at /api/v1/cld/ with the API's bearer-token or session auth)."""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from dspt.cld import selectors, services
from dspt.cld.api_health import router as health_router
from dspt.cld.api_releases import router as releases_router
from dspt.cld.models import TimetablePeriod
from dspt.core.api_types import ErrorOut
from dspt.organisations.models import Organisation

router = Router(tags=["client-level data"])
router.add_router("", releases_router)  # /releases and /aggregate-tables
router.add_router("", health_router)  # /health-datasets, /health-specifications and /notices


class SubmissionOut(Schema):
    id: int
    organisation: str
    original_name: str
    state: str
    state_message: str
    spec_version: str
    rows: int
    submitted_at: datetime
    period_id: int | None = None
    trace_outcomes: dict


class SubmissionDetail(SubmissionOut):
    report: dict


def _out(sub, detail: bool = False) -> dict:
    data = {
        "id": sub.pk,
        "organisation": sub.organisation.ods_code,
        "original_name": sub.original_name,
        "state": sub.state,
        "state_message": sub.state_message,
        "spec_version": sub.spec_version,
        "rows": sub.rows,
        "submitted_at": sub.submitted_at,
        "period_id": sub.period_id,
        "trace_outcomes": sub.trace_outcomes or {},
    }
    if detail:
        data["report"] = sub.report or {}
    return data


def _visible_submissions(request):
    return selectors.within_token(
        request, selectors.submissions_for(request.user), "organisation_id"
    )


@router.get("/submissions", response=list[SubmissionOut])
def list_submissions(request):
    """Submissions you can see: your authority's, or all for the processing centre."""
    return [_out(s) for s in _visible_submissions(request)[:500]]


@router.get("/submissions/{submission_id}", response=SubmissionDetail)
def get_submission(request, submission_id: int):
    """One submission with its data-quality report (poll it to follow the background check)."""
    return _out(get_object_or_404(_visible_submissions(request), pk=submission_id), detail=True)


@router.post("/submissions", response={202: SubmissionOut, 404: ErrorOut})
def upload_submission(
    request,
    organisation: Form[str],
    file: File[UploadedFile],
    period_id: Form[int | None] = None,
    spec_version: Form[str] = "release-1",
):
    """Send an extract for your local authority (ODS code). It is checked in the background.
    404 when no organisation has that ODS code or no timetable period that id."""
    org = get_object_or_404(Organisation, ods_code=organisation)
    token = getattr(request, "api_token", None)
    if token is not None and token.organisation_id != org.pk:
        raise HttpError(403, "This token belongs to another organisation.")
    period = get_object_or_404(TimetablePeriod, pk=period_id) if period_id else None
    try:
        sub = services.receive_upload(
            user=request.user,
            organisation=org,
            period=period,
            upload=file,
            original_name=file.name or "extract.csv",
            spec_version=spec_version,
            request=request,
        )
    except services.CldError as exc:
        raise HttpError(403, str(exc)) from exc
    return Status(202, _out(sub))
