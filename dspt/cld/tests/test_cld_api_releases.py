"""Releases in the API: the processing centre releases several extracts with chosen tables, a
recipient lists and downloads them (its token reaches only its own), and refusals are stored."""

from __future__ import annotations

import pytest

from dspt.accounts.models import ApiToken, Membership, hash_token
from dspt.audit.models import AuditEvent
from dspt.cld.models import Release

from .test_cld_releases import AGES, EVENTS, _agreement, three  # noqa: F401 - fixtures
from .test_cld_web import login, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def _token(who, org) -> dict:
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(
        organisation=org, user=who, name="t", prefix=raw[:8], token_hash=hash_token(raw)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client, body):
    return client.post("/api/v1/cld/releases", body, content_type="application/json")


def test_openapi_describes_the_release_endpoints(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/cld/aggregate-tables",
        "/api/v1/cld/releases",
        "/api/v1/cld/releases/{release_id}",
        "/api/v1/cld/releases/{release_id}/files/{name}",
    ):
        assert path in spec["paths"], path
    assert set(spec["paths"]["/api/v1/cld/releases"]["post"]["responses"]) >= {"201", "409"}
    release = spec["components"]["schemas"]["ReleaseOut"]["properties"]
    assert {"submissions", "files", "aggregates_version", "refused_reason"} <= set(release)
    assert set(spec["components"]["schemas"]["ReleaseIn"]["properties"]) == {
        "agreement",
        "submissions",
        "tables",
        "health_dataset",
    }
    assert {"health_dataset", "health_rows", "linkage"} <= set(release)
    for path in ("/api/v1/cld/health-datasets", "/api/v1/cld/notices/{notice_id}/document"):
        assert path in spec["paths"], path


def test_the_tables_on_offer(client, world):  # noqa: F811
    login(client, world["analyst"])
    body = client.get("/api/v1/cld/aggregate-tables").json()
    names = [t["name"] for t in body["tables"]]
    assert names[0] == EVENTS and AGES in names and len(names) == 5
    assert body["tables"][0]["default"] is True and body["tables"][0]["columns"][:2] == [
        "period_end",
        "la_code",
    ]


def test_release_list_and_download_through_the_api(client, three):  # noqa: F811
    a1, b1 = three["a1"], three["b1"]
    login(client, three["analyst"])
    body = {"agreement": "DSA-ALL", "submissions": [a1.pk, b1.pk], "tables": [AGES]}
    assert _post(client, body).status_code == 403  # only the processing centre releases

    login(client, three["processor"])
    assert _post(client, {**body, "tables": ["nope"]}).status_code == 400
    assert _post(client, {**body, "submissions": [a1.pk, 999_999]}).json() == {
        "detail": "No extract 999999."
    }
    assert _post(client, {**body, "agreement": "DSA-NONE"}).status_code == 404
    assert not Release.objects.exists()
    resp = _post(client, body)
    assert resp.status_code == 201, resp.content
    out = resp.json()
    assert out["rows"] == a1.rows + b1.rows and out["refused"] is False
    assert [(s["id"], s["organisation"]) for s in out["submissions"]] == [
        (a1.pk, "LAA"),
        (b1.pk, "LAB"),
    ]
    assert out["submissions"][0]["period_end"] == "2025-03-31"
    assert [f["name"] for f in out["files"]] == ["extract", AGES]
    assert out["files"][1]["title"] == "People by authority, age band and gender"
    assert out["aggregates_version"] == "aggregates-1"

    # The recipient, with a token for its organisation, lists and downloads it. The analyst also
    # works for a second recipient: that one's release is not within this token's reach.
    Membership.objects.create(user=three["analyst"], organisation=three["rec2"], role="member")
    second = _post(client, {**body, "agreement": "DSA-ALL-2"}).json()
    client.logout()
    auth = _token(three["analyst"], three["rec"])
    listed = client.get("/api/v1/cld/releases", **auth).json()
    assert [r["id"] for r in listed] == [out["id"]]
    assert client.get(f"/api/v1/cld/releases/{second['id']}", **auth).status_code == 404
    login(client, three["analyst"])  # signed in, they see both
    assert len(client.get("/api/v1/cld/releases").json()) == 2
    client.logout()
    assert client.get(f"/api/v1/cld/releases/{out['id']}", **auth).json() == listed[0]
    extract = client.get(out["files"][0]["url"], **auth)
    assert extract.status_code == 200 and b"".join(extract.streaming_content)[:4] == b"PAR1"
    table = client.get(out["files"][1]["url"], **auth)
    assert b"".join(table.streaming_content).startswith(b"period_end,la_code,age_band,gender")
    assert AuditEvent.objects.filter(action="cld.downloaded").count() == 2
    assert client.get(f"/api/v1/cld/releases/{out['id']}/files/{EVENTS}", **auth).status_code == 404

    # The agreement is stopped: the download is refused, with the reason, and logged.
    three["all"].active = False
    three["all"].save()
    refused = client.get(out["files"][0]["url"], **auth)
    assert refused.status_code == 403 and "not active" in refused.json()["detail"]
    assert AuditEvent.objects.filter(action="cld.download_refused").count() == 1

    # Another recipient's token, an authority's, and nobody at all see nothing of it.
    for who, org in (("stranger", "other"), ("la_a", None)):
        org = three[org] if org else three["las"]["LAA"]
        other = _token(three[who], org)
        assert client.get("/api/v1/cld/releases", **other).json() == []
        assert client.get(f"/api/v1/cld/releases/{out['id']}", **other).status_code == 404
        assert client.get(out["files"][0]["url"], **other).status_code == 404
    assert client.get("/api/v1/cld/releases").status_code == 401


def test_a_refused_release_through_the_api(client, three):  # noqa: F811
    leeds_only = _agreement(three, "DSA-LEEDS", three["rec"], [three["las"]["LAA"]])
    login(client, three["processor"])
    resp = _post(
        client,
        {"agreement": leeds_only.reference, "submissions": [three["a1"].pk, three["b1"].pk]},
    )
    assert resp.status_code == 409
    out = resp.json()
    assert out["refused"] is True and out["files"] == []
    assert f"Extract {three['b1'].pk} (Wakefield Council" in out["refused_reason"]
    assert len(out["submissions"]) == 2
    assert Release.objects.get().refused
    login(client, three["analyst"])  # a refusal is the processing centre's to see
    assert client.get("/api/v1/cld/releases").json() == []
    login(client, three["processor"])
    assert [r["refused"] for r in client.get("/api/v1/cld/releases").json()] == [True]
