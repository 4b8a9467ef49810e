"""How plans follow the organisation's publications.

The assessment publish service calls `on_publication(publication)` after every publish. Plan pages,
the review queue and `send-reminders` also call `reconcile_organisation`, so plans are right even
where that call was missed (imports, demo data, a publish made before this code existed).

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

from django.db import transaction

from dspt.assessments.models import Level, Publication
from dspt.audit.services import record
from dspt.core.dates import today
from dspt.improvement_plans.models import ACCEPTED_STATES, OPEN_STATES, ImprovementPlan, PlanState
from dspt.organisations.models import Organisation
from dspt.statuses.calendar import valid_until_function

MET_LEVELS = (Level.MET, Level.EXCEEDED)


def close_plans_met_by(publication: Publication) -> int:
    """Close the organisation's open plans if `publication` reached Standards Met or better.

    Returns how many plans closed. Safe to call more than once.
    """
    if publication.level not in MET_LEVELS:
        return 0
    closed = 0
    with transaction.atomic():
        plans = ImprovementPlan.objects.select_for_update().filter(
            organisation_id=publication.organisation_id,
            state__in=OPEN_STATES,
            publication__published_on__lte=publication.published_on,
        )
        for plan in plans:
            _close(
                plan, publication, f"Standards Met in the publication of {publication.published_on}"
            )
            closed += 1
    return closed


def _close(plan: ImprovementPlan, publication: Publication, reason: str) -> None:
    plan.state = PlanState.CLOSED
    plan.closed_on = publication.published_on
    plan.closed_reason = reason[:200]
    plan.save(update_fields=["state", "closed_on", "closed_reason", "updated_at"])
    plan.escalations.filter(resolved_on__isnull=True).update(
        resolved_on=publication.published_on, resolved_note="Plan closed"
    )
    record(
        "plan.closed",
        organisation=plan.organisation,
        obj=plan,
        detail={"reason": plan.closed_reason, "publication": publication.pk},
    )


def on_publication(publication: Publication) -> ImprovementPlan | None:
    """Bring plans in line with a new publication; returns the plan it needs, if any."""
    if publication.level in MET_LEVELS:
        close_plans_met_by(publication)
        return None
    if publication.level != Level.NOT_MET:
        return None
    with transaction.atomic():
        # Earlier editions' open plans are overtaken by this edition's publication.
        for old in ImprovementPlan.objects.select_for_update().filter(
            organisation_id=publication.organisation_id,
            state__in=OPEN_STATES,
            edition__lt=publication.edition,
        ):
            _close(old, publication, f"Superseded by the {publication.edition} publication")
        plan, created = ImprovementPlan.objects.select_for_update().get_or_create(
            organisation_id=publication.organisation_id,
            edition=publication.edition,
            defaults={"publication": publication},
        )
        if created:
            record(
                "plan.started",
                organisation=plan.organisation,
                obj=plan,
                detail={"publication": publication.pk},
            )
            return plan
        current = plan.publication
        newer = (publication.published_on, publication.pk) > (current.published_on, current.pk)
        if not newer or not plan.is_open:
            return plan
        plan.publication = publication
        plan.save(update_fields=["publication", "updated_at"])
        detail = {"from": current.pk, "to": publication.pk}
        if plan.state in ACCEPTED_STATES and publication.plan_approved_on is None:
            publication.plan_approved_on = max(publication.published_on, plan.approved_on)
            publication.save(update_fields=["plan_approved_on"])
            detail["plan_approved_on"] = publication.plan_approved_on.isoformat()
        record(
            "plan.moved_to_republication", organisation=plan.organisation, obj=plan, detail=detail
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
        lapsed = on > valid_until_function()(latest.edition)
        exists = ImprovementPlan.objects.filter(
            organisation=organisation, edition=latest.edition
        ).exists()
        if lapsed and not exists:
            return None
    return on_publication(latest)
