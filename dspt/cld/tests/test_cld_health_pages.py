# ruff: noqa: F811 - `world`, `three` and `linked` are fixtures imported from other test files
"""Pages and API for health datasets, linked releases and data provision notices, as a matrix
of who may do what: only the processing centre loads and releases, recipients see only their
own releases, authorities only their own notices."""

from __future__ import annotations

from datetime import date

import pytest

from dspt.accounts.models import ApiToken, hash_token
from dspt.audit.models import AuditEvent
from dspt.cld import services
from dspt.cld.models import HealthDataset, Participation, ProvisionNotice, Release

from .test_cld_linked import CODE, linked  # noqa: F401 - `linked` is a fixture
from .test_cld_releases import three  # noqa: F401 - `three` is a fixture
from .test_cld_web import login, user, world  # noqa: F401 - `world` is a fixture

pytestmark = pytest.mark.django_db
HEADER = b"NHS_Number,Admission_Date,Discharge_Date,Admission_Method,Provider_Code\n"
PDF = b"%PDF-1.4\n% a notice\n%%EOF\n"
EVERYONE = ("processor", "analyst", "weak_analyst", "stranger", "la_a", "la_b", "viewer_a")


def _token(org, who) -> dict:
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(
        organisation=org, user=who, name="t", prefix=raw[:8], token_hash=hash_token(raw)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_health_pages_and_api_are_the_processing_centres_alone(client, world, tmp_path):
    path = tmp_path / "adm.csv"
    path.write_bytes(HEADER + b"9434765919,2024-05-01,,21,RR8\n")
    login(client, world["processor"])
    assert b"Load a health dataset" in client.get("/cld/centre/health/").content
    with open(path, "rb") as f:
        resp = client.post("/cld/centre/health/", {"code": CODE, "file": f})
    ds = HealthDataset.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/cld/centre/health/{ds.pk}/"
    page = client.get(resp["Location"]).content.decode()
    assert "Checked and loaded" in page and "People also in social care extracts" in page
    assert client.post("/cld/centre/health/", {"code": CODE}).status_code == 400
    bad = services.health_dataset_load(
        user=world["processor"], code=CODE, original_name="b.csv", chunks=[HEADER + b"1,x,,9,?\n"]
    )
    page = client.get(f"/cld/centre/health/{bad.pk}/").content.decode()
    assert "NHS_NUMBER_FORMAT" in page and "nothing was loaded" in page
    assert client.get(f"/cld/centre/health/{bad.pk}/errors.csv").status_code == 200
    api = client.get("/api/v1/cld/health-datasets").json()
    assert [d["id"] for d in api] == [bad.pk, ds.pk]
    assert client.get(f"/api/v1/cld/health-datasets/{bad.pk}").json()["report"]["accepted"] is False
    specs = client.get("/api/v1/cld/health-specifications").json()
    assert specs[0]["code"] == CODE and specs[0]["header"][0] == "NHS_Number"
    with open(path, "rb") as f:
        resp = client.post("/api/v1/cld/health-datasets", {"code": CODE, "file": f})
    assert resp.status_code == 202 and resp.json()["state"] == "loaded"
    with open(path, "rb") as f:
        resp = client.post("/api/v1/cld/health-datasets", {"code": "nope", "file": f})
    assert resp.status_code == 422

    for who in EVERYONE[1:]:
        login(client, world[who])
        for address in ("/cld/centre/health/", f"/cld/centre/health/{ds.pk}/"):
            assert client.get(address).status_code in (403, 404), (who, address)
        assert client.get(f"/cld/centre/health/{ds.pk}/errors.csv").status_code == 404
        assert client.get("/api/v1/cld/health-datasets").json() == []
        assert client.get(f"/api/v1/cld/health-datasets/{ds.pk}").status_code == 404
        with open(path, "rb") as f:
            assert client.post("/cld/centre/health/", {"code": CODE, "file": f}).status_code == 403
        with open(path, "rb") as f:
            resp = client.post("/api/v1/cld/health-datasets", {"code": CODE, "file": f})
        assert resp.status_code == 403, who
    assert HealthDataset.objects.count() == 3


def test_a_linked_release_from_the_form_and_the_api(client, linked):
    login(client, linked["processor"])
    both, ds = linked["both"], linked["health"]
    page = client.get(f"/cld/centre/releases/new/?agreement={both.pk}").content.decode()
    assert "Link with a health dataset" in page and f"Hospital admissions (dataset {ds.pk}" in page
    resp = client.post(
        "/cld/centre/releases/",
        {"agreement": both.pk, "submissions": [linked["a1"].pk], "health_dataset": ds.pk},
        follow=True,
    )
    assert b"Linked with hospital admissions" in resp.content
    rel = Release.objects.get()
    assert rel.health_dataset == ds and rel.health_rows > 0
    assert b"linked with hospital admissions" in client.get("/cld/centre/").content
    resp = client.post(
        "/cld/centre/releases/",
        {"agreement": both.pk, "submissions": [linked["a1"].pk], "health_dataset": 999},
    )
    assert resp.status_code == 400 and b"Choose a loaded health dataset" in resp.content

    body = {"agreement": "DSA-LINK", "submissions": [linked["a1"].pk], "health_dataset": ds.pk}
    resp = client.post("/api/v1/cld/releases", body, content_type="application/json")
    assert resp.status_code == 201, resp.content
    out = resp.json()
    assert out["health_code"] == CODE and out["linkage"]["people_rate"] > 0
    assert "health_events" in [f["name"] for f in out["files"]]
    body["agreement"] = "DSA-ALL"  # covers client-level data only
    resp = client.post("/api/v1/cld/releases", body, content_type="application/json")
    assert (
        resp.status_code == 409
        and "does not cover hospital admissions" in resp.json()["refused_reason"]
    )
    body["health_dataset"] = 999
    resp = client.post("/api/v1/cld/releases", body, content_type="application/json")
    assert resp.status_code == 400 and resp.json()["detail"] == "No health dataset 999."

    # A recipient sees its own linked releases, with the linkage figures, and nobody else's.
    login(client, linked["analyst"])
    mine = client.get("/api/v1/cld/releases").json()
    assert {r["id"] for r in mine} == set(
        Release.objects.filter(refused_reason="").values_list("pk", flat=True)
    )
    assert all(r["linkage"] for r in mine)
    page = client.get(f"/cld/releases/{rel.pk}/").content.decode()
    assert "Social care people with at least one health event" in page
    for who in ("weak_analyst", "stranger", "la_a"):
        login(client, linked[who])
        assert client.get("/api/v1/cld/releases").json() == [], who
        assert client.get(f"/cld/releases/{rel.pk}/").status_code == 404, who
        resp = client.post("/api/v1/cld/releases", body, content_type="application/json")
        assert resp.status_code == 403, who


def test_an_agreement_covering_a_health_dataset_from_the_centre_page(client, world):
    login(client, world["processor"])
    assert "Hospital admissions" in client.get("/cld/centre/").content.decode()
    resp = client.post(
        "/cld/centre/agreements/",
        {
            "reference": "DSA-H",
            "recipient": world["rec"].pk,
            "local_authorities": [world["las"]["LAA"].pk],
            "datasets": ["cld", CODE],
            "period_start": "2024-04-01",
            "period_end": "2025-03-31",
            "expires_on": "2026-03-31",
            "purpose": "Linked analysis",
        },
    )
    assert resp.status_code == 302
    from dspt.cld.models import DataSharingAgreement

    assert DataSharingAgreement.objects.get(reference="DSA-H").datasets == ["cld", CODE]


def _notice(w, la="LAA", **kw):
    values = {
        "reference": f"DPN-{la}",
        "served_on": date(2024, 1, 10),
        "mandates_from": date(2024, 3, 31),
        "mandates_until": None,
        "mandates": "A quarterly extract of the last 12 months.",
        "document": PDF,
        "document_name": "notice.pdf",
    }
    values.update(kw)
    return services.notice_record(user=w["processor"], local_authority=w["las"][la], **values)


def test_notices_are_recorded_by_the_centre_and_read_by_their_authority(client, world):
    login(client, world["processor"])
    la = world["las"]["LAA"]
    assert b"Record a notice" in client.get("/cld/centre/participation/").content
    resp = client.post(
        f"/cld/centre/participation/{la.pk}/notices/new/",
        {
            "reference": "DPN-1",
            "served_on": "2024-01-10",
            "mandates_from": "2024-03-31",
            "mandates": "A quarterly extract of the last 12 months.",
            "document": _upload(PDF),
        },
    )
    assert resp.status_code == 302, resp.content[:2000]
    notice = ProvisionNotice.objects.get()
    assert notice.document_bytes == len(PDF) and "zone" in notice.document_path
    assert Participation.objects.get(local_authority=la).notice_served_on == date(2024, 1, 10)
    assert AuditEvent.objects.filter(action="cld.notice_recorded", object_id=str(notice.pk))
    page = client.get("/cld/notices/").content.decode()
    assert "DPN-1" in page and "01 Apr 2024 to 31 Mar 2025" in page  # the period it mandates
    register = client.get("/cld/centre/participation/").content.decode()
    assert f'href="/cld/notices/{notice.pk}/document/">DPN-1' in register

    for data, message in (
        ({"document": _upload(b"not a pdf")}, b"must be a PDF"),
        ({"mandates_until": "2023-01-01"}, b"cannot end before the first"),
        ({"reference": ""}, b"This field is required"),
    ):
        post = {
            "reference": "DPN-2",
            "served_on": "2024-02-01",
            "mandates_from": "2024-03-31",
            "mandates": "x",
            "document": _upload(PDF),
            **data,
        }
        resp = client.post(f"/cld/centre/participation/{la.pk}/notices/new/", post)
        assert resp.status_code == 400 and message in resp.content, data
    assert ProvisionNotice.objects.count() == 1

    resp = client.post(
        f"/cld/notices/{notice.pk}/edit/",
        {
            "reference": "DPN-1",
            "served_on": "2024-01-12",
            "mandates_from": "2024-03-31",
            "mandates_until": "2025-03-31",
            "mandates": "Quarterly, for one year.",
        },
    )
    assert resp.status_code == 302
    notice.refresh_from_db()
    assert notice.mandates_until == date(2025, 3, 31) and notice.document_bytes == len(PDF)
    change = AuditEvent.objects.get(action="cld.notice_changed")
    assert change.detail["before"]["served_on"] == "2024-01-10"
    assert change.detail["after"]["served_on"] == "2024-01-12"

    other = _notice(world, la="LAB")
    expected = {  # (own list shows LAA's, LAB's; LAA document; LAB document)
        "processor": (True, True, 200, 200),
        "la_a": (True, False, 200, 404),
        "viewer_a": (True, False, 200, 404),
        "la_b": (False, True, 404, 200),
        "analyst": (False, False, 403, 403),
        "stranger": (False, False, 403, 403),
    }
    for who, (sees_a, sees_b, doc_a, doc_b) in expected.items():
        login(client, world[who])
        page = client.get("/cld/notices/")
        if doc_a == 403:
            assert page.status_code == 403, who
        else:
            text = page.content.decode()
            assert ("DPN-1" in text, "DPN-LAB" in text) == (sees_a, sees_b), who
        api = {n["reference"] for n in client.get("/api/v1/cld/notices").json()}
        assert api == ({"DPN-1"} if sees_a else set()) | ({"DPN-LAB"} if sees_b else set()), who
        for n, code in ((notice, doc_a), (other, doc_b)):
            resp = client.get(f"/cld/notices/{n.pk}/document/")
            assert resp.status_code == (404 if code == 403 else code), (who, n.reference)
            if code == 200:
                assert b"".join(resp.streaming_content) == PDF
            api = client.get(f"/api/v1/cld/notices/{n.pk}/document")
            assert api.status_code == (404 if code == 403 else code), (who, n.reference)
        if who != "processor":
            assert client.get(f"/cld/notices/{notice.pk}/edit/").status_code == 403
            assert client.get(f"/cld/centre/participation/{la.pk}/notices/new/").status_code == 403
    assert AuditEvent.objects.filter(action="cld.notice_downloaded").count() == 10  # page + API

    # A token reaches its own organisation's notices only.
    auth = _token(world["las"]["LAA"], world["la_a"])
    assert [n["reference"] for n in client.get("/api/v1/cld/notices", **auth).json()] == ["DPN-1"]


def test_notices_through_the_api(client, world):
    login(client, world["processor"])
    data = {
        "local_authority": "LAA",
        "reference": "DPN-API",
        "served_on": "2024-01-10",
        "mandates_from": "2024-03-31",
        "mandates": "Quarterly.",
        "document": _upload(PDF),
    }
    resp = client.post("/api/v1/cld/notices", data)
    assert resp.status_code == 201, resp.content
    assert resp.json()["mandated_periods"] == ["01 Apr 2024 to 31 Mar 2025"]
    resp = client.post("/api/v1/cld/notices", {**data, "document": _upload(b"<html>")})
    assert resp.status_code == 422 and "PDF" in resp.json()["detail"]
    resp = client.post(
        "/api/v1/cld/notices", {**data, "local_authority": "8RE01", "document": _upload(PDF)}
    )
    assert resp.status_code == 404
    notice = ProvisionNotice.objects.get()
    change = {k: v for k, v in data.items() if k not in ("local_authority", "document")}
    resp = client.post(f"/api/v1/cld/notices/{notice.pk}", {**change, "mandates": "Monthly."})
    assert resp.status_code == 200 and resp.json()["mandates"] == "Monthly."
    assert resp.json()["document_name"] == "notice.pdf"  # kept
    bad = {**change, "mandates_until": "2020-01-01"}
    assert client.post(f"/api/v1/cld/notices/{notice.pk}", bad).status_code == 422
    assert AuditEvent.objects.filter(action="cld.notice_changed").count() == 1
    login(client, world["la_a"])
    resp = client.post("/api/v1/cld/notices", {**data, "document": _upload(PDF)})
    assert resp.status_code == 403
    assert client.post(f"/api/v1/cld/notices/{notice.pk}", change).status_code == 403
    assert ProvisionNotice.objects.count() == 1


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("notice.pdf", data, content_type="application/pdf")


def test_an_agreement_names_only_datasets_that_exist(world):
    common = {
        "user": world["processor"],
        "recipient": world["rec"],
        "local_authorities": [world["las"]["LAA"]],
        "period_start": date(2024, 4, 1),
        "period_end": date(2025, 3, 31),
        "purpose": "x",
        "expires_on": date(2026, 1, 1),
    }
    with pytest.raises(services.CldError, match="Unknown dataset gp_records"):
        services.create_agreement(reference="A", datasets=["cld", "gp_records"], **common)
    with pytest.raises(services.CldError, match="at least one dataset"):
        services.create_agreement(reference="B", datasets=[], **common)
    dsa = services.create_agreement(reference="C", datasets=["cld", CODE, "cld"], **common)
    assert dsa.datasets == ["cld", CODE]
    audit = AuditEvent.objects.get(action="cld.agreement_created", object_id=str(dsa.pk))
    assert audit.detail["datasets"] == ["cld", CODE]
