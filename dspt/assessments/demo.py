"""Demo plug-in: the demo trust admin's NHS trust has this year's CAF-aligned assessment in
progress (about two thirds of the outcomes answered, one of them below profile, one carried
over in spirit with a justification), so `make run` shows the CAF journey. No publication is
written, so no recorded figure changes."""

from __future__ import annotations

from dspt.accounts.models import Membership
from dspt.assessments.caf_services import save_outcome, start_caf_assessment
from dspt.assessments.editions import current_caf_edition
from dspt.core.demo import DemoContext
from dspt.frameworks.caf import NOT_ACHIEVED


def _org_of(user):
    m = Membership.objects.filter(user=user).select_related("organisation").first()
    return m.organisation if m else None


def caf_in_progress(organisation, user, on, share: float = 2 / 3, below: int = 1):
    """Start `organisation`'s CAF assessment and answer the first `share` of its outcomes at
    profile, the last `below` of those at Not achieved instead. Returns the assessment (None
    when no CAF edition is open for it on `on`)."""
    edition = current_caf_edition(organisation, on)
    if edition is None:
        return None
    assessment = start_caf_assessment(organisation, user, on=on)
    profile = edition.profile(organisation.org_type)
    answered = edition.outcomes[: round(len(edition.outcomes) * share)]
    for n, outcome in enumerate(answered):
        level = NOT_ACHIEVED if n >= len(answered) - below else profile[outcome.id]
        ticks = [i.id for i in outcome.at(level)] if level != NOT_ACHIEVED else []
        save_outcome(
            assessment,
            outcome.id,
            user,
            ticked=ticks,
            justification=f"Reviewed by the information governance team; see the {outcome.title.lower()} evidence.",
        )
    return assessment


def populate(ctx: DemoContext) -> None:
    admin = ctx.users.get("trust_admin")
    org = _org_of(admin) if admin else None
    if org is None:
        return
    assessment = caf_in_progress(org, admin, ctx.today)
    if assessment is not None:
        ctx.log(
            f"CAF-aligned assessment: {org.name} (trust admin) has {assessment.edition} in progress"
        )
