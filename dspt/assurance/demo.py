"""Demo plug-in: an audit firm with an assessor sign-in, an open review of the demo trust's CAF
assessment (two answered outcomes sampled) and a reported review of another trust, so the
national team has a report to read. Reviews write no publication: recorded figures stay."""

from __future__ import annotations

from dspt.accounts.models import Membership, OrgRole, User
from dspt.assessments.demo import caf_in_progress
from dspt.assurance import services
from dspt.assurance.models import Assessor, AuditFirm
from dspt.core.demo import DEMO_PASSWORD, DemoContext
from dspt.organisations.models import OrgType


def populate(ctx: DemoContext) -> None:
    admin = ctx.users.get("trust_admin")
    membership = Membership.objects.filter(user=admin).select_related("organisation").first()
    if membership is None:
        return
    trust = membership.organisation
    assessment = trust.assessments.filter(audience="nhs-caf").order_by("-edition").first()
    if assessment is None:
        return
    firm, _ = AuditFirm.objects.get_or_create(name="Ledger and Lamp Audit LLP")
    user = User(
        username="assessor@ledger-audit.example",
        email="assessor@ledger-audit.example",
        full_name="Alys Morgan",
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    Assessor.objects.create(user=user, firm=firm)
    # Logged rather than added to ctx's sign-ins: that list is the demo app's fixed cast.
    ctx.log(f"Assessor at {firm.name}: {user.email} (the demo password)")

    # A reported review of another trust, for the national team's report list.
    other = next(
        (o for o in ctx.nhs_organisations if o.org_type == OrgType.NHS_TRUST and o.pk != trust.pk),
        None,
    )
    if other is not None:
        other_admin = User.objects.create(
            username=f"ig.lead@{other.ods_code.lower()}.demo.dspt.example",
            email=f"ig.lead@{other.ods_code.lower()}.demo.dspt.example",
            full_name="Information governance lead",
        )
        Membership.objects.create(user=other_admin, organisation=other, role=OrgRole.ADMIN)
        done = caf_in_progress(other, other_admin, ctx.today, share=1.0, below=0)
        if done is not None:
            sample = [o.outcome_id for o in done.outcome_answers.order_by("id")[:3]]
            review = services.review_invite(
                assessment=done, firm=firm, sample=sample, user=other_admin
            )
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
    # The demo trust's own review is open: two of its answered outcomes are under review.
    sample = [a.outcome_id for a in assessment.outcome_answers.order_by("id")[:2]]
    if sample:
        services.review_invite(assessment=assessment, firm=firm, sample=sample, user=admin)
    ctx.log(f"Independent assessment: {firm.name} reviewing {trust.name}; one report issued")
