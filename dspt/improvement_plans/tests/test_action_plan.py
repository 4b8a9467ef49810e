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
