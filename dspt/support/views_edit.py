"""Changing and deleting one engagement or activity record (LSO staff: their own LSO's only;
the programme team: any). Another LSO's record is not found (404). Deleting asks first."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from dspt.core.dates import today
from dspt.monitoring.access import remit_of
from dspt.monitoring.views.common import page
from dspt.monitoring.views.nav import subnav
from dspt.support import edits, services
from dspt.support.models import ActivityKind, EngagementMethod
from dspt.support.selectors import activity_for, engagements_for


def _list_url(name: str, lso, remit) -> str:
    from django.urls import reverse

    return reverse(name) + (f"?lso={lso.code}" if remit.national else "")


def _ctx(request, lso, **extra) -> dict:
    remit = remit_of(request.user)
    return {"subnav": subnav(remit), "current": "LSO work", "lso": lso, **extra}


def _problems(problems: list[str]) -> list[str]:
    return [p[0].upper() + p[1:] + "." for p in problems]


@login_required
@require_http_methods(["GET", "POST"])
def engagement_edit(request, pk: int):
    e = get_object_or_404(engagements_for(request.user), pk=pk)
    remit = remit_of(request.user)
    back = _list_url("support:engagements", e.lso, remit)
    org = e.organisation
    values = {
        "identifier": org.cqc_location_id or org.ods_code or "",
        "engaged_on": e.engaged_on.isoformat(),
        "method": e.method,
        "notes": e.notes,
    }
    errors: list[str] = []
    if request.method == "POST":
        values = request.POST
        cleaned, problems = services.check_engagement(
            e.lso,
            values.get("identifier", ""),
            values.get("engaged_on", ""),
            values.get("method", ""),
            services.in_area_ids(e.lso),
            today(),
        )
        errors = _problems(problems)
        if not errors:
            try:
                edits.update_engagement(
                    e, cleaned, values.get("notes", ""), by=request.user, request=request
                )
            except edits.Conflict as exc:
                errors = [str(exc)]
            else:
                messages.success(request, "Engagement changed.")
                return redirect(back)
    return page(
        request,
        "support/engagement_edit.jinja",
        _ctx(
            request,
            e.lso,
            page_title="Change an engagement",
            e=e,
            values=values,
            errors=errors,
            methods=EngagementMethod.choices,
            today=today().isoformat(),
            back=back,
        ),
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def engagement_delete(request, pk: int):
    e = get_object_or_404(engagements_for(request.user), pk=pk)
    back = _list_url("support:engagements", e.lso, remit_of(request.user))
    if request.method == "POST":
        edits.delete_engagement(e, by=request.user, request=request)
        messages.success(request, "Engagement deleted.")
        return redirect(back)
    summary = (
        f"{e.organisation.name} on {e.engaged_on:%-d %B %Y} "
        f"({EngagementMethod(e.method).label.lower()})"
    )
    return page(
        request,
        "support/confirm_delete.jinja",
        _ctx(
            request,
            e.lso,
            page_title="Delete this engagement?",
            what="engagement",
            summary=summary,
            back=back,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk: int):
    a = get_object_or_404(activity_for(request.user), pk=pk)
    back = _list_url("support:activity", a.lso, remit_of(request.user))
    values = {
        "month": a.month.strftime("%Y-%m"),
        "kind": a.kind,
        "planned_hours": str(a.planned_hours),
        "actual_hours": "" if a.actual_hours is None else str(a.actual_hours),
        "notes": a.notes,
    }
    errors: list[str] = []
    if request.method == "POST":
        values = request.POST
        cleaned, problems = services.check_activity(
            values.get("month", ""),
            values.get("kind", ""),
            values.get("planned_hours", ""),
            values.get("actual_hours", ""),
        )
        errors = _problems(problems)
        if not errors:
            try:
                edits.update_activity(
                    a, cleaned, values.get("notes", ""), by=request.user, request=request
                )
            except edits.Conflict as exc:
                errors = [str(exc)]
            else:
                messages.success(request, "Activity changed.")
                return redirect(back)
    return page(
        request,
        "support/activity_edit.jinja",
        _ctx(
            request,
            a.lso,
            page_title="Change activity hours",
            a=a,
            values=values,
            errors=errors,
            kinds=ActivityKind.choices,
            back=back,
        ),
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_delete(request, pk: int):
    a = get_object_or_404(activity_for(request.user), pk=pk)
    back = _list_url("support:activity", a.lso, remit_of(request.user))
    if request.method == "POST":
        edits.delete_activity(a, by=request.user, request=request)
        messages.success(request, "Activity record deleted.")
        return redirect(back)
    summary = f"{ActivityKind(a.kind).label}, {a.month:%B %Y}: {a.planned_hours} hours planned" + (
        f", {a.actual_hours} delivered" if a.actual_hours is not None else ""
    )
    return page(
        request,
        "support/confirm_delete.jinja",
        _ctx(
            request,
            a.lso,
            page_title="Delete this activity record?",
            what="activity record",
            summary=summary,
            back=back,
        ),
    )
