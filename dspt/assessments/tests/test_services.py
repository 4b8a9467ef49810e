"""Answering, documents, the profile, carry-forward and publishing."""

import io
import os
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dspt.assessments import services
from dspt.assessments.models import Answer, Assessment, EvidenceDocument, Level, Publication
from dspt.audit.models import AuditEvent
from dspt.core.tests.hostile import xlsx_with_rows, zip_bomb

from .conftest import ALL_MET, answer_all, pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(people):
    return people["member_a"]


@pytest.fixture
def assessment(orgs, manager):
    return services.start_assessment(orgs["A"], manager)


# --- starting ---------------------------------------------------------------------------------


def test_starting_twice_gives_the_same_assessment_for_the_open_edition(orgs, manager):
    first = services.start_assessment(orgs["A"], manager)
    again = services.start_assessment(orgs["A"], manager)
    assert first.pk == again.pk
    assert (first.edition, first.audience) == ("2024-25", "social-care")
    assert Assessment.objects.filter(organisation=orgs["A"]).count() == 1
    assert AuditEvent.objects.filter(action="assessment.started").count() == 1


def test_no_assessment_before_any_edition_opens(orgs, manager):
    with pytest.raises(ValueError, match="No assessment is open"):
        services.start_assessment(orgs["A"], manager, on=date(2020, 1, 1))


# --- answers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item_id", "value", "message"),
    [
        ("1.1.1", "perhaps", "Answer yes or no"),
        ("3.1.1", "lots", "Enter a number"),
        ("3.1.1", 101, "between 0 and 100"),
        ("3.1.1", -1, "cannot be negative"),
        ("3.1.2", "31/02/2025", "Enter a real date"),
        ("3.1.2", "2025-02-30", "Enter a real date"),
        ("3.1.2", "2025-03-02", "today or in the past"),
        ("7.1.1", "maybe", "Choose one of the options"),
        ("1.1.2", "x" * 5001, "5000 characters or fewer"),
        ("9.9.9", True, "no evidence item 9.9.9"),
    ],
)
def test_bad_values_are_refused_with_a_plain_message(assessment, manager, item_id, value, message):
    with pytest.raises(ValueError, match=message):
        services.save_answer(assessment, item_id, value=value, user=manager)
    assert not Answer.objects.filter(assessment=assessment).exists()
    assert assessment.version == 0


def test_saving_an_answer_bumps_the_version_and_audits_without_the_answer_text(assessment, manager):
    outcome = services.save_answer(
        assessment, "1.1.2", value="Our manager, Jo Bloggs", comment="Since May", user=manager
    )
    assert outcome == "met"
    assert assessment.version == 1
    answer = Answer.objects.get(assessment=assessment, item_id="1.1.2")
    assert (answer.value, answer.comment, answer.updated_by) == (
        "Our manager, Jo Bloggs",
        "Since May",
        manager,
    )
    event = AuditEvent.objects.get(action="answer.saved")
    assert event.detail["item"] == "1.1.2"
    assert event.actor == manager
    assert "Jo Bloggs" not in str(event.detail) and "May" not in str(event.detail)


def test_an_unchanged_answer_changes_nothing(assessment, manager):
    services.save_answer(assessment, "1.1.1", value=True, user=manager)
    services.save_answer(assessment, "1.1.1", value="yes", user=manager)
    assert assessment.version == 1
    assert AuditEvent.objects.filter(action="answer.saved").count() == 1


def test_a_stale_version_is_refused_and_the_other_answer_is_kept(assessment, manager, people):
    seen = assessment.version
    other = Assessment.objects.get(pk=assessment.pk)
    services.save_answer(other, "1.1.1", value=True, user=people["admin_a"], expected_version=seen)
    with pytest.raises(services.StaleVersion, match="Someone else changed this assessment"):
        services.save_answer(assessment, "1.1.1", value=False, user=manager, expected_version=seen)
    assert Answer.objects.get(assessment=assessment, item_id="1.1.1").value is True


def test_saving_several_answers_is_all_or_nothing(assessment, manager):
    with pytest.raises(services.AnswerErrors) as caught:
        services.save_answers(
            assessment,
            {
                "1.1.1": services.AnswerInput(True),
                "3.1.1": services.AnswerInput("ninety"),
            },
            user=manager,
        )
    assert set(caught.value.errors) == {"3.1.1"}
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_not_applicable_clears_the_value(assessment, manager):
    services.save_answer(assessment, "7.1.2", value=True, user=manager)
    services.save_answer(assessment, "7.1.2", value=True, not_applicable=True, user=manager)
    answer = Answer.objects.get(assessment=assessment, item_id="7.1.2")
    assert (answer.value, answer.not_applicable) == (None, True)


def test_a_closed_editions_assessment_cannot_be_changed(orgs, manager, settings):
    settings.DSPT_TODAY = "2024-01-15"
    old = services.start_assessment(orgs["A"], manager)
    assert old.edition == "2023-24"
    settings.DSPT_TODAY = "2025-03-01"
    with pytest.raises(services.AssessmentClosed, match="2023-24 assessment has closed"):
        services.save_answer(old, "1.1.1", value=True, user=manager)


# --- documents --------------------------------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODS = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})


@pytest.mark.parametrize(
    ("name", "body", "content_type"),
    [
        ("policy.pdf", b"%PDF-1.4\n...", "application/pdf"),
        ("policy.DOCX", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("register.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet"),
        ("photo.png", b"\x89PNG\r\n\x1a\n....", "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0....", "image/jpeg"),
        ("notes.txt", "Fire drill notes – café".encode("cp1252"), "text/plain"),
        ("log.csv", b"date,event\n2025-01-01,drill\n", "text/csv"),
    ],
)  # fmt: skip
def test_allowed_documents_are_stored_under_an_opaque_name(
    assessment, manager, settings, name, body, content_type
):
    doc = services.attach_document(assessment, "1.1.3", SimpleUploadedFile(name, body), manager)
    assert doc.content_type == content_type
    assert doc.original_name == name and doc.size == len(body)
    stored = doc.file.name
    assert name.split(".")[0] not in stored and "." not in stored.rsplit("/", 1)[-1]
    assert (settings.MEDIA_ROOT / stored).read_bytes() == body
    assert assessment.version == 1
    assert AuditEvent.objects.get(action="document.attached").detail["item"] == "1.1.3"


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "must be a PDF"),
        ("page.html", b"<html><script>alert(1)</script>", "must be a PDF"),
        ("logo.svg", b"<svg onload=alert(1)>", "must be a PDF"),
        ("fake.pdf", b"MZ\x90\x00 this is a program", "Programs cannot be uploaded"),
        ("page.pdf", b"<html>hello</html>", "not a real .pdf file"),
        ("notes.txt", b"  <!DOCTYPE html><html>", "not a real .txt file"),
        ("notes.txt", b"\x00\x01binary", "not a real .txt file"),
        ("macro.docx", _zip({"[Content_Types].xml": b"", "word/document.xml": b"",
                              "word/vbaProject.bin": b""}), "contains macros"),
        ("sheet.xlsx", DOCX, "not a real .xlsx file"),
        ("empty.pdf", b"", "empty"),
        ("noext", b"%PDF-1.4", "must be a PDF"),
    ],
)  # fmt: skip
def test_refused_documents_leave_nothing_behind(assessment, manager, settings, name, body, message):
    with pytest.raises(ValueError, match=message):
        services.attach_document(assessment, "1.1.3", SimpleUploadedFile(name, body), manager)
    assert not EvidenceDocument.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


XLSX = xlsx_with_rows(["Fire drill", "2025-01-01"], dimension="A1:A2", far_corner=False)
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})


@pytest.mark.parametrize(
    ("name", "real"), [("plan.docx", DOCX), ("log.xlsx", XLSX), ("log.ods", ODS), ("n.odt", ODT)]
)
def test_zip_bombs_are_refused_before_they_are_stored(assessment, manager, settings, name, real):
    services.attach_document(assessment, "1.1.3", SimpleUploadedFile(name, real), manager)
    bomb = zip_bomb(real, megabytes=20)
    assert len(bomb) < 100 * 1024
    with pytest.raises(ValueError, match="compressed far more than real documents are"):
        services.attach_document(assessment, "1.1.3", SimpleUploadedFile(name, bomb), manager)
    # Parts that compress like real ones but add up to more than the limit unpacked.
    settings.DSPT_UPLOAD_MAX_UNCOMPRESSED = 1024 * 1024
    big = _zip({**dict(_parts(real)), "media/photo.bin": os.urandom(1536 * 1024)})
    with pytest.raises(ValueError, match="would unpack to more than 1 MB"):
        services.attach_document(assessment, "1.1.3", SimpleUploadedFile(name, big), manager)
    assert EvidenceDocument.objects.count() == 1
    assert AuditEvent.objects.filter(action="document.attached").count() == 1
    assert len([p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]) == 1


def _parts(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            yield info.filename, archive.read(info)


def test_files_over_the_size_limit_are_refused(assessment, manager, settings):
    settings.DSPT_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValueError, match="smaller than"):
        services.attach_document(assessment, "1.1.3", pdf_file(size=1001), manager)
    services.attach_document(assessment, "1.1.3", pdf_file(size=1000), manager)


def test_documents_only_attach_to_items_of_the_edition(assessment, manager):
    with pytest.raises(ValueError, match="no evidence item"):
        services.attach_document(assessment, "../../etc", pdf_file(), manager)


def test_removing_a_document_deletes_the_file(
    assessment, manager, settings, django_capture_on_commit_callbacks
):
    doc = services.attach_document(assessment, "1.1.3", pdf_file(), manager)
    path = settings.MEDIA_ROOT / doc.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_document(assessment, doc, manager)
    assert not path.exists()
    assert not EvidenceDocument.objects.exists()
    assert AuditEvent.objects.filter(action="document.removed").count() == 1


# --- profile ----------------------------------------------------------------------------------


def test_profile_is_saved_and_audited_by_field_name(assessment, manager):
    services.update_profile(
        assessment,
        manager,
        caldicott_guardian="Dr A Khan",
        senior_information_risk_owner="B Jones",
        nhsmail_only=True,
    )
    assessment.refresh_from_db()
    assert assessment.caldicott_guardian == "Dr A Khan" and assessment.nhsmail_only is True
    event = AuditEvent.objects.get(action="profile.updated")
    assert set(event.detail["fields"]) == {
        "caldicott_guardian", "senior_information_risk_owner", "nhsmail_only",
    }  # fmt: skip


def test_cyber_essentials_plus_needs_its_expiry_date(assessment, manager):
    with pytest.raises(ValueError, match="date your Cyber Essentials Plus certificate expires"):
        services.update_profile(assessment, manager, cyber_essentials_plus=True)


# --- carry forward ----------------------------------------------------------------------------


def test_unchanged_answers_profile_and_documents_carry_into_the_new_edition(
    orgs, manager, settings
):
    settings.DSPT_TODAY = "2024-01-15"
    old = services.start_assessment(orgs["A"], manager)
    answer_all(
        old,
        manager,
        {"1.1.1": True, "1.1.2": "Jo", "1.1.4": True, "3.1.1": 98, "7.1.2": True},
    )
    services.save_answer(
        old, "7.1.2", value=None, not_applicable=True, comment="No IT", user=manager
    )
    services.update_profile(old, manager, caldicott_guardian="Dr A Khan", nhsmail_only=False)
    services.attach_document(old, "action-plan", pdf_file("plan.pdf"), manager)

    settings.DSPT_TODAY = "2025-03-01"
    new = services.start_assessment(orgs["A"], manager)
    assert new.edition == "2024-25" and new.pk != old.pk
    answers = {a.item_id: a for a in new.answers.all()}
    # 1.1.2's question changed (new fingerprint) and 1.1.4 no longer exists: not carried.
    assert set(answers) == {"1.1.1", "3.1.1", "7.1.2"}
    assert all(a.carried_forward for a in answers.values())
    assert answers["7.1.2"].not_applicable and answers["7.1.2"].comment == "No IT"
    assert new.caldicott_guardian == "Dr A Khan" and new.nhsmail_only is False
    docs = list(new.documents.all())
    # The policy document carries as a reference to the same file; the action plan does not.
    assert [d.item_id for d in docs] == ["1.1.3"]
    assert docs[0].file.name == old.documents.get(item_id="1.1.3").file.name
    event = AuditEvent.objects.filter(action="assessment.started").first()
    assert event.detail == {"edition": "2024-25", "carried_forward": 4}

    # Changing a carried answer clears the mark; removing the carried document keeps last year's.
    services.save_answer(new, "1.1.1", value=False, user=manager)
    assert not new.answers.get(item_id="1.1.1").carried_forward
    services.remove_document(new, docs[0], manager)
    assert old.documents.get(item_id="1.1.3").file.storage.exists(docs[0].file.name)


def test_nothing_carries_without_a_previous_assessment(orgs, manager):
    new = services.start_assessment(orgs["A"], manager)
    assert not new.answers.exists()


# --- publishing -------------------------------------------------------------------------------


def test_publishing_records_the_level_gaps_and_registration(orgs, manager, assessment):
    answer_all(assessment, manager, {**ALL_MET, "3.1.1": 90, "1.1.1": False})
    pub = services.publish(assessment, manager, expected_version=assessment.version)
    assert pub.level == Level.NOT_MET
    assert (pub.edition, pub.published_on, pub.published_by) == (
        "2024-25",
        date(2025, 3, 1),
        manager,
    )
    assert pub.unmet_items == [
        {"item_id": "1.1.1", "outcome": "unmet", "mandatory": True},
        {"item_id": "3.1.1", "outcome": "partly_met", "mandatory": True},
    ]
    orgs["A"].refresh_from_db()
    assert orgs["A"].registered_on == date(2025, 3, 1)
    event = AuditEvent.objects.get(action="assessment.published")
    assert event.detail["level"] == "standards_not_met"


def test_partly_met_optional_items_are_kept_for_the_plan(orgs, manager, assessment):
    answer_all(assessment, manager, ALL_MET)
    services.save_answer(assessment, "7.1.1", value="written", user=manager)
    pub = services.publish(assessment, manager, expected_version=assessment.version)
    assert {"item_id": "7.1.1", "outcome": "partly_met", "mandatory": True} in pub.unmet_items


def test_exceeded_publication_keeps_the_certificate_expiry(manager, assessment):
    answer_all(assessment, manager, ALL_MET)
    services.update_profile(
        assessment, manager, cyber_essentials_plus=True,
        cyber_essentials_plus_expires_on=date(2025, 11, 30),
    )  # fmt: skip
    pub = services.publish(assessment, manager, expected_version=assessment.version)
    assert pub.level == Level.EXCEEDED
    assert pub.cyber_essentials_plus_expires_on == date(2025, 11, 30)


def test_a_stale_version_is_not_published(manager, assessment):
    seen = assessment.version
    services.save_answer(assessment, "1.1.1", value=True, user=manager)
    with pytest.raises(services.StaleVersion, match="Someone else changed"):
        services.publish(assessment, manager, expected_version=seen)
    assert not Publication.objects.exists()


def test_publishing_the_same_version_twice_gives_one_publication(manager, assessment, people):
    seen = assessment.version
    services.publish(assessment, manager, expected_version=seen)
    with pytest.raises(services.AlreadyPublished, match="already published at this version"):
        services.publish(
            Assessment.objects.get(pk=assessment.pk), people["admin_a"], expected_version=seen
        )
    assert Publication.objects.count() == 1


def test_republishing_the_same_day_at_the_same_level_refreshes_that_publication(
    manager, assessment
):
    first = services.publish(assessment, manager, expected_version=assessment.version)
    services.save_answer(assessment, "1.1.1", value=True, user=manager)
    again = services.publish(assessment, manager, expected_version=assessment.version)
    assert again.pk == first.pk
    assert Publication.objects.count() == 1
    assert again.assessment_version == assessment.version - 1


def test_a_later_republish_the_same_day_wins(orgs, manager, assessment):
    from dspt.statuses.selectors import status_of

    services.publish(assessment, manager, expected_version=assessment.version)  # Not Met
    answer_all(assessment, manager, ALL_MET)
    services.publish(assessment, manager, expected_version=assessment.version)  # Met
    services.save_answer(assessment, "1.1.1", value=False, user=manager)
    services.publish(assessment, manager, expected_version=assessment.version)  # Not Met again
    assert status_of(orgs["A"]).status == "standards_not_met"
    assert Publication.objects.filter(organisation=orgs["A"]).count() == 2


def test_a_head_office_covers_only_its_own_sites(orgs, people):
    head, user = orgs["H"], people["head_office"]
    assessment = services.start_assessment(head, user)
    for bad in (["VB001"], ["VX001"], [orgs["B"].pk], ["NOPE1"], ["VA001", "VX001"]):
        with pytest.raises(ValueError, match="can only cover your own sites"):
            services.publish(assessment, user, covers=bad, expected_version=assessment.version)
    assert not Publication.objects.exists()
    pub = services.publish(
        assessment, user, covers=["VA001", orgs["A2"]], expected_version=assessment.version
    )
    assert set(pub.covers.values_list("ods_code", flat=True)) == {"VA001", "VA002"}


def test_a_site_cannot_cover_anything(orgs, manager, assessment):
    with pytest.raises(ValueError, match="can only cover your own sites"):
        services.publish(assessment, manager, covers=["VA002"], expected_version=0)


def test_covered_sites_show_their_head_offices_status(orgs, people):
    from dspt.statuses.selectors import status_of

    head, user = orgs["H"], people["head_office"]
    assessment = services.start_assessment(head, user)
    answer_all(assessment, user, ALL_MET)
    services.publish(assessment, user, covers=["VA001"], expected_version=assessment.version)
    covered = status_of(orgs["A"])
    assert (covered.status, covered.covered_by) == ("standards_met", "AH01")
    assert status_of(orgs["A2"]).status == "not_registered"
