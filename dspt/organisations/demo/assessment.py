"""The care home manager's assessment for the current edition, partly answered."""

from __future__ import annotations

from dspt.assessments.models import Answer, Assessment
from dspt.core.demo import DemoContext
from dspt.organisations.models import Organisation

AUDIENCE = "social-care"


def _answer_for(item) -> object | None:
    """A plausible answer for an item the demo can fill without documents."""
    kind = getattr(item, "response_type", "")
    if kind in ("confirm", "yes_no", "boolean", "confirmation"):
        return True
    if kind in ("text", "free_text"):
        return "Our data protection policy is reviewed every year by the registered manager."
    if kind in ("number", "percentage"):
        threshold = getattr(item, "threshold", None)
        return threshold if threshold is not None else 100
    return None


def start_assessment(ctx: DemoContext, organisation: Organisation, edition: str) -> Assessment:
    """Create the assessment; answer a few items when the framework editions are installed."""
    assessment = Assessment.objects.create(
        organisation=organisation,
        edition=edition,
        audience=AUDIENCE,
        caldicott_guardian="Carys Manning",
        senior_information_risk_owner="Carys Manning",
        nhsmail_only=True,
    )
    try:
        from dspt.frameworks.model import audience_for, load_edition

        framework = load_edition(edition, audience_for(organisation.org_type))
        items = list(framework.mandatory_items(organisation.org_type))
    except Exception:  # noqa: BLE001 - no edition file for this year: leave it unanswered
        return assessment
    user = ctx.users.get("care_home_manager")
    answers = []
    for item in items:
        value = _answer_for(item)
        if value is not None:
            answers.append(
                Answer(assessment=assessment, item_id=item.id, value=value, updated_by=user)
            )
        if len(answers) >= 8:
            break
    Answer.objects.bulk_create(answers)
    return assessment
