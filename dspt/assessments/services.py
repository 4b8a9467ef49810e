"""Writes to an assessment: start it (carrying last year forward), answer, attach evidence and
fill the organisation profile. Documents live in dspt.assessments.documents and publishing in
dspt.assessments.publishing; both are re-exported here so callers import from one place.

Every write locks the assessment row, checks the version the writer saw (when given), bumps the
version and records an audit event, all in one transaction. Audit details name items, never the
text of an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dspt.assessments.documents import attach_document, remove_document
from dspt.assessments.editions import current_edition, edition_of, find_edition
from dspt.assessments.errors import (
    AnswerErrors,
    AssessmentClosed,
    AssessmentError,
    StaleVersion,
)
from dspt.assessments.locking import bump_version, lock_assessment
from dspt.assessments.models import Answer, Assessment, EvidenceDocument
from dspt.assessments.publishing import AlreadyPublished, coverable_sites, publish
from dspt.assessments.values import parse_comment, parse_value
from dspt.audit.services import record
from dspt.core.dates import today
from dspt.frameworks.changes import carry_forward_map
from dspt.frameworks.model import ItemOutcome, evaluate_item

PROFILE_FIELDS = (
    "caldicott_guardian",
    "senior_information_risk_owner",
    "ig_lead",
    "data_protection_officer",
    "nhsmail_only",
    "cyber_essentials_plus",
    "cyber_essentials_plus_expires_on",
)
_NAME_FIELDS = PROFILE_FIELDS[:4]

__all__ = [
    "AlreadyPublished",
    "coverable_sites",
    "publish",
    "AnswerErrors",
    "AnswerInput",
    "AssessmentClosed",
    "AssessmentError",
    "StaleVersion",
    "attach_document",
    "check_answers",
    "remove_document",
    "save_answer",
    "save_answers",
    "start_assessment",
    "update_profile",
]


@dataclass(frozen=True)
class AnswerInput:
    """What a person submitted for one item, before checking."""

    value: Any = None
    not_applicable: bool = False
    comment: str | None = ""


# --- starting an assessment -------------------------------------------------------------------


def start_assessment(organisation, user, on: date | None = None, request=None) -> Assessment:
    """The organisation's assessment for the edition open on `on`, created the first time.

    On creation, the profile and every answer to an item whose ID and fingerprint are unchanged
    since the previous edition are carried forward (marked `carried_forward`), with their
    documents as references to the same stored files.
    """
    on = on or today()
    edition = current_edition(organisation, on)
    existing = Assessment.objects.filter(organisation=organisation, edition=edition.code).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        try:
            with transaction.atomic():
                assessment = Assessment.objects.create(
                    organisation=organisation, edition=edition.code, audience=edition.audience
                )
        except IntegrityError:
            # Someone else started it in the same moment: use theirs.
            return Assessment.objects.get(organisation=organisation, edition=edition.code)
        carried = _carry_forward(assessment, edition, user)
        record(
            "assessment.started",
            actor=user,
            organisation=organisation,
            obj=assessment,
            detail={"edition": edition.code, "carried_forward": carried},
            request=request,
        )
    return assessment


def _carry_forward(assessment: Assessment, edition, user) -> int:
    previous = (
        Assessment.objects.filter(
            organisation_id=assessment.organisation_id, edition__lt=assessment.edition
        )
        .order_by("-edition")
        .first()
    )
    if previous is None:
        return 0
    for name in PROFILE_FIELDS:
        setattr(assessment, name, getattr(previous, name))
    assessment.save()
    old_edition = find_edition(previous.edition, previous.audience)
    if old_edition is None:
        return 0
    now = timezone.now()
    carried = 0
    old_answers = {a.item_id: a for a in previous.answers.all()}
    old_docs: dict[str, list[EvidenceDocument]] = {}
    for d in previous.documents.all():
        old_docs.setdefault(d.item_id, []).append(d)
    # New item ID -> old item ID, for items that ask the same thing in the same way.
    sources = carry_forward_map(old_edition, edition)
    for item in edition.items:
        source = sources.get(item.id)
        if source is None:
            continue
        old = old_answers.get(source)
        docs = old_docs.get(source, [])
        if old is None and not docs:
            continue
        if old is not None:
            Answer.objects.create(
                assessment=assessment,
                item_id=item.id,
                value=old.value,
                not_applicable=old.not_applicable and item.allow_na,
                comment=old.comment,
                carried_forward=True,
                updated_by=old.updated_by,
                updated_at=now,
            )
        for d in docs:
            d.carry_to(assessment, item.id)
        carried += 1
    return carried


# --- answers ----------------------------------------------------------------------------------


def save_answers(
    assessment: Assessment,
    entries: dict[str, AnswerInput],
    *,
    user,
    expected_version: int | None = None,
    request=None,
) -> dict[str, ItemOutcome]:
    """Save several answers at once: all of them or, if any cannot be read, none.

    Raises AnswerErrors (by item) for unreadable values, StaleVersion if `expected_version` is
    given and someone changed the assessment since. Returns each item's new outcome. Items whose
    answer did not change are left alone (no version bump, no audit event).
    """
    on = today()
    edition = edition_of(assessment)
    cleaned, errors = _clean_answers(edition, entries, on)
    if errors:
        raise AnswerErrors(errors)

    outcomes: dict[str, ItemOutcome] = {}
    with transaction.atomic():
        locked = lock_assessment(assessment, expected_version, on)
        existing = {a.item_id: a for a in locked.answers.filter(item_id__in=list(cleaned))}
        changed = []
        for item_id, (value, na, comment) in cleaned.items():
            answer = existing.get(item_id)
            if answer is not None and (answer.value, answer.not_applicable, answer.comment) == (
                value,
                na,
                comment,
            ):
                continue
            if answer is None:
                answer = Answer(assessment=locked, item_id=item_id)
            answer.value, answer.not_applicable, answer.comment = value, na, comment
            answer.carried_forward = False
            answer.updated_by = user
            answer.updated_at = timezone.now()
            answer.save()
            changed.append(item_id)
        if changed:
            bump_version(locked, assessment)
            for item_id in changed:
                record(
                    "answer.saved",
                    actor=user,
                    organisation=locked.organisation,
                    obj=locked,
                    detail={"item": item_id, "version": locked.version},
                    request=request,
                )
        doc_counts = _document_counts(locked, list(cleaned))
    for item_id, (value, na, _comment) in cleaned.items():
        outcomes[item_id] = evaluate_item(
            edition.item(item_id), value, na, doc_counts.get(item_id, 0), on
        )
    return outcomes


def check_answers(assessment: Assessment, entries: dict[str, AnswerInput]) -> dict[str, str]:
    """The problems (by item ID) that would stop `entries` being saved; empty when none."""
    return _clean_answers(edition_of(assessment), entries, today())[1]


def _clean_answers(
    edition, entries: dict[str, AnswerInput], on: date
) -> tuple[dict[str, tuple[Any, bool, str]], dict[str, str]]:
    cleaned: dict[str, tuple[Any, bool, str]] = {}
    errors: dict[str, str] = {}
    for item_id, entry in entries.items():
        if not edition.has_item(item_id):
            errors[item_id] = f"There is no evidence item {item_id} in this assessment."
            continue
        item = edition.item(item_id)
        try:
            if entry.not_applicable and not item.allow_na:
                raise ValueError("This item cannot be marked not applicable.")
            value = None if entry.not_applicable else parse_value(item, entry.value, on)
            cleaned[item_id] = (value, bool(entry.not_applicable), parse_comment(entry.comment))
        except ValueError as exc:
            errors[item_id] = str(exc)
    return cleaned, errors


def save_answer(
    assessment: Assessment,
    item_id: str,
    *,
    value: Any,
    not_applicable: bool = False,
    comment: str | None = "",
    user,
    expected_version: int | None = None,
    request=None,
) -> ItemOutcome:
    """Save one answer and return its outcome. ValueError (AssessmentError) says what is wrong."""
    try:
        outcomes = save_answers(
            assessment,
            {item_id: AnswerInput(value, not_applicable, comment)},
            user=user,
            expected_version=expected_version,
            request=request,
        )
    except AnswerErrors as exc:
        raise AssessmentError(exc.errors[item_id]) from None
    return outcomes[item_id]


def _document_counts(assessment: Assessment, item_ids: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item_id in assessment.documents.filter(item_id__in=item_ids).values_list(
        "item_id", flat=True
    ):
        counts[item_id] = counts.get(item_id, 0) + 1
    return counts


# --- organisation profile ---------------------------------------------------------------------


def update_profile(
    assessment: Assessment,
    user,
    *,
    caldicott_guardian: str = "",
    senior_information_risk_owner: str = "",
    ig_lead: str = "",
    data_protection_officer: str = "",
    nhsmail_only: bool | None = None,
    cyber_essentials_plus: bool = False,
    cyber_essentials_plus_expires_on: date | None = None,
    expected_version: int | None = None,
    request=None,
) -> Assessment:
    """Change the organisation profile; AssessmentError for values that cannot be kept."""
    values: dict[str, Any] = {
        "caldicott_guardian": caldicott_guardian,
        "senior_information_risk_owner": senior_information_risk_owner,
        "ig_lead": ig_lead,
        "data_protection_officer": data_protection_officer,
        "nhsmail_only": nhsmail_only,
        "cyber_essentials_plus": bool(cyber_essentials_plus),
        "cyber_essentials_plus_expires_on": cyber_essentials_plus_expires_on,
    }
    for name in _NAME_FIELDS:
        text = (values[name] or "").strip()
        if len(text) > 200:
            raise AssessmentError("Names must be 200 characters or fewer.")
        values[name] = text
    if values["cyber_essentials_plus"] and cyber_essentials_plus_expires_on is None:
        raise AssessmentError("Enter the date your Cyber Essentials Plus certificate expires.")
    if not values["cyber_essentials_plus"]:
        values["cyber_essentials_plus_expires_on"] = None
    with transaction.atomic():
        locked = lock_assessment(assessment, expected_version, today())
        changed = [name for name in PROFILE_FIELDS if getattr(locked, name) != values[name]]
        if not changed:
            return assessment
        for name in PROFILE_FIELDS:
            setattr(locked, name, values[name])
            setattr(assessment, name, values[name])
        locked.save()
        bump_version(locked, assessment)
        record(
            "profile.updated",
            actor=user,
            organisation=locked.organisation,
            obj=locked,
            detail={"fields": changed, "version": locked.version},
            request=request,
        )
    return assessment
