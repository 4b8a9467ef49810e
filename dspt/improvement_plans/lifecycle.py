"""How plans follow the organisation's publications.

Every publish, once committed, reaches `on_publication(publication)` through the assessments'
`published` signal (`on_published`, connected in apps.py). Plan pages, the review queue and
`send-reminders` also call `reconcile_organisation`, so plans are right even where that call was
missed (imports, demo data, a publish made before this code existed).

Rules:
- A Standards Not Met publication needs a plan: one is started (draft) for its edition.
- A later Not Met publication of the same edition moves the open plan onto it; if the plan was
  already approved, the new publication carries the approval from its own publication day, so
  republishing does not drop the organisation back to Not Met.
- A later publication at Standards Met or better closes every open plan of the organisation.
- A publication for a later edition at Not Met closes the earlier edition's open plan as superseded.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q

from dspt.assessments.evaluation import approaching_by_action_plan
from dspt.assessments.models import Level, Publication
from dspt.audit.services import record
from dspt.core.dates import today
from dspt.improvement_plans.models import ACCEPTED_STATES, OPEN_STATES, ImprovementPlan, PlanState
from dspt.organisations.models import Organisation
from dspt.statuses.facts import Calendar

MET_LEVELS = (Level.MET, Level.EXCEEDED)


def close_plans_met_by(publication: Publication) -> int:
    """Close the organisation's open plans if `publication` reached Standards Met or better.

    Returns how many plans closed. Safe to call more than once.
    """
    if publication.level not in MET_LEVELS:
        return 0
    closed = 0
    with transaction.atomic():
        plans = (
            ImprovementPlan.objects.select_for_update(of=("self",))
            .filter(
                organisation_id=publication.organisation_id,
                state__in=OPEN_STATES,
            )
            .filter(
                Q(publication__published_on__lte=publication.published_on)
                | Q(publication__isnull=True)
            )
        )
        for plan in plans:
            _close(
                plan,
                publication.published_on,
                f"Standards Met in the publication of {publication.published_on}",
                publication.pk,
            )
            closed += 1
    return closed


def _close(plan: ImprovementPlan, day: date, reason: str, publication_pk: int) -> None:
    plan.state = PlanState.CLOSED
    plan.closed_on = day
    plan.closed_reason = reason[:200]
    plan.save(update_fields=["state", "closed_on", "closed_reason", "updated_at"])
    plan.escalations.filter(resolved_on__isnull=True).update(
        resolved_on=day, resolved_note="Plan closed"
    )
    record(
        "plan.closed",
        organisation=plan.organisation,
        obj=plan,
        detail={"reason": plan.closed_reason, "publication": publication_pk},
    )


def on_published(sender, publication: Publication, **kwargs) -> None:
    """The receiver of dspt.assessments.signals.published."""
    on_publication(publication)


def on_publication(publication: Publication) -> ImprovementPlan | None:
    """Bring plans in line with a new publication; returns the plan it needs, if any."""
    if publication.level in MET_LEVELS:
        close_plans_met_by(publication)
        return None
    if publication.level != Level.NOT_MET:
        return None
    with transaction.atomic():
        # Earlier editions' open plans are overtaken by this edition's publication.
        for old in ImprovementPlan.objects.select_for_update(of=("self",)).filter(
            organisation_id=publication.organisation_id,
            state__in=OPEN_STATES,
            edition__lt=publication.edition,
        ):
            _close(
                old,
                publication.published_on,
                f"Superseded by the {publication.edition} publication",
                publication.pk,
            )
        answered = ImprovementPlan.objects.filter(publication=publication).first()
        if answered is not None:
            return answered  # already seen: replaying a publication changes nothing
        plan = (
            ImprovementPlan.objects.select_for_update(of=("self",))
            .filter(
                organisation_id=publication.organisation_id,
                edition=publication.edition,
                state__in=OPEN_STATES,
            )
            .first()
        )
        if plan is None:
            if approaching_by_action_plan(publication.organisation.org_type):
                # Social care's route is the action plan, once: a reviewer's approval must not
                # lift a second Not Met to Approaching Standards.
                return None
            return _start(publication)
        current = plan.publication
        newer = current is None or (publication.published_on, publication.pk) > (
            current.published_on,
            current.pk,
        )
        if not newer:
            return plan
        plan.publication = publication
        plan.save(update_fields=["publication", "updated_at"])
        detail = {"from": current.pk if current else None, "to": publication.pk}
        if plan.state in ACCEPTED_STATES and publication.plan_approved_on is None:
            publication.plan_approved_on = max(publication.published_on, plan.approved_on)
            publication.save(update_fields=["plan_approved_on"])
            detail["plan_approved_on"] = publication.plan_approved_on.isoformat()
        record(
            "plan.moved_to_republication", organisation=plan.organisation, obj=plan, detail=detail
        )
        return plan


def _start(publication: Publication) -> ImprovementPlan:
    """Start the plan a Not Met publication needs (at most one open per organisation/edition)."""
    try:
        with transaction.atomic():
            plan = ImprovementPlan.objects.create(
                organisation_id=publication.organisation_id,
                edition=publication.edition,
                publication=publication,
            )
    except IntegrityError:  # started at the same moment by another request
        return ImprovementPlan.objects.get(
            organisation_id=publication.organisation_id,
            edition=publication.edition,
            state__in=OPEN_STATES,
        )
    record(
        "plan.started",
        organisation=plan.organisation,
        obj=plan,
        detail={"publication": publication.pk},
    )
    return plan


def reconcile_organisation(
    organisation: Organisation, on: date | None = None
) -> ImprovementPlan | None:
    """Apply the organisation's latest publication as if just published (idempotent).

    Only the latest publication counts for status, so only it can open, move or close a plan. A
    Not Met publication that has already lapsed starts no new plan.
    """
    on = on or today()
    latest = (
        Publication.objects.filter(organisation=organisation, published_on__lte=on)
        .order_by("-published_on", "-id")
        .first()
    )
    if latest is None:
        return None
    if latest.level == Level.NOT_MET:
        until = Calendar().valid_until(latest.edition)
        if on > until:
            # The publication has expired: its plan can no longer change the status.
            with transaction.atomic():
                for plan in ImprovementPlan.objects.select_for_update(of=("self",)).filter(
                    organisation=organisation, state__in=OPEN_STATES
                ):
                    _close(plan, until, "The publication it answered expired", latest.pk)
            return None
    return on_publication(latest)
