"""Read plans: the organisation's current plan, the review queue, escalations, version diffs.

The queue reads plans as the publications say they stand: a plan whose organisation has since
published Standards Met or better shows as closed even if nobody called the publish hook.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from dspt.assessments.evaluation import approaching_by_action_plan
from dspt.assessments.models import Level, Publication
from dspt.core.dates import today
from dspt.improvement_plans import access
from dspt.improvement_plans.columns import KEYS
from dspt.improvement_plans.models import (
    OPEN_STATES,
    Escalation,
    ImprovementPlan,
    PlanState,
    PlanVersion,
)
from dspt.notifications.selectors import notifications_for as _notifications_for
from dspt.organisations.models import Organisation

AGES = {
    "week": ("Under a week", 0, 7),
    "month": ("1 to 4 weeks", 7, 28),
    "older": ("Over 4 weeks", 28, None),
}


def _met_later() -> Exists:
    return Exists(
        Publication.objects.filter(
            organisation_id=OuterRef("organisation_id"),
            level__in=[Level.MET, Level.EXCEEDED],
            published_on__gte=OuterRef("publication__published_on"),
        )
    )


def with_effective_state(qs: QuerySet[ImprovementPlan]) -> QuerySet[ImprovementPlan]:
    """Annotate `met_later`: the organisation has since reached Standards Met (plan is done)."""
    return qs.annotate(met_later=_met_later())


def effective_state(plan: ImprovementPlan) -> str:
    """The plan's state, reading a later Standards Met publication as closing it."""
    met = getattr(plan, "met_later", None)
    if met is None:
        met = (
            with_effective_state(ImprovementPlan.objects.filter(pk=plan.pk))
            .values_list("met_later", flat=True)
            .first()
        )
    if met and plan.state in OPEN_STATES:
        return PlanState.CLOSED
    return plan.state


def current_plan(organisation: Organisation) -> ImprovementPlan | None:
    """The organisation's open plan, or else its most recent one."""
    plans = with_effective_state(
        ImprovementPlan.objects.filter(organisation=organisation).select_related("publication")
    )
    open_plan = plans.filter(state__in=OPEN_STATES, met_later=False).order_by("-edition").first()
    return open_plan or plans.order_by("-edition", "-created_at").first()


@dataclass(frozen=True)
class NoPlanRoute:
    """Why an organisation has no improvement plan, and where it goes instead.

    `kind` is "action_plan" (a care provider at Standards Not Met: its route is the action plan
    to Approaching Standards, then Standards Met), "not_published" or "not_needed".
    """

    kind: str
    level_label: str = ""
    published_on: date | None = None


def no_plan_route(organisation: Organisation) -> NoPlanRoute:
    """The route for an organisation with no improvement plan, from its latest publication."""
    latest = (
        Publication.objects.filter(organisation=organisation, published_on__lte=today())
        .order_by("-published_on", "-id")
        .first()
    )
    if latest is None:
        return NoPlanRoute("not_published")
    label = Level(latest.level).label
    if latest.level == Level.NOT_MET and approaching_by_action_plan(organisation.org_type):
        return NoPlanRoute("action_plan", label, latest.published_on)
    return NoPlanRoute("not_needed", label, latest.published_on)


@dataclass
class QueueFilters:
    region: str = ""
    sector: str = ""
    age: str = ""
    state: str = PlanState.AWAITING_REVIEW


def review_queue(user, filters: QueueFilters) -> QuerySet[ImprovementPlan]:
    """Plans on the reviewer's queue, oldest submission first, filtered."""
    qs = with_effective_state(access.queue_plans(user)).select_related(
        "organisation", "organisation__region", "publication"
    )
    if filters.state == PlanState.CLOSED:
        qs = qs.filter(Q(state=PlanState.CLOSED) | Q(met_later=True))
    elif filters.state:
        qs = qs.filter(state=filters.state, met_later=False)
    if filters.region:
        qs = qs.filter(organisation__region_id=filters.region)
    if filters.sector:
        qs = qs.filter(organisation__org_type=filters.sector)
    if filters.age in AGES:
        _label, low, high = AGES[filters.age]
        now = timezone.now()
        qs = qs.filter(submitted_at__lte=now - timedelta(days=low))
        if high is not None:
            qs = qs.filter(submitted_at__gt=now - timedelta(days=high))
    return qs.order_by("submitted_at", "created_at", "id")


def queue_counts(user) -> dict[str, int]:
    """How many plans of the reviewer's remit are in each state (for the filter labels)."""
    counts = {s: 0 for s in PlanState.values}
    qs = with_effective_state(access.queue_plans(user))
    for state, met in qs.values_list("state", "met_later"):
        counts[PlanState.CLOSED if met and state in OPEN_STATES else state] += 1
    return counts


def escalations_for(user, include_resolved: bool = False) -> QuerySet[Escalation]:
    """Escalations on `user`'s list: their region's, or all of England's without a region."""
    if not access.can_see_escalations(user):
        return Escalation.objects.none()
    qs = Escalation.objects.select_related(
        "plan", "plan__organisation", "request", "region"
    ).filter(plan__in=access.queue_plans(user))
    if not include_resolved:
        qs = qs.filter(resolved_on__isnull=True)
    return qs


# Notifications now live in one app for the whole platform; kept importable from here.
notifications_for = _notifications_for


@dataclass
class RowChange:
    item_id: str
    left: dict | None
    right: dict | None
    changed: list[str]

    @property
    def kind(self) -> str:
        if self.left is None:
            return "added"
        if self.right is None:
            return "removed"
        return "changed" if self.changed else "same"


def compare_versions(left: PlanVersion, right: PlanVersion) -> list[RowChange]:
    """Rows of two versions side by side: matched by item and position within the item."""

    def keyed(rows: list[dict]) -> dict[tuple[str, int], dict]:
        seen: dict[str, int] = {}
        out = {}
        for r in rows:
            iid = r.get("item_id", "")
            n = seen.get(iid, 0)
            seen[iid] = n + 1
            out[(iid, n)] = r
        return out

    a, b = keyed(left.rows), keyed(right.rows)
    changes = []
    for key in sorted(set(a) | set(b), key=lambda k: (_sort(k[0]), k[1])):
        ra, rb = a.get(key), b.get(key)
        changed = (
            [k for k in KEYS if (ra.get(k) or "") != (rb.get(k) or "")] if ra and rb else list(KEYS)
        )
        changes.append(RowChange(key[0], ra, rb, changed))
    return changes


def _sort(item_id: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in item_id.split("."))
