"""Helpers for the CAF assessment tests: ticks that reach each level of a 2024-25 outcome."""

from dspt.frameworks.caf import ACHIEVED, PARTIALLY_ACHIEVED, load_caf_edition

EDITION = load_caf_edition("2024-25")


def ticks_for(outcome_id: str, level: str) -> list[str]:
    """The indicator IDs that make `outcome_id` reach `level` (none for Not achieved)."""
    outcome = EDITION.outcome(outcome_id)
    if level == ACHIEVED:
        return [i.id for i in outcome.at(ACHIEVED)]
    if level == PARTIALLY_ACHIEVED:
        return [i.id for i in outcome.at(PARTIALLY_ACHIEVED)]
    return []


def answer_to_profile(assessment, user, category: str = "nhs_trust", below: dict | None = None):
    """Answer every outcome at exactly its profile level, except those in `below`
    (outcome -> level reached instead)."""
    from dspt.assessments.caf_services import save_outcome

    below = below or {}
    for outcome_id, expected in EDITION.profile(category).items():
        level = below.get(outcome_id, expected)
        save_outcome(
            assessment,
            outcome_id,
            user,
            ticked=ticks_for(outcome_id, level),
            justification=f"Why {outcome_id} is where it is.",
        )
    assessment.refresh_from_db()
    return assessment
