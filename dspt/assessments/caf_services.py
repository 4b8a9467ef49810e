"""Writes to a CAF assessment: start it (carrying unchanged outcomes forward) and answer an outcome.

Like the evidence-item services, each write locks the assessment row, checks the version the
writer saw (when given), bumps the version and records an audit event in one transaction. Evidence
documents use `documents.attach_document` with the outcome ID; publishing uses
`publishing.publish`, which judges a CAF assessment with `caf_evaluation.caf_evaluate`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from dspt.assessments.editions import current_caf_edition
from dspt.assessments.errors import AssessmentError
from dspt.assessments.locking import bump_version, lock_assessment
from dspt.assessments.models import Assessment, OutcomeAnswer
from dspt.audit.services import record
from dspt.core.dates import today
from dspt.frameworks.caf import (
    ACHIEVEMENT_LABELS,
    CAF_AUDIENCE,
    level_rank,
    load_caf_edition,
    supported_level,
    unchanged_outcomes,
)

MAX_JUSTIFICATION = 10_000
PROFILE_FIELDS = (
    "caldicott_guardian",
    "senior_information_risk_owner",
    "ig_lead",
    "data_protection_officer",
    "nhsmail_only",
)

# Other apps may stop answers changing for a while (an open independent review does): each check
# takes the assessment and returns a reason to refuse, or "" to allow.
ANSWER_LOCKS: list[Callable[[Assessment, str], str]] = []


def answer_lock_reason(assessment: Assessment, outcome_id: str) -> str:
    """Why this outcome's answer and evidence may not change now ("" when they may)."""
    for lock in ANSWER_LOCKS:
        reason = lock(assessment, outcome_id)
        if reason:
            return reason
    return ""


class OutcomeRefused(AssessmentError):
    """An outcome answer that cannot be stored; `errors` maps a field name to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def start_caf_assessment(organisation, user, *, on: date | None = None, request=None) -> Assessment:
    """The organisation's CAF assessment for the year open on `on`, created the first time.

    On creation the profile names and every answer to an outcome unchanged since the previous
    CAF assessment (same ID and fingerprint) carry forward, marked `carried_forward`, with their
    documents. Raises AssessmentError when no CAF edition serves the organisation on `on`.
    """
    on = on or today()
    edition = current_caf_edition(organisation, on)
    if edition is None:
        raise AssessmentError("No CAF-aligned assessment is open for this organisation.")
    existing = Assessment.objects.filter(organisation=organisation, edition=edition.code).first()
    if existing is not None:
        if existing.audience != CAF_AUDIENCE:
            raise AssessmentError(
                f"This organisation already started the {edition.code} evidence-item assessment."
            )
        return existing
    with transaction.atomic():
        try:
            with transaction.atomic():
                assessment = Assessment.objects.create(
                    organisation=organisation, edition=edition.code, audience=CAF_AUDIENCE
                )
        except IntegrityError:
            return Assessment.objects.get(organisation=organisation, edition=edition.code)
        carried = _carry_forward(assessment, edition, user)
        record(
            "assessment.started",
            actor=user,
            organisation=organisation,
            obj=assessment,
            detail={"edition": edition.code, "framework": "caf", "carried_forward": carried},
            request=request,
        )
    return assessment


def _carry_forward(assessment: Assessment, edition, user) -> list[str]:
    previous = (
        Assessment.objects.filter(
            organisation_id=assessment.organisation_id,
            edition__lt=assessment.edition,
            audience=CAF_AUDIENCE,
        )
        .order_by("-edition")
        .first()
    )
    if previous is None:
        return []
    for name in PROFILE_FIELDS:
        setattr(assessment, name, getattr(previous, name))
    assessment.save()
    try:
        old_edition = load_caf_edition(previous.edition)
    except (LookupError, ValueError):
        return []
    same = unchanged_outcomes(old_edition, edition)
    carried = []
    now = timezone.now()
    for answer in previous.outcome_answers.filter(outcome_id__in=same).order_by("outcome_id"):
        OutcomeAnswer.objects.create(
            assessment=assessment,
            outcome_id=answer.outcome_id,
            ticked=answer.ticked,
            claimed=answer.claimed,
            justification=answer.justification,
            fingerprint=edition.outcome(answer.outcome_id).fingerprint,
            carried_forward=True,
            updated_by=user,
            updated_at=now,
        )
        carried.append(answer.outcome_id)
    for doc in previous.documents.filter(item_id__in=same):
        doc.carry_to(assessment, doc.item_id)
    return carried


def check_outcome_answer(
    assessment: Assessment, outcome_id: str, ticked: Iterable[str], claimed: str, justification: str
) -> tuple[list[str], str]:
    """The cleaned ticks and claim; OutcomeRefused with every problem otherwise.

    Refused: an outcome the edition lacks, an indicator not of this outcome, a level the outcome
    cannot reach, a claim above what the ticked indicators support, an over-long justification.
    An empty claim means "the level the ticks support".
    """
    edition = load_caf_edition(assessment.edition)
    if not edition.has_outcome(outcome_id):
        raise OutcomeRefused({"outcome": f"There is no outcome {outcome_id} in this assessment."})
    outcome = edition.outcome(outcome_id)
    ticks = list(dict.fromkeys(str(t) for t in ticked))
    errors: dict[str, str] = {}
    strangers = [t for t in ticks if t not in outcome.indicator_ids]
    if strangers:
        errors["ticked"] = f"These are not indicators of {outcome_id}: {', '.join(strangers)}."
    claimed = (claimed or "").strip()
    supported = supported_level(outcome, ticks)
    if claimed and claimed not in outcome.levels:
        labels = ", ".join(ACHIEVEMENT_LABELS[lv] for lv in outcome.levels)
        errors["claimed"] = f"{outcome_id} can be rated {labels}; choose one of those."
    elif claimed and level_rank(claimed) > level_rank(supported):
        errors["claimed"] = (
            f"You cannot claim {ACHIEVEMENT_LABELS[claimed]}: the indicators you ticked support "
            f"{ACHIEVEMENT_LABELS[supported]}. Tick the indicators that are true, or claim a "
            "lower level."
        )
    if len(justification or "") > MAX_JUSTIFICATION:
        errors["justification"] = (
            f"The justification is too long: at most {MAX_JUSTIFICATION:,} characters."
        )
    if errors:
        raise OutcomeRefused(errors)
    return ticks, claimed


def save_outcome(
    assessment: Assessment,
    outcome_id: str,
    user,
    *,
    ticked: Iterable[str],
    claimed: str = "",
    justification: str = "",
    expected_version: int | None = None,
    request=None,
) -> OutcomeAnswer:
    """Store the ticked indicators, the claim and the justification for one outcome.

    Raises OutcomeRefused (nothing stored) for bad input, StaleVersion / AssessmentClosed as every
    write does, and AssessmentError while an answer lock (an open independent review) holds.
    """
    ticks, claimed = check_outcome_answer(
        assessment, outcome_id, ticked, claimed, justification or ""
    )
    outcome = load_caf_edition(assessment.edition).outcome(outcome_id)
    with transaction.atomic():
        locked = lock_assessment(assessment, expected_version, today())
        reason = answer_lock_reason(locked, outcome_id)
        if reason:
            raise AssessmentError(reason)
        answer, _ = OutcomeAnswer.objects.update_or_create(
            assessment=locked,
            outcome_id=outcome_id,
            defaults={
                "ticked": ticks,
                "claimed": claimed,
                "justification": (justification or "").strip(),
                "fingerprint": outcome.fingerprint,
                "carried_forward": False,
                "updated_by": user,
                "updated_at": timezone.now(),
            },
        )
        bump_version(locked, assessment)
        record(
            "caf.outcome_saved",
            actor=user,
            organisation=locked.organisation,
            obj=locked,
            detail={
                "outcome": outcome_id,
                "ticked": len(ticks),
                "claimed": claimed,
                "supported": supported_level(outcome, ticks),
                "version": locked.version,
            },
            request=request,
        )
    return answer
