"""Writes: the submission timetable."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dspt.audit.services import record
from dspt.cld.models import TimetablePeriod


def seed_timetable(first_end: date, quarters: int, due_days: int = 30) -> list[TimetablePeriod]:
    """Quarterly rolling-12-month periods ending `first_end` and each quarter after, each due
    `due_days` after its end. Existing periods are left as they are."""
    from datetime import timedelta

    made = []
    end = first_end
    with transaction.atomic():
        for _ in range(quarters):
            start = _add_months(end + timedelta(days=1), -12)
            period, created = TimetablePeriod.objects.get_or_create(
                period_start=start,
                period_end=end,
                defaults={"due_date": end + timedelta(days=due_days)},
            )
            if created:
                record("cld.timetable_period_added", obj=period, detail={"end": end.isoformat()})
                made.append(period)
            end = _add_months(end + timedelta(days=1), 3) - timedelta(days=1)
    return made


def _add_months(d: date, months: int) -> date:
    month = d.month - 1 + months
    return d.replace(year=d.year + month // 12, month=month % 12 + 1, day=1)
