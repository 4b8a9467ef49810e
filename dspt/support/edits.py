"""Changing and deleting one engagement or one month's activity record (audited)."""

from __future__ import annotations

from django.db import transaction

from dspt.audit.services import record
from dspt.support.models import ActivityRecord, Engagement


class Conflict(ValueError):
    """The change would duplicate another record; the message says which."""


def _engagement_detail(e: Engagement) -> dict:
    return {
        "organisation": e.organisation.ods_code or e.organisation.cqc_location_id or "",
        "engaged_on": e.engaged_on.isoformat(),
        "method": e.method,
        "notes": e.notes,
    }


def update_engagement(
    engagement: Engagement, cleaned: dict, notes: str, *, by, request=None
) -> Engagement:
    """Change an engagement's location/provider, date, method and notes."""
    with transaction.atomic():
        e = (
            Engagement.objects.select_for_update()
            .select_related("organisation")
            .get(pk=engagement.pk)
        )
        clash = (
            Engagement.objects.filter(
                lso=e.lso,
                organisation=cleaned["organisation"],
                engaged_on=cleaned["engaged_on"],
                method=cleaned["method"],
            )
            .exclude(pk=e.pk)
            .exists()
        )
        if clash:
            raise Conflict("The same engagement (place, date and method) is already recorded.")
        before = _engagement_detail(e)
        e.organisation = cleaned["organisation"]
        e.engaged_on = cleaned["engaged_on"]
        e.method = cleaned["method"]
        e.notes = (notes or "")[:500]
        e.save()
        record(
            "support.engagement_updated",
            actor=by,
            organisation=e.organisation,
            obj=e,
            detail={"lso": e.lso_id, "before": before, "after": _engagement_detail(e)},
            request=request,
        )
    return e


def delete_engagement(engagement: Engagement, *, by, request=None) -> None:
    with transaction.atomic():
        e = Engagement.objects.select_related("organisation").get(pk=engagement.pk)
        record(
            "support.engagement_deleted",
            actor=by,
            organisation=e.organisation,
            obj=e,
            detail={"lso": e.lso_id, **_engagement_detail(e)},
            request=request,
        )
        e.delete()


def _activity_detail(a: ActivityRecord) -> dict:
    return {
        "month": a.month.isoformat(),
        "kind": a.kind,
        "planned_hours": str(a.planned_hours),
        "actual_hours": None if a.actual_hours is None else str(a.actual_hours),
        "notes": a.notes,
    }


def update_activity(
    activity: ActivityRecord, cleaned: dict, notes: str, *, by, request=None
) -> ActivityRecord:
    """Change one activity record (month, kind, planned and actual hours, notes)."""
    with transaction.atomic():
        a = ActivityRecord.objects.select_for_update().get(pk=activity.pk)
        clash = (
            ActivityRecord.objects.filter(lso=a.lso, month=cleaned["month"], kind=cleaned["kind"])
            .exclude(pk=a.pk)
            .exists()
        )
        if clash:
            raise Conflict("Hours for that month and kind are already recorded: change those.")
        before = _activity_detail(a)
        a.month = cleaned["month"]
        a.kind = cleaned["kind"]
        a.planned_hours = cleaned["planned_hours"]
        a.actual_hours = cleaned["actual_hours"]
        a.notes = (notes or "")[:500]
        a.recorded_by = by
        a.save()
        record(
            "support.activity_updated",
            actor=by,
            obj=a,
            detail={"lso": a.lso_id, "before": before, "after": _activity_detail(a)},
            request=request,
        )
    return a


def delete_activity(activity: ActivityRecord, *, by, request=None) -> None:
    with transaction.atomic():
        a = ActivityRecord.objects.get(pk=activity.pk)
        record(
            "support.activity_deleted",
            actor=by,
            obj=a,
            detail={"lso": a.lso_id, **_activity_detail(a)},
            request=request,
        )
        a.delete()
