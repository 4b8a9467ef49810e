"""Changing and deleting one engagement or one month's activity record (audited).

Both kinds change the same way: lock the record, refuse a change that would duplicate another
of the LSO's records, copy the checked values and notes, audit before and after. What differs
is said once per kind in a `_Kind`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, transaction

from dspt.audit.services import record
from dspt.support.models import ActivityRecord, Engagement


class Conflict(ValueError):
    """The change would duplicate another record; the message says which."""


@dataclass(frozen=True)
class _Kind:
    """How one kind of LSO record is changed, deleted and audited."""

    model: type[models.Model]
    fields: tuple[str, ...]  # what a change sets, from the checked values
    key: tuple[str, ...]  # with the LSO, what no two records may share
    conflict: str  # the message when a change would break that
    event: str  # audit actions are "<event>_updated" and "<event>_deleted"
    detail: Callable[[models.Model], dict]  # what the audit log keeps of a record
    related: tuple[str, ...] = ()
    audit_organisation: bool = False  # file the audit event under the organisation engaged
    restamp: bool = False  # a change makes the changer the record's recorder

    def rows(self) -> models.QuerySet:
        qs = self.model.objects.all()
        # An empty select_related() would follow every relation, so only name the given ones.
        return qs.select_related(*self.related) if self.related else qs


def _engagement_detail(e: Engagement) -> dict:
    return {
        "organisation": e.organisation.ods_code or e.organisation.cqc_location_id or "",
        "engaged_on": e.engaged_on.isoformat(),
        "method": e.method,
        "notes": e.notes,
    }


def _activity_detail(a: ActivityRecord) -> dict:
    return {
        "month": a.month.isoformat(),
        "kind": a.kind,
        "planned_hours": str(a.planned_hours),
        "actual_hours": None if a.actual_hours is None else str(a.actual_hours),
        "notes": a.notes,
    }


ENGAGEMENT = _Kind(
    model=Engagement,
    fields=("organisation", "engaged_on", "method"),
    key=("organisation", "engaged_on", "method"),
    conflict="The same engagement (place, date and method) is already recorded.",
    event="support.engagement",
    detail=_engagement_detail,
    related=("organisation",),
    audit_organisation=True,
)
# An activity record is replaced wholesale (see services.save_activity), so whoever changes it
# last is its recorder; an engagement keeps the person who first recorded it.
ACTIVITY = _Kind(
    model=ActivityRecord,
    fields=("month", "kind", "planned_hours", "actual_hours"),
    key=("month", "kind"),
    conflict="Hours for that month and kind are already recorded: change those.",
    event="support.activity",
    detail=_activity_detail,
    restamp=True,
)


def _audit(kind: _Kind, action: str, obj, detail: dict, *, by, request) -> None:
    record(
        f"{kind.event}_{action}",
        actor=by,
        organisation=obj.organisation if kind.audit_organisation else None,
        obj=obj,
        detail={"lso": obj.lso_id, **detail},
        request=request,
    )


def _update(kind: _Kind, obj, cleaned: dict, notes: str, *, by, request):
    with transaction.atomic():
        rec = kind.rows().select_for_update().get(pk=obj.pk)
        same_key = {name: cleaned[name] for name in kind.key}
        if kind.model.objects.filter(lso=rec.lso, **same_key).exclude(pk=rec.pk).exists():
            raise Conflict(kind.conflict)
        before = kind.detail(rec)
        for name in kind.fields:
            setattr(rec, name, cleaned[name])
        rec.notes = (notes or "")[:500]
        if kind.restamp:
            rec.recorded_by = by
        rec.save()
        after = kind.detail(rec)
        _audit(kind, "updated", rec, {"before": before, "after": after}, by=by, request=request)
    return rec


def _delete(kind: _Kind, obj, *, by, request) -> None:
    with transaction.atomic():
        rec = kind.rows().get(pk=obj.pk)
        _audit(kind, "deleted", rec, kind.detail(rec), by=by, request=request)
        rec.delete()


def update_engagement(
    engagement: Engagement, cleaned: dict, notes: str, *, by, request=None
) -> Engagement:
    """Change an engagement's location/provider, date, method and notes."""
    return _update(ENGAGEMENT, engagement, cleaned, notes, by=by, request=request)


def delete_engagement(engagement: Engagement, *, by, request=None) -> None:
    """Delete an engagement, keeping what it said in the audit log."""
    _delete(ENGAGEMENT, engagement, by=by, request=request)


def update_activity(
    activity: ActivityRecord, cleaned: dict, notes: str, *, by, request=None
) -> ActivityRecord:
    """Change one activity record (month, kind, planned and actual hours, notes)."""
    return _update(ACTIVITY, activity, cleaned, notes, by=by, request=request)


def delete_activity(activity: ActivityRecord, *, by, request=None) -> None:
    """Delete one activity record, keeping what it said in the audit log."""
    _delete(ACTIVITY, activity, by=by, request=request)
