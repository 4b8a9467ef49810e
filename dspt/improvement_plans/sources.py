"""Where a plan's items come from: the publication's unmet items, with question text from the
edition file when the frameworks module can load it.

The frameworks module is optional here on purpose: a plan for an imported or demo publication
must still work when its edition file is not installed; rows then carry only the item number.
"""

from __future__ import annotations

import logging

from dspt.assessments.models import Assessment, Publication
from dspt.improvement_plans.checks import PlanItem, items_from_unmet

log = logging.getLogger(__name__)


class EditionUnavailable(Exception):
    """The edition file for an assessment cannot be loaded."""


def _load_edition(code: str, audience: str):
    try:
        from dspt.frameworks.model import load_edition
    except ImportError as exc:  # frameworks not installed in this build
        raise EditionUnavailable(str(exc)) from exc
    try:
        return load_edition(code, audience)
    except Exception as exc:  # noqa: BLE001 - any failure means "no edition to read"
        raise EditionUnavailable(str(exc)) from exc


def _audience(org, assessment: Assessment | None) -> str:
    if assessment is not None and assessment.audience:
        return assessment.audience
    try:
        from dspt.frameworks.model import audience_for

        return audience_for(org.org_type)
    except Exception:  # noqa: BLE001
        return ""


def questions_for(publication: Publication) -> dict[str, str]:
    """Item id → question text for the publication's edition (empty if unavailable)."""
    ids = [
        str(e.get("item_id") if isinstance(e, dict) else e) for e in publication.unmet_items or []
    ]
    try:
        edition = _load_edition(
            publication.edition, _audience(publication.organisation, publication.assessment)
        )
    except EditionUnavailable:
        return {}
    out = {}
    for iid in ids:
        try:
            item = edition.item(iid)
        except Exception:  # noqa: BLE001 - an item missing from the file keeps a blank question
            item = None
        if item is not None:
            out[iid] = item.question
    return out


def plan_items_for(publication: Publication | None) -> list[PlanItem]:
    """The items a plan answering `publication` must (mandatory) or may (partly met) cover."""
    if publication is None:
        return []
    return items_from_unmet(publication.unmet_items or [], questions_for(publication))


def action_plan_items(assessment: Assessment, on) -> list[PlanItem]:
    """For a small social care provider publishing at Approaching Standards: every item needed
    for Standards Met that the assessment's current answers do not meet (judged by the
    assessment's own evaluation, so the template always agrees with the assessment pages).

    Raises EditionUnavailable if the edition file cannot be loaded.
    """
    try:
        from dspt.assessments.evaluation import evaluate

        ev = evaluate(assessment, on)
    except Exception as exc:  # noqa: BLE001 - no edition to judge against
        raise EditionUnavailable(str(exc)) from exc
    entries = [
        {
            "item_id": r.item.id,
            "outcome": str(r.outcome),
            "mandatory": True,
            "question": r.item.question,
        }
        for r in ev.unmet_mandatory
    ]
    return items_from_unmet(entries)
