"""The national team moves a deadline in the browser: from their home page to the deadlines
page, a refused move with its error, then a move the public status page reflects at once."""

from datetime import date

import pytest

from dspt.accounts.models import User
from dspt.assessments.models import Level, Publication
from dspt.organisations.models import Organisation, OrgType
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_move_a_deadline_and_see_the_status_follow(site, page, settings):
    settings.DSPT_TODAY = "2026-07-15"  # after the usual 2025-26 deadline
    org = Organisation.objects.create(
        ods_code="VDL01", name="Cedar View", org_type=OrgType.SOCIAL_CARE
    )
    Publication.objects.create(
        organisation=org, edition="2024-25", published_on=date(2025, 5, 1), level=Level.MET
    )
    user = User(username="lead@dspt.example", email="lead@dspt.example", oversight_role="programme")
    user.set_password("a sensible long passphrase")
    user.save()
    page.goto(site + "/status/VDL01/")
    assert "expired" in page.locator("main").inner_text().lower()

    page.goto(site + "/accounts/sign-in/")
    page.get_by_label("Email address").fill("lead@dspt.example")
    page.get_by_label("Password").fill("a sensible long passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.goto(site + "/organisations/")
    page.get_by_role("link", name="Publication deadlines").click()
    assert axe_violations(page) == []

    page.get_by_label("Toolkit year").select_option("2025-26")
    page.get_by_label("Day", exact=True).fill("31")
    page.get_by_label("Month", exact=True).fill("7")
    page.get_by_label("Year", exact=True).fill("2026")
    page.get_by_role("button", name="Move the deadline").click()
    assert "Say why the deadline moves" in page.locator(".nhsuk-error-summary").inner_text()
    assert axe_violations(page) == []

    page.get_by_label("Why it moves").fill("National email outage in June")
    page.get_by_role("button", name="Move the deadline").click()
    assert "The 2025-26 deadline is now 31 July 2026" in page.locator("body").inner_text()
    assert "National email outage in June" in page.locator("table").inner_text()

    page.goto(site + "/status/VDL01/")
    assert "24/25 Standards Met" in page.locator("main").inner_text()
