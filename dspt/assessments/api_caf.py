"""The CAF-aligned assessment API (mounted at /api/v1/caf): read an NHS organisation's CAF
assessment for the open year and answer one outcome, as the pages do.

Access as for every assessment operation (dspt.assessments.access; a token never reaches past
its organisation). Errors are {"detail": "..."}: 400 for an answer that cannot be kept (a claim
above what the ticked indicators support, an indicator of another outcome, an outcome under an
open independent review), 403 for read-only access, 404 for an organisation you cannot see or
with no CAF assessment open, or an outcome the edition lacks, 409 when someone else changed the
assessment since the version you sent.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router, Schema
from ninja.errors import HttpError

from dspt.assessments import caf_services, selectors
from dspt.assessments.access import editable_organisation, visible_organisation
from dspt.assessments.caf_evaluation import CafEvaluation, caf_evaluate
from dspt.assessments.editions import is_caf
from dspt.assessments.errors import AssessmentError, StaleVersion
from dspt.core.api_types import ErrorOut

router = Router(tags=["CAF-aligned assessment"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ObjectiveOut(Schema):
    code: str
    title: str
    answered: int
    at_profile: int
    total: int


class OutcomeOut(Schema):
    id: str
    title: str
    objective: str
    expected: str
    supported: str
    level: str
    claimed: str
    ticked: list[str]
    justification: str
    carried_forward: bool
    documents: int


class ShortfallOut(Schema):
    outcome: str
    reached: str
    expected: str
    reason: str


class CafAssessmentOut(Schema):
    ods_code: str
    edition: str
    version: int
    would_publish_as: str
    objectives: list[ObjectiveOut]
    outcomes: list[OutcomeOut]
    shortfalls: list[ShortfallOut]


class CafOutcomeIn(Schema):
    ticked: list[str] = []
    claimed: str = ""
    justification: str = ""
    expected_version: int | None = None


class CafOutcomeOut(Schema):
    outcome_id: str
    supported: str
    level: str
    version: int


def _caf(request, ods_code: str, *, edit: bool = False):
    try:
        org = (editable_organisation if edit else visible_organisation)(request, ods_code)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except Http404:
        raise HttpError(404, "No organisation you can see has that ODS code.") from None
    assessment = selectors.current_assessment(org)
    if assessment is None or not is_caf(assessment):
        raise HttpError(404, "This organisation has no CAF-aligned assessment started this year.")
    return org, assessment


def _out(org, ev: CafEvaluation) -> dict:
    return {
        "ods_code": org.ods_code,
        "edition": ev.edition.code,
        "version": ev.assessment.version,
        "would_publish_as": str(ev.would_publish_as),
        "objectives": [
            {
                "code": p.code,
                "title": p.title,
                "answered": p.answered,
                "at_profile": p.at_profile,
                "total": p.total,
            }
            for p in ev.objectives
        ],
        "outcomes": [
            {
                "id": r.outcome.id,
                "title": r.outcome.title,
                "objective": r.outcome.objective,
                "expected": r.expected,
                "supported": r.supported,
                "level": r.level,
                "claimed": r.answer.claimed if r.answer else "",
                "ticked": r.ticked,
                "justification": r.answer.justification if r.answer else "",
                "carried_forward": bool(r.answer and r.answer.carried_forward),
                "documents": len(r.documents),
            }
            for r in ev.results.values()
        ],
        "shortfalls": [
            {"outcome": s.outcome, "reached": s.reached, "expected": s.expected, "reason": s.reason}
            for s, _ in ev.shortfalls
        ],
    }


@router.get("/{ods_code}", response={200: CafAssessmentOut, **ERRORS})
def get_caf_assessment(request, ods_code: str):
    """This year's CAF-aligned assessment: progress by objective, every outcome with its ticks,
    claim, the level the ticks support, the level that counts and the profile's, and the
    outcomes below profile."""
    org, assessment = _caf(request, ods_code)
    return _out(org, caf_evaluate(assessment))


@router.put("/{ods_code}/outcomes/{outcome_id}", response={200: CafOutcomeOut, **ERRORS})
def put_caf_outcome(request, ods_code: str, outcome_id: str, payload: CafOutcomeIn):
    """Answer one outcome: the indicators that are true, the claim (empty: what the ticks
    support; never above it) and the justification."""
    org, assessment = _caf(request, ods_code, edit=True)
    try:
        caf_services.save_outcome(
            assessment,
            outcome_id,
            request.user,
            ticked=payload.ticked,
            claimed=payload.claimed,
            justification=payload.justification,
            expected_version=payload.expected_version,
            request=request,
        )
    except caf_services.OutcomeRefused as exc:
        if "outcome" in exc.errors:
            raise HttpError(404, exc.errors["outcome"]) from None
        raise HttpError(400, str(exc)) from None
    except StaleVersion as exc:
        raise HttpError(409, str(exc)) from None
    except AssessmentError as exc:
        raise HttpError(400, str(exc)) from None
    result = caf_evaluate(assessment).results[outcome_id]
    return {
        "outcome_id": outcome_id,
        "supported": result.supported,
        "level": result.level,
        "version": assessment.version,
    }
