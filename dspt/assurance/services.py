"""Writes for independent assessment: invite, withdraw, agree the sample, rate, report.

Keyword-only `noun_verb` services, one transaction each, every write audited. Who may call which
is checked by the views through `selectors` (the organisation's admins invite and withdraw; the
invited firm's assessors do the rest while the review is open); the services check the state.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from dspt.accounts.models import Membership, OrgRole, OversightRole, User
from dspt.assessments.editions import caf_edition_of, is_caf
from dspt.assessments.models import Assessment
from dspt.assurance.models import (
    AssuranceLevel,
    AuditFirm,
    Confidence,
    OutcomeReview,
    Review,
    ReviewState,
)
from dspt.audit.services import record
from dspt.frameworks.caf import ACHIEVEMENT_LABELS
from dspt.notifications.services import notify

MAX_TEXT = 10_000


class ReviewRefused(ValueError):
    """A review change that cannot be made; the message is fit to show to the person."""


def sampled_outcome_locked(assessment: Assessment, outcome_id: str) -> str:
    """Why the organisation may not change this outcome now ("" if it may): an open review has
    it in its sample. Registered in caf_services.ANSWER_LOCKS by this app."""
    for review in Review.objects.filter(assessment=assessment, state=ReviewState.OPEN):
        if outcome_id in review.sample:
            return (
                f"{outcome_id} is under independent review by {review.firm.name}; its answer "
                "and evidence cannot change until the review is reported or withdrawn."
            )
    return ""


def _clean_sample(assessment: Assessment, sample: Iterable[str]) -> list[str]:
    edition = caf_edition_of(assessment)
    chosen = list(dict.fromkeys(str(s) for s in sample))
    unknown = [s for s in chosen if not edition.has_outcome(s)]
    if unknown:
        raise ReviewRefused(f"These are not outcomes of the assessment: {', '.join(unknown)}.")
    if not chosen:
        raise ReviewRefused("Choose at least one outcome for the assessor to review.")
    order = [o.id for o in edition.outcomes]
    return sorted(chosen, key=order.index)


def review_invite(
    *, assessment: Assessment, firm: AuditFirm, sample: Iterable[str], user, request=None
) -> Review:
    """Invite `firm` to review this CAF assessment's `sample` of outcomes.

    Raises ReviewRefused for an assessment that is not CAF-aligned, an empty or unknown sample,
    or when a review of it is already open.
    """
    if not is_caf(assessment):
        raise ReviewRefused("Only a CAF-aligned assessment can be independently assessed.")
    chosen = _clean_sample(assessment, sample)
    try:
        with transaction.atomic():
            review = Review.objects.create(
                organisation=assessment.organisation,
                assessment=assessment,
                edition=assessment.edition,
                firm=firm,
                sample=chosen,
                invited_by=user,
            )
            notify(
                User.objects.filter(assessor__firm=firm, is_active=True),
                organisation=assessment.organisation,
                kind="assurance.invited",
                title=f"{assessment.organisation.name} invites you to review its CAF assessment",
                body=(
                    f"{assessment.organisation.name} has invited {firm.name} to review "
                    f"{len(chosen)} outcomes of its {assessment.edition} CAF-aligned assessment."
                ),
                link=f"/assurance/reviews/{review.pk}/",
            )
            record(
                "assurance.invited",
                actor=user,
                organisation=assessment.organisation,
                obj=review,
                detail={"firm": firm.name, "edition": assessment.edition, "sample": chosen},
                request=request,
            )
    except IntegrityError:
        raise ReviewRefused(
            "A review of this assessment is already open. Withdraw it before inviting another."
        ) from None
    return review


def _locked_open(review: Review) -> Review:
    locked = Review.objects.select_for_update().select_related("firm").get(pk=review.pk)
    if locked.state != ReviewState.OPEN:
        raise ReviewRefused(f"This review is {locked.get_state_display().lower()}.")
    return locked


def review_withdraw(*, review: Review, user, request=None) -> Review:
    """End an open review before its report: the firm loses access, the answers unlock."""
    with transaction.atomic():
        locked = _locked_open(review)
        locked.state = ReviewState.WITHDRAWN
        locked.save(update_fields=["state"])
        record(
            "assurance.withdrawn",
            actor=user,
            organisation=locked.organisation,
            obj=locked,
            request=request,
        )
    return locked


def review_set_sample(*, review: Review, sample: Iterable[str], user, request=None) -> Review:
    """The assessor's agreed sample (ratings of outcomes dropped from it are removed)."""
    with transaction.atomic():
        locked = _locked_open(review)
        chosen = _clean_sample(locked.assessment, sample)
        locked.sample = chosen
        locked.save(update_fields=["sample"])
        locked.outcomes.exclude(outcome_id__in=chosen).delete()
        record(
            "assurance.sample_agreed",
            actor=user,
            organisation=locked.organisation,
            obj=locked,
            detail={"sample": chosen},
            request=request,
        )
    return locked


def review_rate_outcome(
    *,
    review: Review,
    outcome_id: str,
    rating: str,
    confidence: str,
    comment: str = "",
    user,
    request=None,
) -> OutcomeReview:
    """Record the assessor's own rating of a sampled outcome and their confidence in the
    organisation's self-assessment of it."""
    with transaction.atomic():
        locked = _locked_open(review)
        if outcome_id not in locked.sample:
            raise ReviewRefused(f"{outcome_id} is not in the sample of this review.")
        outcome = caf_edition_of(locked.assessment).outcome(outcome_id)
        problems = []
        if rating not in outcome.levels:
            labels = ", ".join(ACHIEVEMENT_LABELS[lv] for lv in outcome.levels)
            problems.append(f"Rate {outcome_id} as one of: {labels}.")
        if confidence not in Confidence.values:
            problems.append(
                "Say how confident you are in the self-assessment: high, medium or low."
            )
        if len(comment or "") > MAX_TEXT:
            problems.append(f"The comment is too long: at most {MAX_TEXT:,} characters.")
        if problems:
            raise ReviewRefused(" ".join(problems))
        rated, _ = OutcomeReview.objects.update_or_create(
            review=locked,
            outcome_id=outcome_id,
            defaults={
                "rating": rating,
                "confidence": confidence,
                "comment": (comment or "").strip(),
                "updated_at": timezone.now(),
            },
        )
        record(
            "assurance.outcome_rated",
            actor=user,
            organisation=locked.organisation,
            obj=locked,
            detail={"outcome": outcome_id, "rating": rating, "confidence": confidence},
            request=request,
        )
    return rated


def _report_readers(review: Review) -> list:
    """Who is told of a report: the organisation's admins and the programme team."""
    admins = User.objects.filter(
        pk__in=Membership.objects.filter(
            organisation=review.organisation, role=OrgRole.ADMIN
        ).values("user_id"),
        is_active=True,
    )
    national = User.objects.filter(oversight_role=OversightRole.PROGRAMME, is_active=True)
    return [*admins, *national]


def review_report(
    *, review: Review, assurance: str, confidence: str, summary: str = "", user, request=None
) -> Review:
    """Give the overall assurance level and confidence and issue the final report: the review
    closes, the firm's access ends and the report goes to the organisation and national team."""
    with transaction.atomic():
        locked = _locked_open(review)
        problems = []
        rated = set(locked.outcomes.values_list("outcome_id", flat=True))
        missing = [o for o in locked.sample if o not in rated]
        if missing:
            problems.append(f"Rate every outcome in the sample first: {', '.join(missing)}.")
        if assurance not in AssuranceLevel.values:
            problems.append("Choose the overall assurance level.")
        if confidence not in Confidence.values:
            problems.append("Choose your overall confidence in the self-assessment.")
        if len(summary or "") > MAX_TEXT:
            problems.append(f"The summary is too long: at most {MAX_TEXT:,} characters.")
        if problems:
            raise ReviewRefused(" ".join(problems))
        locked.assurance = assurance
        locked.confidence = confidence
        locked.summary = (summary or "").strip()
        locked.state = ReviewState.REPORTED
        locked.reported_by = user
        locked.reported_at = timezone.now()
        locked.save()
        notify(
            _report_readers(locked),
            organisation=locked.organisation,
            kind="assurance.reported",
            title=f"Independent assessment report: {locked.organisation.name}",
            body=(
                f"{locked.firm.name} reported {locked.get_assurance_display()} assurance on the "
                f"{locked.edition} CAF-aligned assessment of {locked.organisation.name}."
            ),
            link=f"/assurance/reports/{locked.pk}/",
        )
        record(
            "assurance.reported",
            actor=user,
            organisation=locked.organisation,
            obj=locked,
            detail={"assurance": assurance, "confidence": confidence},
            request=request,
        )
    return locked
