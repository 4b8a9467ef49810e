"""The access requests API: the whole way through, the refusals, and the role x organisation
matrix over every operation (sessions and organisation tokens)."""

from __future__ import annotations

import pytest

from dspt.access.models import AccessRequest, Stage
from dspt.accounts.models import ApiToken, hash_token

pytestmark = pytest.mark.django_db
BASE = "/api/v1/access"


def _token(user, org) -> dict:
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(
        organisation=org, user=user, name="t", prefix=raw[:8], token_hash=hash_token(raw)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client, path, body=None, **headers):
    return client.post(BASE + path, body or {}, content_type="application/json", **headers)


def _new(world, **kw):
    return {
        "applicant": "E08000035",
        "title": "Linked analysis",
        "controllers": "joint",
        "coapplicants": ["QWO"],
        "datasets": ["cld", "hospital_admissions"],
        "local_authorities": ["E08000035"],
        "period_start": "2024-04-01",
        "period_end": "2026-03-31",
        "purpose": "Hospital use.",
        "legal_basis": "public_task_care",
        "outputs": "record_level",
        "destroy_by": "2029-03-31",
        **kw,
    }


def test_openapi_lists_the_operations_and_their_refusals(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    decide = spec["paths"][BASE + "/requests/{request_id}/decide"]["post"]
    assert {"200", "403", "404", "409", "422"} <= set(decide["responses"])
    for path in ("/requests", "/requests/{request_id}", "/templates"):
        assert BASE + path in spec["paths"]
    # Our schemas have names of their own: ninja keys components by class name, and a second
    # class of the same name (plans have a VersionOut) would replace the first.
    schemas = spec["components"]["schemas"]
    assert "datasets" in schemas["AccessVersionOut"]["properties"]
    assert "datasets" not in schemas["VersionOut"]["properties"]


def test_the_whole_way_through_the_api(client, world):
    p = world["people"]
    leeds = _token(p["leeds_admin"], world["leeds"])
    r = _post(client, "/requests", _new(world), **leeds)
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    assert _post(client, f"/requests/{rid}/submit", **leeds).json()["status"] == (
        "awaiting_coapplicants"
    )
    icb = _token(p["icb"], world["icb"])
    assert client.get(f"{BASE}/requests/{rid}", **icb).status_code == 200
    r = _post(client, f"/requests/{rid}/confirm", {"organisation": "QWO"}, **icb)
    assert r.json()["status"] == "submitted"
    client.force_login(p["reviewer"])
    assert _post(client, f"/requests/{rid}/questions", {"text": "Why?"}).json()["status"] == (
        "questions"
    )
    client.logout()
    assert _post(client, f"/requests/{rid}/answer", {"text": "Trend."}, **leeds).status_code == 200
    client.force_login(p["reviewer"])
    r = _post(client, f"/requests/{rid}/review", {"recommendation": "approve"})
    assert r.status_code == 200
    r = _post(client, f"/requests/{rid}/decide", {"decision": "approved", "reasons": "x"})
    assert r.status_code == 403 and "same person" in r.json()["detail"]
    client.force_login(p["approver"])
    body = _post(client, f"/requests/{rid}/decide", {"decision": "approved", "reasons": "x"}).json()
    assert body["status"] == "approved"
    assert body["versions"][0]["agreement"].endswith("-v1")
    assert [m["kind"] for m in body["thread"]] == ["question", "answer"]
    client.logout()
    r = _post(
        client,
        f"/requests/{rid}/amendments",
        {**_new(world, local_authorities=["E08000035", "E10000014"]), "change_note": "Add"},
        **leeds,
    )
    assert r.status_code == 201 and len(r.json()["versions"]) == 2


def test_refusals(client, world):
    p = world["people"]
    leeds = _token(p["leeds_admin"], world["leeds"])
    # Another organisation's token cannot apply for Leeds.
    hants = _token(p["hants"], world["hants"])
    assert _post(client, "/requests", _new(world), **hants).status_code == 403
    # Values the rules refuse: unknown codes, a period the wrong way round.
    r = _post(client, "/requests", _new(world, coapplicants=["ZZZ99"]), **leeds)
    assert r.status_code == 422 and "ZZZ99" in r.json()["detail"]
    r = _post(client, "/requests", _new(world, period_end="2020-01-01"), **leeds)
    assert r.status_code == 422 and r.json()["problems"]
    assert _post(client, "/requests", _new(world, datasets=["names"]), **leeds).status_code == 422
    assert not AccessRequest.objects.exists()
    rid = _post(client, "/requests", _new(world), **leeds).json()["id"]
    _post(client, f"/requests/{rid}/submit", **leeds)
    # Not yet confirmed: the reviewer cannot act on it.
    client.force_login(p["reviewer"])
    r = _post(client, f"/requests/{rid}/review", {"recommendation": "approve"})
    assert r.status_code == 409
    assert AccessRequest.objects.get().status == Stage.AWAITING_COAPPLICANTS


# (person, token organisation or None for a session, list count, get, review-step status)
MATRIX = [
    ("leeds", None, 1, 200, 403),
    ("leeds_viewer", None, 1, 200, 403),
    ("leeds_admin", "leeds", 1, 200, 403),
    ("icb", None, 1, 200, 403),
    ("icb", "icb", 1, 200, 403),
    ("hants", None, 0, 404, 404),
    ("hants", "hants", 0, 404, 404),
    ("care_home", None, 0, 404, 404),
    ("reviewer", None, 1, 200, 200),
    ("programme", None, 0, 404, 404),
    ("plan_reviewer", None, 0, 404, 404),
]


@pytest.mark.parametrize(("who", "org", "count", "get", "review"), MATRIX)
def test_api_matrix(client, world, joint_request, who, org, count, get, review):
    p = world["people"]
    client.force_login(p["leeds"])
    _post(client, f"/requests/{joint_request.pk}/submit")
    client.force_login(p["icb"])
    _post(client, f"/requests/{joint_request.pk}/confirm", {"organisation": "QWO"})
    client.logout()
    headers = {}
    if org is None:
        client.force_login(p[who])
    else:
        headers = _token(p[who], world[org])
    rid = joint_request.pk
    assert len(client.get(f"{BASE}/requests", **headers).json()) == count
    assert client.get(f"{BASE}/requests/{rid}", **headers).status_code == get
    steps = [
        ("/questions", {"text": "Why?"}),
        ("/review", {"recommendation": "approve"}),
    ]
    for path, body in steps:
        r = _post(client, f"/requests/{rid}{path}", body, **headers)
        if review == 200:
            assert r.status_code == 200, path
            break  # the questions step moved it on; the rest is covered elsewhere
        assert r.status_code == review, path
    # The applicant's steps, by those who are not the applicant's members.
    if who not in ("leeds", "leeds_admin"):
        for path, body in (("/submit", {}), ("/answer", {"text": "x"})):
            assert _post(client, f"/requests/{rid}{path}", body, **headers).status_code in (
                403,
                404,
                409,
            )
        r = _post(
            client, f"/requests/{rid}/decide", {"decision": "approved", "reasons": "x"}, **headers
        )
        assert r.status_code == (409 if review == 200 else review)
    assert not AccessRequest.objects.get().versions.filter(agreement__isnull=False).exists()


def test_anonymous_is_refused(client, joint_request):
    assert client.get(f"{BASE}/requests").status_code == 401
    assert client.get(f"{BASE}/templates").status_code == 401
