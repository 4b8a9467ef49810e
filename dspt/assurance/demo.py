"""Demo plug-in: an audit firm with an assessor (`assessor@ledger-audit.example`, the demo
password), an open review of two answered outcomes of the demo CAF trust's assessment, and a
reported review of another trust's fully answered CAF assessment, so the national team has a
report to read. Reviews write no publication: recorded figures stay."""

from __future__ import annotations

from dspt.accounts.models import User
from dspt.assessments.demo import CAF_LEAD, caf_in_progress, demo_trusts, lead_for
from dspt.assurance import services
from dspt.assurance.models import Assessor, AuditFirm
from dspt.core.demo import DEMO_PASSWORD, DemoContext

ASSESSOR = "assessor@ledger-audit.example"


def populate(ctx: DemoContext) -> None:
    lead = User.objects.filter(email=CAF_LEAD).first()
    trusts = demo_trusts(ctx)
    if lead is None or len(trusts) < 2:
        return
    trust = trusts[0]
    assessment = trust.assessments.filter(audience="nhs-caf").order_by("-edition").first()
    if assessment is None:
        return
    firm, _ = AuditFirm.objects.get_or_create(name="Ledger and Lamp Audit LLP")
    user = User(username=ASSESSOR, email=ASSESSOR, full_name="Alys Morgan")
    user.set_password(DEMO_PASSWORD)
    user.save()
    Assessor.objects.create(user=user, firm=firm)

    # A reported review of another trust, for the national team's report list.
    other = trusts[1]
    other_lead = lead_for(other, "ig.lead@nhs-trust.example", "Imogen Hale")
    done = caf_in_progress(other, other_lead, ctx.today, share=1.0, below=0)
    if done is not None:
        sample = [a.outcome_id for a in done.outcome_answers.order_by("id")[:3]]
        review = services.review_invite(assessment=done, firm=firm, sample=sample, user=other_lead)
        for oid in sample:
            services.review_rate_outcome(
                review=review, outcome_id=oid, rating="achieved", confidence="high", user=user
            )
        services.review_report(
            review=review,
            assurance="substantial",
            confidence="high",
            summary="The sampled outcomes are well evidenced.",
            user=user,
        )
    # The demo CAF trust's own review is open: two of its answered outcomes are under review.
    sample = [a.outcome_id for a in assessment.outcome_answers.order_by("id")[:2]]
    if sample:
        services.review_invite(assessment=assessment, firm=firm, sample=sample, user=lead)
    ctx.log(
        f"Independent assessment: {firm.name} (sign in as {ASSESSOR}) reviewing {trust.name}; "
        f"one report issued on {other.name}"
    )
