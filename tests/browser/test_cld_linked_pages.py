"""Health data and notices in a real browser: the processing centre loads a hospital admissions
file and reads its checks and linkage, agrees to share both datasets, makes a release linked with
the admissions of the same people and records a data provision notice; the recipient reads the
linkage rate and downloads the health events until its DSPT status lapses; the authority reads
its notice. Every page is scanned with axe."""

from datetime import date

import pytest

from dspt.accounts.models import User
from dspt.cld import services
from dspt.cld.demo import notice_pdf
from dspt.cld.generate_health import generate_admissions, nhs_numbers_in
from dspt.cld.models import HealthDataset, Release, Submission, TimetablePeriod
from tests.browser.helpers import accessible, sign_in
from tests.browser.test_cld_pages import world  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_load_link_release_download_refuse_and_read_a_notice(site, page, world, settings, tmp_path):  # noqa: F811
    settings.DSPT_TASKS = "eager"
    leeds = world["leeds"]
    sub = services.receive_upload(
        user=User.objects.get(email="data@leeds.example"),
        organisation=leeds,
        period=TimetablePeriod.objects.get(period_end=date(2025, 3, 31)),
        original_name="leeds.csv",
        chunks=[world["good"].read_bytes()],
    )
    centre = User.objects.get(email="centre@dscro.example")
    sub.refresh_from_db()
    services.process_submission(sub, user=centre)
    assert Submission.objects.get(pk=sub.pk).state == Submission.State.PROCESSED
    admissions = tmp_path / "admissions.csv"
    index = world["good"].with_name("leeds-2025-03-index.csv")
    generate_admissions(
        admissions, nhs_numbers_in(index), start=date(2024, 1, 1), end=date(2025, 6, 30), seed=9
    )

    # The centre loads the admissions file and reads its checks and linkage.
    sign_in(page, site, "centre@dscro.example")
    page.goto(site + "/cld/centre/health/")
    accessible(page, "health datasets")
    page.get_by_label("Health dataset").select_option(label="Hospital admissions")
    page.get_by_label("File (CSV, optionally gzipped)").set_input_files(str(admissions))
    page.get_by_role("button", name="Load the file").click()
    page.wait_for_url("**/cld/centre/health/*/")
    main = page.locator("main").inner_text()
    assert "Checked and loaded" in main and "The file was accepted and loaded." in main
    assert "People also in social care extracts" in main
    accessible(page, "health dataset")
    ds = HealthDataset.objects.get()

    # An agreement covering both datasets, then a linked release under it.
    page.goto(site + "/cld/centre/")
    page.locator("summary", has_text="Add an agreement").click()
    page.get_by_label("Reference").fill("DSA-LINK")
    page.get_by_label("Recipient").select_option(label="Research Unit (8RE01)")
    page.get_by_label("Authorities covered").select_option(label=str(leeds))
    page.get_by_label("Hospital admissions").check()
    page.get_by_label("Period start").fill("2024-04-01")
    page.get_by_label("Period end").fill("2025-03-31")
    page.get_by_label("Expires on").fill("2027-03-31")
    page.get_by_label("Purpose").fill("Hospital use of people receiving care")
    page.get_by_role("button", name="Save agreement").click()
    page.get_by_text("Agreement saved.").wait_for()
    page.get_by_label("Agreement", exact=True).select_option(
        label="DSA-LINK: Research Unit, until 31 March 2027"
    )
    page.get_by_role("button", name="Show extracts").click()
    page.get_by_role("heading", name="Agreement DSA-LINK").wait_for()
    page.get_by_label("Link with a health dataset").select_option(value=str(ds.pk))
    accessible(page, "linked release form")
    with page.expect_navigation():
        page.get_by_role("button", name="Release", exact=True).click()
    assert "Linked with hospital admissions" in page.locator("main").inner_text()
    rel = Release.objects.get()
    assert not rel.refused and rel.health_rows > 0

    # It records the notice served on Leeds, with its PDF.
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(notice_pdf(["Data provision notice", "To: Leeds Council"]))
    page.goto(site + "/cld/centre/participation/")
    page.get_by_role("link", name="Record a notice served on Leeds Council").click()
    page.get_by_label("Notice reference").fill("DPN-LEEDS-1")
    page.get_by_label("Served on").fill("2024-01-10")
    page.get_by_label("Mandates submissions for periods ending from").fill("2025-03-31")
    page.get_by_label("What the notice requires").fill("A quarterly extract of the last year.")
    page.get_by_label("The notice (PDF)").set_input_files(str(pdf))
    accessible(page, "notice form")
    page.get_by_role("button", name="Save the notice").click()
    page.wait_for_url("**/cld/notices/")
    assert "DPN-LEEDS-1" in page.locator("main").inner_text()
    accessible(page, "notices (centre)")

    # The recipient reads the linkage rate and downloads the health events.
    sign_in(page, site, "analyst@research.example")
    page.goto(f"{site}/cld/releases/{rel.pk}/")
    main = page.locator("main").inner_text()
    assert "Social care people with at least one health event" in main
    assert f"{rel.linkage['people_rate']:.1%}" in main
    accessible(page, "linked release")
    link = page.get_by_role("link", name="Hospital admissions of the same people", exact=False)
    with page.expect_download() as download:
        link.click()
    assert download.value.path().read_bytes()[:4] == b"PAR1"
    # Its DSPT status lapses before the next download: refused, with the reason.
    settings.DSPT_TODAY = "2026-08-01"
    page.get_by_role("link", name="Hospital admissions of the same people", exact=False).click()
    page.get_by_role("heading", name="Download refused").wait_for()
    assert "Standards Met or better is required" in page.locator("main").inner_text()
    accessible(page, "linked download refused")

    # The authority's data team reads its own notice.
    sign_in(page, site, "data@leeds.example")
    page.goto(site + "/cld/notices/")
    assert "DPN-LEEDS-1" in page.locator("main").inner_text()
    accessible(page, "notices (authority)")
    with page.expect_download() as download:
        page.get_by_role("link", name="notice.pdf (notice DPN-LEEDS-1)").click()
    assert download.value.path().read_bytes().startswith(b"%PDF-")
