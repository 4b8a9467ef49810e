"""Changing and deleting one engagement or activity record (LSO staff: their own LSO's only;
the programme team: any). Another LSO's record is not found (404). Deleting asks first.

Both kinds share one change page flow and one delete page flow; what differs (scope, checks,
template, wording) is said once per kind in a `_Pages`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dspt.accounts.remits import remit_of
from dspt.core.dates import today
from dspt.monitoring.views.common import page
from dspt.monitoring.views.nav import subnav
from dspt.support import edits, services
from dspt.support.models import ActivityKind, ActivityRecord, Engagement, EngagementMethod
from dspt.support.selectors import activity_for, engagements_for


@dataclass(frozen=True)
class _Pages:
    """The change and delete pages of one kind of LSO record."""

    records: Callable[[Any], QuerySet]  # the records a person may reach (selectors)
    list_name: str  # the URL name of the kind's list, where both pages return
    noun: str  # "Delete this <noun>?"
    template: str  # the change page
    title: str  # the change page's title
    form: Callable[[Any], dict]  # a record's values, to fill the change form
    context: Callable[[Any], dict]  # what else the change page's template needs
    check: Callable[[Any, Mapping[str, str]], tuple[dict | None, list[str]]]  # (lso, values)
    update: Callable[..., Any]  # edits.update_*
    delete: Callable[..., None]  # edits.delete_*
    changed: str  # the message after a change
    deleted: str  # the message after a deletion
    summary: Callable[[Any], str]  # the record in one line, on the delete page


def _engagement_form(e: Engagement) -> dict:
    org = e.organisation
    return {
        "identifier": org.cqc_location_id or org.ods_code or "",
        "engaged_on": e.engaged_on.isoformat(),
        "method": e.method,
        "notes": e.notes,
    }


def _engagement_summary(e: Engagement) -> str:
    return (
        f"{e.organisation.name} on {e.engaged_on:%-d %B %Y} "
        f"({EngagementMethod(e.method).label.lower()})"
    )


def _activity_form(a: ActivityRecord) -> dict:
    return {
        "month": a.month.strftime("%Y-%m"),
        "kind": a.kind,
        "planned_hours": str(a.planned_hours),
        "actual_hours": "" if a.actual_hours is None else str(a.actual_hours),
        "notes": a.notes,
    }


def _activity_summary(a: ActivityRecord) -> str:
    return f"{ActivityKind(a.kind).label}, {a.month:%B %Y}: {a.planned_hours} hours planned" + (
        f", {a.actual_hours} delivered" if a.actual_hours is not None else ""
    )


ENGAGEMENTS = _Pages(
    records=engagements_for,
    list_name="support:engagements",
    noun="engagement",
    template="support/engagement_edit.jinja",
    title="Change an engagement",
    form=_engagement_form,
    context=lambda e: {"e": e, "methods": EngagementMethod.choices, "today": today().isoformat()},
    check=lambda lso, values: services.check_engagement_values(lso, values, today()),
    update=edits.update_engagement,
    delete=edits.delete_engagement,
    changed="Engagement changed.",
    deleted="Engagement deleted.",
    summary=_engagement_summary,
)
ACTIVITY = _Pages(
    records=activity_for,
    list_name="support:activity",
    noun="activity record",
    template="support/activity_edit.jinja",
    title="Change activity hours",
    form=_activity_form,
    context=lambda a: {"a": a, "kinds": ActivityKind.choices},
    check=lambda lso, values: services.check_activity_values(values),
    update=edits.update_activity,
    delete=edits.delete_activity,
    changed="Activity changed.",
    deleted="Activity record deleted.",
    summary=_activity_summary,
)


def _list_url(name: str, lso, remit) -> str:
    return reverse(name) + (f"?lso={lso.code}" if remit.national else "")


def _ctx(request, lso, **extra) -> dict:
    remit = remit_of(request.user)
    return {"subnav": subnav(remit), "current": "LSO work", "lso": lso, **extra}


def _change(request, kind: _Pages, pk: int):
    obj = get_object_or_404(kind.records(request.user), pk=pk)
    back = _list_url(kind.list_name, obj.lso, remit_of(request.user))
    values: Mapping[str, str] = kind.form(obj)
    errors: list[str] = []
    if request.method == "POST":
        values = request.POST
        cleaned, problems = kind.check(obj.lso, values)
        errors = services.sentences(problems)
        if not errors:
            try:
                kind.update(obj, cleaned, values.get("notes", ""), by=request.user, request=request)
            except edits.Conflict as exc:
                errors = [str(exc)]
            else:
                messages.success(request, kind.changed)
                return redirect(back)
    return page(
        request,
        kind.template,
        _ctx(
            request,
            obj.lso,
            page_title=kind.title,
            values=values,
            errors=errors,
            back=back,
            **kind.context(obj),
        ),
        status=400 if errors else 200,
    )


def _delete(request, kind: _Pages, pk: int):
    obj = get_object_or_404(kind.records(request.user), pk=pk)
    back = _list_url(kind.list_name, obj.lso, remit_of(request.user))
    if request.method == "POST":
        kind.delete(obj, by=request.user, request=request)
        messages.success(request, kind.deleted)
        return redirect(back)
    return page(
        request,
        "support/confirm_delete.jinja",
        _ctx(
            request,
            obj.lso,
            page_title=f"Delete this {kind.noun}?",
            what=kind.noun,
            summary=kind.summary(obj),
            back=back,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def engagement_edit(request, pk: int):
    return _change(request, ENGAGEMENTS, pk)


@login_required
@require_http_methods(["GET", "POST"])
def engagement_delete(request, pk: int):
    return _delete(request, ENGAGEMENTS, pk)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk: int):
    return _change(request, ACTIVITY, pk)


@login_required
@require_http_methods(["GET", "POST"])
def activity_delete(request, pk: int):
    return _delete(request, ACTIVITY, pk)
