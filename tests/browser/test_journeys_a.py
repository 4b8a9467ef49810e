"""Issue 14's journeys, items 1–6: each stumble a real user met, in a real browser."""

import re
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from dspt.accounts.models import Membership, User
from dspt.assessments import services as assessment_services
from dspt.assessments.models import Assessment, EvidenceDocument
from dspt.core.demo import DEMO_PASSWORD
from dspt.frameworks.model import load_edition
from dspt.improvement_plans.columns import HEADERS
from dspt.organisations.models import Organisation, OrgType, Region
from dspt.statuses.facts import Calendar
from tests.browser.conftest import axe_violations
from tests.browser.helpers import PASSWORD, PDF, sign_in, snapshot
from tests.browser.test_toolkit_journeys import _meet

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
TODAY = date(2026, 11, 23)


def _person(email: str, **kw) -> User:
    user = User(username=email, email=email, full_name=email.split("@")[0], **kw)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def care_home(db):
    region = Region.objects.get_or_create(
        ons_code="E12000003", defaults={"name": "Yorkshire and The Humber"}
    )[0]
    home = Organisation.objects.create(
        ods_code="VJA01",
        name="Harebell House",
        org_type=OrgType.SOCIAL_CARE,
        region=region,
        adult_social_care=True,
        care_home=True,
        beds=20,
        registered_on=date(2025, 1, 1),
    )
    admin = _person("manager@harebell.example")
    Membership.objects.create(user=admin, organisation=home, role="admin")
    assessment_services.start_assessment(home, admin, on=TODAY)
    return home


def _answer_and_wait_for_autosave(page) -> str:
    """Answer the page's first yes/no or written item, leave it and wait for the background
    save to say "Saved"."""
    field = page.locator(
        "section[data-item] textarea[name^=value-], section[data-item] input[type=radio][value=yes]"
    ).first
    item_id = field.evaluate("e => e.closest('[data-item]').dataset.item")
    if field.evaluate("e => e.tagName") == "TEXTAREA":
        field.fill("Reviewed by the manager every year.")
        page.locator("h1").click()  # leaving the field saves it in the background
    else:
        field.check()
    page.locator(f'[data-status-for="{item_id}"]', has_text="Saved").wait_for()
    return item_id


def test_first_save_click_after_an_autosave_goes_on(site, page, care_home, tmp_path):
    """Item 1: after "Saved" shows, one click on a Save button submits the page, with the
    document chosen for upload."""
    sign_in(page, site, "manager@harebell.example")
    page.goto(f"{site}/assessments/VJA01/standards/1/")
    _answer_and_wait_for_autosave(page)
    page.get_by_role("button", name="Save and go to standard 2").click()
    page.wait_for_url(f"{site}/assessments/VJA01/standards/2/", timeout=5000)

    # The same on the next page with a document chosen, and the other button.
    item_id = _answer_and_wait_for_autosave(page)
    policy = tmp_path / "policy.pdf"
    policy.write_bytes(PDF)
    page.locator(f'section[data-item="{item_id}"] input[type=file]').set_input_files(str(policy))
    page.get_by_role("button", name="Save and return to the overview").click()
    page.wait_for_url(f"{site}/assessments/VJA01/", timeout=5000)
    assert EvidenceDocument.objects.filter(item_id=item_id).count() == 1


def test_care_provider_at_not_met_is_shown_its_route(site, page, care_home):
    """Item 2: a care provider that has just published Standards Not Met is told its route (the
    action plan to Approaching Standards, then Standards Met) and can follow it."""
    sign_in(page, site, "manager@harebell.example")
    page.goto(f"{site}/assessments/VJA01/publish/")
    page.get_by_role("button", name="Publish Standards Not Met").click()
    page.wait_for_url(f"{site}/assessments/VJA01/published/")
    published = page.url
    page.goto(f"{site}/plans/VJA01/")
    main = page.locator("main").inner_text()
    assert "does not need an improvement plan" not in main, main
    assert "Approaching Standards" in main and "Standards Met" in main, main
    snapshot(page, "ja/item2-plan-route.png", full_page=True)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Add your action plan").click()
    page.wait_for_url(f"{site}/assessments/VJA01/action-plan/")
    assert page.locator("h1").inner_text() == "Action plan"
    # The page saying it is published points the same way.
    page.goto(published)
    page.get_by_role("link", name="attach an action plan").click()
    page.wait_for_url(f"{site}/assessments/VJA01/action-plan/")


def _assert_nhs_layout(page) -> None:
    assert page.locator("header.nhsuk-header").count() == 1
    assert page.locator("footer .nhsuk-footer, footer.nhsuk-footer").count() >= 1
    assert page.locator("link[href$='nhsuk-frontend.min.css']").count() == 1


def test_error_pages_say_why_and_offer_a_way_on(site, page, care_home, settings):
    """Item 3: 403, 404 and 500 pages use the NHS layout, give the reason and a way on; an
    unknown ODS code on /status/ says so and offers the search."""
    settings.ROOT_URLCONF = "tests.browser.errors_urls"
    # Anyone: an unknown ODS code, then a page that does not exist.
    response = page.goto(f"{site}/status/zzq99/")
    assert response.status == 404
    _assert_nhs_layout(page)
    assert page.locator("h1").inner_text() == "No organisation has the ODS code ZZQ99"
    snapshot(page, "ja/item3-status-unknown.png", full_page=True)
    assert axe_violations(page) == []
    page.get_by_label("Organisation name, ODS code or postcode").fill("Harebell")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Harebell House")).to_be_visible()

    assert page.goto(f"{site}/no-such-page/").status == 404
    _assert_nhs_layout(page)
    assert page.locator("h1").inner_text() == "Page not found"
    expect(page.get_by_role("link", name="Look up an organisation's status")).to_be_visible()
    assert axe_violations(page) == []

    # A care home's manager opens compliance monitoring: told why not, and where to go.
    sign_in(page, site, "manager@harebell.example")
    assert page.goto(f"{site}/monitoring/").status == 403
    _assert_nhs_layout(page)
    main = page.locator("main").inner_text()
    assert "You do not have access to this page" in main
    assert "Compliance monitoring is for commissioners, LSOs and the programme." in main
    snapshot(page, "ja/item3-403.png", full_page=True)
    assert axe_violations(page) == []
    page.get_by_role("link", name="Your home page").click()
    page.wait_for_url(f"{site}/organisations/")

    # Another organisation's assessment: not found, with our reason, never whose it is.
    assert page.goto(f"{site}/assessments/RZZ99/").status == 404
    assert "No organisation you can see has that ODS code." in page.locator("main").inner_text()

    # A bug: the page still has the layout and a way on.
    assert page.goto(f"{site}/fail-for-a-test/").status == 500
    _assert_nhs_layout(page)
    assert page.locator("h1").inner_text() == "Sorry, there is a problem with the service"
    snapshot(page, "ja/item3-500.png", full_page=True)
    expect(page.get_by_role("link", name="Your home page")).to_be_visible()


STAFF_HOMES = {
    # demo sign-in: the panels their home must show
    "reviewer": ["Improvement plans", "Alerts", "What is due"],
    "programme": ["Compliance in England", "Improvement plans", "What is due"],
    "processor": ["Client-level data", "Alerts"],
    "lso.staff": ["Compliance in", "Alerts", "What is due"],
    "commissioner": ["Your watchlist", "Compliance in", "Alerts"],
}


@pytest.fixture
def small_demo(settings):
    call_command("load_demo", locations=400, seed=7, verbosity=0)


def test_each_staff_role_lands_on_its_work(site, page, small_demo):
    """Item 4: staff who sign in land on a home with their work, not on "You do not belong to
    an organisation yet"."""
    for who, headings in STAFF_HOMES.items():
        sign_in(page, site, f"{who}@demo.dspt.example", DEMO_PASSWORD)
        assert page.url == f"{site}/home/", (who, page.url, page.locator("main").inner_text())
        main = page.locator("main").inner_text()
        assert "You do not belong to an organisation" not in main, (who, main)
        assert page.locator("h1").inner_text() == "Your work", who
        cards = page.locator(".nhsuk-card__heading").all_inner_texts()
        for heading in headings:
            assert any(c.startswith(heading) for c in cards), (who, heading, cards)
        # Each card's links lead somewhere that opens for them.
        for href in page.locator(".nhsuk-card a").evaluate_all("els => els.map(e => e.href)"):
            assert page.request.get(href).status == 200, (who, href)
        snapshot(page, f"ja/item4-{who}.png", full_page=True)
        assert axe_violations(page) == [], who
        # Their organisations page no longer tells them to register one.
        page.goto(f"{site}/organisations/")
        assert "You do not belong to an organisation" not in page.locator("main").inner_text()


def test_assessment_overview_puts_progress_and_the_next_step_first(site, page, care_home):
    """Item 5: the overview opens with progress and the next step; the standards and the publish
    button come before the items still needed, which are listed once, folded away."""
    sign_in(page, site, "manager@harebell.example")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{site}/assessments/VJA01/")
    snapshot(page, "ja/item5-overview.png", full_page=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, height

    def top(locator) -> float:
        return locator.first.bounding_box()["y"]

    next_button = page.get_by_role("button", name=re.compile(r"^Go to standard \d+$"))
    publish = page.get_by_role("button", name="Review and publish")
    standards = page.locator(".nhsuk-task-list")
    assert top(next_button) < 900  # on the first screen
    assert top(next_button) < top(standards) < top(publish)
    needed = page.locator("#still-needed")
    assert top(publish) < top(needed)
    # Each item still needed is listed once.
    links = needed.locator("li > a").evaluate_all("els => els.map(e => e.textContent)")
    assert links and len(links) == len(set(links)), links
    assert axe_violations(page) == []
    next_button.click()
    page.wait_for_url(re.compile(r".*/assessments/VJA01/standards/\d+/$"))


def test_plan_upload_warns_of_what_the_reviewer_will_refuse(site, page, tmp_path):
    """Item 6: target dates after the publication expires are flagged to the uploader at upload
    (the reviewer's criteria), and the template's date hint is in its own format and not past."""
    region = Region.objects.get_or_create(
        ons_code="E12000003", defaults={"name": "Yorkshire and The Humber"}
    )[0]
    trust = Organisation.objects.create(
        ods_code="RZY",
        name="Eastfield Hospitals NHS Trust",
        org_type=OrgType.NHS_TRUST,
        region=region,
        registered_on=date(2020, 1, 1),
    )
    admin = _person("ig.lead@eastfield.example")
    Membership.objects.create(user=admin, organisation=trust, role="admin")
    assessment = assessment_services.start_assessment(trust, admin, on=TODAY)
    mandatory = load_edition(assessment.edition, assessment.audience).mandatory_items(
        OrgType.NHS_TRUST
    )
    for item in mandatory[2:]:  # two mandatory items left unmet
        _meet(Assessment.objects.get(pk=assessment.pk), item, admin)
    expires = Calendar().valid_until(assessment.edition)

    sign_in(page, site, "ig.lead@eastfield.example")
    page.goto(f"{site}/assessments/RZY/publish/")
    page.get_by_role("button", name="Publish Standards Not Met").click()
    page.goto(f"{site}/plans/RZY/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template (Excel, XLSX)").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    # The hint's example is written as the template's dates are, and is not in the past.
    wb = openpyxl.load_workbook(template)
    date_format = wb["Plan"].cell(row=2, column=HEADERS.index("Target completion date") + 1)
    assert date_format.number_format == "DD/MM/YYYY"
    instructions = " ".join(
        str(c.value or "") for row in wb["Instructions"].iter_rows() for c in row
    )
    examples = re.findall(r"for example (\d\d)/(\d\d)/(\d{4})", instructions)
    assert examples, instructions
    for day, month, year in examples:
        assert TODAY <= date(int(year), int(month), int(day)) <= expires, instructions
    assert "31/03/2026" not in instructions  # the old, past example

    # A plan finishing after the publication expires is stored, and the uploader is told at
    # once that a reviewer cannot approve it.
    late = expires + timedelta(days=30)
    _fill_plan(template, tmp_path / "late.xlsx", late)
    page.locator("#plan_file").set_input_files(str(tmp_path / "late.xlsx"))
    page.get_by_role("button", name="Upload and check").click()
    warnings = page.locator("#plan-warnings")
    assert "does not meet the criteria for approval" in warnings.inner_text()
    assert "after this publication stops being valid" in warnings.inner_text()
    assert "cannot approve" in page.locator(".app-message").inner_text()
    snapshot(page, "ja/item6-warnings.png", full_page=True)
    # The plan table's scrolling region is issue 14's item 11, fixed on its own.
    others = [v for v in axe_violations(page) if v["id"] != "scrollable-region-focusable"]
    assert others == []

    # Corrected: no warning left.
    _fill_plan(template, tmp_path / "fixed.xlsx", expires - timedelta(days=30))
    page.locator("#plan_file").set_input_files(str(tmp_path / "fixed.xlsx"))
    page.get_by_role("button", name="Upload and check").click()
    assert "awaits review" in page.locator(".app-message").inner_text()
    assert page.locator("#plan-warnings").count() == 0


def _fill_plan(path, out, target: date) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Plan"]
    col = {cell.value: cell.column for cell in ws[1]}
    for row in range(2, ws.max_row + 1):
        if not ws.cell(row=row, column=col["Evidence item"]).value:
            continue
        ws.cell(row=row, column=col["Actions required"], value="Write the procedure.")
        ws.cell(row=row, column=col["Action owner"], value="Head of information governance")
        ws.cell(row=row, column=col["Target completion date"], value=target)
    wb.save(out)
