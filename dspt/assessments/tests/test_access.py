"""Role × organisation matrix: who can read, change, download and publish org A's assessment.

Org A is a site of head office H. Readers: A's viewer, member and admin, H's member and viewer,
a reviewer whose region holds A, the programme team. Editors: A's member and admin, H's member.
Everyone else (B's member, a reviewer for another region, a commissioner, an LSO) gets 404, as if
the workspace did not exist; readers who try to change something get 403.
"""

import pytest

from dspt.assessments.models import Answer, Publication

from .conftest import make_token

pytestmark = pytest.mark.django_db

EDITORS = {"member_a", "admin_a", "head_office"}
READERS = EDITORS | {"viewer_a", "head_viewer", "reviewer", "programme"}
EVERYONE = sorted(READERS | {"member_b", "reviewer_elsewhere", "commissioner", "lso", "anonymous"})


def _client(client, people, who):
    if who != "anonymous":
        client.force_login(people[who])
    return client


def _expected_read(who):
    if who == "anonymous":
        return 302
    return 200 if who in READERS else 404


def _expected_write(who, ok=302):
    if who == "anonymous":
        return 302
    if who in EDITORS:
        return ok
    return 403 if who in READERS else 404


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize(
    "path",
    [
        "/assessments/VA001/",
        "/assessments/VA001/standards/1/",
        "/assessments/VA001/profile/",
        "/assessments/VA001/publish/",
        "/assessments/VA001/action-plan/",
    ],
)
def test_reading_pages(client, people, started, who, path):
    response = _client(client, people, who).get(path)
    assert response.status_code == _expected_read(who)
    if who == "anonymous":
        assert response["Location"].startswith("/accounts/sign-in/")


@pytest.mark.parametrize("who", EVERYONE)
def test_downloading_a_document(client, people, started, who):
    _assessment, document = started
    response = _client(client, people, who).get(f"/assessments/VA001/documents/{document.pk}/")
    assert response.status_code == _expected_read(who)
    if response.status_code == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
        assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("who", EVERYONE)
def test_saving_answers_on_the_standard_page(client, people, started, who):
    assessment, _document = started
    response = _client(client, people, who).post(
        "/assessments/VA001/standards/1/",
        {"version": assessment.version, "value-1.1.1": "no", "value-1.1.2": "Jo"},
    )
    assert response.status_code == _expected_write(who)
    answer = Answer.objects.get(assessment=assessment, item_id="1.1.1")
    assert answer.value is (who not in EDITORS)


@pytest.mark.parametrize("who", EVERYONE)
def test_removing_a_document(client, people, started, who):
    assessment, document = started
    c = _client(client, people, who)
    response = c.post(f"/assessments/VA001/documents/{document.pk}/remove/")
    assert response.status_code == _expected_write(who)
    assert assessment.documents.exists() is (who not in EDITORS)


@pytest.mark.parametrize("who", EVERYONE)
def test_publishing(client, people, started, who):
    assessment, _document = started
    response = _client(client, people, who).post(
        "/assessments/VA001/publish/", {"version": assessment.version}
    )
    assert response.status_code == _expected_write(who)
    assert Publication.objects.filter(organisation__ods_code="VA001").exists() is (who in EDITORS)


@pytest.mark.parametrize("who", EVERYONE)
def test_starting(client, people, orgs, who):
    response = _client(client, people, who).post("/assessments/VA001/start/")
    assert response.status_code == _expected_write(who)
    assert orgs["A"].assessments.exists() is (who in EDITORS)


def test_a_document_of_another_organisation_is_not_found_through_ours(
    client, people, started, orgs
):
    _assessment, document = started
    client.force_login(people["member_b"])
    # B's member asks for A's document through B's own URL: the document is not B's.
    assert client.get(f"/assessments/VB001/documents/{document.pk}/").status_code == 404


# --- the API ------------------------------------------------------------------------------------

API = "/api/v1/assessments/VA001"


def _api_expected_read(who):
    if who == "anonymous":
        return 401
    return 200 if who in READERS else 404


def _api_expected_write(who, ok):
    if who == "anonymous":
        return 401
    if who in EDITORS:
        return ok
    return 403 if who in READERS else 404


@pytest.mark.parametrize("who", EVERYONE)
def test_api_reading(client, people, started, who):
    _assessment, document = started
    c = _client(client, people, who)
    assert c.get(API).status_code == _api_expected_read(who)
    assert c.get(f"{API}/answers/1.1.1").status_code == _api_expected_read(who)
    assert c.get(f"{API}/documents/{document.pk}").status_code == _api_expected_read(who)
    assert c.get(f"{API}/publish").status_code == _api_expected_read(who)


@pytest.mark.parametrize("who", EVERYONE)
def test_api_answering_and_publishing(client, people, started, who):
    assessment, _document = started
    c = _client(client, people, who)
    put = c.put(f"{API}/answers/1.1.1", {"value": False}, content_type="application/json")
    assert put.status_code == _api_expected_write(who, 200)
    assessment.refresh_from_db()
    post = c.post(
        f"{API}/publish", {"expected_version": assessment.version}, content_type="application/json"
    )
    assert post.status_code == _api_expected_write(who, 201)
    assert Publication.objects.exists() is (who in EDITORS)


def test_a_token_for_organisation_b_cannot_reach_organisation_a(client, people, started, orgs):
    assessment, document = started
    # Even a person who is also a member of A: the token only reaches B.
    from dspt.accounts.models import Membership

    Membership.objects.create(user=people["member_b"], organisation=orgs["A"], role="admin")
    token = make_token(people["member_b"], orgs["B"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(API, **auth).status_code == 404
    assert client.get(f"{API}/documents/{document.pk}", **auth).status_code == 404
    put = client.put(
        f"{API}/answers/1.1.1", {"value": False}, content_type="application/json", **auth
    )
    assert put.status_code == 404
    post = client.post(
        f"{API}/publish", {"expected_version": assessment.version},
        content_type="application/json", **auth,
    )  # fmt: skip
    assert post.status_code == 404
    assert not Publication.objects.exists()
    assert Answer.objects.get(assessment=assessment, item_id="1.1.1").value is True


def test_a_head_office_token_reaches_its_sites(client, people, started, orgs):
    token = make_token(people["head_office"], orgs["H"])
    response = client.put(
        f"{API}/answers/1.1.1", {"value": False}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert response.status_code == 200


def test_a_viewers_token_reads_but_cannot_write(client, people, started, orgs):
    token = make_token(people["viewer_a"], orgs["A"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(API, **auth).status_code == 200
    put = client.put(
        f"{API}/answers/1.1.1", {"value": False}, content_type="application/json", **auth
    )
    assert put.status_code == 403


def test_a_bad_token_is_refused(client, started):
    assert client.get(API, HTTP_AUTHORIZATION="Bearer dspt_nope").status_code == 401
