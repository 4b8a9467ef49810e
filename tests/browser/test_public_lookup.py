"""A member of the public looks up a status in a real browser."""

from datetime import date

import pytest
from playwright.sync_api import expect

from dspt.assessments.models import Level, Publication
from dspt.organisations.models import Organisation, OrgType, Region
from tests.browser.conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_search_and_see_status(site, page):
    region = Region.objects.get_or_create(
        ons_code="E12000003", defaults={"name": "Yorkshire and The Humber"}
    )[0]
    org = Organisation.objects.create(
        ods_code="VPUB1",
        name="Willow Court Care Home",
        org_type=OrgType.SOCIAL_CARE,
        postcode="LS6 2AB",
        region=region,
        registered_on=date(2024, 1, 1),
    )
    Publication.objects.create(
        organisation=org, edition="2026-27", published_on=date(2026, 9, 14), level=Level.MET
    )

    page.goto(site + "/")
    page.get_by_label("Organisation name, ODS code or postcode").fill("willow")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Willow Court Care Home").click()
    expect(page.get_by_text("26/27 Standards Met")).to_be_visible()
    expect(page.get_by_text("30 June 2028")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(site + "/?q=willow")
    assert axe_violations(page) == []
