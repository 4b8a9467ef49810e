"""Client-level data in a real browser: an authority sends extracts and reads its data-quality
report, the processing centre traces one, agrees and releases it (choosing the extracts and the
aggregate tables), the recipient downloads the extract and a table, and
a recipient whose DSPT status has lapsed is refused with the reason. Every page is scanned with
axe (no serious or critical violations)."""

from datetime import date

import pytest
from playwright.sync_api import expect

from dspt.accounts.models import OversightRole
from dspt.assessments.models import Publication
from dspt.cld.generate import generate
from dspt.cld.models import Release, Submission, TimetablePeriod
from dspt.organisations.models import LocalAuthority, Organisation, OrgType, Region
from dspt.tasks.queue import run_pending
from tests.browser.helpers import accessible, person, sign_in, snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
KEY_HEX = "5a" * 32


@pytest.fixture
def world(settings, tmp_path, monkeypatch):
    settings.DSPT_TODAY = "2025-05-01"
    settings.DSPT_CLD_STORAGE = str(tmp_path / "zone")
    # Checks wait in the queue for the worker, so the test decides when they run and sees the wait.
    settings.DSPT_TASKS = "queue"
    monkeypatch.setenv("DSPT_PSEUDONYM_KEY", KEY_HEX)
    region = Region.objects.get_or_create(
        ons_code="E12000003", defaults={"name": "Yorkshire and The Humber"}
    )[0]
    leeds_la = LocalAuthority.objects.get_or_create(
        ons_code="E08000035", defaults={"name": "Leeds", "cqc_name": "Leeds", "region": region}
    )[0]
    leeds = Organisation.objects.create(
        ods_code="E08000035",
        name="Leeds Council",
        org_type=OrgType.LOCAL_AUTHORITY,
        local_authority=leeds_la,
    )
    research = Organisation.objects.create(
        ods_code="8RE01", name="Research Unit", org_type=OrgType.OTHER
    )
    Publication.objects.create(
        organisation=research,
        edition="2024-25",
        published_on=date(2024, 9, 1),
        level="standards_met",
    )
    unassured = Organisation.objects.create(
        ods_code="8RE02", name="Unassured Analytics", org_type=OrgType.OTHER
    )
    TimetablePeriod.objects.create(
        period_start=date(2024, 4, 1), period_end=date(2025, 3, 31), due_date=date(2025, 4, 30)
    )
    TimetablePeriod.objects.create(
        period_start=date(2024, 7, 1), period_end=date(2025, 6, 30), due_date=date(2025, 7, 30)
    )
    good, bad = tmp_path / "leeds-2025-03.csv", tmp_path / "leeds-2025-03-draft.csv"
    files = generate(good, rows=300, seed=41, la_code="E08000035", trace_share=0.3)
    generate(bad, rows=200, seed=42, la_code="E08000035", error_rate=0.2)
    settings.DSPT_CLD_INDEX, settings.DSPT_CLD_LOOKUP = str(files.index), str(files.lookup)
    person("data@leeds.example", leeds)
    person("centre@dscro.example", oversight_role=OversightRole.PROCESSOR)
    person("analyst@research.example", research)
    person("analyst@unassured.example", unassured)
    return {"good": good, "bad": bad, "leeds": leeds}


def _send(page, site, path):
    page.goto(site + "/cld/upload/")
    page.get_by_label("Local authority").select_option(
        label=str(Organisation.objects.get(name="Leeds Council"))
    )
    page.get_by_label("Reporting period").select_option(label="01 Apr 2024 to 31 Mar 2025")
    page.get_by_label("Extract (CSV, optionally gzipped)").set_input_files(str(path))
    page.get_by_role("button", name="Send extract").click()
    page.wait_for_url("**/cld/submissions/*/")


def test_send_check_process_release_download_and_refuse(site, page, world, settings, tmp_path):
    # The authority's data team sends an extract with errors and waits for its check.
    sign_in(page, site, "data@leeds.example")
    page.goto(site + "/cld/")
    accessible(page, "home")
    page.goto(site + "/cld/upload/")
    accessible(page, "upload")
    _send(page, site, world["bad"])
    bar = page.locator("progress.cld-progress__bar")
    expect(bar).to_be_visible()
    assert "Waiting to be checked" in page.locator("main").inner_text()
    accessible(page, "submission waiting")
    # The page follows the check without reloading: the bar and its text move.
    sub = Submission.objects.get()
    Submission.objects.filter(pk=sub.pk).update(state="checking", progress=40)
    page.get_by_text("Checked 40%").wait_for()
    assert bar.get_attribute("value") == "40"
    # When the check ends the page shows the report by itself.
    Submission.objects.filter(pk=sub.pk).update(state="landing", progress=0)
    assert run_pending() == 1
    page.get_by_role("heading", name="Data-quality report").wait_for()
    main = page.locator("main").inner_text()
    assert "The file was rejected and has not been kept" in main
    counts = page.locator("table", has_text="Findings by rule")
    sub.refresh_from_db()
    for rule, n in sub.report["summary"].items():
        assert counts.locator("tr", has_text=rule).first.inner_text().split()[-1] == f"{n:,}"
    assert page.locator("table", has_text="First errors").locator("tbody tr").count() > 0
    with page.expect_download() as download:
        page.get_by_role("link", name="Download every finding (CSV)").click()
    errors_csv = download.value.path().read_text()
    assert errors_csv.startswith("row,field,rule,severity,message")
    assert len(errors_csv.splitlines()) - 1 == sub.report["error_count"] + sub.report.get(
        "warning_count", 0
    )
    accessible(page, "data-quality report")

    # The corrected file is accepted; the timetable shows it late (due 30 April, sent 1 May).
    _send(page, site, world["good"])
    run_pending()
    page.get_by_text("The file was accepted.").wait_for()
    page.goto(site + "/cld/timetable/")
    rows = page.locator("tbody tr")
    assert "Late" in rows.filter(has_text="31 Mar 2025").inner_text()
    assert "Not yet due" in rows.filter(has_text="30 Jun 2025").inner_text()
    accessible(page, "timetable")
    assert page.goto(site + "/cld/centre/").status == 403

    # The processing centre traces and pseudonymises it and sees the trace rates.
    accepted = Submission.objects.get(state=Submission.State.ACCEPTED)
    sign_in(page, site, "centre@dscro.example")
    page.goto(f"{site}/cld/submissions/{accepted.pk}/")
    page.get_by_role("button", name="Trace and pseudonymise").click()
    # Processing waits in the queue too: the page follows it, then shows the trace rates.
    page.get_by_text("Traced and pseudonymised 0%").wait_for()
    assert run_pending() == 1
    page.get_by_role("heading", name="Tracing").wait_for()
    assert "matched cross check" in page.locator("main").inner_text()
    accepted.refresh_from_db()
    assert accepted.state == Submission.State.PROCESSED
    page.goto(site + "/cld/centre/")
    rate = page.locator("tr", has_text="Leeds Council").first.inner_text()
    matched = sum(v for k, v in accepted.trace_outcomes.items() if k.startswith("matched_"))
    assert f"{100 * matched / 300:.1f}%" in rate
    accessible(page, "processing centre")

    # It records the authority's participation on its own page.
    page.get_by_role("link", name="Manage which authorities take part").click()
    accessible(page, "participation")
    page.get_by_role("link", name="Change participation of Leeds Council").click()
    page.get_by_label("Data provision notice served on").fill("2024-01-10")
    page.get_by_label("Early adopter").check()
    page.get_by_label("Contact named").fill("2024-01-12")
    accessible(page, "participation form")
    page.get_by_role("button", name="Save participation").click()
    assert "10 January 2024" in page.locator("tr", has_text="Leeds Council").inner_text()

    # Two agreements; the release to the recipient without Standards Met is refused.
    page.goto(site + "/cld/centre/")
    leeds = str(world["leeds"])
    for reference, ods in (("DSA-1", "8RE01"), ("DSA-2", "8RE02")):
        page.locator("summary", has_text="Add an agreement").click()
        page.get_by_label("Reference").fill(reference)
        page.get_by_label("Recipient").select_option(
            label=str(Organisation.objects.get(ods_code=ods))
        )
        page.get_by_label("Authorities covered").select_option(label=leeds)
        page.get_by_label("Period start").fill("2024-04-01")
        page.get_by_label("Period end").fill("2025-03-31")
        page.get_by_label("Expires on").fill("2027-03-31")
        page.get_by_label("Purpose").fill("Evaluation of reablement")
        page.get_by_role("button", name="Save agreement").click()
        page.get_by_text("Agreement saved.").wait_for()
    # Releasing: choose the agreement, then its extracts (all ticked) and the tables.
    for reference, name in (("DSA-1", "Research Unit"), ("DSA-2", "Unassured Analytics")):
        page.goto(site + "/cld/centre/")
        page.get_by_label("Agreement", exact=True).select_option(
            label=f"{reference}: {name}, until 31 March 2027"
        )
        page.get_by_role("button", name="Show extracts").click()
        page.get_by_role("heading", name=f"Agreement {reference}").wait_for()
        extract = page.get_by_label("Include Leeds Council, 01 Apr 2024 to 31 Mar 2025")
        assert extract.is_checked()
        assert page.get_by_label(
            "Events and people by authority, event type and service type"
        ).is_checked()
        page.get_by_label("People by authority, age band and gender").check()
        if reference == "DSA-1":
            assert (
                "only its latest processed extract is offered" in page.locator("main").inner_text()
            )
            accessible(page, "release form")
        with page.expect_navigation():
            page.get_by_role("button", name="Release", exact=True).click()
        if reference == "DSA-1":
            # It passed its checks: the worker writes it while its page says so.
            page.get_by_text("Being prepared").first.wait_for()
            accessible(page, "release being prepared")
            assert run_pending() == 1
            page.reload()
            page.get_by_role("heading", name="Extracts").wait_for()
            assert "Being prepared" not in page.locator("main").inner_text()
    main = page.locator("main").inner_text()
    refused = Release.objects.get(recipient__ods_code="8RE02")
    assert "Standards Met or better is required" in refused.refused_reason
    assert refused.refused_reason in main
    page.goto(site + "/cld/centre/")
    assert "300 rows" in page.locator("main").inner_text()
    accessible(page, "processing centre after release")

    # The recipient downloads its re-keyed extract.
    sign_in(page, site, "analyst@research.example")
    page.goto(site + "/cld/releases/")
    accessible(page, "releases")
    with page.expect_download() as download:
        page.get_by_role("link", name="Pseudonymised extract (Parquet)").click()
    assert download.value.path().read_bytes()[:4] == b"PAR1"
    with page.expect_download() as download:
        page.get_by_role("link", name="People by authority, age band and gender (CSV)").click()
    ages = download.value.path().read_text().splitlines()
    assert ages[0] == "period_end,la_code,age_band,gender,people" and len(ages) > 1
    released = Release.objects.get(recipient__ods_code="8RE01")
    page.get_by_role("link", name=f"release {released.pk}").click()
    page.wait_for_url(f"**/cld/releases/{released.pk}/")
    page.get_by_role("heading", name="Extracts").wait_for()
    assert "Leeds Council" in page.locator("main").inner_text()
    accessible(page, "release page")

    # A year later its DSPT status has lapsed: the download is refused, with the reason.
    settings.DSPT_TODAY = "2026-08-01"
    page.goto(site + "/cld/releases/")
    page.get_by_role("link", name="Pseudonymised extract (Parquet)").click()
    page.get_by_role("heading", name="Download refused").wait_for()
    assert "Standards Met or better is required" in page.locator("main").inner_text()
    accessible(page, "download refused")

    # The unassured recipient never sees the refused release.
    sign_in(page, site, "analyst@unassured.example")
    page.goto(site + "/cld/releases/")
    assert "Nothing has been released to your organisation." in page.locator("main").inner_text()
    assert page.goto(f"{site}/cld/releases/{refused.pk}/extract/").status == 404


def test_only_those_with_a_part_see_it_and_the_upload_form_names_what_is_missing(site, page, world):
    """Issue 14, item 8: client-level data is in the header only for people with a part in it;
    the upload page links the specification; no empty choice reads "---------"; and the error
    summary names each missing answer instead of "This field is required." three times."""
    home = Organisation.objects.create(
        ods_code="VCLD1", name="Clover Care Home", org_type=OrgType.SOCIAL_CARE
    )
    person("manager@clover.example", home, role="admin")
    sign_in(page, site, "manager@clover.example")
    header = page.locator("header")
    assert "Your organisations" in header.inner_text()
    assert header.get_by_role("link", name="Client-level data").count() == 0

    for who in ("data@leeds.example", "centre@dscro.example"):
        sign_in(page, site, who)
        assert page.locator("header").get_by_role("link", name="Client-level data").count() == 1

    sign_in(page, site, "data@leeds.example")
    page.goto(site + "/cld/upload/")
    options = page.locator("main select option").all_inner_texts()
    assert options and not any(set(o.strip()) == {"-"} for o in options), options
    page.get_by_role("button", name="Send extract").click()
    summary = page.locator(".nhsuk-error-summary li")
    messages = summary.all_inner_texts()
    assert messages == [
        "Choose the reporting period the extract covers.",
        "Choose the extract file to send.",
    ], messages
    for link in summary.locator("a").all():
        assert page.locator(link.get_attribute("href")).count() == 1
    snapshot(page, "cld-upload-errors.png", full_page=True)
    accessible(page, "upload with errors")

    page.get_by_role("link", name="Specification, Release 2").click()
    assert page.locator("main h1").inner_text() == "Client-level adult social care data, Release 2"
    header_row = page.get_by_label("The header row").inner_text()
    assert header_row.startswith("LA_Code,") and "Family_Name" in header_row
    assert page.get_by_role("row", name="LA_Person_Unique_Identifier").count() == 1
    snapshot(page, "cld-specification.png", full_page=True)
    accessible(page, "specification")
