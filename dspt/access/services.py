"""Writes: every step of a data access request, each one transaction, audited and notified.

Stages (docs/access-requests.md): draft → (co-applicants confirm) → submitted → questions sent
back ⇄ answered → reviewed → approved (an agreement is issued) or rejected. An amendment is a new
version of an approved request, starting from its live terms, through the same stages.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from dspt.access import selectors
from dspt.access.models import (
    AccessRequest,
    CoApplicant,
    Controllers,
    Dataset,
    Decision,
    LegalBasis,
    Message,
    Outputs,
    Recommendation,
    RequestVersion,
    Stage,
)
from dspt.audit.services import record
from dspt.cld.services.agreements import create_agreement, set_agreement_active
from dspt.core.dates import today
from dspt.notifications.services import notify
from dspt.organisations.models import Organisation, OrgType


class AccessError(Exception):
    """A step the rules do not allow now; the message is safe to show."""


class AccessDenied(AccessError):
    """A step this person may not take."""


TERMS = (
    "datasets",
    "period_start",
    "period_end",
    "purpose",
    "legal_basis",
    "outputs",
    "retention",
    "destroy_by",
    "controllers",
)


def _link(req: AccessRequest) -> str:
    return f"/access/{req.pk}/"


def _tell(users, req: AccessRequest, kind: str, title: str, body: str) -> None:
    notify(
        users,
        organisation=req.applicant,
        kind=f"access.{kind}",
        title=title,
        body=body,
        link=_link(req),
    )


def _audit(action: str, *, user, req: AccessRequest, request=None, **detail) -> None:
    record(
        f"access.{action}",
        actor=user,
        organisation=req.applicant,
        obj=req,
        detail={"reference": req.reference, **detail},
        request=request,
    )


def _set_status(req: AccessRequest, status: str) -> None:
    req.status = status
    req.updated_at = timezone.now()
    req.save(update_fields=["status", "updated_at"])


def _check_terms(terms: dict, local_authorities: list[Organisation]) -> None:
    problems = []
    datasets = list(terms.get("datasets") or [])
    if not datasets:
        problems.append("Choose at least one dataset.")
    unknown = [d for d in datasets if d not in Dataset.values]
    if unknown:
        problems.append(f"Unknown dataset: {', '.join(unknown)}.")
    if not local_authorities:
        problems.append("Choose at least one local authority.")
    if any(o.org_type != OrgType.LOCAL_AUTHORITY for o in local_authorities):
        problems.append("Only local authorities can be chosen as the area covered.")
    if terms["period_end"] < terms["period_start"]:
        problems.append("The period must end on or after the day it starts.")
    if terms["destroy_by"] < terms["period_end"]:
        problems.append("The destruction date must be on or after the end of the period.")
    if not (terms.get("purpose") or "").strip():
        problems.append("Say what the data is for.")
    for name, choices in (
        ("legal_basis", LegalBasis),
        ("outputs", Outputs),
        ("controllers", Controllers),
    ):
        if terms.get(name) not in choices.values:
            problems.append(f"Choose a {name.replace('_', ' ')}.")
    if problems:
        raise AccessError(" ".join(problems))


def _next_reference(on: date) -> str:
    prefix = f"AR-{on.year}-"
    taken = AccessRequest.objects.filter(reference__startswith=prefix).count()
    n = taken + 1
    while AccessRequest.objects.filter(reference=f"{prefix}{n:04d}").exists():
        n += 1
    return f"{prefix}{n:04d}"


def request_create(
    *,
    user,
    applicant: Organisation,
    title: str,
    local_authorities: Iterable[Organisation],
    coapplicants: Iterable[Organisation] = (),
    template: str = "",
    request=None,
    **terms,
) -> AccessRequest:
    """Start a request (a draft) with its first version of the terms."""
    if not selectors.applying_organisations(user).filter(pk=applicant.pk).exists():
        raise AccessDenied(f"You cannot apply for {applicant.name}.")
    las = list(local_authorities)
    others = [o for o in dict.fromkeys(coapplicants) if o.pk != applicant.pk]
    _check_terms(terms, las)
    if terms["controllers"] == Controllers.JOINT and not others:
        raise AccessError("Name at least one co-applicant for joint controllers.")
    if terms["controllers"] == Controllers.SOLE and others:
        raise AccessError("A sole controller has no co-applicants; choose joint controllers.")
    if not (title or "").strip():
        raise AccessError("Give the request a title.")
    with transaction.atomic():
        req = AccessRequest.objects.create(
            reference=_next_reference(today()),
            title=title.strip()[:200],
            applicant=applicant,
            template=template,
            created_by=user,
        )
        version = RequestVersion.objects.create(
            request=req, number=1, created_by=user, **{k: terms[k] for k in TERMS}
        )
        version.local_authorities.set(las)
        CoApplicant.objects.bulk_create(CoApplicant(request=req, organisation=o) for o in others)
        _audit(
            "created",
            user=user,
            req=req,
            request=request,
            template=template,
            coapplicants=[o.ods_code for o in others],
        )
    return req


def request_submit(*, user, req: AccessRequest, request=None) -> AccessRequest:
    """Send a draft for review. While any co-applicant has not confirmed, it waits for them and
    the centre does not see it as ready; the last confirmation sends it on."""
    if not selectors.may_act_for_applicant(user, req):
        raise AccessDenied("Only the applicant's members and admins send a request for review.")
    if req.status != Stage.DRAFT:
        raise AccessError(f"The request is {req.get_status_display().lower()}, not a draft.")
    pending = list(
        req.coapplicants.filter(confirmed_at__isnull=True).select_related("organisation")
    )
    with transaction.atomic():
        now = timezone.now()
        if req.first_submitted_at is None:
            req.first_submitted_at = now
            req.save(update_fields=["first_submitted_at"])
        if pending:
            _set_status(req, Stage.AWAITING_COAPPLICANTS)
            _audit(
                "awaiting_coapplicants",
                user=user,
                req=req,
                request=request,
                waiting_for=[c.organisation.ods_code for c in pending],
            )
            _tell(
                selectors.people_of(*[c.organisation for c in pending]),
                req,
                "confirm",
                f"Confirm you are a co-applicant on {req.reference}",
                f"{req.applicant.name} names your organisation as a joint controller on "
                f"'{req.title}'. It goes for review once every co-applicant confirms.",
            )
        else:
            _send_for_review(user=user, req=req, request=request)
    return req


def _send_for_review(*, user, req: AccessRequest, request=None) -> None:
    version = req.current
    version.submitted_at = timezone.now()
    version.save(update_fields=["submitted_at"])
    _set_status(req, Stage.SUBMITTED)
    _audit("submitted", user=user, req=req, request=request, version=version.number)
    _tell(
        selectors.centre_people(),
        req,
        "submitted",
        f"{req.reference} is waiting for review",
        f"{req.applicant.name} asks for data: '{req.title}' (version {version.number}).",
    )


def coapplicant_confirm(
    *, user, req: AccessRequest, organisation: Organisation, request=None
) -> CoApplicant:
    """A co-applicant's member or admin confirms their organisation is a joint controller."""
    entry = selectors.confirmable_by(user, req).filter(organisation=organisation).first()
    if entry is None:
        if req.coapplicants.filter(organisation=organisation, confirmed_at__isnull=False).exists():
            raise AccessError(f"{organisation.name} has already confirmed.")
        raise AccessDenied(f"You cannot confirm for {organisation.name} on this request.")
    if req.status not in (Stage.DRAFT, Stage.AWAITING_COAPPLICANTS):
        raise AccessError("Co-applicants confirm before the request goes for review.")
    with transaction.atomic():
        entry.confirmed_by, entry.confirmed_at = user, timezone.now()
        entry.save(update_fields=["confirmed_by", "confirmed_at"])
        _audit(
            "coapplicant_confirmed",
            user=user,
            req=req,
            request=request,
            organisation=organisation.ods_code,
        )
        _tell(
            selectors.people_of(req.applicant),
            req,
            "confirmed",
            f"{organisation.name} confirmed on {req.reference}",
            f"{organisation.name} confirmed it is a co-applicant on '{req.title}'.",
        )
        if (
            req.status == Stage.AWAITING_COAPPLICANTS
            and not req.coapplicants.filter(confirmed_at__isnull=True).exists()
        ):
            _send_for_review(user=user, req=req, request=request)
    return entry


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
        _set_status(req, Stage.QUESTIONS)
        _audit("questions_sent", user=user, req=req, request=request, version=version.number)
        _tell(
            selectors.people_of(req.applicant),
            req,
            "questions",
            f"Questions about {req.reference}",
            "The processing centre has questions about your request. Answer them to send it "
            "back for review.",
        )
    return msg


def request_answer(*, user, req: AccessRequest, answer: str, request=None) -> Message:
    """The applicant answers the questions; the request goes back for review."""
    if not selectors.may_act_for_applicant(user, req):
        raise AccessDenied("Only the applicant's members and admins answer questions.")
    if req.status != Stage.QUESTIONS:
        raise AccessError("There are no questions waiting for an answer.")
    if not answer.strip():
        raise AccessError("Write your answer.")
    version = req.current
    with transaction.atomic():
        msg = Message.objects.create(
            request=req, version=version, kind=Message.Kind.ANSWER, author=user, text=answer.strip()
        )
        _set_status(req, Stage.SUBMITTED)
        _audit("answered", user=user, req=req, request=request, version=version.number)
        _tell(
            selectors.centre_people(),
            req,
            "answered",
            f"{req.reference} answered and back for review",
            f"{req.applicant.name} answered the questions on '{req.title}'.",
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
        _set_status(req, Stage.REVIEWED)
        _audit(
            "reviewed",
            user=user,
            req=req,
            request=request,
            version=version.number,
            recommendation=recommendation,
        )
        _tell(
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
        _set_status(req, Stage.APPROVED if approved else Stage.REJECTED)
        _audit(
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
        _tell(
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


def amendment_start(
    *,
    user,
    req: AccessRequest,
    change_note: str,
    request=None,
    local_authorities: Iterable[Organisation] | None = None,
    **changes,
) -> RequestVersion:
    """Start an amendment to a live agreement: a new version (a draft) that starts from the
    approved terms, with the changes asked for (add a dataset, extend the period, add local
    authorities). It goes through the same stages; the earlier versions stay on record."""
    if not selectors.may_act_for_applicant(user, req):
        raise AccessDenied("Only the applicant's members and admins amend a request.")
    live = req.live_version
    if req.status != Stage.APPROVED or live is None:
        raise AccessError("Only an approved request with a live agreement can be amended.")
    if not change_note.strip():
        raise AccessError("Say what the amendment changes.")
    newest = req.current.number
    terms = {k: getattr(live, k) for k in TERMS}
    terms.update({k: v for k, v in changes.items() if k in TERMS and v is not None})
    las = (
        list(local_authorities)
        if local_authorities is not None
        else list(live.local_authorities.all())
    )
    _check_terms(terms, las)
    with transaction.atomic():
        version = RequestVersion.objects.create(
            request=req,
            number=newest + 1,
            created_by=user,
            change_note=change_note.strip(),
            **terms,
        )
        version.local_authorities.set(las)
        _set_status(req, Stage.DRAFT)
        _audit("amendment_started", user=user, req=req, request=request, version=version.number)
    return version


def request_withdraw(*, user, req: AccessRequest, request=None) -> AccessRequest:
    """The applicant withdraws a request that is not yet decided (a live agreement stands)."""
    if not selectors.may_act_for_applicant(user, req):
        raise AccessDenied("Only the applicant's members and admins withdraw a request.")
    if req.status in (Stage.APPROVED, Stage.REJECTED, Stage.WITHDRAWN):
        raise AccessError("A decided or withdrawn request cannot be withdrawn.")
    if req.live_agreement is not None:
        raise AccessError("This request has a live agreement; ask the processing centre to end it.")
    with transaction.atomic():
        _set_status(req, Stage.WITHDRAWN)
        _audit("withdrawn", user=user, req=req, request=request, version=req.current.number)
        if req.first_submitted_at:
            _tell(
                selectors.centre_people(),
                req,
                "withdrawn",
                f"{req.reference} withdrawn",
                f"{req.applicant.name} withdrew '{req.title}'.",
            )
    return req
