"""The demo plug-in: plans in every state, repeatable, consistent with chasing and status."""

from __future__ import annotations

from datetime import date
from random import Random

import pytest

from dspt.accounts.models import Membership, OrgRole, OversightRole
from dspt.assessments.models import Level, Publication
from dspt.core.demo import DemoContext
from dspt.improvement_plans import demo
from dspt.improvement_plans.chasing import send_reminders
from dspt.improvement_plans.models import Escalation, ImprovementPlan, PlanState, UpdateRequest
from dspt.improvement_plans.selectors import effective_state
from dspt.organisations.models import OrgType
from dspt.statuses.compute import Status
from dspt.statuses.selectors import status_of

from .conftest import make_org, make_user

DEMO_DAY = date(2025, 8, 1)


def build(regions, seed=7) -> DemoContext:
    yorks, london = regions
    ctx = DemoContext(rng=Random(seed), seed=seed, today=DEMO_DAY, log=lambda _m: None)
    ctx.nhs_organisations = [make_org(f"R{i:02d}", yorks if i % 2 else london) for i in range(20)]
    ctx.local_authorities = [
        make_org(f"L{i:02d}", london, OrgType.LOCAL_AUTHORITY) for i in range(6)
    ]
    # Like the core data set: yearly June publications, mostly Met, some Not Met with a bare
    # list of unmet item ids; the trust admin's trust published Not Met.
    for i, org in enumerate([*ctx.nhs_organisations, *ctx.local_authorities]):
        level = Level.NOT_MET if i % 4 == 0 or i == 5 else Level.MET
        Publication.objects.create(
            organisation=org,
            edition="2024-25",
            published_on=date(2025, 6, 10 + i % 15),
            level=level,
            unmet_items=["1.1.2", "3.2.1"] if level == Level.NOT_MET else [],
        )
    admin = make_user("trust.admin@demo.nhs.uk")
    Membership.objects.create(user=admin, organisation=ctx.nhs_organisations[5], role=OrgRole.ADMIN)
    ctx.users = {"trust_admin": admin, "reviewer": make_user("r@demo", OversightRole.REVIEWER)}
    return ctx


@pytest.fixture
def ctx(regions, settings):
    settings.DSPT_TODAY = DEMO_DAY.isoformat()
    c = build(regions)
    demo.populate(c)
    return c


def test_every_state_is_present(ctx):
    plans = list(ImprovementPlan.objects.all())
    states = {effective_state(p) for p in plans}
    assert states == {s.value for s in PlanState} - {PlanState.ACCEPTED_BY_EXCEPTION}
    approved = [p for p in plans if p.state == PlanState.APPROVED]
    assert all(status_of(p.organisation).status == Status.APPROACHING for p in approved)
    closed = [p for p in plans if p.state == PlanState.CLOSED]
    assert closed and all(status_of(p.organisation).status == Status.MET for p in closed)
    assert UpdateRequest.objects.filter(due_on__gt=DEMO_DAY).exists()  # update due
    assert UpdateRequest.objects.filter(due_on__lt=DEMO_DAY, escalation__isnull=True).exists()
    assert Escalation.objects.exists()


def test_trust_admin_has_a_plan_awaiting_review(ctx):
    plan = ImprovementPlan.objects.get(organisation=ctx.nhs_organisations[5])
    assert plan.state == PlanState.AWAITING_REVIEW
    assert plan.versions.get().file  # a real spreadsheet to download


def test_send_reminders_on_the_demo_day_escalates_only_the_overdue(ctx):
    overdue = UpdateRequest.objects.filter(due_on__lt=DEMO_DAY, escalation__isnull=True).count()
    assert send_reminders(DEMO_DAY) == {"requests_sent": 0, "escalations": overdue}
    assert send_reminders(DEMO_DAY) == {"requests_sent": 0, "escalations": 0}


def test_same_seed_same_plans(regions, settings):
    settings.DSPT_TODAY = DEMO_DAY.isoformat()
    c = build(regions)
    demo.populate(c)
    first = sorted(
        (p.organisation.ods_code, p.state, len(p.rows)) for p in ImprovementPlan.objects.all()
    )
    ImprovementPlan.objects.all().delete()
    Publication.objects.filter(source="demo").delete()
    Publication.objects.filter(plan_approved_on__isnull=False).update(plan_approved_on=None)
    c2 = DemoContext(rng=Random(7), seed=7, today=DEMO_DAY, log=lambda _m: None)
    c2.nhs_organisations, c2.local_authorities, c2.users = (
        c.nhs_organisations,
        c.local_authorities,
        c.users,
    )
    demo.populate(c2)
    second = sorted(
        (p.organisation.ods_code, p.state, len(p.rows)) for p in ImprovementPlan.objects.all()
    )
    assert first == second
