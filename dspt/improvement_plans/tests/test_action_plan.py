"""The action plan template a small social care provider publishing at Approaching Standards
downloads: every item needed for Standards Met that its answers do not yet meet."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from dspt.accounts.models import Membership, OrgRole
from dspt.assessments.models import Answer, Assessment
from dspt.frameworks.model import load_edition
from dspt.organisations.models import OrgType

from .conftest import make_org


def test_action_plan_template_lists_unmet_met_items(client, world):
    home = make_org("VABC1", world["yorks"], OrgType.SOCIAL_CARE, "Sunny Care Home")
    admin = world["people"]["admin"]
    Membership.objects.create(user=admin, organisation=home, role=OrgRole.ADMIN)
    assessment = Assessment.objects.create(
        organisation=home, edition="2025-26", audience="social-care"
    )
    edition = load_edition("2025-26", "social-care")
    mandatory = edition.mandatory_items(OrgType.SOCIAL_CARE)
    confirm = next(i for i in mandatory if i.response_type == "confirm")
    Answer.objects.create(assessment=assessment, item_id=confirm.id, value=True)

    client.force_login(admin)
    r = client.get("/plans/VABC1/action-plan-template.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content))["Plan"]
    ids = [ws.cell(row=n, column=1).value for n in range(2, ws.max_row + 1)]
    assert confirm.id not in ids
    assert set(ids) == {i.id for i in mandatory} - {confirm.id}
    assert ws.cell(row=2, column=2).value == edition.item(ids[0]).question

    client.force_login(world["people"]["other_admin"])
    assert client.get("/plans/VABC1/action-plan-template.xlsx").status_code == 404


def test_publishing_not_met_through_the_assessment_starts_a_plan(world, settings):
    """The real publish: an NHS trust publishes with nothing answered; the hook starts a plan
    covering every mandatory item, with the edition's question text."""
    from datetime import date

    from dspt.assessments import services as assessment_services
    from dspt.assessments.models import Level
    from dspt.improvement_plans.lifecycle import on_publication
    from dspt.improvement_plans.sources import plan_items_for

    trust, admin = world["trust"], world["people"]["admin"]
    on = date(2025, 10, 1)  # the NHS 2025-26 edition is open
    settings.DSPT_TODAY = on.isoformat()
    assessment = assessment_services.start_assessment(trust, admin, on)
    pub = assessment_services.publish(assessment, admin, expected_version=assessment.version)
    assert pub.level == Level.NOT_MET
    plan = on_publication(pub)
    items = plan_items_for(plan.publication)
    edition = load_edition(assessment.edition, assessment.audience)
    assert {i.item_id for i in items} == {i.id for i in edition.mandatory_items(trust.org_type)}
    assert all(i.question for i in items)
