"""The processing centre's steps: send questions back, review, decide; approval issues a data
sharing agreement (and ends the one an amendment replaces)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dspt.access import selectors
from dspt.access.models import (
    AccessRequest,
    Decision,
    Message,
    Recommendation,
    RequestVersion,
    Stage,
)
from dspt.access.services.common import AccessDenied, AccessError, audit_step, set_status, tell
from dspt.cld.services.agreements import create_agreement, set_agreement_active


def _centre_only(user) -> None:
    if not selectors.is_centre(user):
        raise AccessDenied("Only the processing centre reviews and decides requests.")


def request_send_back(*, user, req: AccessRequest, questions: str, request=None) -> Message:
    """The reviewer sends questions back to the applicant (kept in the request's thread)."""
    _centre_only(user)
    if req.status != Stage.SUBMITTED:
        raise AccessError("Questions are sent on a request waiting for review.")
    if not questions.strip():
        raise AccessError("Write the questions for the applicant.")
    version = req.current
    with transaction.atomic():
        msg = Message.objects.create(
            request=req,
            version=version,
            kind=Message.Kind.QUESTION,
            author=user,
            text=questions.strip(),
        )
        set_status(req, Stage.QUESTIONS)
        audit_step("questions_sent", user=user, req=req, request=request, version=version.number)
        tell(
            selectors.people_of(req.applicant),
            req,
            "questions",
            f"Questions about {req.reference}",
            "The processing centre has questions about your request. Answer them to send it "
            "back for review.",
        )
    return msg


def request_review(
    *, user, req: AccessRequest, recommendation: str, note: str = "", request=None
) -> RequestVersion:
    """The reviewer recommends approval or rejection; a different person then decides."""
    _centre_only(user)
    if req.status != Stage.SUBMITTED:
        raise AccessError("Only a request waiting for review can be reviewed.")
    if req.coapplicants.filter(confirmed_at__isnull=True).exists():
        raise AccessError("Every co-applicant must confirm before review.")
    if recommendation not in Recommendation.values:
        raise AccessError("Recommend approval or rejection.")
    version = req.current
    with transaction.atomic():
        version.reviewed_by, version.reviewed_at = user, timezone.now()
        version.recommendation, version.review_note = recommendation, note.strip()
        version.save(update_fields=["reviewed_by", "reviewed_at", "recommendation", "review_note"])
        set_status(req, Stage.REVIEWED)
        audit_step(
            "reviewed",
            user=user,
            req=req,
            request=request,
            version=version.number,
            recommendation=recommendation,
        )
        tell(
            selectors.centre_people(excluding=user),
            req,
            "reviewed",
            f"{req.reference} is waiting for a decision",
            f"Reviewed by {user.display_name}, who recommends: "
            f"{Recommendation(recommendation).label.lower()}.",
        )
    return version


def request_decide(
    *, user, req: AccessRequest, decision: str, reasons: str, request=None
) -> RequestVersion:
    """The approver approves (an agreement is issued) or rejects with reasons. The person who
    reviewed this version may not decide it."""
    _centre_only(user)
    if req.status != Stage.REVIEWED:
        raise AccessError("Only a reviewed request can be decided.")
    version = req.current
    if version.reviewed_by_id == user.pk:
        raise AccessDenied(
            "You reviewed this version, so someone else must decide it: the same person may "
            "not review and approve."
        )
    if decision not in Decision.values:
        raise AccessError("Approve or reject.")
    if not reasons.strip():
        raise AccessError("Give the reasons for the decision.")
    with transaction.atomic():
        version.decided_by, version.decided_at = user, timezone.now()
        version.decision, version.reasons = decision, reasons.strip()
        if decision == Decision.APPROVED:
            previous = req.live_agreement
            version.agreement = _issue(user=user, version=version, request=request)
            if previous is not None:
                set_agreement_active(previous, False, user=user, request=request)
        version.save(update_fields=["decided_by", "decided_at", "decision", "reasons", "agreement"])
        # A rejected amendment leaves the live agreement standing: the request stays approved.
        approved = decision == Decision.APPROVED or req.live_agreement is not None
        set_status(req, Stage.APPROVED if approved else Stage.REJECTED)
        audit_step(
            decision,
            user=user,
            req=req,
            request=request,
            version=version.number,
            agreement=version.agreement.reference if version.agreement else "",
        )
        coapplicants = [c.organisation for c in req.coapplicants.select_related("organisation")]
        body = (
            f"Agreement {version.agreement.reference} is issued."
            if version.agreement
            else f"Reasons: {version.reasons}"
        )
        tell(
            [*selectors.people_of(req.applicant, *coapplicants), version.reviewed_by],
            req,
            decision,
            f"{req.reference} version {version.number} {Decision(decision).label.lower()}",
            body,
        )
    return version


def _issue(*, user, version: RequestVersion, request=None):
    """The data sharing agreement issued from an approved version."""
    req = version.request
    return create_agreement(
        user=user,
        recipient=req.applicant,
        local_authorities=list(version.local_authorities.all()),
        period_start=version.period_start,
        period_end=version.period_end,
        purpose=version.purpose,
        expires_on=version.destroy_by,
        reference=f"{req.reference}-v{version.number}",
        datasets=version.datasets,
        request=request,
    )
