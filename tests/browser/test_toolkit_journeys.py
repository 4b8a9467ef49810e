"""Issue 2's main journeys in a real browser, with accessibility scans of the pages on the way."""

import re
from datetime import date

import pytest
from django.core import mail
from playwright.sync_api import expect

from dspt.accounts.models import Membership, User
from dspt.assessments import services as assessment_services
from dspt.assessments.models import Assessment
from dspt.frameworks.model import edition_for, load_edition
from dspt.organisations.models import Organisation, OrgType, Region
from tests.browser.conftest import axe_violations
from tests.browser.helpers import answer_whole_edition

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
TODAY = date(2026, 11, 23)


@pytest.fixture
def region(db):
    return Region.objects.get_or_create(
        ons_code="E12000003", defaults={"name": "Yorkshire and The Humber"}
    )[0]


def check_accessible(page, what):
    violations = axe_violations(page)
    assert violations == [], f"{what}: {violations}"


def test_register_answer_publish_then_public_search_shows_it(site, page, region, tmp_path):
    Organisation.objects.create(
        ods_code="VJRN1",
        name="Larkspur House",
        org_type=OrgType.SOCIAL_CARE,
        postcode="LS6 2AB",
        region=region,
        adult_social_care=True,
        care_home=True,
        beds=24,
        contact_email="office@larkspur.example",
    )
    # A manager creates an account.
    page.goto(site + "/accounts/register/")
    check_accessible(page, "register")
    page.get_by_label("Full name").fill("Priya Manager")
    page.get_by_label("Email address").fill("priya@larkspur.example")
    page.get_by_label("Password").fill("a sensible long passphrase")
    page.get_by_role("button", name="Create account").click()
    # …finds the home by its ODS code and registers it.
    page.goto(site + "/organisations/register/")
    check_accessible(page, "register organisation")
    page.get_by_label("ODS code").fill("vjrn1")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Larkspur House").first).to_be_visible()
    check_accessible(page, "claim page")
    # Claiming needs proof: a link goes to the home's registered address, not to Priya's.
    page.get_by_role("button", name="Email a verification link").click()
    assert [m.to for m in mail.outbox] == [["office@larkspur.example"]]
    assert "o•••••@larkspur.example" in page.locator("main").inner_text()
    check_accessible(page, "claim pending")
    # Until it is verified she has no access, and her home page says what she is waiting for.
    assert page.goto(site + "/organisations/VJRN1/").status == 404
    assert page.goto(site + "/assessments/VJRN1/").status == 404
    page.goto(site + "/organisations/")
    assert "Waiting for verification" in page.locator("main").inner_text()
    # The office forwards the link; Priya opens it while signed in and confirms.
    path = re.search(r"/organisations/claims/verify/\S+/", mail.outbox[0].body)[0]
    page.goto(site + path)
    check_accessible(page, "verify link")
    page.get_by_role("button", name="Confirm and become organisation admin").click()
    assert "You are now the organisation admin" in page.locator("body").inner_text()
    check_accessible(page, "organisation page")
    page.get_by_role("link", name="Assessment").click()
    page.get_by_role("button", name="Start the 2026-27 assessment").click()
    check_accessible(page, "assessment overview")
    # …works through every standard.
    edition = edition_for(OrgType.SOCIAL_CARE, TODAY)
    answer_whole_edition(
        page, site, "VJRN1", edition.code, edition.audience, OrgType.SOCIAL_CARE, TODAY, tmp_path
    )
    page.goto(f"{site}/assessments/VJRN1/standards/1/")
    check_accessible(page, "standard page")
    # The publish page says what publishing gives, before confirming.
    page.goto(f"{site}/assessments/VJRN1/publish/")
    check_accessible(page, "publish page")
    assert "26/27 Standards Met" in page.locator("main").inner_text(), page.locator(
        "main"
    ).inner_text()
    page.get_by_role("button", name="Publish Standards Met").click()
    expect(page.get_by_text("26/27 Standards Met").first).to_be_visible()
    expect(page.get_by_text("30 June 2028").first).to_be_visible()
    check_accessible(page, "published page")
    # Anyone now finds the new status.
    page.context.clear_cookies()
    page.goto(site + "/?q=larkspur")
    row = page.get_by_role("row", name="Larkspur House")
    assert "26/27 Standards Met" in row.inner_text()
    check_accessible(page, "search results")


def test_head_office_publication_covers_two_sites(site, page, region, settings):
    head = Organisation.objects.create(
        ods_code="AHO1",
        name="Beacon Care Group",
        org_type=OrgType.SOCIAL_CARE,
        region=region,
        registered_on=date(2025, 1, 1),
    )
    sites = [
        Organisation.objects.create(
            ods_code=f"VHO{i}",
            name=f"Beacon House {i}",
            org_type=OrgType.SOCIAL_CARE,
            parent=head,
            region=region,
        )
        for i in (1, 2, 3)
    ]
    admin = User(
        username="ho@beacon.example", email="ho@beacon.example", full_name="Head Office Admin"
    )
    admin.set_password("a sensible long passphrase")
    admin.save()
    Membership.objects.create(user=admin, organisation=head, role="admin")
    # The head office has answered everything already (the answering journey is the test above).
    assessment = assessment_services.start_assessment(head, admin, on=TODAY)
    edition = load_edition(assessment.edition, assessment.audience)
    for item in edition.mandatory_items(OrgType.SOCIAL_CARE):
        _meet(assessment, item, admin)

    page.goto(site + "/accounts/sign-in/")
    page.get_by_label("Email address").fill("ho@beacon.example")
    page.get_by_label("Password").fill("a sensible long passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{site}/assessments/AHO1/publish/")
    page.get_by_label("Beacon House 1").check()
    page.get_by_label("Beacon House 2").check()
    # Every site is ticked at first; this head office leaves one site to publish on its own.
    page.get_by_label("Beacon House 3").uncheck()
    page.get_by_role("button", name="Publish Standards Met").click()
    page.context.clear_cookies()
    for s in sites[:2]:
        page.goto(f"{site}/status/{s.ods_code}/")
        expect(page.get_by_text("26/27 Standards Met").first).to_be_visible()
        main = page.locator("main").inner_text()
        assert "Beacon Care Group" in main and "head office publication" in main, main
    page.goto(f"{site}/status/{sites[2].ods_code}/")
    assert "Not Registered" in page.locator("main").inner_text(), page.locator("main").inner_text()
    check_accessible(page, "public status page")


def _sign_in(page, site, email):
    page.context.clear_cookies()
    page.goto(site + "/accounts/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("a sensible long passphrase")
    page.get_by_role("button", name="Sign in").click()


def test_claim_without_an_email_on_record_is_checked_by_a_platform_admin(site, page, region):
    Organisation.objects.create(
        ods_code="VJRN2", name="Foxglove Lodge", org_type=OrgType.SOCIAL_CARE, region=region
    )
    for email, role in (("sam@foxglove.example", ""), ("staff@dspt.example", "platform_admin")):
        user = User(username=email, email=email, full_name=email[:3], oversight_role=role)
        user.set_password("a sensible long passphrase")
        user.save()
    _sign_in(page, site, "sam@foxglove.example")
    page.goto(site + "/organisations/register/VJRN2/")
    page.get_by_label("Your job title and a phone number").fill("Registered manager, 0113 496 0001")
    page.get_by_role("button", name="Ask for a check").click()
    assert "with our team" in page.locator("body").inner_text()
    # The platform admin works the queue.
    _sign_in(page, site, "staff@dspt.example")
    page.goto(site + "/organisations/claims/")
    check_accessible(page, "registration queue")
    page.get_by_role("link", name="Foxglove Lodge").click()
    check_accessible(page, "registration decision")
    page.get_by_label("Reason or note").fill("Phoned the registered manager on the CQC number")
    page.get_by_role("button", name="Approve: make them organisation admin").click()
    assert "is now the admin of Foxglove Lodge" in page.locator("body").inner_text()
    # The claimant now has the workspace, and a notification says so.
    _sign_in(page, site, "sam@foxglove.example")
    assert page.goto(site + "/organisations/VJRN2/").status == 200
    page.goto(site + "/plans/notifications/")
    assert (
        "You are now the organisation admin for Foxglove Lodge" in page.locator("main").inner_text()
    )
    # The registered manager later tells the platform Sam does not work there: staff undo it.
    _sign_in(page, site, "staff@dspt.example")
    page.goto(site + "/organisations/claims/")
    page.get_by_role("link", name="Foxglove Lodge").click()
    check_accessible(page, "organisation admins")
    page.get_by_label("sam (sam@foxglove.example)").check()
    page.get_by_role("button", name="Remove admin").click()
    assert "Say why" in page.locator(".nhsuk-error-summary").inner_text()
    check_accessible(page, "organisation admins with an error")
    page.get_by_label("sam (sam@foxglove.example)").check()
    page.get_by_label("Why they are removed").fill("The registered manager says Sam left in 2024")
    page.get_by_role("button", name="Remove admin").click()
    assert "no longer an admin of Foxglove Lodge" in page.locator("body").inner_text()
    assert "has no organisation admin" in page.locator("main").inner_text()
    _sign_in(page, site, "sam@foxglove.example")
    assert page.goto(site + "/organisations/VJRN2/").status == 404


def _meet(assessment, item, user):
    from dspt.assessments.documents import attach_document
    from dspt.frameworks.model import ResponseType

    kind = item.response_type
    if kind == ResponseType.DOCUMENT:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from tests.browser.helpers import PDF

        attach_document(
            Assessment.objects.get(pk=assessment.pk),
            item.id,
            SimpleUploadedFile("policy.pdf", PDF, "application/pdf"),
            user,
        )
        return
    value = {
        ResponseType.CONFIRM: True,
        ResponseType.TEXT: "Done and reviewed.",
        ResponseType.DATE: "2026-10-01",
        ResponseType.NUMBER: item.threshold or 1,
        ResponseType.PERCENTAGE: item.threshold or 100,
        ResponseType.CHOICE: next((c.key for c in item.choices if c.meets), None),
    }[kind]
    fresh = Assessment.objects.get(pk=assessment.pk)
    assessment_services.save_answer(
        fresh, item.id, value=value, not_applicable=False, comment="", user=user
    )
