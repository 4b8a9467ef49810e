"""The assessment API (mounted at /api/v1/assessments): everything the pages do.

Authenticate with a bearer token (limited to the token's organisation and its sites) or a signed-in
session with a CSRF token. Errors come back as {"detail": "..."}: 400 for values that cannot be
kept, 403 for read-only access, 404 for organisations you cannot see, 409 when someone else
changed or published the assessment since the version you sent.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from ninja import File, Router, Status, UploadedFile
from ninja.errors import HttpError

from dspt.assessments import selectors, services
from dspt.assessments.access import editable_organisation, visible_organisation
from dspt.assessments.editions import is_caf
from dspt.assessments.evaluation import Evaluation, ItemResult
from dspt.assessments.models import EvidenceDocument, Publication
from dspt.assessments.schemas import (
    AnswerIn,
    AnswerOut,
    AssessmentOut,
    DocumentOut,
    ItemOut,
    ProfileIn,
    ProfileSchema,
    PublicationOut,
    PublishIn,
    PublishPreviewOut,
)
from dspt.core.api_types import ErrorOut
from dspt.statuses.selectors import status_of

router = Router(tags=["assessments"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _org(request, ods_code: str, *, edit: bool = False):
    try:
        if edit:
            return editable_organisation(request, ods_code)
        return visible_organisation(request, ods_code)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except Http404:
        raise HttpError(404, "No organisation you can see has that ODS code.") from None


def _assessment(org):
    assessment = selectors.current_assessment(org)
    if assessment is None:
        raise HttpError(404, "This year's assessment has not been started.")
    if is_caf(assessment):
        # These operations read evidence items; a CAF assessment has outcomes (/api/v1/caf/…).
        raise HttpError(
            409,
            "This year's assessment is the CAF-aligned one: use the operations under "
            f"/api/v1/caf/{org.ods_code}.",
        )
    return assessment


def _fail(exc: services.AssessmentError):
    status = 409 if isinstance(exc, services.StaleVersion) else 400
    raise HttpError(status, str(exc)) from None


def _document_out(org, d: EvidenceDocument) -> dict:
    return {
        "id": d.pk,
        "item_id": d.item_id,
        "name": d.original_name,
        "content_type": d.content_type,
        "size": d.size,
        "uploaded_at": d.uploaded_at,
        "download_url": f"/api/v1/assessments/{org.ods_code}/documents/{d.pk}",
    }


def _item_out(org, r: ItemResult) -> dict:
    item, answer = r.item, r.answer
    return {
        "id": item.id,
        "standard": item.standard,
        "assertion_id": item.assertion_id,
        "question": item.question,
        "guidance": item.guidance,
        "response_type": str(item.response_type),
        "threshold": item.threshold,
        "max_age_days": item.max_age_days,
        "choices": [{"key": c.key, "label": c.label} for c in item.choices],
        "allow_na": item.allow_na,
        "mandatory": r.mandatory,
        "needed_for_approaching": r.approaching,
        "outcome": str(r.outcome),
        "value": answer.value if answer else None,
        "not_applicable": bool(answer and answer.not_applicable),
        "comment": answer.comment if answer else "",
        "carried_forward": bool(answer and answer.carried_forward),
        "documents": [_document_out(org, d) for d in r.documents],
    }


def _profile(assessment) -> dict:
    return {name: getattr(assessment, name) for name in services.PROFILE_FIELDS}


def _assessment_out(org, assessment, ev: Evaluation) -> dict:
    counts = ("answered", "total", "mandatory_met", "mandatory_total")
    counts += ("approaching_met", "approaching_total")
    return {
        "ods_code": org.ods_code,
        "organisation": org.name,
        "edition": assessment.edition,
        "audience": assessment.audience,
        "title": ev.edition.title,
        "deadline": ev.edition.deadline,
        "version": assessment.version,
        "profile": _profile(assessment),
        "progress": {
            "overall": {k: getattr(ev.overall, k) for k in counts},
            "standards": [
                {"number": s.number, "title": s.title}
                | {k: getattr(ev.by_standard[s.number], k) for k in counts}
                for s in ev.edition.standards
            ],
            "would_publish_as": ev.would_publish_as.value,
            "would_publish_label": ev.would_publish_as.label,
            "reasons": ev.reasons,
            "unmet_mandatory": [r.item.id for r in ev.unmet_mandatory],
            "unmet_approaching": [r.item.id for r in ev.unmet_approaching],
            "action_plan_attached": ev.action_plan_attached,
            "needs_improvement_plan": ev.needs_improvement_plan,
        },
        "items": [_item_out(org, r) for r in ev.results.values()],
    }


@router.get("/{ods_code}", response={200: AssessmentOut, **ERRORS})
def get_assessment(request, ods_code: str):
    """This year's assessment for an organisation: every item with its answer and outcome, the
    profile, and progress including the level publishing would give today."""
    org = _org(request, ods_code)
    assessment = _assessment(org)
    return _assessment_out(org, assessment, selectors.progress(assessment))


@router.post("/{ods_code}/start", response={201: AssessmentOut, **ERRORS})
def start_assessment(request, ods_code: str):
    """Start this year's assessment (answers to unchanged items carry forward); idempotent."""
    org = _org(request, ods_code, edit=True)
    try:
        assessment = services.start_assessment(org, request.user, request=request)
    except services.AssessmentError as exc:
        _fail(exc)
    return Status(201, _assessment_out(org, assessment, selectors.progress(assessment)))


@router.get("/{ods_code}/answers/{item_id}", response={200: ItemOut, **ERRORS})
def get_answer(request, ods_code: str, item_id: str):
    """One evidence item with its answer, outcome and documents."""
    org = _org(request, ods_code)
    ev = selectors.progress(_assessment(org))
    if item_id not in ev.results:
        raise HttpError(404, f"There is no evidence item {item_id} in this assessment.")
    return _item_out(org, ev.results[item_id])


@router.put("/{ods_code}/answers/{item_id}", response={200: AnswerOut, **ERRORS})
def put_answer(request, ods_code: str, item_id: str, payload: AnswerIn):
    """Answer an item. Send `expected_version` (from the last read) to be refused with 409
    instead of overwriting someone else's change."""
    org = _org(request, ods_code, edit=True)
    assessment = _assessment(org)
    before = assessment.version
    try:
        outcome = services.save_answer(
            assessment,
            item_id,
            value=payload.value,
            not_applicable=payload.not_applicable,
            comment=payload.comment,
            user=request.user,
            expected_version=payload.expected_version,
            request=request,
        )
    except services.AssessmentError as exc:
        _fail(exc)
    return {
        "item_id": item_id,
        "outcome": str(outcome),
        "version": assessment.version,
        "changed": assessment.version != before,
    }


@router.post("/{ods_code}/answers/{item_id}/documents", response={201: DocumentOut, **ERRORS})
def post_document(request, ods_code: str, item_id: str, file: File[UploadedFile]):
    """Attach a document to an item (item `action-plan` is the social care action plan)."""
    org = _org(request, ods_code, edit=True)
    assessment = _assessment(org)
    try:
        document = services.attach_document(
            assessment, item_id, file, request.user, request=request
        )
    except services.AssessmentError as exc:
        _fail(exc)
    return Status(201, _document_out(org, document))


def _document(org, document_id: int) -> EvidenceDocument:
    document = EvidenceDocument.objects.filter(pk=document_id, assessment__organisation=org).first()
    if document is None:
        raise HttpError(404, "No such document.")
    return document


@router.get("/{ods_code}/documents/{document_id}", response={200: None, **ERRORS})
def get_document(request, ods_code: str, document_id: int):
    """Download a document."""
    document = _document(_org(request, ods_code), document_id)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise HttpError(404, "The file is missing from storage.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@router.delete("/{ods_code}/documents/{document_id}", response={204: None, **ERRORS})
def delete_document(request, ods_code: str, document_id: int):
    """Remove a document from this year's assessment."""
    org = _org(request, ods_code, edit=True)
    document = _document(org, document_id)
    try:
        services.remove_document(document.assessment, document, request.user, request=request)
    except services.AssessmentError as exc:
        _fail(exc)
    return Status(204, None)


@router.get("/{ods_code}/profile", response={200: ProfileSchema, **ERRORS})
def get_profile(request, ods_code: str):
    """The organisation profile."""
    return _profile(_assessment(_org(request, ods_code)))


@router.put("/{ods_code}/profile", response={200: ProfileSchema, **ERRORS})
def put_profile(request, ods_code: str, payload: ProfileIn):
    """Replace the organisation profile."""
    org = _org(request, ods_code, edit=True)
    assessment = _assessment(org)
    try:
        services.update_profile(assessment, request.user, **payload.dict(), request=request)
    except services.AssessmentError as exc:
        _fail(exc)
    return _profile(assessment)


@router.get("/{ods_code}/publish", response={200: PublishPreviewOut, **ERRORS})
def publish_preview(request, ods_code: str):
    """What publishing now would give, and why; the sites a head office may cover."""
    org = _org(request, ods_code)
    assessment = _assessment(org)
    ev = selectors.progress(assessment)
    return {
        "edition": assessment.edition,
        "version": assessment.version,
        "would_publish_as": ev.would_publish_as.value,
        "status_label": f"{ev.edition.label} {ev.would_publish_as.label}",
        "reasons": ev.reasons,
        "unmet_mandatory": [r.item.id for r in ev.unmet_mandatory],
        "partly_met": [r.item.id for r in ev.partly_met],
        "coverable_sites": [
            {"ods_code": s.ods_code, "name": s.name} for s in services.coverable_sites(org)
        ],
    }


def _publication_out(org, publication: Publication, with_status: bool) -> dict:
    out = {
        "id": publication.pk,
        "edition": publication.edition,
        "level": publication.level,
        "published_on": publication.published_on,
        "covers": [s.ods_code for s in publication.covers.all()],
    }
    if with_status:
        status = status_of(org)
        out |= {
            "status": status.status.value,
            "status_label": status.label,
            "valid_until": status.valid_until,
            "unlocks": status.unlocks,
        }
    return out


@router.post("/{ods_code}/publish", response={201: PublicationOut, **ERRORS})
def publish(request, ods_code: str, payload: PublishIn):
    """Publish at the level the assessment reaches today. `expected_version` must be the version
    you reviewed: if someone else changed or published it since, the answer is 409."""
    org = _org(request, ods_code, edit=True)
    assessment = _assessment(org)
    try:
        publication = services.publish(
            assessment,
            request.user,
            covers=payload.covers,
            expected_version=payload.expected_version,
            request=request,
        )
    except services.AssessmentError as exc:
        _fail(exc)
    return Status(201, _publication_out(org, publication, with_status=True))


@router.get("/{ods_code}/publications", response={200: list[PublicationOut], **ERRORS})
def publications(request, ods_code: str):
    """The organisation's own publications, newest first."""
    org = _org(request, ods_code)
    return [_publication_out(org, p, False) for p in selectors.publication_history(org)]
