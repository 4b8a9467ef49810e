"""Issue 15's journey in a real browser: a trust admin completes the CAF-aligned assessment and
publishes, invites an assessor, the assessor reviews and reports, and the national team reads
the report; axe scans on every page on the way."""

from datetime import date

import pytest

from dspt.accounts.models import Membership, OversightRole
from dspt.assurance.models import Assessor, AuditFirm
from dspt.frameworks.caf import load_caf_edition
from dspt.organisations.models import Organisation, OrgType, Region
from tests.browser.helpers import accessible, person, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_trust_completes_caf_publishes_and_is_independently_assessed(site, page):
    region = Region.objects.get_or_create(
        ons_code="E12000003", defaults={"name": "Yorkshire and The Humber"}
    )[0]
    trust = Organisation.objects.create(
        ods_code="RCF",
        name="Cedarfield Hospitals NHS Trust",
        org_type=OrgType.NHS_TRUST,
        region=region,
        registered_on=date(2020, 1, 1),
    )
    admin = person("ig.lead@cedarfield.example")
    Membership.objects.create(user=admin, organisation=trust, role="admin")
    firm = AuditFirm.objects.create(name="Ledger and Lamp Audit")
    Assessor.objects.create(user=person("auditor@ledger.example"), firm=firm)
    person("programme@toolkit.example", oversight_role=OversightRole.PROGRAMME)
    edition = load_caf_edition("2026-27")
    profile = edition.profile("nhs_trust")

    # The trust admin opens the assessment and is sent to the CAF-aligned one.
    sign_in(page, site, "ig.lead@cedarfield.example")
    page.goto(f"{site}/assessments/RCF/")
    page.wait_for_url(f"{site}/assessments/RCF/caf/")
    accessible(page, "CAF overview before starting")
    page.get_by_role("button", name="Start the CAF-aligned assessment").click()
    accessible(page, "CAF overview")

    # A claim above what the ticks support is refused on the page.
    first = edition.outcomes[0]
    page.goto(f"{site}/assessments/RCF/caf/outcomes/{first.id}/")
    accessible(page, "outcome page")
    for indicator in first.at("partially_achieved"):
        page.locator(f'input[name="ticked"][value="{indicator.id}"]').check()
    page.locator('input[name="claimed"][value="achieved"]').check()
    page.get_by_role("button", name="Save", exact=True).click()
    assert "You cannot claim Achieved" in page.locator(".nhsuk-error-summary").inner_text()
    accessible(page, "outcome page with an error")

    # Every outcome answered at its profile level, with a justification.
    for outcome in edition.outcomes:
        page.goto(f"{site}/assessments/RCF/caf/outcomes/{outcome.id}/")
        for box in page.locator('input[name="ticked"]').all():
            box.uncheck()
        for indicator in outcome.at(profile[outcome.id]):
            page.locator(f'input[name="ticked"][value="{indicator.id}"]').check()
        page.locator('input[name="claimed"][value=""]').check()
        page.get_by_label("Your justification").fill(f"Evidence for {outcome.id} is on file.")
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_url(f"{site}/assessments/RCF/caf/")
    assert "Standards Met" in page.locator("#progress").inner_text()

    # The publish preview says Standards Met; the trust publishes.
    page.goto(f"{site}/assessments/RCF/caf/publish/")
    accessible(page, "publish preview")
    assert "26/27 Standards Met" in page.locator("#verdict").inner_text()
    page.get_by_role("button", name="Publish Standards Met").click()
    page.wait_for_url(f"{site}/assessments/RCF/caf/")
    assert "Standards Met" in page.locator("main").inner_text()

    # It invites the audit firm with a sample of two outcomes.
    page.goto(f"{site}/assurance/RCF/")
    accessible(page, "independent assessment page")
    page.get_by_label("Audit firm").select_option(label="Ledger and Lamp Audit")
    sample = [edition.outcomes[0].id, edition.outcomes[-1].id]
    for oid in sample:
        page.locator(f'input[name="sample"][value="{oid}"]').check()
    page.get_by_role("button", name="Invite the assessor").click()
    assert "Ledger and Lamp Audit" in page.locator("main").inner_text()
    accessible(page, "invited")

    # The assessor reviews the sample and reports.
    sign_in(page, site, "auditor@ledger.example")
    page.goto(f"{site}/assurance/reviews/")
    accessible(page, "assessor's reviews")
    page.get_by_role("link", name="Cedarfield Hospitals NHS Trust").click()
    accessible(page, "review page")
    for oid in sample:
        section = page.locator(f'section[data-outcome="{oid}"]')
        section.locator('input[name="rating"][value="achieved"]').check()
        section.locator('input[name="confidence"][value="high"]').check()
        section.get_by_role("button", name=f"Save the rating of {oid}").click()
    page.get_by_label("Substantial").check()
    page.locator('input[id^="overall-confidence"][value="medium"]').check()
    page.get_by_label("Summary").fill("The self-assessment is well evidenced.")
    page.get_by_role("button", name="Issue the report").click()
    assert "No organisation has an open invitation" in page.locator("main").inner_text()

    # The national team sees the report.
    sign_in(page, site, "programme@toolkit.example")
    page.goto(f"{site}/assurance/reports/")
    accessible(page, "reports list")
    page.get_by_role("link", name="Cedarfield Hospitals NHS Trust (RCF)").click()
    assert page.locator("#assurance").inner_text() == "Substantial"
    accessible(page, "report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report (PDF)").click()
    assert download.value.suggested_filename == "independent-assessment-RCF-2026-27.pdf"
    # …and the oversight figures, where the trust now has a reported independent assessment.
    page.goto(f"{site}/assurance/oversight/")
    accessible(page, "CAF oversight")
    assert "1 of 1 NHS organisations" in page.locator("#coverage").inner_text()
    assert (
        "Every NHS trust in this area has a reported independent assessment"
        in page.locator("main").inner_text()
    )
