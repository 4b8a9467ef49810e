"""The access request pages: each step through the browser forms, and who may see and do what
(a matrix of roles x organisations over every page)."""

from __future__ import annotations

import pytest

from dspt.access import services
from dspt.access.models import AccessRequest, Stage
from dspt.cld.models import DataSharingAgreement

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user)
    return client


def test_apply_from_a_template_and_through_every_stage(client, world):
    p = world["people"]
    as_user(client, p["leeds"])
    page = client.get("/access/new/?template=la_own_area_linked")
    assert page.status_code == 200
    body = page.content.decode()
    assert "own-area linked analysis" in body and "Social care and hospital use" in body
    assert f'<option value="{world["leeds"].pk}" selected>Leeds City Council' in body
    r = client.post(
        "/access/new/",
        {
            "template": "la_own_area_linked",
            "organisation": world["leeds"].pk,
            "title": "Linked analysis",
            "datasets": ["cld", "hospital_admissions"],
            "local_authorities": [world["leeds"].pk],
            "period_start": "2024-04-01",
            "period_end": "2026-03-31",
            "purpose": "Hospital use by people with care.",
            "legal_basis": "public_task_care",
            "outputs": "record_level",
            "retention": "Destroyed after.",
            "destroy_by": "2029-03-31",
            "controllers": "joint",
            "coapplicants": "qwo",
        },
    )
    req = AccessRequest.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/access/{req.pk}/"
    assert req.template == "la_own_area_linked"
    page = client.get(f"/access/{req.pk}/").content.decode()
    assert "Standards Met or better" in page and "West Yorkshire ICB" in page
    assert client.post(f"/access/{req.pk}/submit/").status_code == 302
    req.refresh_from_db()
    assert req.status == Stage.AWAITING_COAPPLICANTS
    as_user(client, p["icb"])
    assert client.get(f"/access/{req.pk}/confirm/").status_code == 200
    coapp = req.coapplicants.get()
    client.post(f"/access/{req.pk}/confirm/", {"coapplicant": coapp.pk})
    req.refresh_from_db()
    assert req.status == Stage.SUBMITTED
    as_user(client, p["reviewer"])
    assert req.reference in client.get("/access/centre/").content.decode()
    client.post(f"/access/{req.pk}/review/", {"q-questions": "Why two years?", "send_back": "1"})
    req.refresh_from_db()
    assert req.status == Stage.QUESTIONS
    as_user(client, p["leeds"])
    client.post(f"/access/{req.pk}/answer/", {"answer": "For a trend."})
    as_user(client, p["reviewer"])
    client.post(f"/access/{req.pk}/review/", {"r-recommendation": "approve", "r-note": "Good"})
    req.refresh_from_db()
    assert req.status == Stage.REVIEWED
    # The reviewer may not decide their own review: a clear error, nothing issued.
    r = client.post(f"/access/{req.pk}/decide/", {"decision": "approved", "reasons": "ok"})
    assert r.status_code == 400
    assert "same person may not review and approve" in r.content.decode()
    assert not DataSharingAgreement.objects.exists()
    as_user(client, p["approver"])
    client.post(f"/access/{req.pk}/decide/", {"decision": "approved", "reasons": "Fine."})
    req.refresh_from_db()
    assert req.status == Stage.APPROVED
    assert DataSharingAgreement.objects.get().reference == f"{req.reference}-v1"
    # An amendment from the live terms.
    as_user(client, p["leeds"])
    assert 'value="2026-03-31"' in client.get(f"/access/{req.pk}/amend/").content.decode()
    r = client.post(
        f"/access/{req.pk}/amend/",
        {
            "change_note": "Add Hampshire.",
            "datasets": ["cld", "hospital_admissions"],
            "local_authorities": [world["leeds"].pk, world["hants"].pk],
            "period_start": "2024-04-01",
            "period_end": "2026-03-31",
            "purpose": "Hospital use by people with care.",
            "legal_basis": "public_task_care",
            "outputs": "record_level",
            "retention": "",
            "destroy_by": "2029-03-31",
        },
    )
    assert r.status_code == 302
    assert req.versions.count() == 2
    assert "Version 1" in client.get(f"/access/{req.pk}/").content.decode()


def test_bad_input_is_refused_and_kept(client, world):
    as_user(client, world["people"]["leeds"])
    r = client.post(
        "/access/new/",
        {
            "organisation": world["leeds"].pk,
            "title": "Kept title",
            "datasets": ["cld"],
            "local_authorities": [world["leeds"].pk],
            "period_start": "2026-04-01",
            "period_end": "2024-03-31",
            "purpose": "Something",
            "legal_basis": "public_task_care",
            "outputs": "aggregate",
            "destroy_by": "2029-03-31",
            "controllers": "joint",
            "coapplicants": "ZZZ99",
        },
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "No organisation has the ODS code ZZZ99" in body and "Kept title" in body
    assert not AccessRequest.objects.exists()


@pytest.fixture
def submitted(world, joint_request):
    p = world["people"]
    services.coapplicant_confirm(user=p["icb"], req=joint_request, organisation=world["icb"])
    services.request_submit(user=p["leeds"], req=joint_request)
    return joint_request


# Who sees what: (person, my list, request page, centre queue, review page, decide page,
# new-request page). 403: not theirs to do; 404: cannot see that the request exists.
MATRIX = [
    ("leeds", 200, 200, 403, 403, 403, 200),
    ("leeds_admin", 200, 200, 403, 403, 403, 200),
    ("leeds_viewer", 200, 200, 403, 403, 403, 403),
    ("icb", 200, 200, 403, 403, 403, 200),
    ("hants", 200, 404, 403, 403, 403, 200),
    ("care_home", 403, 404, 403, 403, 403, 403),
    ("reviewer", 200, 200, 200, 200, 200, 403),
    ("programme", 403, 404, 403, 403, 403, 403),
    ("plan_reviewer", 403, 404, 403, 403, 403, 403),
]


@pytest.mark.parametrize(("who", "mine", "page", "queue", "review", "decide", "new"), MATRIX)
def test_pages_matrix(client, world, submitted, who, mine, page, queue, review, decide, new):
    as_user(client, world["people"][who])
    pk = submitted.pk
    assert client.get("/access/").status_code == mine
    assert client.get(f"/access/{pk}/").status_code == page
    assert client.get("/access/centre/").status_code == queue
    assert client.get(f"/access/{pk}/review/").status_code == review
    assert client.get(f"/access/{pk}/decide/").status_code == decide
    assert client.get("/access/new/").status_code == new


# The applicant's own steps, tried by everyone else: (person, answer, confirm, amend, submit).
APPLICANT_STEPS = [
    ("leeds_viewer", 403, 403, 403, 403),
    ("icb", 403, 403, 403, 403),
    ("hants", 404, 404, 404, 404),
    ("care_home", 404, 404, 404, 404),
    ("reviewer", 403, 403, 403, 403),
    ("programme", 404, 404, 404, 404),
]


@pytest.mark.parametrize(("who", "answer", "confirm", "amend", "submit"), APPLICANT_STEPS)
def test_applicant_steps_matrix(client, world, submitted, who, answer, confirm, amend, submit):
    as_user(client, world["people"][who])
    pk = submitted.pk
    assert client.post(f"/access/{pk}/answer/", {"answer": "x"}).status_code == answer
    assert client.post(f"/access/{pk}/confirm/", {"coapplicant": 1}).status_code == confirm
    assert client.get(f"/access/{pk}/amend/").status_code == amend
    assert client.post(f"/access/{pk}/submit/").status_code == submit
    assert client.post(f"/access/{pk}/withdraw/").status_code == submit
    submitted.refresh_from_db()
    assert submitted.status == Stage.SUBMITTED and not submitted.messages.exists()


def test_centre_steps_refused_to_applicants(client, world, submitted):
    for who, code in (("leeds", 403), ("icb", 403), ("hants", 403), ("programme", 403)):
        as_user(client, world["people"][who])
        r = client.post(f"/access/{submitted.pk}/review/", {"r-recommendation": "approve"})
        assert r.status_code == code, who
    submitted.refresh_from_db()
    assert submitted.status == Stage.SUBMITTED


def test_drafts_are_the_applicants_own(client, world, joint_request):
    as_user(client, world["people"]["reviewer"])
    assert client.get(f"/access/{joint_request.pk}/").status_code == 404
    as_user(client, world["people"]["icb"])  # a named co-applicant sees the draft it confirms
    assert client.get(f"/access/{joint_request.pk}/").status_code == 200


def test_anonymous_is_sent_to_sign_in(client, world, joint_request):
    for url in ("/access/", "/access/new/", "/access/centre/", f"/access/{joint_request.pk}/"):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/sign-in/" in r["Location"]


def test_the_header_shows_access_requests_to_those_with_a_part(client, world):
    for who, shown in (
        ("leeds", True),
        ("reviewer", True),
        ("care_home", False),
        ("programme", False),
    ):
        as_user(client, world["people"][who])
        page = client.get("/notifications/").content.decode()
        assert ('href="/access/"' in page) is shown, who


def test_the_centres_home_shows_what_waits(client, world, submitted):
    p = world["people"]
    as_user(client, p["reviewer"])
    home = client.get("/home/").content.decode()
    assert "Data access requests" in home and "1 request waiting for review." in home
    services.request_review(user=p["reviewer"], req=submitted, recommendation="approve")
    assert "0 reviewed requests for you to decide." in client.get("/home/").content.decode()
    as_user(client, p["approver"])
    assert "1 reviewed request for you to decide." in client.get("/home/").content.decode()


def test_odd_query_values_are_ignored(client, world):
    as_user(client, world["people"]["leeds"])
    for query in ("?organisation=abc", "?template=nothing", "?organisation=99999999999"):
        assert client.get("/access/new/" + query).status_code == 200, query
