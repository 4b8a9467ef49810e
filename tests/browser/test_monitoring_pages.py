"""Monitoring and LSO screens in a real browser: they render, draw their charts and pass axe."""

import pytest
from django.core.management import call_command

from dspt.core.demo import DEMO_PASSWORD
from tests.browser.conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def small_demo(settings, tmp_path):
    call_command("load_demo", locations=400, seed=7, verbosity=0)


def sign_in(page, site, who):
    page.goto(site + "/accounts/sign-in/")
    page.get_by_label("Email address").fill(f"{who}@demo.dspt.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_programme_dashboard_series_and_map(site, page, small_demo):
    sign_in(page, site, "programme")
    page.goto(site + "/monitoring/dashboard/?as_of=2024-07-31")
    assert page.locator("main h1").inner_text() == "Compliance in England"
    page.locator(".js-plotly-plot").first.wait_for()  # a chart was drawn from its data
    assert page.locator("main table").count() >= 1  # and the table is beside it
    assert axe_violations(page) == [], axe_violations(page)
    page.goto(site + "/monitoring/series/")
    page.locator(".js-plotly-plot").first.wait_for()
    assert axe_violations(page) == []
    page.goto(site + "/monitoring/map/local_authority/")
    assert page.locator("svg.app-map path").count() > 100  # one area per local authority
    assert axe_violations(page) == []
    # Any measure by LSO area: chosen on the form, drawn as the LSOs' local authorities.
    page.select_option("#measure", "change")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url("**measure=change**")
    assert page.locator("main h1").inner_text().startswith("Change in compliance")
    page.get_by_role("link", name="By LSO area").click()
    assert page.locator("svg.app-map path").count() > 100
    assert axe_violations(page) == []
    with page.expect_download() as png:
        page.get_by_role("link", name="Download the map as PNG").click()
    assert png.value.suggested_filename.startswith("map-change-lso-")


def test_lso_work_pages(site, page, small_demo):
    sign_in(page, site, "lso.staff")
    page.goto(site + "/support/")
    assert page.locator("main h1").is_visible()
    assert axe_violations(page) == []


def test_new_chart_pages_draw_and_pass_axe(site, page, small_demo):
    sign_in(page, site, "programme")
    for path in (
        "/monitoring/change/?as_of=2024-07-31",
        "/monitoring/targets/?as_of=2024-07-31",
        "/monitoring/targeting/?as_of=2024-07-31",
        "/monitoring/new-locations/?as_of=2024-07-31",
        "/support/outcomes/",
        "/monitoring/breakdowns/?by=provider_size&then=care_home&as_of=2024-07-31"
        "&compare_to=2023-07-31&rating=Good",
    ):
        page.goto(site + path)
        page.locator(".js-plotly-plot").first.wait_for()
        assert page.locator("main table").count() >= 1, path
        assert axe_violations(page) == [], (path, axe_violations(page))


def test_choose_a_two_way_breakdown_with_a_filter(site, page, small_demo):
    sign_in(page, site, "programme")
    page.goto(site + "/monitoring/breakdowns/?as_of=2024-07-31")
    page.get_by_label("Break down by").select_option("region")
    page.get_by_label("Then by").select_option("care_home")
    page.get_by_label("Only care home or not").select_option("Care home")
    page.get_by_role("button", name="Show figures").click()
    page.locator(".js-plotly-plot").first.wait_for()
    assert "Compliance by region and care home or not" in page.locator("main h2").first.inner_text()
    cells = page.locator("main table tbody tr td:nth-child(2)").all_inner_texts()
    assert cells and set(cells) == {"Care home"}
    assert axe_violations(page) == []


def test_lso_changes_and_deletes_an_engagement(site, page, small_demo):
    sign_in(page, site, "lso.staff")
    page.goto(site + "/support/engagements/")
    page.locator("main table a", has_text="Change").first.click()
    assert page.locator("main h1").inner_text() == "Change an engagement"
    assert axe_violations(page) == []
    page.get_by_label("Notes (optional)").fill("Changed in the browser")
    page.get_by_role("button", name="Save changes").click()
    assert "Engagement changed." in page.content()
    page.locator("main table a", has_text="Delete").first.click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Yes, delete this engagement").click()
    assert "Engagement deleted." in page.content()


def test_notifications_page_and_tokens_page(site, page, small_demo):
    sign_in(page, site, "commissioner")
    page.goto(site + "/notifications/")
    assert page.locator("main h1").inner_text() == "Your notifications"
    assert axe_violations(page) == []
    page.goto(site + "/accounts/tokens/")
    page.get_by_label("Name").fill("Board report")
    page.get_by_role("button", name="Create token").click()
    assert page.locator("#new-token").inner_text().startswith("dspt_")
    assert axe_violations(page) == []


def test_anyone_reads_compliance_figures_for_any_area(site, page, small_demo):
    page.goto(site + "/")
    page.get_by_role("link", name="Compliance figures for any area of England").click()
    page.locator(".js-plotly-plot").first.wait_for()
    page.get_by_label("Break down by").select_option("care_home")
    page.get_by_label("Area").select_option(index=2)
    page.get_by_label("Figures as of").fill("2024-07-31")
    page.get_by_role("button", name="Show figures").click()
    page.locator(".js-plotly-plot").first.wait_for()
    groups = page.locator("main table tbody tr th, main table tbody tr td:first-child")
    assert "Care home" in " ".join(groups.all_inner_texts())
    assert "Sign in" in page.content()  # nobody signed in
    assert axe_violations(page) == []
