"""Data access requests in a real browser: a local authority applies from a standard template
jointly with its ICB, the ICB confirms, the centre's reviewer sends a question back, the authority
answers and resubmits, the reviewer recommends, the reviewer is told someone else must decide, and
a second person in the centre approves, issuing a data sharing agreement; the centre releases the
authority's extract linked with hospital admissions under that agreement, and the authority
downloads both files. Every page is scanned with axe (no violations)."""

from datetime import date

import pytest

from dspt.access.models import AccessRequest, Stage
from dspt.accounts.models import OversightRole, User
from dspt.assessments.models import Publication
from dspt.cld import services as cld
from dspt.cld.generate import generate
from dspt.cld.generate_health import generate_admissions, nhs_numbers_in
from dspt.cld.models import DataSharingAgreement, HealthDataset, Release, TimetablePeriod
from dspt.organisations.models import ICB, LocalAuthority, Organisation, OrgType, Region
from tests.browser.helpers import accessible, person, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings, tmp_path, monkeypatch):
    settings.DSPT_TODAY = "2026-11-23"
    settings.DSPT_CLD_STORAGE = str(tmp_path / "zone")
    settings.DSPT_TASKS = "eager"
    monkeypatch.setenv("DSPT_PSEUDONYM_KEY", "5a" * 32)
    region = Region.objects.get_or_create(
        ons_code="E12000003", defaults={"name": "Yorkshire and The Humber"}
    )[0]
    icb_area = ICB.objects.update_or_create(
        ods_code="QWO", defaults={"name": "West Yorkshire ICB", "region": region}
    )[0]
    leeds_la = LocalAuthority.objects.update_or_create(
        ons_code="E08000035",
        defaults={"name": "Leeds", "cqc_name": "Leeds", "region": region, "icb": icb_area},
    )[0]
    leeds = Organisation.objects.create(
        ods_code="E08000035",
        name="Leeds City Council",
        org_type=OrgType.LOCAL_AUTHORITY,
        local_authority=leeds_la,
        region=region,
    )
    icb = Organisation.objects.create(
        ods_code="QWO", name="West Yorkshire ICB", org_type=OrgType.ICB, icb=icb_area
    )
    Publication.objects.create(
        organisation=leeds, edition="2025-26", published_on=date(2026, 6, 1), level="standards_met"
    )
    person("data@leeds.example", leeds)
    person("analyst@wyicb.example", icb)
    person("reviewer@dscro.example", oversight_role=OversightRole.PROCESSOR)
    person("approver@dscro.example", oversight_role=OversightRole.PROCESSOR)
    return {"leeds": leeds, "icb": icb, "files": tmp_path}


def test_apply_jointly_confirm_question_answer_review_approve_release(site, page, world, settings):
    # The authority's data team applies from the standard template, jointly with its ICB.
    sign_in(page, site, "data@leeds.example")
    page.goto(site + "/access/")
    accessible(page, "my requests")
    page.get_by_role("link", name="A local authority's own-area linked analysis").first.click()
    page.wait_for_load_state("load")
    accessible(page, "new request from a template")
    assert page.get_by_label("Title").input_value() == "Social care and hospital use in our area"
    page.get_by_label("Joint controllers (the applicant and its co-applicants)").check()
    page.get_by_label("Co-applicant organisations (ODS codes)").fill("QWO")
    page.get_by_role("button", name="Save as a draft").click()
    page.wait_for_url("**/access/*/")
    req = AccessRequest.objects.get()
    main = page.locator("main").inner_text()
    assert "Standards Met or better" in main and "Not yet" in main  # the ICB has to confirm
    accessible(page, "request page (draft)")
    page.get_by_role("button", name="Send for review").click()
    page.get_by_text("Waiting for co-applicants to confirm").first.wait_for()
    req.refresh_from_db()
    assert req.status == Stage.AWAITING_COAPPLICANTS

    # The ICB confirms.
    sign_in(page, site, "analyst@wyicb.example")
    page.goto(site + "/access/")
    page.get_by_role("link", name=req.reference).click()
    page.get_by_role("link", name="Confirm as co-applicant").click()
    page.wait_for_load_state("load")
    accessible(page, "confirm as co-applicant")
    page.get_by_role("button", name="Confirm for West Yorkshire ICB").click()
    page.wait_for_url(f"**/access/{req.pk}/")
    req.refresh_from_db()
    assert req.status == Stage.SUBMITTED

    # The centre's reviewer sends a question back.
    sign_in(page, site, "reviewer@dscro.example")
    page.goto(site + "/access/centre/")
    accessible(page, "the centre's queue")
    page.get_by_role("link", name=req.reference).click()
    page.get_by_role("link", name="Review").click()
    page.wait_for_load_state("load")
    accessible(page, "review")
    page.get_by_label("Questions for the applicant").fill("Who will analyse the linked data?")
    page.get_by_role("button", name="Send the questions").click()
    page.wait_for_url(f"**/access/{req.pk}/")

    # The authority answers and resubmits; the thread is kept.
    sign_in(page, site, "data@leeds.example")
    page.goto(f"{site}/access/{req.pk}/")
    page.get_by_role("link", name="Answer the questions").click()
    page.wait_for_load_state("load")
    accessible(page, "answer the questions")
    page.get_by_label("Your answer").fill("Our public health intelligence team.")
    page.get_by_role("button", name="Send the answer and resubmit").click()
    page.wait_for_url(f"**/access/{req.pk}/")
    main = page.locator("main").inner_text()
    assert "Who will analyse the linked data?" in main and "public health intelligence" in main

    # The reviewer recommends approval, and cannot then decide.
    sign_in(page, site, "reviewer@dscro.example")
    page.goto(f"{site}/access/{req.pk}/review/")
    page.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Record the review").click()
    page.wait_for_url(f"**/access/{req.pk}/")
    assert "another person decides it" in page.locator("main").inner_text()
    page.goto(f"{site}/access/{req.pk}/decide/")
    page.get_by_label("Approved", exact=True).check()
    page.get_by_label("Reasons").fill("My own review.")
    page.get_by_role("button", name="Record the decision").click()
    assert "same person may not review and approve" in page.locator("main").inner_text()
    accessible(page, "decide refused")
    assert not DataSharingAgreement.objects.exists()

    # A second person in the centre approves: an agreement is issued from the request.
    sign_in(page, site, "approver@dscro.example")
    page.goto(f"{site}/access/{req.pk}/")
    page.get_by_role("link", name="Decide").click()
    page.wait_for_load_state("load")
    accessible(page, "decide")
    page.get_by_label("Approved", exact=True).check()
    page.get_by_label("Reasons").fill("Clear purpose within the authority's own area.")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(f"**/access/{req.pk}/")
    main = page.locator("main").inner_text()
    assert f"Agreement issued: {req.reference}-v1" in main
    accessible(page, "request page (approved)")
    dsa = DataSharingAgreement.objects.get()
    assert dsa.recipient == world["leeds"] and dsa.datasets == ["cld", "hospital_admissions"]
    assert dsa.access_version.request == req

    # The authority sees where it is, and may start an amendment.
    sign_in(page, site, "data@leeds.example")
    page.goto(f"{site}/access/{req.pk}/")
    page.get_by_role("link", name="Start an amendment").click()
    page.wait_for_load_state("load")
    accessible(page, "start an amendment")

    # The centre has processed the authority's extract for 2025-26 and loaded hospital
    # admissions for the same people (both journeys of their own, in test_cld_pages.py and
    # test_cld_linked_pages.py); it releases them linked, under the issued agreement.
    centre = User.objects.get(email="approver@dscro.example")
    period = TimetablePeriod.objects.create(
        period_start=date(2025, 4, 1), period_end=date(2026, 3, 31), due_date=date(2026, 4, 30)
    )
    files = generate(
        world["files"] / "leeds.csv",
        rows=200,
        seed=5,
        la_code="E08000035",
        trace_share=0.3,
        period_end=date(2026, 3, 31),
    )
    settings.DSPT_CLD_INDEX, settings.DSPT_CLD_LOOKUP = str(files.index), str(files.lookup)
    sub = cld.receive_upload(
        user=User.objects.get(email="data@leeds.example"),
        organisation=world["leeds"],
        period=period,
        original_name="leeds.csv",
        chunks=[files.extract.read_bytes()],
    )
    sub.refresh_from_db()
    assert sub.state == sub.State.ACCEPTED, sub.state_message
    cld.process_submission(sub, user=centre)
    admissions = world["files"] / "admissions.csv"
    generate_admissions(
        admissions,
        nhs_numbers_in(files.index),
        start=date(2025, 1, 1),
        end=date(2026, 6, 30),
        seed=3,
    )
    cld.health_dataset_load(
        user=centre,
        code="hospital_admissions",
        original_name="admissions.csv",
        chunks=[admissions.read_bytes()],
    )
    ds = HealthDataset.objects.get()
    assert ds.state == HealthDataset.State.LOADED, ds.state_message

    sign_in(page, site, "approver@dscro.example")
    page.goto(site + "/cld/centre/")
    page.get_by_label("Agreement", exact=True).select_option(value=str(dsa.pk))
    page.get_by_role("button", name="Show extracts").click()
    page.get_by_role("heading", name=f"Agreement {dsa.reference}").wait_for()
    page.get_by_label("Link with a health dataset").select_option(value=str(ds.pk))
    accessible(page, "linked release under the issued agreement")
    with page.expect_navigation():
        page.get_by_role("button", name="Release", exact=True).click()
    assert "Linked with hospital admissions" in page.locator("main").inner_text()
    rel = Release.objects.get()
    assert not rel.refused and rel.agreement == dsa and rel.health_rows > 0

    # The authority, the recipient, downloads the extract and the linked health events.
    sign_in(page, site, "data@leeds.example")
    page.goto(f"{site}/cld/releases/{rel.pk}/")
    accessible(page, "the authority's linked release")
    for name in ("Hospital admissions of the same people", "Pseudonymised extract (Parquet)"):
        with page.expect_download() as download:
            page.get_by_role("link", name=name, exact=False).first.click()
        assert download.value.path().read_bytes()[:4] == b"PAR1", name
