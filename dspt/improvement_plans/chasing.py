"""Chasing approved plans for updates, and escalating overdue ones to the regional lead.

Schedule (DSPT_PLAN_UPDATE_ROUNDS, "MM-DD:MM-DD" pairs, comma-separated; default
"09-01:10-15,12-01:01-15"): on each request day, every organisation with an approved plan is asked
for an update; if none has arrived by the escalation day the case goes onto the regional lead's
list.

`send_reminders(day)` catches up: for each plan it sends the latest round whose request day is on or
before `day` (an older unsent round is overtaken by it — one update answers both), and escalates
every unanswered request whose escalation day has come. A request sent late always gives at least
DSPT_PLAN_UPDATE_GRACE_DAYS (default 14) before it can escalate. Unique constraints make a second
run for the same day send nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

from dspt.audit.services import record
from dspt.core.dates import today
from dspt.improvement_plans import conf
from dspt.improvement_plans.lifecycle import reconcile_organisation
from dspt.improvement_plans.models import (
    ACCEPTED_STATES,
    Escalation,
    ImprovementPlan,
    UpdateRequest,
)
from dspt.improvement_plans.notifications import notify, org_admins, regional_leads


@dataclass(frozen=True)
class Round:
    request: tuple[int, int]  # (month, day)
    escalate: tuple[int, int]

    def dates(self, year: int) -> tuple[date, date]:
        """(request day, escalation day) for the round whose request falls in `year`."""
        req = date(year, *self.request)
        esc = date(year, *self.escalate)
        if esc <= req:
            esc = date(year + 1, *self.escalate)
        return req, esc


def rounds() -> list[Round]:
    """The configured rounds (settings, then environment, then the default)."""
    spec = conf.get("DSPT_PLAN_UPDATE_ROUNDS")
    out = []
    try:
        for part in str(spec).split(","):
            req, _, esc = part.strip().partition(":")
            rm, rd = (int(x) for x in req.split("-"))
            em, ed = (int(x) for x in esc.split("-"))
            r = Round((rm, rd), (em, ed))
            r.dates(2024)  # a leap year, so 02-29 is allowed
            out.append(r)
    except ValueError:
        raise ImproperlyConfigured(
            f"DSPT_PLAN_UPDATE_ROUNDS must look like 09-01:10-15,12-01:01-15, not {spec!r}."
        ) from None
    return out


def grace_days() -> int:
    return conf.get_int("DSPT_PLAN_UPDATE_GRACE_DAYS")


def latest_round(day: date, after: date) -> tuple[date, date] | None:
    """The most recent round with after < request day <= day, as (request, escalation)."""
    best = None
    for r in rounds():
        for year in (day.year - 1, day.year):
            req, esc = r.dates(year)
            if after < req <= day and (best is None or req > best[0]):
                best = (req, esc)
    return best


def next_round(day: date) -> tuple[date, date]:
    """The first round with a request day after `day` (for telling organisations what's next)."""
    found = [r.dates(y) for r in rounds() for y in (day.year, day.year + 1)]
    return min((f for f in found if f[0] > day), key=lambda f: f[0])


def send_todays_reminders() -> dict[str, int]:
    """`send_reminders` for today: the worker's daily job (dspt/tasks/schedules.py)."""
    return send_reminders(today())


def send_reminders(day: date) -> dict[str, int]:
    """Send due update requests and escalations for `day`; returns the counts sent."""
    sent = escalated = 0
    plans = ImprovementPlan.objects.filter(state__in=ACCEPTED_STATES).select_related("organisation")
    for org in {p.organisation for p in plans}:
        reconcile_organisation(org, day)  # a plan met since it was approved is closed, not chased
    plans = ImprovementPlan.objects.filter(
        state__in=ACCEPTED_STATES, approved_on__isnull=False
    ).select_related("organisation", "organisation__region")
    for plan in plans.order_by("id"):
        if _request(plan, day):
            sent += 1
    overdue = UpdateRequest.objects.filter(
        answered_by__isnull=True,
        due_on__lte=day,
        escalation__isnull=True,
        plan__state__in=ACCEPTED_STATES,
    ).select_related("plan", "plan__organisation", "plan__organisation__region")
    for req in overdue.order_by("id"):
        if _escalate(req, day):
            escalated += 1
    return {"requests_sent": sent, "escalations": escalated}


def _request(plan: ImprovementPlan, day: date) -> bool:
    found = latest_round(day, plan.approved_on)
    if found is None:
        return False
    req_day, esc_day = found
    key = req_day.isoformat()
    if UpdateRequest.objects.filter(plan=plan, round_key=key).exists():
        return False
    # An update sent since the round's request day already answers it: record, don't ask.
    answered = plan.updates.filter(submitted_on__gte=req_day).order_by("-submitted_at").first()
    due = max(esc_day, day + timedelta(days=grace_days()))
    try:
        with transaction.atomic():
            req = UpdateRequest.objects.create(
                plan=plan, round_key=key, requested_on=day, due_on=due, answered_by=answered
            )
            if answered is not None:
                return False
            # Older rounds still waiting are answered by the same update: one escalation at most.
            plan.requests.filter(answered_by__isnull=True, escalation__isnull=True).exclude(
                pk=req.pk
            ).update(due_on=due)
            record(
                "plan.update_requested",
                organisation=plan.organisation,
                obj=plan,
                detail={"round": key, "due_on": due.isoformat()},
            )
            notify(
                org_admins(plan.organisation),
                organisation=plan.organisation,
                kind="plan_update_requested",
                title="Please send an update on your improvement plan",
                body=(
                    f"Tell us how the actions in your improvement plan are going by "
                    f"{_long(due)}. Mark finished actions as done, add evidence notes and "
                    f"send an update. If we do not hear from you by then, the regional lead "
                    f"will follow it up."
                ),
                link=_link(plan),
            )
    except IntegrityError:  # another run got there first
        return False
    return True


def _escalate(req: UpdateRequest, day: date) -> bool:
    plan = req.plan
    org = plan.organisation
    try:
        with transaction.atomic():
            Escalation.objects.create(request=req, plan=plan, region=org.region, escalated_on=day)
            record(
                "plan.escalated",
                organisation=org,
                obj=plan,
                detail={"round": req.round_key, "due_on": req.due_on.isoformat()},
            )
            notify(
                org_admins(org),
                organisation=org,
                kind="plan_update_overdue",
                title="Your improvement plan update is overdue",
                body=(
                    f"We asked for an update by {_long(req.due_on)} and have not had one. The "
                    f"regional lead has been told and may contact you. Send an update as soon "
                    f"as you can."
                ),
                link=_link(plan),
            )
            notify(
                regional_leads(org),
                organisation=org,
                kind="plan_escalated",
                title=f"Overdue improvement plan update: {org.name}",
                body=(
                    f"{org.name} ({org.ods_code}) has not sent the update on its improvement "
                    f"plan that was due by {_long(req.due_on)}."
                ),
                link="/plans/escalations/",
            )
    except IntegrityError:
        return False
    return True


def _link(plan: ImprovementPlan) -> str:
    return f"/plans/{plan.organisation.ods_code}/" if plan.organisation.ods_code else ""


def _long(d: date) -> str:
    return f"{d.day} {d:%B %Y}"
