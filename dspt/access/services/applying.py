"""The applicant's steps: apply, send for review, co-applicants confirm, answer questions,
amend a live agreement, withdraw."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from dspt.access import selectors
from dspt.access.models import (
    AccessRequest,
    CoApplicant,
    Controllers,
    Message,
    RequestVersion,
    Stage,
)
from dspt.access.services.common import (
    TERMS,
    AccessDenied,
    AccessError,
    audit_step,
    check_terms,
    next_reference,
    set_status,
    tell,
)
from dspt.core.dates import today
from dspt.organisations.models import Organisation


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
    check_terms(terms, las)
    if terms["controllers"] == Controllers.JOINT and not others:
        raise AccessError("Name at least one co-applicant for joint controllers.")
    if terms["controllers"] == Controllers.SOLE and others:
        raise AccessError("A sole controller has no co-applicants; choose joint controllers.")
    if not (title or "").strip():
        raise AccessError("Give the request a title.")
    with transaction.atomic():
        req = AccessRequest.objects.create(
            reference=next_reference(today()),
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
        audit_step(
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
            set_status(req, Stage.AWAITING_COAPPLICANTS)
            audit_step(
                "awaiting_coapplicants",
                user=user,
                req=req,
                request=request,
                waiting_for=[c.organisation.ods_code for c in pending],
            )
            tell(
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
    set_status(req, Stage.SUBMITTED)
    audit_step("submitted", user=user, req=req, request=request, version=version.number)
    tell(
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
        audit_step(
            "coapplicant_confirmed",
            user=user,
            req=req,
            request=request,
            organisation=organisation.ods_code,
        )
        tell(
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
        set_status(req, Stage.SUBMITTED)
        audit_step("answered", user=user, req=req, request=request, version=version.number)
        tell(
            selectors.centre_people(),
            req,
            "answered",
            f"{req.reference} answered and back for review",
            f"{req.applicant.name} answered the questions on '{req.title}'.",
        )
    return msg


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
    check_terms(terms, las)
    with transaction.atomic():
        version = RequestVersion.objects.create(
            request=req,
            number=newest + 1,
            created_by=user,
            change_note=change_note.strip(),
            **terms,
        )
        version.local_authorities.set(las)
        set_status(req, Stage.DRAFT)
        audit_step("amendment_started", user=user, req=req, request=request, version=version.number)
    return version


def request_withdraw(*, user, req: AccessRequest, request=None) -> AccessRequest:
    """The applicant withdraws the version not yet decided. A request withdraws as a whole; an
    amendment withdraws alone, and the live agreement and its approved request stand."""
    if not selectors.may_act_for_applicant(user, req):
        raise AccessDenied("Only the applicant's members and admins withdraw a request.")
    if req.status in (Stage.APPROVED, Stage.REJECTED, Stage.WITHDRAWN):
        raise AccessError("A decided or withdrawn request cannot be withdrawn.")
    version = req.current
    amendment = req.live_agreement is not None
    with transaction.atomic():
        version.withdrawn_at = timezone.now()
        version.save(update_fields=["withdrawn_at"])
        set_status(req, Stage.APPROVED if amendment else Stage.WITHDRAWN)
        audit_step(
            "amendment_withdrawn" if amendment else "withdrawn",
            user=user,
            req=req,
            request=request,
            version=version.number,
        )
        if version.submitted_at or (req.first_submitted_at and not amendment):
            what = f"version {version.number} of" if amendment else ""
            tell(
                selectors.centre_people(),
                req,
                "withdrawn",
                f"{req.reference} withdrawn",
                f"{req.applicant.name} withdrew {what} '{req.title}'.".replace("  ", " "),
            )
    return req
