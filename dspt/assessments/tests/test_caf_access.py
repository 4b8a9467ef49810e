"""Role × organisation matrix for the CAF pages of trust T (region 1): its admin and member
change, its viewer, a reviewer for its region and the programme read, everyone else (another
trust's admin, a care home's member, a reviewer elsewhere, a commissioner, an LSO) gets 404."""

import pytest

from dspt.accounts.models import OrgRole
from dspt.assessments.caf_services import start_caf_assessment
from dspt.assessments.models import OutcomeAnswer, Publication
from dspt.organisations.models import Organisation, OrgType

from .caf_helpers import ticks_for
from .conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("caf_years")]

EDITORS = {"trust_member", "t_member"}
READERS = EDITORS | {"t_viewer", "reviewer", "programme"}
EVERYONE = sorted(
    READERS | {"other_trust", "member_a", "reviewer_elsewhere", "commissioner", "lso", "anonymous"}
)


@pytest.fixture
def cast(orgs, people, regions):
    other = Organisation.objects.create(
        ods_code="RT2", name="Hillside NHS Trust", org_type=OrgType.NHS_TRUST, region=regions[1]
    )
    return people | {
        "t_member": make_user("m@t.test", org=orgs["T"], role=OrgRole.MEMBER),
        "t_viewer": make_user("v@t.test", org=orgs["T"], role=OrgRole.VIEWER),
        "other_trust": make_user("a@t2.test", org=other, role=OrgRole.ADMIN),
    }


@pytest.fixture
def caf(orgs, cast):
    return start_caf_assessment(orgs["T"], cast["trust_member"])


def _login(client, cast, who):
    if who != "anonymous":
        client.force_login(cast[who])
    return client


def _read(who):
    return 302 if who == "anonymous" else (200 if who in READERS else 404)


def _write(who, ok=302):
    if who == "anonymous":
        return 302
    return ok if who in EDITORS else (403 if who in READERS else 404)


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize(
    "path",
    [
        "/assessments/RT1/caf/",
        "/assessments/RT1/caf/outcomes/A1.a/",
        "/assessments/RT1/caf/publish/",
    ],
)
def test_reading_caf_pages(client, cast, caf, who, path):
    assert _login(client, cast, who).get(path).status_code == _read(who)


@pytest.mark.parametrize("who", EVERYONE)
def test_answering_an_outcome(client, cast, caf, who):
    response = _login(client, cast, who).post(
        "/assessments/RT1/caf/outcomes/A4.a/",
        {"version": caf.version, "ticked": ticks_for("A4.a", "achieved"), "justification": "ok"},
    )
    assert response.status_code == _write(who)
    stored = OutcomeAnswer.objects.filter(assessment=caf, outcome_id="A4.a").exists()
    assert stored == (who in EDITORS)


@pytest.mark.parametrize("who", EVERYONE)
def test_publishing(client, cast, caf, who):
    response = _login(client, cast, who).post(
        "/assessments/RT1/caf/publish/", {"version": caf.version}
    )
    assert response.status_code == _write(who)
    assert Publication.objects.filter(organisation=caf.organisation).exists() == (who in EDITORS)


@pytest.mark.parametrize("who", EVERYONE)
def test_starting(client, cast, orgs, who):
    response = _login(client, cast, who).post("/assessments/RT1/caf/start/")
    assert response.status_code == _write(who)
    assert orgs["T"].assessments.exists() == (who in EDITORS)


def test_the_general_overview_sends_an_nhs_trust_to_the_caf_pages(client, cast, caf):
    response = _login(client, cast, "t_viewer").get("/assessments/RT1/")
    assert response.status_code == 302 and response["Location"] == "/assessments/RT1/caf/"
    assert _login(client, cast, "t_viewer").get("/assessments/RT1/publish/").status_code == 302


def test_a_claim_above_the_ticks_is_refused_on_the_page(client, cast, caf):
    response = _login(client, cast, "t_member").post(
        "/assessments/RT1/caf/outcomes/A1.a/",
        {
            "version": caf.version,
            "ticked": ticks_for("A1.a", "partially_achieved"),
            "claimed": "achieved",
        },
    )
    assert response.status_code == 400
    assert "You cannot claim Achieved" in response.content.decode()
    assert not OutcomeAnswer.objects.filter(assessment=caf).exists()


def test_the_publish_preview_names_each_outcome_below_profile_and_why(client, cast, caf):
    page = _login(client, cast, "t_viewer").get("/assessments/RT1/caf/publish/").content.decode()
    assert "Standards Not Met" in page
    assert "A1.a reaches Not achieved; the profile expects Achieved." in page
    assert "Not answered yet." in page


def test_an_unknown_outcome_is_404(client, cast, caf):
    assert (
        _login(client, cast, "t_member").get("/assessments/RT1/caf/outcomes/Z9.z/").status_code
        == 404
    )


def test_the_evidence_item_api_refuses_a_caf_assessment_plainly(client, cast, caf):
    response = _login(client, cast, "t_member").get("/api/v1/assessments/RT1")
    assert response.status_code == 409
    assert "/api/v1/caf/RT1" in response.json()["detail"]


def test_evidence_on_an_outcome_can_be_read_and_removed_by_editors(client, cast, caf):
    from dspt.assessments import services

    from .conftest import pdf_file

    doc = services.attach_document(caf, "A1.a", pdf_file(), cast["t_member"])
    viewer = _login(client, cast, "t_viewer")
    assert viewer.get(f"/assessments/RT1/documents/{doc.pk}/").status_code == 200
    assert viewer.get(f"/assessments/RT1/documents/{doc.pk}/remove/").status_code == 403
    editor = _login(client, cast, "t_member")
    page = editor.get("/assessments/RT1/caf/outcomes/A1.a/").content.decode()
    assert f"/assessments/RT1/documents/{doc.pk}/remove/" in page
    assert editor.get(f"/assessments/RT1/documents/{doc.pk}/remove/").status_code == 200
    caf.refresh_from_db()
    response = editor.post(f"/assessments/RT1/documents/{doc.pk}/remove/", {"version": caf.version})
    assert response.status_code == 302
    assert not caf.documents.exists()
    other = _login(client, cast, "other_trust")
    assert other.get(f"/assessments/RT1/documents/{doc.pk}/").status_code == 404
