"""The assessment API does what the pages do, with clear errors."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dspt.assessments.models import Publication
from dspt.core.tests.hostile import docx_bytes, zip_bomb

from .conftest import ALL_MET, make_token

pytestmark = pytest.mark.django_db
API = "/api/v1/assessments/VA001"


@pytest.fixture
def api(client, people, orgs):
    token = make_token(people["member_a"], orgs["A"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    class Caller:
        def get(self, path):
            return client.get(API + path, **auth)

        def put(self, path, body):
            return client.put(API + path, body, content_type="application/json", **auth)

        def post(self, path, body=None, **extra):
            if "data" in extra:
                return client.post(API + path, extra["data"], **auth)
            return client.post(API + path, body or {}, content_type="application/json", **auth)

        def delete(self, path):
            return client.delete(API + path, **auth)

    return Caller()


def test_a_whole_journey_through_the_api(api):
    assert api.get("").status_code == 404
    started = api.post("/start")
    assert started.status_code == 201
    body = started.json()
    assert body["edition"] == "2024-25" and body["version"] == 0
    assert body["progress"]["overall"]["mandatory_total"] == 7
    assert {i["id"] for i in body["items"]} >= {"1.1.1", "7.1.3"}

    version = 0
    for item_id, value in ALL_MET.items():
        r = api.put(f"/answers/{item_id}", {"value": value, "expected_version": version})
        assert r.status_code == 200, r.json()
        assert r.json()["outcome"] == "met" and r.json()["changed"]
        version = r.json()["version"]
    upload = SimpleUploadedFile("policy.pdf", b"%PDF-1.4 policy")
    doc = api.post("/answers/1.1.3/documents", data={"file": upload})
    assert doc.status_code == 201
    assert doc.json()["download_url"].endswith(f"/documents/{doc.json()['id']}")
    assert api.get(f"/documents/{doc.json()['id']}").status_code == 200

    profile = api.put(
        "/profile",
        {"caldicott_guardian": "Dr A Khan", "cyber_essentials_plus": True,
         "cyber_essentials_plus_expires_on": "2026-01-31"},
    )  # fmt: skip
    assert profile.status_code == 200 and profile.json()["caldicott_guardian"] == "Dr A Khan"

    preview = api.get("/publish").json()
    assert preview["would_publish_as"] == "standards_exceeded"
    assert preview["status_label"] == "24/25 Standards Exceeded"
    published = api.post("/publish", {"expected_version": preview["version"]})
    assert published.status_code == 201
    out = published.json()
    assert (out["level"], out["status"], out["valid_until"]) == (
        "standards_exceeded", "standards_exceeded", "2026-06-30",
    )  # fmt: skip
    assert out["unlocks"] == ["nhsmail", "nhs_data_sharing"]
    again = api.post("/publish", {"expected_version": preview["version"]})
    assert again.status_code == 409
    assert "already published" in again.json()["detail"]
    assert Publication.objects.count() == 1
    history = api.get("/publications").json()
    assert [p["level"] for p in history] == ["standards_exceeded"]


def test_api_errors_are_plain(api):
    api.post("/start")
    bad = api.put("/answers/3.1.1", {"value": "lots"})
    assert bad.status_code == 400 and bad.json()["detail"].startswith("Enter a number")
    na = api.put("/answers/3.1.1", {"value": None, "not_applicable": True})
    assert na.status_code == 400 and "cannot be marked not applicable" in na.json()["detail"]
    missing = api.get("/answers/9.9.9")
    assert missing.status_code == 404
    api.put("/answers/1.1.1", {"value": True})
    stale = api.put("/answers/1.1.1", {"value": False, "expected_version": 0})
    assert stale.status_code == 409 and "Someone else changed" in stale.json()["detail"]
    exe = api.post("/answers/1.1.3/documents", data={"file": SimpleUploadedFile("a.exe", b"MZ")})
    assert exe.status_code == 400 and "must be a PDF" in exe.json()["detail"]
    bomb = SimpleUploadedFile("plan.docx", zip_bomb(docx_bytes(), megabytes=20))
    refused = api.post("/answers/1.1.3/documents", data={"file": bomb})
    assert refused.status_code == 400
    assert "compressed far more than real documents are" in refused.json()["detail"]
    profile = api.put("/profile", {"cyber_essentials_plus": True})
    assert profile.status_code == 400


def test_removing_a_document_through_the_api(api):
    api.post("/start")
    doc = api.post(
        "/answers/action-plan/documents",
        data={"file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan")},
    ).json()
    assert api.get("").json()["progress"]["action_plan_attached"]
    assert api.delete(f"/documents/{doc['id']}").status_code == 204
    assert not api.get("").json()["progress"]["action_plan_attached"]


def test_the_api_is_described_in_openapi(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/assessments/{ods_code}/publish" in paths
    assert set(paths["/api/v1/assessments/{ods_code}/answers/{item_id}"]) == {"get", "put"}
