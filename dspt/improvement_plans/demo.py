"""Demo improvement plans in every state, for NHS bodies and local authorities.

States: draft, awaiting review (including the demo trust admin's organisation), rejected (one
with a call requested), approved with an update due, overdue, escalated, and completed (closed
by a later Standards Met publication). Update requests use the real chasing rounds, so running
`dspt send-reminders` on the demo day sends only what is genuinely due (it escalates the overdue
ones). Randomness comes only from `ctx.rng`.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from dspt.accounts.models import Membership
from dspt.assessments.models import Level, Publication, PublicationSource
from dspt.core.demo import DemoContext
from dspt.core.signals import Fact, announce
from dspt.improvement_plans.chasing import latest_round
from dspt.improvement_plans.checks import items_from_unmet
from dspt.improvement_plans.lifecycle import close_plans_met_by
from dspt.improvement_plans.models import (
    OPEN_STATES,
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
from dspt.statuses.facts import Calendar

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


def _rows(ctx: DemoContext, unmet: list, today: date, questions=()) -> list[dict]:
    known = {**dict(ITEMS), **dict(questions)}
    rows = []
    for item in items_from_unmet(unmet, known):
        if not item.mandatory and ctx.rng.random() < 0.5:
            continue
        gap, action, milestone = ctx.rng.choice(ACTIONS)
        disrupted = ctx.rng.random() < 0.2
        rows.append(
            {
                "item_id": item.item_id,
                "question": item.question,
                "outcome": item.outcome,
                "mandatory": item.mandatory,
                "gap": gap,
                "actions": action,
                "milestones": milestone,
                "owner": ctx.rng.choice(OWNERS),
                "target_date": (today + timedelta(days=ctx.rng.randint(60, 330))).isoformat(),
                "disruption": True if disrupted else None,
                "disruption_which": "Covid" if disrupted else "",
                "successor": "",
                "status": "open",
                "evidence_note": "",
            }
        )
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
    plan = ImprovementPlan.objects.filter(
        organisation=org, edition=pub.edition, state__in=OPEN_STATES
    ).first() or ImprovementPlan.objects.create(
        organisation=org, edition=pub.edition, publication=pub
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
        announce(Fact.PUBLICATIONS, [plan.organisation_id])
    elif kind == DecisionKind.REJECTED:
        plan.state, plan.call_requested = PlanState.REJECTED, call
    plan.save()


def _request(plan, requested: date, due: date, today: date) -> UpdateRequest:
    # Keyed by the latest real round on the demo day, so `send-reminders` never repeats it.
    key = latest_round(today, date(1900, 1, 1))
    return UpdateRequest.objects.create(
        plan=plan, round_key=key[0].isoformat(), requested_on=requested, due_on=due
    )


def _org_of(user) -> object | None:
    m = Membership.objects.filter(user=user).select_related("organisation").first()
    return m.organisation if m else None


def _latest_pubs(orgs: list) -> dict[int, Publication]:
    latest: dict[int, Publication] = {}
    pubs = Publication.objects.filter(organisation__in=orgs).order_by("published_on", "id")
    for pub in pubs:
        latest[pub.organisation_id] = pub
    return latest


def _pool(ctx: DemoContext, exclude: set[int]) -> list[tuple[object, Publication | None]]:
    """Organisations to give plans to: first those whose latest publication is a valid Not Met
    (the data set's own story), then others, which get a new Not Met publication."""
    orgs = [
        o
        for o in (*ctx.nhs_organisations, *ctx.local_authorities)
        if o.ods_code and o.pk not in exclude
    ]
    latest = _latest_pubs(orgs)
    until = Calendar().valid_until
    ready, others = [], []
    for o in orgs:
        pub = latest.get(o.pk)
        if (
            pub is not None
            and pub.level == Level.NOT_MET
            and pub.published_on <= ctx.today <= until(pub.edition)
        ):
            ready.append((o, pub))
        elif pub is None or pub.published_on < ctx.today:
            others.append((o, pub))
    ctx.rng.shuffle(ready)
    ctx.rng.shuffle(others)
    return ready + others


def _not_met(ctx: DemoContext, org, latest: Publication | None, span: int) -> Publication:
    """The org's Not Met publication: its own if that is its latest, else a new one."""
    if latest is not None and latest.level == Level.NOT_MET:
        if not latest.unmet_items:
            latest.unmet_items = _unmet(ctx, org, latest.edition)
            latest.save(update_fields=["unmet_items"])
        return latest
    after = latest.published_on + timedelta(days=1) if latest else ctx.today - timedelta(span)
    return _publish(ctx, org, min(ctx.today, max(after, ctx.today - timedelta(days=span))))


def _between(a: date, b: date, share: float) -> date:
    return a + timedelta(days=int((b - a).days * share))


def _make(ctx: DemoContext, state: str, org, pub: Publication) -> None:
    today, p = ctx.today, pub.published_on
    if state == "draft":
        _plan(ctx, org, p, None, pub)
        return
    if state == "awaiting":
        _plan(ctx, org, p, _between(p, today, ctx.rng.uniform(0.3, 1.0)), pub)
        return
    plan = _plan(ctx, org, p, _between(p, today, 0.2), pub)
    if state == "rejected":
        _decide(
            ctx,
            plan,
            DecisionKind.REJECTED,
            _between(p, today, 0.5),
            reasons="Target dates are not realistic and some actions have no owner named.",
            call=ctx.rng.random() < 0.5,
        )
        return
    approved = _between(p, today, 0.3)
    _decide(ctx, plan, DecisionKind.APPROVED, approved)
    if state == "due":
        _request(plan, _between(approved, today, 0.8), today + timedelta(days=21), today)
    elif state == "overdue":
        _request(plan, _between(approved, today, 0.3), today - timedelta(days=1), today)
    elif state == "escalated":
        due = _between(approved, today, 0.6)
        req = _request(plan, _between(approved, today, 0.2), due, today)
        Escalation.objects.create(
            request=req, plan=plan, region=org.region, escalated_on=min(today, due + timedelta(1))
        )
    else:  # completed
        done_on = _between(approved, today, 0.7)
        plan.rows = [
            {**r, "status": "done", "evidence_note": "Evidence uploaded"} for r in plan.rows
        ]
        plan.save()
        PlanUpdate.objects.create(
            plan=plan, summary="Every action is complete.", rows=plan.rows, submitted_on=done_on
        )
        met = Publication.objects.create(
            organisation=org,
            edition=pub.edition,
            published_on=_between(done_on, today, 0.5) + timedelta(days=1),
            level=Level.MET,
            source=PublicationSource.DEMO,
        )
        close_plans_met_by(met)


# States that need a publication at least this many days old to tell a believable story.
MIN_DAYS = {
    "draft": 0,
    "awaiting": 1,
    "rejected": 4,
    "due": 10,
    "overdue": 10,
    "escalated": 10,
    "completed": 10,
}
STATES = ["awaiting", "draft", "rejected", "due", "overdue", "escalated", "completed"]


def populate(ctx: DemoContext) -> None:
    """Add plans in every state to the demo data set."""
    taken = set(ImprovementPlan.objects.values_list("organisation_id", flat=True))
    admin_org = _org_of(ctx.users["trust_admin"]) if ctx.users.get("trust_admin") else None
    if admin_org is not None and admin_org.pk not in taken:
        latest = _latest_pubs([admin_org]).get(admin_org.pk)
        pub = _not_met(ctx, admin_org, latest, 8)
        _make(ctx, "awaiting", admin_org, pub)
        taken.add(admin_org.pk)
        ctx.log(f"Improvement plans: {admin_org.name} (trust admin) has a plan awaiting review")
    made = {s: 0 for s in STATES}
    wanted = [s for _ in range(PER_STATE) for s in STATES]
    for org, latest in _pool(ctx, taken):
        if not wanted:
            break
        pub = _not_met(ctx, org, latest, ctx.rng.randint(60, 200))
        age = (ctx.today - pub.published_on).days
        state = next((s for s in wanted if age >= MIN_DAYS[s]), None)
        if state is None:
            continue
        wanted.remove(state)
        _make(ctx, state, org, pub)
        made[state] += 1
    ctx.log("Improvement plans: " + ", ".join(f"{n} {s}" for s, n in made.items()))
