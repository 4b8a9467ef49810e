"""The daily jobs, run by the worker's scheduler (no cron): improvement plan reminders,
watchlist alerts and claim expiry.

Each job is its own app's function, named here by its dotted path (this app imports no other),
and each is safe to repeat for the same day, so a job run twice (a worker killed after finishing
it but before recording that) changes nothing more. `ensure_schedules` keeps one schedule row
per job after every `dspt migrate`; the operator moves the hour with DSPT_DAILY_JOBS_AT.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

# name -> the function the scheduler calls (each takes no arguments and returns a summary).
DAILY = {
    "Daily: improvement plan reminders": "dspt.improvement_plans.chasing.send_todays_reminders",
    "Daily: watchlist alerts": "dspt.monitoring.watchlist.run_todays_alerts",
    "Daily: expire registration claims": "dspt.organisations.claim_upkeep.expire_claims",
}


def next_run_at(at: str, now: datetime | None = None) -> datetime:
    """The next time of day `at` ("HH:MM", local time) strictly after `now`."""
    hour, minute = (int(part) for part in at.split(":"))
    now = timezone.localtime(now or timezone.now())
    run = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if run <= now:
        run = timezone.make_aware(
            datetime.combine(run.date() + timedelta(days=1), time(hour, minute)),
            now.tzinfo,
        )
    return run


def ensure_schedules(**_: object) -> int:
    """Create (or correct) one daily schedule per job; returns how many rows were written.

    Connected to `post_migrate`, so a new deployment has its schedules without a step to
    remember. A schedule whose time of day changed is moved to the next such time.
    """
    from django_q.models import Schedule

    at = getattr(settings, "DSPT_DAILY_JOBS_AT", "06:00")
    written = 0
    for name, func in DAILY.items():
        row = Schedule.objects.filter(name=name).first()
        wanted = next_run_at(at)
        if row is None:
            Schedule.objects.create(
                name=name,
                func=func,
                schedule_type=Schedule.DAILY,
                repeats=-1,
                next_run=wanted,
            )
            written += 1
            continue
        local = timezone.localtime(row.next_run) if row.next_run else None
        if (
            row.func != func
            or row.schedule_type != Schedule.DAILY
            or local is None
            or local.strftime("%H:%M") != at
        ):
            row.func, row.schedule_type, row.repeats = func, Schedule.DAILY, -1
            row.next_run = wanted
            row.save()
            written += 1
    return written
