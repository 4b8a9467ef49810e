"""Demo improvement plans in every state, for NHS bodies and local authorities.

States: draft, awaiting review (including the demo trust admin's organisation), rejected (one
with a call requested), approved with an update due, overdue, escalated, and completed (closed
by a later Standards Met publication). Update requests use the real chasing rounds, so running
`dspt send-reminders` on the demo day sends only what is genuinely due (it escalates the overdue
ones). Randomness comes only from `ctx.rng`.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from dspt.accounts.models import Membership
from dspt.assessments.models import Level, Publication, PublicationSource
from dspt.core.demo import DemoContext
from dspt.improvement_plans.chasing import latest_round
from dspt.improvement_plans.lifecycle import close_plans_met_by
from dspt.improvement_plans.models import (
    DecisionKind,
    Escalation,
    ImprovementPlan,
    PlanDecision,
    PlanState,
    PlanUpdate,
    PlanVersion,
    UpdateRequest,
    VersionSource,
)
from dspt.improvement_plans.template import plan_xlsx

PER_STATE = 3
ITEMS = [
    ("1.1.1", "Has the organisation a data security and protection policy?"),
    ("1.3.2", "Is there a record of processing activities?"),
    ("3.2.1", "Have at least 95% of staff completed data security awareness training?"),
    ("4.2.4", "Are administrator accounts reviewed at least once a year?"),
    ("6.3.2", "Are unsupported systems identified and managed?"),
    ("7.1.2", "Is there a tested business continuity plan?"),
    ("8.3.5", "Are software patches applied within 14 days?"),
    ("9.1.1", "Is there a firewall between the network and the internet?"),
]
ACTIONS = [
    ("No approved policy", "Draft the policy and take it to the board", "Draft by month 1"),
    ("Training at 71%", "Run catch-up sessions and chase non-completers", "85% by month 2"),
    ("No annual review", "Schedule quarterly admin account reviews", "First review in month 1"),
    ("Plan not tested", "Run a tabletop exercise with the IT team", "Exercise booked"),
    ("Patching takes 30 days", "Automate patch deployment", "Pilot on 50 devices"),
]
OWNERS = ["Head of IT", "Information governance lead", "SIRO", "Data protection officer"]


def _edition_on(day: date) -> str:
    try:
        from dspt.frameworks.deadlines import current_edition_code

        return current_edition_code(day)
    except (ImportError, AttributeError):
        start = day.year if (day.month, day.day) > (6, 30) else day.year - 1
        return f"{start}-{(start + 1) % 100:02d}"


def _candidates(org, edition: str) -> list[tuple[str, str]]:
    """Mandatory items of the organisation's edition file, or a built-in list without one."""
    try:
        from dspt.frameworks.model import audience_for, load_edition

        items = load_edition(edition, audience_for(org.org_type)).mandatory_items(org.org_type)
        return [(i.id, i.question) for i in items] or ITEMS
    except Exception:  # noqa: BLE001 - no edition file for this year: use the built-in items
        return ITEMS


def _unmet(ctx: DemoContext, org, edition: str) -> list[dict]:
    pool = _candidates(org, edition)
    chosen = ctx.rng.sample(pool, min(len(pool), ctx.rng.randint(3, 5)))
    out = [
        {"item_id": i, "outcome": ctx.rng.choice(["unmet", "unanswered"]), "mandatory": True}
        for i, _ in chosen[:-1]
    ]
    out.append({"item_id": chosen[-1][0], "outcome": "partly_met", "mandatory": True})
    return _dedupe(out)


def _dedupe(entries: list[dict]) -> list[dict]:
    seen: dict[str, dict] = {}
    for e in entries:
        seen.setdefault(e["item_id"], e)
    return sorted(seen.values(), key=lambda e: [int(p) for p in e["item_id"].split(".")])


def _rows(ctx: DemoContext, unmet: list[dict], today: date, _questions=()) -> list[dict]:
    questions = dict(ITEMS)
    questions.update(dict(_questions))
    rows = []
    for e in unmet:
        if not e["mandatory"] and ctx.rng.random() < 0.5:
            continue
        gap, action, milestone = ctx.rng.choice(ACTIONS)
        rows.append(
            {
                "item_id": e["item_id"],
                "question": questions.get(e["item_id"], ""),
                "outcome": e["outcome"],
                "mandatory": e["mandatory"],
                "gap": gap,
                "actions": action,
                "milestones": milestone,
                "owner": ctx.rng.choice(OWNERS),
                "target_date": (today + timedelta(days=ctx.rng.randint(60, 330))).isoformat(),
                "disruption": ctx.rng.random() < 0.2 or None,
                "disruption_which": "",
                "successor": "",
                "status": "open",
                "evidence_note": "",
            }
        )
    for r in rows:
        if r["disruption"]:
            r["disruption_which"] = "Covid"
    return rows


def _publish(ctx: DemoContext, org, on: date) -> Publication:
    edition = _edition_on(on)
    pub, _ = Publication.objects.get_or_create(
        organisation=org,
        edition=edition,
        published_on=on,
        level=Level.NOT_MET,
        defaults={"unmet_items": _unmet(ctx, org, edition), "source": PublicationSource.DEMO},
    )
    if not pub.unmet_items:
        pub.unmet_items = _unmet(ctx, org, edition)
        pub.save(update_fields=["unmet_items"])
    return pub


def _at(day: date):
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 10, 0))


def _plan(ctx, org, published: date, submitted: date | None, pub=None) -> ImprovementPlan:
    pub = pub or _publish(ctx, org, published)
    plan, _ = ImprovementPlan.objects.get_or_create(
        organisation=org, edition=pub.edition, defaults={"publication": pub}
    )
    if submitted is not None:
        rows = _rows(ctx, pub.unmet_items, submitted, _candidates(org, pub.edition))
        version = PlanVersion(
            plan=plan,
            number=1,
            source=VersionSource.XLSX,
            rows=rows,
            uploaded_at=_at(submitted),
            original_name=f"improvement-plan-{org.ods_code}.xlsx",
        )
        data = plan_xlsx(rows, organisation_name=org.name, edition=pub.edition, today=submitted)
        from django.core.files.base import ContentFile

        version.file.save("v1", ContentFile(data), save=False)
        version.size = len(data)
        version.save()
        plan.rows = rows
        plan.state = PlanState.AWAITING_REVIEW
        plan.submitted_at = _at(submitted)
        plan.save()
    return plan


def _decide(ctx, plan, kind, day: date, reasons="", call=False) -> None:
    reviewer = ctx.users.get("reviewer")
    PlanDecision.objects.create(
        plan=plan,
        version=plan.latest_version,
        kind=kind,
        reasons=reasons,
        decided_by=reviewer,
        decided_by_label=getattr(reviewer, "email", "reviewer"),
        decided_on=day,
        decided_at=_at(day),
    )
    if kind == DecisionKind.APPROVED:
        plan.state, plan.approved_on = PlanState.APPROVED, day
        Publication.objects.filter(pk=plan.publication_id).update(plan_approved_on=day)
    elif kind == DecisionKind.REJECTED:
        plan.state, plan.call_requested = PlanState.REJECTED, call
    plan.save()


def _approved(ctx, org, today: date) -> ImprovementPlan:
    plan = _plan(ctx, org, today - timedelta(days=310), today - timedelta(days=305))
    _decide(ctx, plan, DecisionKind.APPROVED, today - timedelta(days=300))
    return plan


def _request(plan, today: date, due: date) -> UpdateRequest | None:
    found = latest_round(today, plan.approved_on)
    if found is None:
        return None
    return UpdateRequest.objects.create(
        plan=plan, round_key=found[0].isoformat(), requested_on=found[0], due_on=due
    )


def _org_of(user) -> object | None:
    m = Membership.objects.filter(user=user).select_related("organisation").first()
    return m.organisation if m else None


def populate(ctx: DemoContext) -> None:
    """Add plans in every state to the demo data set."""
    today = ctx.today
    pool = [o for o in (*ctx.nhs_organisations, *ctx.local_authorities) if o.ods_code]
    ctx.rng.shuffle(pool)
    admin_org = _org_of(ctx.users["trust_admin"]) if ctx.users.get("trust_admin") else None
    taken = set(ImprovementPlan.objects.values_list("organisation_id", flat=True))
    # Our publications must stay each organisation's latest, or the plan would be overtaken.
    recent = set(
        Publication.objects.filter(published_on__gt=today - timedelta(days=320)).values_list(
            "organisation_id", flat=True
        )
    )
    pool = [o for o in pool if o.pk not in taken and o.pk not in recent]
    if admin_org is not None and admin_org.pk not in taken:
        latest = (
            Publication.objects.filter(organisation=admin_org, published_on__lte=today)
            .order_by("-published_on", "-id")
            .first()
        )
        if latest is not None and latest.level == Level.NOT_MET:
            if not latest.unmet_items:
                latest.unmet_items = _unmet(ctx, admin_org, latest.edition)
                latest.save(update_fields=["unmet_items"])
            _plan(ctx, admin_org, latest.published_on, today, pub=latest)
        else:
            after = latest.published_on + timedelta(days=1) if latest else today
            first = min(today, max(today - timedelta(days=8), after))
            _plan(ctx, admin_org, first, today)
        ctx.log(f"Improvement plans: {admin_org.name} (trust admin) has a plan awaiting review")
    if admin_org is not None:
        pool = [o for o in pool if o.pk != admin_org.pk]
    states = ["awaiting", "draft", "rejected", "due", "overdue", "escalated", "completed"]
    made = {s: 0 for s in states}
    with transaction.atomic():
        for i, org in enumerate(pool[: PER_STATE * len(states)]):
            state = states[i % len(states)]
            if state == "draft":
                _plan(ctx, org, today - timedelta(days=ctx.rng.randint(3, 40)), None)
            elif state == "awaiting":
                days = ctx.rng.randint(2, 40)
                _plan(ctx, org, today - timedelta(days=days + 5), today - timedelta(days=days))
            elif state == "rejected":
                plan = _plan(ctx, org, today - timedelta(days=60), today - timedelta(days=50))
                _decide(
                    ctx,
                    plan,
                    DecisionKind.REJECTED,
                    today - timedelta(days=40),
                    reasons="Target dates are not realistic and item 3.2.1 has no owner named.",
                    call=ctx.rng.random() < 0.5,
                )
            elif state == "due":
                plan = _approved(ctx, org, today)
                _request(plan, today, today + timedelta(days=21))
            elif state == "overdue":
                plan = _approved(ctx, org, today)
                _request(plan, today, today - timedelta(days=3))
            elif state == "escalated":
                plan = _approved(ctx, org, today)
                req = _request(plan, today, today - timedelta(days=20))
                if req is not None:
                    Escalation.objects.create(
                        request=req,
                        plan=plan,
                        region=org.region,
                        escalated_on=today - timedelta(days=19),
                    )
            else:
                plan = _approved(ctx, org, today)
                rows = [
                    {**r, "status": "done", "evidence_note": "Evidence uploaded"} for r in plan.rows
                ]
                plan.rows = rows
                plan.save()
                PlanUpdate.objects.create(
                    plan=plan,
                    summary="Every action is complete.",
                    rows=rows,
                    submitted_on=today - timedelta(days=45),
                )
                met = Publication.objects.create(
                    organisation=org,
                    edition=_edition_on(today - timedelta(days=30)),
                    published_on=today - timedelta(days=30),
                    level=Level.MET,
                    source=PublicationSource.DEMO,
                )
                close_plans_met_by(met)
            made[state] += 1
    ctx.log("Improvement plans: " + ", ".join(f"{n} {s}" for s, n in made.items()))
