"""Demo plug-in: LSO activity (planned and delivered hours) and engagements with outcomes.

Engagements are drawn so that, as in the programme's experience, locations an LSO engaged
were more likely to publish afterwards: among locations not compliant on a candidate day, one
that went on to reach Approaching Standards or better within six months is picked about four
times as often as one that did not. Publications are left exactly as the core demo made them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dspt.core.demo import DemoContext
from dspt.monitoring.sql import COMPLIANT_BUCKETS
from dspt.organisations.models import LSO
from dspt.support.models import ActivityKind, ActivityRecord, Engagement, EngagementMethod
from dspt.support.timelines import Timelines, add_months

START = date(2021, 4, 1)
# Typical monthly hours per 1,000 locations in the area, by kind.
HOURS = {
    ActivityKind.ONE_TO_ONE: 40,
    ActivityKind.WORKSHOPS: 12,
    ActivityKind.PROVIDER_ENGAGEMENT: 20,
    ActivityKind.PROMOTION: 8,
    ActivityKind.WEBINARS: 6,
    ActivityKind.HELPLINE: 15,
}
METHODS = [m for m, _ in EngagementMethod.choices]
METHOD_WEIGHTS = [30, 10, 20, 15, 10, 8, 5, 2]


def populate(ctx: DemoContext) -> None:
    tl = Timelines()
    areas: dict[str, list[int]] = {}
    for oid in sorted(tl.lso):
        if tl.lso[oid]:
            areas.setdefault(tl.lso[oid], []).append(oid)
    lsos = list(LSO.objects.order_by("code"))
    staff = ctx.users.get("lso")
    records, engagements = [], []
    for lso in lsos:
        members = areas.get(lso.code, [])
        records += _activity(ctx, lso, len(members), staff)
        engagements += _engagements(ctx, tl, lso, members, staff)
    # ignore_conflicts: a re-run (e.g. after a wipe that keeps the LSOs) adds nothing twice.
    ActivityRecord.objects.bulk_create(records, batch_size=2000, ignore_conflicts=True)
    Engagement.objects.bulk_create(engagements, batch_size=2000, ignore_conflicts=True)
    ctx.log(f"support demo: {len(records)} activity records, {len(engagements)} engagements")


def _months(today: date):
    m = START
    while m <= today:
        yield m
        m = add_months(m, 1)


def _activity(ctx, lso, size: int, staff) -> list[ActivityRecord]:
    out = []
    scale = max(size, 200) / 1000
    this_month = ctx.today.replace(day=1)
    for month in _months(ctx.today):
        # Busier before the June deadline.
        season = 1.5 if month.month in (4, 5, 6) else 1.0
        for kind, base in HOURS.items():
            planned = round(base * scale * season * ctx.rng.uniform(0.8, 1.2), 1)
            actual = None
            if month < this_month:
                actual = round(planned * ctx.rng.uniform(0.7, 1.15), 1)
            out.append(
                ActivityRecord(
                    lso=lso,
                    month=month,
                    kind=kind,
                    planned_hours=Decimal(str(planned)),
                    actual_hours=Decimal(str(actual)) if actual is not None else None,
                    recorded_by=staff if staff and staff.lso_id == lso.code else None,
                )
            )
    return out


def _engagements(ctx, tl: Timelines, lso, members: list[int], staff) -> list[Engagement]:
    """Engagements with locations on days they were not compliant, leaning four to one towards
    ones that went on to publish within six months; a tenth are with the provider's head
    office instead."""
    out = []
    span = (add_months(ctx.today, -1) - START).days
    if span <= 0:
        return out
    for oid in members:
        if ctx.rng.random() > 0.5:
            continue
        # A few tries at a day when the location needed help (not compliant).
        for _ in range(4):
            d0 = date.fromordinal(START.toordinal() + ctx.rng.randrange(span))
            b = tl.bucket(oid, d0.toordinal())
            if b >= 0 and b not in COMPLIANT_BUCKETS:
                break
        else:
            continue
        end = add_months(d0, 6)
        went_on = tl.reached("approaching", oid, d0.toordinal(), end.toordinal())
        if ctx.rng.random() > (0.8 if went_on else 0.2):
            continue
        provider = tl.provider[oid]
        target = provider if (provider and ctx.rng.random() < 0.1) else oid
        out.append(
            Engagement(
                lso=lso,
                organisation_id=target,
                engaged_on=d0,
                method=ctx.rng.choices(METHODS, METHOD_WEIGHTS)[0],
                recorded_by=staff if staff and staff.lso_id == lso.code else None,
            )
        )
    return out
