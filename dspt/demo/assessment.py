"""The care home manager's assessment for the current edition, partly answered."""

from __future__ import annotations

from dspt.assessments.models import Answer, Assessment
from dspt.core.demo import DemoContext
from dspt.frameworks.model import EditionNotFound, audience_for, load_edition
from dspt.organisations.models import Organisation


def _answer_for(item) -> object | None:
    """A plausible answer for an item the demo can fill without documents."""
    kind = item.response_type
    if kind == "confirm":
        return True
    if kind == "text":
        return "Our data protection policy is reviewed every year by the registered manager."
    if kind in ("number", "percentage"):
        return item.threshold if item.threshold is not None else 100
    return None


def start_assessment(ctx: DemoContext, organisation: Organisation, edition: str) -> Assessment:
    """Create the assessment; answer a few items when the framework editions are installed."""
    audience = audience_for(organisation.org_type)
    assessment = Assessment.objects.create(
        organisation=organisation,
        edition=edition,
        audience=audience,
        caldicott_guardian="Carys Manning",
        senior_information_risk_owner="Carys Manning",
        nhsmail_only=True,
    )
    try:
        framework = load_edition(edition, audience)
    except EditionNotFound:
        return assessment  # no edition file for this year yet: nothing to answer
    user = ctx.users.get("care_home_manager")
    answers = []
    for item in framework.mandatory_items(organisation.org_type):
        value = _answer_for(item)
        if value is not None:
            answers.append(
                Answer(assessment=assessment, item_id=item.id, value=value, updated_by=user)
            )
        if len(answers) >= 8:
            break
    Answer.objects.bulk_create(answers)
    return assessment
