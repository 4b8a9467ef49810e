"""Issue 3's whole loop in a real browser: publish Not Met, plan, mistakes, review, approval."""

from datetime import date

import openpyxl
import pytest

from dspt.accounts.models import Membership, OversightRole
from dspt.assessments import services as assessment_services
from dspt.assessments.models import Assessment
from dspt.frameworks.model import load_edition
from dspt.improvement_plans.columns import HEADERS
from dspt.organisations.models import Organisation, OrgType, Region
from tests.browser.conftest import axe_violations
from tests.browser.helpers import person, sign_in, snapshot
from tests.browser.test_toolkit_journeys import _meet

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _fill_template(path, out, *, skip_owner_for_first: bool):
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    col = {cell.value: cell.column for cell in ws[1]}
    assert tuple(col) == HEADERS
    for n, row in enumerate(range(2, ws.max_row + 1)):
        if not ws.cell(row=row, column=col["Evidence item"]).value:
            continue
        ws.cell(
            row=row, column=col["Actions required"], value="Write the procedure and train staff."
        )
        if not (skip_owner_for_first and n == 0):
            ws.cell(row=row, column=col["Action owner"], value="Head of information governance")
        ws.cell(row=row, column=col["Target completion date"], value=date(2027, 3, 31))
    wb.save(out)


def test_publish_not_met_plan_rejected_resubmitted_approved(site, page, tmp_path):
    region = Region.objects.get_or_create(
        ons_code="E12000003", defaults={"name": "Yorkshire and The Humber"}
    )[0]
    trust = Organisation.objects.create(
        ods_code="RZZ",
        name="Northfield Hospitals NHS Trust",
        org_type=OrgType.NHS_TRUST,
        region=region,
        registered_on=date(2020, 1, 1),
    )
    admin = person("ig.lead@northfield.example")
    Membership.objects.create(user=admin, organisation=trust, role="admin")
    person("reviewer@toolkit.example", oversight_role=OversightRole.REVIEWER)
    assessment = assessment_services.start_assessment(trust, admin, on=date(2026, 11, 23))
    edition = load_edition(assessment.edition, assessment.audience)
    mandatory = edition.mandatory_items(OrgType.NHS_TRUST)
    for item in mandatory[3:]:  # three mandatory items left unmet
        _meet(Assessment.objects.get(pk=assessment.pk), item, admin)

    # The trust publishes and is told it will be Standards Not Met.
    sign_in(page, site, "ig.lead@northfield.example")
    page.goto(f"{site}/assessments/RZZ/publish/")
    assert "26/27 Standards Not Met" in page.locator("main").inner_text()
    page.get_by_role("button", name="Publish Standards Not Met").click()
    page.get_by_role("link", name="improvement plan").click()
    assert axe_violations(page) == []

    # It downloads the template, pre-filled with the unmet items.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template (Excel, XLSX)").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    wb = openpyxl.load_workbook(template)
    listed = {
        ws_row[0].value for ws_row in wb.worksheets[0].iter_rows(min_row=2) if ws_row[0].value
    }
    assert {i.id for i in mandatory[:3]} <= listed

    # A first upload with a missing owner is refused row by row, and nothing is stored.
    _fill_template(template, tmp_path / "mistake.xlsx", skip_owner_for_first=True)
    page.locator("#plan_file").set_input_files(str(tmp_path / "mistake.xlsx"))
    page.get_by_role("button", name="Upload and check").click()
    assert "Row 2" in page.locator(".nhsuk-error-summary").inner_text()
    assert "owner" in page.locator(".nhsuk-error-summary").inner_text()
    # Fixed and uploaded: the plan is now waiting for review.
    _fill_template(template, tmp_path / "fixed.xlsx", skip_owner_for_first=False)
    page.locator("#plan_file").set_input_files(str(tmp_path / "fixed.xlsx"))
    page.get_by_role("button", name="Upload and check").click()
    assert "awaits review" in page.locator("main").inner_text()
    # The plan's wide table scrolls sideways as a labelled, focusable region (issue 14, item 11).
    assert axe_violations(page) == [], axe_violations(page)

    # The reviewer rejects it with reasons.
    sign_in(page, site, "reviewer@toolkit.example")
    page.goto(site + "/plans/review/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Northfield Hospitals NHS Trust").click()
    snapshot(page, "plan-review.png", full_page=True)
    assert axe_violations(page) == [], axe_violations(page)
    page.get_by_label("Reasons for rejecting (the organisation sees these)").fill(
        "Target dates need named milestones."
    )
    page.get_by_role("button", name="Reject and ask for a new version").click()

    # The trust sees the reasons and resubmits.
    sign_in(page, site, "ig.lead@northfield.example")
    page.goto(f"{site}/plans/RZZ/")
    assert "Target dates need named milestones." in page.locator("main").inner_text()
    page.locator("#plan_file").set_input_files(str(tmp_path / "fixed.xlsx"))
    page.get_by_role("button", name="Upload and check").click()

    # The reviewer approves; the public now sees Approaching Standards and nothing of the plan.
    sign_in(page, site, "reviewer@toolkit.example")
    page.goto(site + "/plans/review/")
    page.get_by_role("link", name="Northfield Hospitals NHS Trust").click()
    page.get_by_role(
        "button", name="Approve: the organisation becomes Approaching Standards"
    ).click()
    page.context.clear_cookies()
    page.goto(f"{site}/status/RZZ/")
    public = page.locator("main").inner_text()
    assert "26/27 Approaching Standards" in public
    for secret in [
        "Write the procedure",
        "Head of information governance",
        "milestones",
        mandatory[0].id,
    ]:
        assert secret not in public
    record = page.request.get(f"{site}/api/v1/organisations/RZZ").json()
    assert record["status"] == "approaching_standards"
    assert "Write the procedure" not in str(record)
