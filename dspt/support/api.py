"""LSO records API (mounted at /api/v1/support): engagements and activity hours.

Scoped exactly like the pages: LSO staff reach their own LSO's records only (asking for another
LSO's list is refused with 403; another LSO's record is not found, 404); the programme team may
work on any LSO's (choose with `lso=CODE`). Callers: a signed-in session or a personal token
(docs/adr/0004); organisation tokens are refused. CSV uploads are all or nothing, like the form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from dspt.accounts.remits import remit_of
from dspt.core.api_types import Day, ProblemsOut
from dspt.core.dates import today
from dspt.monitoring.access import lso_for
from dspt.organisations.models import LSO
from dspt.support import edits, services
from dspt.support.activity_periods import Period, activity_over, parse_month
from dspt.support.models import ActivityRecord, Engagement
from dspt.support.selectors import activity_for, engagements_for
from dspt.support.uploads import read_upload

router = Router(tags=["LSO records"])


class EngagementIn(Schema):
    identifier: str
    engaged_on: str
    method: str
    notes: str = ""


class EngagementOut(Schema):
    id: int
    lso: str
    organisation: str
    name: str
    ods_code: str | None
    cqc_location_id: str | None
    engaged_on: date
    method: str
    notes: str


class ActivityIn(Schema):
    month: str
    kind: str
    planned_hours: str
    actual_hours: str = ""
    notes: str = ""


class ActivityOut(Schema):
    id: int
    lso: str
    month: str
    kind: str
    planned_hours: Decimal
    actual_hours: Decimal | None
    notes: str


class ImportOut(Schema):
    created: int
    updated: int
    skipped: int


def _caller(request) -> None:
    token = getattr(request, "api_token", None)
    if token is not None and not token.personal:
        raise HttpError(403, "Organisation API tokens cannot reach LSO records.")


def _lso(request, code: str | None) -> LSO:
    """The LSO whose list is asked for: one's own, or any for the programme team."""
    _caller(request)
    try:
        return lso_for(request.user, code)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None


def _problems(problems: list[str]):
    return Status(422, {"detail": "Nothing was saved.", "problems": problems})


def _engagement(e: Engagement) -> dict:
    o = e.organisation
    return {
        "id": e.id,
        "lso": e.lso_id,
        "organisation": o.cqc_location_id or o.ods_code or "",
        "name": o.name,
        "ods_code": o.ods_code,
        "cqc_location_id": o.cqc_location_id,
        "engaged_on": e.engaged_on,
        "method": e.method,
        "notes": e.notes,
    }


def _activity(a: ActivityRecord) -> dict:
    return {
        "id": a.id,
        "lso": a.lso_id,
        "month": a.month.strftime("%Y-%m"),
        "kind": a.kind,
        "planned_hours": a.planned_hours,
        "actual_hours": a.actual_hours,
        "notes": a.notes,
    }


@dataclass(frozen=True)
class _Records:
    """One kind of LSO record as the API reads, checks, changes and deletes it."""

    records: Callable[[Any], QuerySet]  # the records a person may reach (selectors)
    out: Callable[[Any], dict]  # a record as its *Out schema
    check: Callable[[LSO, dict], tuple[dict | None, list[str]]]  # (lso, body as a dict)
    update: Callable[..., Any]  # edits.update_*
    delete: Callable[..., None]  # edits.delete_*


ENGAGEMENTS = _Records(
    records=engagements_for,
    out=_engagement,
    check=lambda lso, body: services.check_engagement_values(lso, body, today()),
    update=edits.update_engagement,
    delete=edits.delete_engagement,
)
ACTIVITY = _Records(
    records=activity_for,
    out=_activity,
    check=lambda lso, body: services.check_activity_values(body),
    update=edits.update_activity,
    delete=edits.delete_activity,
)

# The endpoints below stay one function each: their names are the OpenAPI operation ids and
# their docstrings its descriptions. The shared work is in these helpers.


def _own(request, kind: _Records, pk: int):
    """One of the caller's records; another LSO's is not found."""
    _caller(request)
    return get_object_or_404(kind.records(request.user), pk=pk)


def _change(request, kind: _Records, pk: int, payload: Schema):
    obj = _own(request, kind, pk)
    cleaned, problems = kind.check(obj.lso, payload.model_dump())
    if problems:
        return _problems(services.sentences(problems))
    try:
        obj = kind.update(obj, cleaned, payload.notes, by=request.user, request=request)
    except edits.Conflict as exc:
        return _problems([str(exc)])
    return kind.out(obj)


def _remove(request, kind: _Records, pk: int):
    kind.delete(_own(request, kind, pk), by=request.user, request=request)
    return Status(204, None)


def _import(file: UploadedFile, run: Callable[[bytes], services.ImportResult]):
    try:
        result = run(read_upload(file))
    except services.ImportError_ as exc:
        return _problems(exc.problems)
    return {"created": result.created, "updated": result.updated, "skipped": result.skipped}


# Engagements ---------------------------------------------------------------------------------


@router.get("/engagements", response=list[EngagementOut], summary="Your LSO's engagements")
def list_engagements(request, lso: str | None = None, since: Day | None = None):
    qs = Engagement.objects.filter(lso=_lso(request, lso)).select_related("organisation")
    if since:
        qs = qs.filter(engaged_on__gte=since)
    return [_engagement(e) for e in qs[:10000]]


@router.post(
    "/engagements",
    response={201: EngagementOut, 422: ProblemsOut},
    summary="Record an engagement",
)
def create_engagement(request, payload: EngagementIn, lso: str | None = None):
    """`identifier` is a CQC location ID or ODS code in the LSO's area (or a provider's head
    office); `engaged_on` YYYY-MM-DD or dd/mm/yyyy, not in the future; `method` a code or label."""
    the_lso = _lso(request, lso)
    cleaned, problems = ENGAGEMENTS.check(the_lso, payload.model_dump())
    if problems:
        return _problems(services.sentences(problems))
    e = services.record_engagement(
        the_lso, cleaned, payload.notes, by=request.user, request=request
    )
    return Status(201, _engagement(e))


@router.post(
    "/engagements/upload",
    response={200: ImportOut, 422: ProblemsOut},
    summary="Import engagements from CSV (all or nothing)",
)
def upload_engagements(request, file: File[UploadedFile], lso: Form[str | None] = None):
    """Columns: identifier, date, method, notes (optional). Rows already recorded are skipped."""
    the_lso = _lso(request, lso)
    return _import(
        file,
        lambda content: services.import_engagements(
            the_lso, content, by=request.user, today=today(), request=request
        ),
    )


@router.get("/engagements/{pk}", response=EngagementOut, summary="One engagement")
def get_engagement(request, pk: int):
    return _engagement(_own(request, ENGAGEMENTS, pk))


@router.put(
    "/engagements/{pk}",
    response={200: EngagementOut, 422: ProblemsOut},
    summary="Change an engagement",
)
def update_engagement(request, pk: int, payload: EngagementIn):
    return _change(request, ENGAGEMENTS, pk, payload)


@router.delete("/engagements/{pk}", response={204: None}, summary="Delete an engagement")
def delete_engagement(request, pk: int):
    return _remove(request, ENGAGEMENTS, pk)


# Activity ------------------------------------------------------------------------------------


@router.get("/activity", response=list[ActivityOut], summary="Your LSO's activity hours")
def list_activity(request, lso: str | None = None):
    return [_activity(a) for a in ActivityRecord.objects.filter(lso=_lso(request, lso))]


@router.post(
    "/activity",
    response={201: ActivityOut, 200: ActivityOut, 422: ProblemsOut},
    summary="Record one month's hours for one kind (replaces that month and kind)",
)
def create_activity(request, payload: ActivityIn, lso: str | None = None):
    the_lso = _lso(request, lso)
    cleaned, problems = ACTIVITY.check(the_lso, payload.model_dump())
    if problems:
        return _problems(services.sentences(problems))
    created = services.save_activity(
        the_lso, cleaned, by=request.user, notes=payload.notes, request=request
    )
    a = ActivityRecord.objects.get(lso=the_lso, month=cleaned["month"], kind=cleaned["kind"])
    return Status(201 if created else 200, _activity(a))


@router.post(
    "/activity/upload",
    response={200: ImportOut, 422: ProblemsOut},
    summary="Import activity from CSV (all or nothing)",
)
def upload_activity(request, file: File[UploadedFile], lso: Form[str | None] = None):
    """Columns: month (YYYY-MM), kind, planned_hours, actual_hours (blank if not yet known)."""
    the_lso = _lso(request, lso)
    return _import(
        file,
        lambda content: services.import_activity(
            the_lso, content, by=request.user, request=request
        ),
    )


@router.get("/activity/{pk}", response=ActivityOut, summary="One activity record")
def get_activity(request, pk: int):
    return _activity(_own(request, ACTIVITY, pk))


@router.put(
    "/activity/{pk}",
    response={200: ActivityOut, 422: ProblemsOut},
    summary="Change an activity record",
)
def update_activity(request, pk: int, payload: ActivityIn):
    return _change(request, ACTIVITY, pk, payload)


@router.delete("/activity/{pk}", response={204: None}, summary="Delete an activity record")
def delete_activity(request, pk: int):
    return _remove(request, ACTIVITY, pk)


@router.get("/activity-periods", summary="Every LSO's activity hours over a period of months")
def activity_periods(
    request,
    first: str = Query(..., pattern=r"^\d{4}-\d{2}$"),  # noqa: B008 - a YYYY-MM query value
    last: str = Query(..., pattern=r"^\d{4}-\d{2}$"),  # noqa: B008
) -> dict:
    """Hours from month `first` to month `last` (YYYY-MM, inclusive): `by_kind` (national
    totals per kind), `by_lso` and `total`, each with the same months a year earlier. Aggregates
    of every LSO, for LSO staff and the programme alike, as on the comparison page."""
    _caller(request)
    remit = remit_of(request.user)
    if remit is None or not (remit.national or remit.lso_code):
        raise HttpError(403, "LSO activity is for LSO staff and the programme.")
    start, problem = parse_month(first, "first month")
    end, problem_end = parse_month(last, "last month")
    if problem or problem_end:
        raise HttpError(422, problem or problem_end)
    if start > end:
        raise HttpError(422, "The last month must be the same as or after the first month.")
    return activity_over(Period(start, end))
