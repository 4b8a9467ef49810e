"""Watchlist API (mounted at /api/v1/monitoring/watchlist): the commissioner's own list only.

The same services as the pages (dspt.monitoring.watchlist). Callers: a commissioner's signed-in
session or personal token (docs/adr/0004); anyone else is refused (403). There is no way to
name another commissioner's list: the list is always the caller's own organisation's.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpResponse
from ninja import File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from dspt.core.api_types import Day, ProblemsOut
from dspt.core.dates import today
from dspt.monitoring.api_remit import caller_remit, figures_day
from dspt.monitoring.models import AlertKind
from dspt.monitoring.views.common import download
from dspt.monitoring.views.watchlist import EXPORT_COLUMNS, MAX_UPLOAD
from dspt.monitoring.watchlist import (
    UploadError,
    entries_with_status,
    mark_seen,
    read_identifiers,
    replace_watchlist,
    resolve,
)
from dspt.notifications.selectors import notifications_for
from dspt.organisations.models import Organisation

router = Router(tags=["watchlist"])


class EntryOut(Schema):
    cqc_location_id: str
    ods_code: str
    name: str
    provider: str
    postcode: str
    local_authority: str
    status: str
    status_label: str
    edition: str
    published_on: str
    valid_until: str
    compliant: bool
    covered_by: str
    seen_label: str
    seen_on: str
    changed: bool
    change: str


class ReplaceIn(Schema):
    identifiers: list[str]


class ReplaceOut(Schema):
    added: int
    kept: int
    removed: int


class SeenOut(Schema):
    entries: int


class AlertOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    location: str | None
    day: date | None
    created_at: datetime
    read: bool


def _commissioner(request) -> Organisation:
    remit = caller_remit(request)
    if remit.commissioner_id is None:
        raise HttpError(403, "Watchlists belong to commissioners.")
    return Organisation.objects.get(id=remit.commissioner_id)


def _out(row: dict) -> dict:
    return {
        **{k: row[k] for k in EntryOut.model_fields if k not in ("compliant", "changed")},
        "compliant": row["compliant"] == "Yes",
        "changed": row["changed"] == "Yes",
    }


@router.get("", response=list[EntryOut], summary="Your watchlist with each location's status")
def entries(request, as_of: Day | None = None):
    """Every watched location with its status today, or on `as_of` (a contract or grant date),
    changes since last seen first (as on the page)."""
    day = figures_day(as_of)
    return [_out(r) for r in entries_with_status(_commissioner(request), day)]


@router.get("/changes", response=list[EntryOut], summary="What changed since last seen")
def changes(request):
    rows = entries_with_status(_commissioner(request), today())
    return [_out(r) for r in rows if r["changed"] == "Yes"]


def _replace(request, org: Organisation, identifiers: list[tuple[int, str]]):
    try:
        located = resolve(identifiers)
        if not located:
            raise UploadError(["The list has no locations."])
    except UploadError as exc:
        return Status(422, {"detail": "Nothing was changed.", "problems": exc.problems})
    result = replace_watchlist(org, located, by=request.user, on=today(), request=request)
    return {"added": result.added, "kept": result.kept, "removed": result.removed}


@router.put(
    "",
    response={200: ReplaceOut, 422: ProblemsOut},
    summary="Replace the list (CQC location IDs or ODS codes)",
)
def replace(request, payload: ReplaceIn):
    """All or nothing: if any identifier matches nothing, nothing changes and each is listed
    (numbered from 1 in the order sent). A provider's ODS code adds all its active locations."""
    org = _commissioner(request)
    pairs = [(n, v.strip()) for n, v in enumerate(payload.identifiers, start=1) if v.strip()]
    return _replace(request, org, pairs)


@router.post(
    "/upload",
    response={200: ReplaceOut, 422: ProblemsOut},
    summary="Replace the list from a CSV or XLSX file",
)
def upload(request, file: File[UploadedFile]):
    """The same file as the upload page: a column headed "CQC location ID" or "ODS code"."""
    org = _commissioner(request)
    if file.size > MAX_UPLOAD:
        return Status(422, {"detail": "Nothing was changed.", "problems": ["Over 5 MB."]})
    try:
        pairs = read_identifiers(file.name or "upload.csv", file.read())
    except UploadError as exc:
        return Status(422, {"detail": "Nothing was changed.", "problems": exc.problems})
    return _replace(request, org, pairs)


@router.post("/seen", response=SeenOut, summary="Take today's statuses as the baseline")
def seen(request):
    org = _commissioner(request)
    return {"entries": mark_seen(org, today(), by=request.user, request=request)}


@router.get("/alerts", response=list[AlertOut], summary="Your watchlist alerts")
def alerts(request, unread_only: bool = False):
    _commissioner(request)
    notes = notifications_for(request.user, unread_only).filter(kind__in=AlertKind.values)
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "title": n.title,
            "body": n.body,
            "location": (n.organisation.ods_code or n.organisation.cqc_location_id)
            if n.organisation
            else None,
            "day": n.day,
            "created_at": n.created_at,
            "read": n.is_read,
        }
        for n in notes[:1000]
    ]


@router.get(
    "/export",
    summary="Export for contract monitoring (CSV or XLSX)",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "The export file",
                "content": {
                    "text/csv": {},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                },
            }
        }
    },
)
def export(request, format: Literal["csv", "xlsx"] = "csv") -> HttpResponse:
    on = today()
    rows = entries_with_status(_commissioner(request), on)
    return download(rows, EXPORT_COLUMNS, f"watchlist-{on.isoformat()}", format)
