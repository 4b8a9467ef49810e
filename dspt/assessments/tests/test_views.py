"""The pages a care home manager uses, through the Django test client."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dspt.assessments import services
from dspt.assessments.models import Answer, EvidenceDocument, Publication

from .conftest import ALL_MET, answer_all

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page as a person reads it: tags dropped, spaces collapsed."""
    body = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def manager(client, people):
    client.force_login(people["member_a"])
    return people["member_a"]


def test_an_editor_starts_the_assessment_from_the_overview(client, manager, orgs):
    page = text(client.get("/assessments/VA001/"))
    assert "Start the 2024-25 assessment" in page
    assert client.post("/assessments/VA001/start/").status_code == 302
    page = text(client.get("/assessments/VA001/"))
    assert "0 of 7 mandatory items met" in page
    assert "1. Personal confidential data" in page and "7. Continuity planning" in page
    assert "needed for Approaching Standards are not met yet" in page  # the next step
    assert "Go to standard 1" in page
    assert "Approaching Standards also needs an action plan" in page


def test_a_viewer_sees_no_forms(client, people, started):
    client.force_login(people["viewer_a"])
    for path in ("/", "standards/1/", "profile/", "publish/", "action-plan/"):
        html = client.get(f"/assessments/VA001/{path}").content.decode()
        assert 'method="post"' not in html, path
    assert "You can read this assessment but not change it" in text(
        client.get("/assessments/VA001/")
    )
    assert "Yes" in text(client.get("/assessments/VA001/standards/1/"))


def test_saving_a_standard_saves_each_answer_type(client, manager, started):
    assessment, _ = started
    response = client.post(
        "/assessments/VA001/standards/3/",
        {
            "version": assessment.version,
            "value-3.1.1": "96%",
            "value-3.1.2[day]": "10",
            "value-3.1.2[month]": "1",
            "value-3.1.2[year]": "2025",
            "comment-3.1.1": "From the training log",
            "then": "next",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/assessments/VA001/standards/7/"
    answers = {a.item_id: a for a in Answer.objects.filter(assessment=assessment)}
    assert answers["3.1.1"].value == 96 and answers["3.1.1"].comment == "From the training log"
    assert answers["3.1.2"].value == "2025-01-10"
    page = text(client.get("/assessments/VA001/standards/3/"))
    assert "2 of 2 answered" in page


def test_bad_answers_are_shown_again_with_the_error_and_nothing_is_saved(client, manager, started):
    assessment, _ = started
    response = client.post(
        "/assessments/VA001/standards/3/",
        {
            "version": assessment.version,
            "value-3.1.1": "ninety",
            "value-3.1.2[day]": "31",
            "value-3.1.2[month]": "2",
            "value-3.1.2[year]": "2025",
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert "3.1.1: Enter a number" in page and "3.1.2: Enter a real date" in page
    html = response.content.decode()
    assert 'value="ninety"' in html and 'value="31"' in html
    assert not Answer.objects.filter(assessment=assessment, item_id__startswith="3.").exists()


def test_not_applicable_is_offered_only_where_allowed(client, manager, started):
    html = client.get("/assessments/VA001/standards/7/").content.decode()
    assert 'name="na-7.1.2"' in html and 'name="na-7.1.1"' not in html
    assessment, _ = started
    client.post(
        "/assessments/VA001/standards/7/", {"version": assessment.version, "na-7.1.2": "yes"}
    )
    assert Answer.objects.get(assessment=assessment, item_id="7.1.2").not_applicable


def test_a_stale_page_is_refused_and_keeps_what_was_typed(client, manager, started, people):
    assessment, _ = started
    seen = assessment.version
    services.save_answer(assessment, "1.1.2", value="Sam", user=people["admin_a"])
    response = client.post(
        "/assessments/VA001/standards/1/", {"version": seen, "value-1.1.2": "Jo"}
    )
    assert response.status_code == 400
    assert "Someone else changed this assessment" in text(response)
    assert "Jo" in response.content.decode()
    assert Answer.objects.get(assessment=assessment, item_id="1.1.2").value == "Sam"


def test_uploading_and_removing_a_document_on_the_standard_page(client, manager, started):
    assessment, _ = started
    upload = SimpleUploadedFile("training.csv", b"name,done\nJo,yes\n")
    response = client.post(
        "/assessments/VA001/standards/3/",
        {"version": assessment.version, "file-3.1.1": upload},
    )
    assert response.status_code == 302
    doc = EvidenceDocument.objects.get(item_id="3.1.1")
    page = client.get("/assessments/VA001/standards/3/").content.decode()
    assert f"/assessments/VA001/documents/{doc.pk}/" in page
    confirm = client.get(f"/assessments/VA001/documents/{doc.pk}/remove/")
    assert "Remove training.csv?" in text(confirm)
    client.post(f"/assessments/VA001/documents/{doc.pk}/remove/")
    assert not EvidenceDocument.objects.filter(item_id="3.1.1").exists()


def test_a_refused_upload_says_why(client, manager, started):
    assessment, _ = started
    upload = SimpleUploadedFile("evil.html", b"<html><script>alert(1)</script></html>")
    response = client.post(
        "/assessments/VA001/standards/3/",
        {"version": assessment.version, "file-3.1.1": upload},
    )
    assert response.status_code == 400
    assert "The file must be a PDF" in text(response)
    assert not EvidenceDocument.objects.filter(item_id="3.1.1").exists()


def test_downloads_use_the_original_name_and_the_checked_type(client, manager, started):
    _, document = started
    response = client.get(f"/assessments/VA001/documents/{document.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="policy.pdf"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


def test_profile_page_saves_and_checks_the_certificate_date(client, manager, started):
    assessment, _ = started
    response = client.post(
        "/assessments/VA001/profile/",
        {"version": assessment.version, "caldicott_guardian": "Dr A Khan",
         "cyber_essentials_plus": "yes", "ce-expiry[day]": "", "ce-expiry[month]": "",
         "ce-expiry[year]": ""},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Enter the date your Cyber Essentials Plus certificate expires" in text(response)
    response = client.post(
        "/assessments/VA001/profile/",
        {"version": assessment.version, "caldicott_guardian": "Dr A Khan", "nhsmail_only": "yes",
         "cyber_essentials_plus": "yes", "ce-expiry[day]": "30", "ce-expiry[month]": "11",
         "ce-expiry[year]": "2025"},
    )  # fmt: skip
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.caldicott_guardian == "Dr A Khan" and assessment.nhsmail_only is True
    assert str(assessment.cyber_essentials_plus_expires_on) == "2025-11-30"


def test_the_publish_page_says_which_status_and_why(client, manager, started):
    page = text(client.get("/assessments/VA001/publish/"))
    assert "Your status will be 24/25 Standards Not Met" in page
    assert "Mandatory items not met (5 of 7)" in page
    assert "1.1.2 Who is responsible for data protection day to day?" in page
    assert "Publish Standards Not Met" in page


def test_publishing_met_shows_the_status_what_it_unlocks_and_until_when(client, manager, started):
    assessment, _ = started
    answer_all(assessment, manager, ALL_MET, with_policy=False)
    page = text(client.get("/assessments/VA001/publish/"))
    assert "Your status will be 24/25 Standards Met" in page
    response = client.post("/assessments/VA001/publish/", {"version": assessment.version})
    assert response["Location"] == "/assessments/VA001/published/"
    page = text(client.get("/assessments/VA001/published/"))

    assert "Your status is 24/25 Standards Met" in page
    assert "An NHSmail account" in page and "NHS data sharing" in page
    assert "valid until 30 June 2026" in page


def test_publishing_a_stale_version_is_refused_on_the_page(client, manager, started):
    assessment, _ = started
    seen = assessment.version
    client.post("/assessments/VA001/publish/", {"version": seen})
    response = client.post("/assessments/VA001/publish/", {"version": seen})
    assert response.status_code == 409
    assert "already published at this version" in text(response)
    assert Publication.objects.count() == 1


def test_a_head_office_chooses_the_sites_to_cover(client, people, orgs):
    client.force_login(people["head_office"])
    client.post("/assessments/AH01/start/")
    assessment = orgs["H"].assessments.get()
    page = client.get("/assessments/AH01/publish/").content.decode()
    assert 'value="VA001"' in page and 'value="VA002"' in page and "VX001" not in page
    response = client.post(
        "/assessments/AH01/publish/", {"version": assessment.version, "covers": ["VA002"]}
    )
    assert response.status_code == 302
    pub = Publication.objects.get()
    assert list(pub.covers.values_list("ods_code", flat=True)) == ["VA002"]
    assert "Alder Court (VA002)" in text(client.get("/assessments/AH01/published/"))
    # A forged tick for someone else's site is refused.
    response = client.post(
        "/assessments/AH01/publish/", {"version": assessment.version + 1, "covers": ["VX001"]}
    )
    assert response.status_code == 400
    assert "can only cover your own sites" in text(response)


def test_social_care_action_plan_page(client, manager, started):
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.5 plan")
    response = client.post("/assessments/VA001/action-plan/", {"file": upload})
    assert response.status_code == 302
    assert "plan.pdf" in text(client.get("/assessments/VA001/action-plan/"))
    assert EvidenceDocument.objects.filter(item_id="action-plan").count() == 1


def test_other_sectors_are_pointed_to_an_improvement_plan(client, people, orgs):
    client.force_login(people["trust_member"])
    client.post("/assessments/RT1/start/")
    page = client.get("/assessments/RT1/publish/").content.decode()
    assert 'href="/plans/RT1/"' in page
    assert "Approaching Standards" in text(client.get("/assessments/RT1/publish/"))
    overview = client.get("/assessments/RT1/").content.decode()
    assert "action-plan" not in overview
    # Every link to the plan goes to this organisation's plan page (there is no /plans/ page).
    assert 'href="/plans/"' not in overview and 'href="/plans/"' not in page


def test_the_publish_page_warns_before_lowering_the_status(client, manager, started):
    assessment, _ = started
    answer_all(assessment, manager, ALL_MET, with_policy=False)
    client.post("/assessments/VA001/publish/", {"version": assessment.version})
    assert "This would lower your status" not in text(client.get("/assessments/VA001/publish/"))
    services.save_answer(assessment, "1.1.1", value=False, user=manager)
    page = text(client.get("/assessments/VA001/publish/"))
    assert "This would lower your status" in page
    assert "Your current status is 24/25 Standards Met" in page
