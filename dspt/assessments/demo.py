"""Demo plug-in: an NHS trust with this year's CAF-aligned assessment in progress (about two
thirds of the outcomes answered, the last of them below profile), and its information
governance lead `caf.lead@nhs-trust.example` (the demo password), so `make run` shows the CAF
journey. It is not the demo trust admin's trust: that one keeps its evidence-item history and
plan, which the API contract test starts from. No publication is written, so no recorded
figure changes."""

from __future__ import annotations

from dspt.accounts.models import Membership, OrgRole, User
from dspt.assessments.caf_services import save_outcome, start_caf_assessment
from dspt.assessments.editions import current_caf_edition
from dspt.core.demo import DEMO_PASSWORD, DemoContext
from dspt.frameworks.caf import NOT_ACHIEVED
from dspt.organisations.models import OrgType

CAF_LEAD = "caf.lead@nhs-trust.example"


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
            justification=(
                "Reviewed by the information governance team; see the "
                f"{outcome.title.lower()} evidence."
            ),
        )
    return assessment


def demo_trusts(ctx: DemoContext) -> list:
    """NHS trusts other than the demo trust admin's, in the order the demo made them."""
    admin = ctx.users.get("trust_admin")
    theirs = set(Membership.objects.filter(user=admin).values_list("organisation_id", flat=True))
    return [
        o for o in ctx.nhs_organisations if o.org_type == OrgType.NHS_TRUST and o.pk not in theirs
    ]


def lead_for(organisation, email: str, name: str) -> User:
    """A demo admin of `organisation` who signs in with the demo password."""
    user = User(username=email, email=email, full_name=name)
    user.set_password(DEMO_PASSWORD)
    user.save()
    Membership.objects.create(user=user, organisation=organisation, role=OrgRole.ADMIN)
    return user


def populate(ctx: DemoContext) -> None:
    trusts = demo_trusts(ctx)
    if not trusts or current_caf_edition(trusts[0], ctx.today) is None:
        return
    trust = trusts[0]
    lead = lead_for(trust, CAF_LEAD, "Chidi Okafor")
    assessment = caf_in_progress(trust, lead, ctx.today)
    ctx.log(
        f"CAF-aligned assessment: {trust.name} has {assessment.edition} in progress "
        f"(sign in as {CAF_LEAD})"
    )
