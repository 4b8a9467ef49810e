"""Access requests API (/api/v1/access/), on the same services and scoping as the pages.

Applicants (a signed-in member, or a token of the applying or co-applicant organisation) see
their own and their co-applicants' requests; the processing centre sees every request past draft
and reviews and decides. Refusals: 403 `{"detail"}` when the caller may not take the step, 409
`{"detail"}` when the rules do not allow it now (the wrong stage, an unconfirmed co-applicant,
a question with none waiting), 422 for values the rules refuse. The reviewer of a version
deciding it is a 403: the same person may not review and approve.
"""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from dspt.access import selectors, services
from dspt.access.models import (
    AccessRequest,
    Controllers,
    Dataset,
    Decision,
    LegalBasis,
    Outputs,
    Recommendation,
    RequestVersion,
)
from dspt.core.api_types import Day, ErrorOut
from dspt.organisations.models import Organisation

router = Router(tags=["data access requests"])
REFUSED = {403: ErrorOut, 409: ErrorOut}


class AccessTermsIn(Schema):
    datasets: list[Dataset] = Field(min_length=1)
    local_authorities: list[str] = Field(min_length=1, description="ONS codes of the LAs")
    period_start: Day
    period_end: Day
    purpose: str = Field(min_length=1, max_length=4000)
    legal_basis: LegalBasis
    outputs: Outputs
    retention: str = Field("", max_length=2000)
    destroy_by: Day


class AccessRequestIn(AccessTermsIn):
    applicant: str = Field(description="The applying organisation's ODS code")
    title: str = Field(min_length=1, max_length=200)
    controllers: Controllers
    coapplicants: list[str] = Field([], description="ODS codes of joint controllers")
    template: str = ""


class AccessAmendmentIn(AccessTermsIn):
    change_note: str = Field(min_length=1, max_length=2000)


class AccessConfirmIn(Schema):
    organisation: str = Field(description="The co-applicant's ODS code")


class AccessTextIn(Schema):
    text: str = Field(min_length=1, max_length=4000)


class AccessReviewIn(Schema):
    recommendation: Recommendation
    note: str = Field("", max_length=4000)


class AccessDecideIn(Schema):
    decision: Decision
    reasons: str = Field(min_length=1, max_length=4000)


class AccessCoApplicantOut(Schema):
    organisation: str
    name: str
    confirmed: bool
    confirmed_at: datetime | None = None


class AccessMessageOut(Schema):
    kind: str
    version: int
    text: str
    created_at: datetime


class AccessVersionOut(Schema):
    number: int
    datasets: list[str]
    local_authorities: list[str]
    period_start: Day
    period_end: Day
    purpose: str
    legal_basis: str
    outputs: str
    retention: str
    destroy_by: Day
    controllers: str
    change_note: str
    submitted_at: datetime | None = None
    reviewed_at: datetime | None = None
    recommendation: str
    decided_at: datetime | None = None
    decision: str
    reasons: str
    agreement: str | None = None
    agreement_active: bool | None = None


class AccessRequestOut(Schema):
    id: int
    reference: str
    title: str
    applicant: str
    status: str
    status_label: str
    template: str
    coapplicants: list[AccessCoApplicantOut]
    versions: list[AccessVersionOut]
    thread: list[AccessMessageOut]


class AccessTemplateOut(Schema):
    key: str
    title: str
    description: str
    datasets: list[str]
    outputs: str
    legal_basis: str
    controllers: str


def _version(v: RequestVersion) -> dict:
    return {
        **{k: getattr(v, k) for k in services.TERMS},
        "number": v.number,
        "local_authorities": sorted(o.ods_code for o in v.local_authorities.all()),
        "change_note": v.change_note,
        "submitted_at": v.submitted_at,
        "reviewed_at": v.reviewed_at,
        "recommendation": v.recommendation,
        "decided_at": v.decided_at,
        "decision": v.decision,
        "reasons": v.reasons,
        "agreement": v.agreement.reference if v.agreement else None,
        "agreement_active": v.agreement.active if v.agreement else None,
    }


def _out(req: AccessRequest) -> dict:
    return {
        "id": req.pk,
        "reference": req.reference,
        "title": req.title,
        "applicant": req.applicant.ods_code,
        "status": req.status,
        "status_label": req.get_status_display(),
        "template": req.template,
        "coapplicants": [
            {
                "organisation": c.organisation.ods_code,
                "name": c.organisation.name,
                "confirmed": c.confirmed,
                "confirmed_at": c.confirmed_at,
            }
            for c in req.coapplicants.select_related("organisation")
        ],
        "versions": [
            _version(v)
            for v in req.versions.select_related("agreement").prefetch_related("local_authorities")
        ],
        "thread": [
            {
                "kind": m.kind,
                "version": m.version.number,
                "text": m.text,
                "created_at": m.created_at,
            }
            for m in req.messages.select_related("version")
        ],
    }


def _visible(request):
    return selectors.within_token(request, selectors.visible_to(request.user))


def _get(request, request_id: int) -> AccessRequest:
    return get_object_or_404(_visible(request), pk=request_id)


def _token_org(request) -> int | None:
    token = getattr(request, "api_token", None)
    return token.organisation_id if token is not None else None


def _step(fn, **kwargs):
    """Run a service; its refusals become 403 (not allowed) or 409 (not now)."""
    try:
        return fn(**kwargs)
    except services.AccessDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except services.AccessError as exc:
        raise HttpError(409, str(exc)) from exc


def _las(codes: list[str]) -> list[Organisation]:
    found = {
        o.ods_code: o for o in selectors.local_authority_organisations().filter(ods_code__in=codes)
    }
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise HttpError(422, f"No local authority has the code {', '.join(unknown)}.")
    return [found[c] for c in dict.fromkeys(codes)]


def _terms(payload: AccessTermsIn) -> dict:
    return {
        "datasets": [str(d) for d in payload.datasets],
        "period_start": payload.period_start,
        "period_end": payload.period_end,
        "purpose": payload.purpose,
        "legal_basis": str(payload.legal_basis),
        "outputs": str(payload.outputs),
        "retention": payload.retention,
        "destroy_by": payload.destroy_by,
    }


@router.get("/templates", response=list[AccessTemplateOut])
def list_templates(request):
    """The standard application templates that pre-fill a new request."""
    return [{**t.__dict__, "datasets": list(t.datasets)} for t in selectors.templates()]


@router.get("/requests", response=list[AccessRequestOut])
def list_requests(request):
    """Requests you can see: your organisations' and those you are a co-applicant on; every
    request past draft for the processing centre."""
    return [_out(r) for r in _visible(request)[:200]]


@router.get("/requests/{request_id}", response=AccessRequestOut)
def get_request(request, request_id: int):
    """One request: where it is, its versions, co-applicants and thread."""
    return _out(_get(request, request_id))


@router.post("/requests", response={201: AccessRequestOut, **REFUSED})
def create_request(request, payload: AccessRequestIn):
    """Start a request (a draft) for your organisation. 403: you may not apply for it."""
    applicant = Organisation.objects.filter(ods_code=payload.applicant).first()
    token_org = _token_org(request)
    if applicant is None or (token_org is not None and applicant.pk != token_org):
        raise HttpError(403, f"You cannot apply for {payload.applicant}.")
    found = {o.ods_code: o for o in Organisation.objects.filter(ods_code__in=payload.coapplicants)}
    unknown = [c for c in payload.coapplicants if c not in found]
    if unknown:
        raise HttpError(422, f"No organisation has the ODS code {', '.join(unknown)}.")
    try:
        req = services.request_create(
            user=request.user,
            applicant=applicant,
            title=payload.title,
            local_authorities=_las(payload.local_authorities),
            coapplicants=[found[c] for c in payload.coapplicants],
            template=payload.template if selectors.template(payload.template) else "",
            controllers=str(payload.controllers),
            request=request,
            **_terms(payload),
        )
    except services.AccessDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except services.AccessError as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(201, _out(req))


@router.post("/requests/{request_id}/submit", response={200: AccessRequestOut, **REFUSED})
def submit_request(request, request_id: int):
    """Send a draft for review (it waits for any co-applicant still to confirm)."""
    req = _get(request, request_id)
    _step(services.request_submit, user=request.user, req=req, request=request)
    return _out(req)


@router.post("/requests/{request_id}/confirm", response={200: AccessRequestOut, **REFUSED})
def confirm_request(request, request_id: int, payload: AccessConfirmIn):
    """Confirm, for a co-applicant organisation, that it is a joint controller."""
    req = _get(request, request_id)
    org = get_object_or_404(Organisation, ods_code=payload.organisation)
    token_org = _token_org(request)
    if token_org is not None and org.pk != token_org:
        raise HttpError(403, f"This token cannot confirm for {org.ods_code}.")
    _step(
        services.coapplicant_confirm, user=request.user, req=req, organisation=org, request=request
    )
    req.refresh_from_db()
    return _out(req)


@router.post("/requests/{request_id}/answer", response={200: AccessRequestOut, **REFUSED})
def answer_request(request, request_id: int, payload: AccessTextIn):
    """Answer the reviewer's questions; the request goes back for review."""
    req = _get(request, request_id)
    _step(services.request_answer, user=request.user, req=req, answer=payload.text, request=request)
    return _out(req)


@router.post("/requests/{request_id}/amendments", response={201: AccessRequestOut, **REFUSED})
def amend_request(request, request_id: int, payload: AccessAmendmentIn):
    """Start an amendment to the live agreement: a new version with these terms (a draft)."""
    req = _get(request, request_id)
    las = _las(payload.local_authorities)
    _step(
        services.amendment_start,
        user=request.user,
        req=req,
        change_note=payload.change_note,
        local_authorities=las,
        request=request,
        **_terms(payload),
    )
    req.refresh_from_db()
    return Status(201, _out(req))


@router.post("/requests/{request_id}/questions", response={200: AccessRequestOut, **REFUSED})
def send_back_request(request, request_id: int, payload: AccessTextIn):
    """Send questions back to the applicant (processing centre)."""
    req = _get(request, request_id)
    _step(
        services.request_send_back,
        user=request.user,
        req=req,
        questions=payload.text,
        request=request,
    )
    return _out(req)


@router.post("/requests/{request_id}/review", response={200: AccessRequestOut, **REFUSED})
def review_request(request, request_id: int, payload: AccessReviewIn):
    """Recommend approval or rejection (processing centre); another person then decides."""
    req = _get(request, request_id)
    _step(
        services.request_review,
        user=request.user,
        req=req,
        recommendation=str(payload.recommendation),
        note=payload.note,
        request=request,
    )
    return _out(req)


@router.post("/requests/{request_id}/decide", response={200: AccessRequestOut, **REFUSED})
def decide_request(request, request_id: int, payload: AccessDecideIn):
    """Approve (an agreement is issued) or reject with reasons (processing centre). 403 for the
    person who reviewed this version: the same person may not review and approve."""
    req = _get(request, request_id)
    _step(
        services.request_decide,
        user=request.user,
        req=req,
        decision=str(payload.decision),
        reasons=payload.reasons,
        request=request,
    )
    req.refresh_from_db()
    return _out(req)
