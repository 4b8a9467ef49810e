"""Monitoring and LSO screens in a real browser: they render, draw their charts and pass axe."""

import pytest
from playwright.sync_api import expect

from dspt.core.demo import DEMO_PASSWORD
from dspt.demo.loader import load_demo
from tests.browser.conftest import axe_violations
from tests.browser.helpers import snapshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


# The apps whose demo records these pages show; client-level data and data access requests
# (about a third of the demo's loading time) appear on none of them.
SHOWN = ("assessments", "improvement_plans", "assurance", "monitoring", "support")


@pytest.fixture
def small_demo(settings, tmp_path):
    load_demo(400, 7, log=lambda *_: None, plugins=SHOWN)


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
    expect(page.locator("main h1")).to_be_visible()
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
        "/monitoring/at-dates/?by=provider_size&measure=compliance_pct",
    ):
        page.goto(site + path)
        page.locator(".js-plotly-plot").first.wait_for()
        assert page.locator("main table").count() >= 1, path
        assert axe_violations(page) == [], (path, axe_violations(page))


def test_one_figure_on_each_31_july_then_two_dates_of_our_own(site, page, small_demo):
    sign_in(page, site, "programme")
    page.goto(site + "/monitoring/at-dates/")
    assert page.get_by_label("Dates, one on each line").input_value().startswith("31 7 2021")
    page.get_by_label("For each").select_option("region")
    page.get_by_label("Dates, one on each line").fill("1 4 2021\n31 7 2024")
    page.get_by_role("button", name="Show figures").click()
    page.locator(".js-plotly-plot").first.wait_for()
    head = page.locator("main table thead th").all_inner_texts()
    assert head == ["Region", "1 Apr 2021", "31 Jul 2024"]
    page.get_by_label("Dates, one on each line").fill("31 2 2024")
    page.get_by_role("button", name="Show figures").click()
    page.get_by_text("There is a problem").wait_for()
    assert axe_violations(page) == []


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
    dated = page.get_by_role("group", name="Figures as of")
    dated.get_by_label("Day").fill("31")
    dated.get_by_label("Month").fill("7")
    dated.get_by_label("Year").fill("2024")
    page.get_by_role("button", name="Show figures").click()
    page.locator(".js-plotly-plot").first.wait_for()
    groups = page.locator("main table tbody tr th, main table tbody tr td:first-child")
    assert "Care home" in " ".join(groups.all_inner_texts())
    assert "Sign in" in page.content()  # nobody signed in
    assert axe_violations(page) == []


def _cut_off(page) -> list[str]:
    """Headings of table columns that are not in view at this width without scrolling sideways."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main .app-table-wrap')].flatMap(wrap =>
            [...wrap.querySelectorAll('thead th')]
              .filter(th => th.getBoundingClientRect().right > wrap.getBoundingClientRect().right + 1
                            || th.getBoundingClientRect().right > window.innerWidth)
              .map(th => th.innerText.trim()))"""
    )


def test_tables_fit_1280_page_sort_stick_and_choose_columns(site, page, small_demo):
    """Issue 14, item 7: at 1280 px no column is cut off, a long table comes a page at a time,
    any column sorts, the headings stay in view while the rows scroll, and columns can be
    chosen; the page stays short."""
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, site, "programme")
    for path in (
        "/monitoring/targeting/?as_of=2024-07-31",
        "/monitoring/dashboard/?as_of=2024-07-31&by=local_authority",
        "/monitoring/series/?as_of=2024-07-31",
        "/monitoring/breakdowns/?by=provider_size&then=care_home&as_of=2024-07-31"
        "&compare_to=2023-07-31",
    ):
        page.goto(site + path)
        snapshot(page, "monitoring-" + path.split("/")[2] + "-1280.png", full_page=True)
        assert _cut_off(page) == [], path
    snapshot(page, "monitoring-breakdown-1280.png", full_page=True)

    page.goto(site + "/monitoring/map/local_authority/?as_of=2024-07-31")
    caption = page.locator("main table caption")
    total = int(caption.inner_text().split(" of ")[-1].replace(",", ""))
    assert total > 100 and "Rows 1 to 50 of" in caption.inner_text()
    assert page.locator("main table tbody tr").count() == 50
    assert page.evaluate("document.documentElement.scrollHeight") < 4000
    snapshot(page, "monitoring-map-1280.png", full_page=True)
    assert axe_violations(page) == [], axe_violations(page)

    # Sorting by compliance, biggest first, then smallest first.
    page.locator("main thead a", has_text="Compliant (%)").click()
    heading = page.locator("main thead th", has_text="Compliant (%)")
    assert heading.get_attribute("aria-sort") == "descending"
    shares = [
        float(t.rstrip("%")) for t in page.locator("main tbody td:nth-child(4)").all_inner_texts()
    ]
    assert shares == sorted(shares, reverse=True) and len(shares) == 50
    page.locator("main thead a", has_text="Compliant (%)").click()
    assert heading.get_attribute("aria-sort") == "ascending"
    lowest = [
        float(t.rstrip("%")) for t in page.locator("main tbody td:nth-child(4)").all_inner_texts()
    ]
    assert lowest == sorted(lowest) and lowest[0] <= shares[-1]

    # The next page keeps the sort and the date.
    page.locator("main nav.nhsuk-pagination").get_by_role("link", name="Page 2").click()
    assert "Rows 51 to 100 of" in caption.inner_text()
    assert "as_of=2024-07-31" in page.url and heading.get_attribute("aria-sort") == "ascending"

    # The headings stay in view while the rows scroll inside the table's box.
    wrap = page.locator("main .app-table-wrap").first
    wrap.evaluate("w => { w.scrollTop = 600; }")
    top = wrap.evaluate("w => w.getBoundingClientRect().top")
    assert abs(heading.evaluate("th => th.getBoundingClientRect().top") - top) < 2
    snapshot(wrap, "monitoring-map-sticky.png")

    # Fewer columns.
    page.get_by_text("Choose columns").click()
    page.get_by_label("Code", exact=True).uncheck()
    page.get_by_role("button", name="Show these columns").click()
    headings = page.locator("main thead th").all_inner_texts()
    assert not any(h.startswith("Code") for h in headings), headings
    assert len(headings) == 3 and heading.get_attribute("aria-sort") == "ascending"
    assert "as_of=2024-07-31" in page.url
    assert axe_violations(page) == [], axe_violations(page)


def test_one_date_pattern_the_nhs_date_input(site, page, small_demo):
    """Issue 14, item 10: dates are asked for with the NHS date input (day, month and year boxes
    and a hint in the same pattern), never the browser's own picker in its own locale."""
    from dspt.organisations.models import Organisation

    def no_browser_pickers():
        assert page.locator("input[type=date]").count() == 0, page.url
        assert "2024-03-01" not in page.locator("main").inner_text()

    def fill(group, day, month, year):
        dated = page.get_by_role("group", name=group)
        dated.get_by_label("Day").fill(day)
        dated.get_by_label("Month").fill(month)
        dated.get_by_label("Year").fill(year)

    code = Organisation.objects.filter(ods_code__isnull=False).values_list("ods_code", flat=True)[0]
    page.goto(f"{site}/status/{code}/")
    no_browser_pickers()
    fill("See the status on another date", "1", "3", "2024")
    page.get_by_role("button", name="Show status").click()
    assert "1 March 2024" in page.locator("main").inner_text()
    fill("See the status on another date", "31", "2", "2024")
    page.get_by_role("button", name="Show status").click()
    assert "Enter a real date" in page.locator("main").inner_text()
    assert axe_violations(page) == [], axe_violations(page)

    sign_in(page, site, "programme")
    page.goto(site + "/monitoring/breakdowns/")
    no_browser_pickers()
    fill("Figures as of", "31", "7", "2024")
    fill("Compare with (optional)", "31", "7", "2023")
    page.get_by_role("button", name="Show figures").click()
    assert "as of 31 July 2024" in page.locator("main").inner_text()
    assert page.locator("main th", has_text="Change (points)").count() >= 1
    snapshot(page, "date-input-breakdown.png")
    assert axe_violations(page) == [], axe_violations(page)

    sign_in(page, site, "lso.staff")
    page.goto(site + "/support/engagements/")
    no_browser_pickers()
    page.locator("main table a", has_text="Change").first.click()
    no_browser_pickers()
    dated = page.get_by_role("group", name="Date")
    assert dated.get_by_label("Year").input_value().isdigit()
    fill("Date", "2", "1", "2024")
    page.get_by_role("button", name="Save changes").click()
    assert "Engagement changed." in page.content()
    assert "2024-01-02" in page.locator("main table").inner_text()
