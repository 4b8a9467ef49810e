"""LSO activity and engagement recording: forms, CSV uploads and lists."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from dspt.core.dates import today
from dspt.monitoring.access import lso_for, require_remit
from dspt.monitoring.views.common import download, page, wants_download
from dspt.support import services
from dspt.support.models import ActivityKind, ActivityRecord, Engagement, EngagementMethod
from dspt.support.uploads import handle_upload
from dspt.support.views import _ctx


def _back(lso, remit) -> str:
    return f"?lso={lso.code}" if remit.national else ""


def _post(request, lso, remit, *, upload, uploaded, check, save, saved: str):
    """The shared POST flow of the two record pages: a CSV file (all or nothing) or the form.

    Returns (response, errors, values): a redirect after a success, else the errors to show
    with the values sent. `upload(content)` imports a file and `uploaded(result)` words its
    success; `check(values)` gives (cleaned, problems) and `save(cleaned, values)` stores."""
    back = request.path + _back(lso, remit)
    if "file" in request.FILES:
        outcome = handle_upload(request, upload, uploaded, back)
        if not isinstance(outcome, list):
            return outcome, [], {}
        return None, outcome, {}
    values = request.POST
    cleaned, problems = check(values)
    if problems:
        return None, services.sentences(problems), values
    save(cleaned, values)
    messages.success(request, saved)
    return redirect(back), [], values


def activity_months(lso) -> list[dict]:
    """Planned and actual hours per month, by kind, newest month first."""
    grid: dict = defaultdict(dict)
    for rec in ActivityRecord.objects.filter(lso=lso):
        grid[rec.month][rec.kind] = rec
    rows = []
    for month in sorted(grid, reverse=True):
        row = {"month": month.strftime("%Y-%m")}
        planned = actual = Decimal(0)
        for kind in ActivityKind.values:
            rec = grid[month].get(kind)
            row[f"{kind}_planned"] = float(rec.planned_hours) if rec else None
            row[f"{kind}_actual"] = (
                float(rec.actual_hours) if rec and rec.actual_hours is not None else None
            )
            row[f"{kind}_id"] = rec.id if rec else None  # for the page's change links
            planned += rec.planned_hours if rec else 0
            actual += rec.actual_hours if rec and rec.actual_hours is not None else 0
        row["planned_total"], row["actual_total"] = float(planned), float(actual)
        rows.append(row)
    return rows


ACTIVITY_COLUMNS = [("month", "Month", "text")]
for _code, _label in ActivityKind.choices:
    ACTIVITY_COLUMNS += [
        (f"{_code}_planned", f"{_label}: planned", "num"),
        (f"{_code}_actual", f"{_label}: actual", "num"),
    ]
ACTIVITY_COLUMNS += [
    ("planned_total", "Total planned", "num"),
    ("actual_total", "Total actual", "num"),
]


@login_required
def activity(request):
    remit = require_remit(request.user)
    lso = lso_for(request.user, request.GET.get("lso") or request.POST.get("lso"))
    errors: list[str] = []
    values = {}
    if request.method == "POST":
        response, errors, values = _post(
            request,
            lso,
            remit,
            upload=lambda content: services.import_activity(
                lso, content, by=request.user, request=request
            ),
            uploaded=lambda result: (
                f"Activity imported: {result.created} new months "
                f"and kinds, {result.updated} updated."
            ),
            check=services.check_activity_values,
            save=lambda cleaned, values: services.save_activity(
                lso, cleaned, by=request.user, notes=values.get("notes", ""), request=request
            ),
            saved="Activity saved.",
        )
        if response is not None:
            return response
    rows = activity_months(lso)
    fmt = wants_download(request)
    if fmt:
        return download(rows, ACTIVITY_COLUMNS, f"{lso.code}-activity", fmt)
    return page(
        request,
        "support/activity.jinja",
        _ctx(
            request,
            remit,
            lso,
            "LSO work",
            page_title=f"Activity – {lso.name}",
            rows=rows,
            kinds=ActivityKind.choices,
            errors=errors,
            values=values,
            this_month=today().strftime("%Y-%m"),
        ),
        status=400 if errors else 200,
    )


ENGAGEMENT_COLUMNS = [
    ("engaged_on", "Date", "text"),
    ("name", "Location or provider", "text"),
    ("ods_code", "ODS code", "text"),
    ("cqc_location_id", "CQC location ID", "text"),
    ("method", "How", "text"),
    ("notes", "Notes", "text"),
]


@login_required
def engagements(request):
    remit = require_remit(request.user)
    lso = lso_for(request.user, request.GET.get("lso") or request.POST.get("lso"))
    errors: list[str] = []
    values = {}
    if request.method == "POST":
        response, errors, values = _post(
            request,
            lso,
            remit,
            upload=lambda content: services.import_engagements(
                lso, content, by=request.user, today=today(), request=request
            ),
            uploaded=lambda result: (
                f"{result.created} engagements imported; {result.skipped} were already recorded."
            ),
            check=lambda values: services.check_engagement_values(lso, values, today()),
            save=lambda cleaned, values: services.record_engagement(
                lso, cleaned, values.get("notes", ""), by=request.user, request=request
            ),
            saved="Engagement recorded.",
        )
        if response is not None:
            return response
    qs = Engagement.objects.filter(lso=lso).select_related("organisation")
    labels = dict(EngagementMethod.choices)
    rows = [
        {
            "id": e.id,
            "engaged_on": e.engaged_on.isoformat(),
            "name": e.organisation.name,
            "ods_code": e.organisation.ods_code or "",
            "cqc_location_id": e.organisation.cqc_location_id or "",
            "method": labels.get(e.method, e.method),
            "notes": e.notes,
        }
        for e in qs[:5000]
    ]
    fmt = wants_download(request)
    if fmt:
        return download(rows, ENGAGEMENT_COLUMNS, f"{lso.code}-engagements", fmt)
    return page(
        request,
        "support/engagements.jinja",
        _ctx(
            request,
            remit,
            lso,
            "LSO work",
            page_title=f"Engagements – {lso.name}",
            rows=rows[:200],
            total=qs.count(),
            methods=EngagementMethod.choices,
            errors=errors,
            values=values,
            columns=ENGAGEMENT_COLUMNS,
            today=today().isoformat(),
        ),
        status=400 if errors else 200,
    )
