"""/api/v1/plans: every action, scoped by role, organisation and token."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dspt.improvement_plans.lifecycle import on_publication
from dspt.improvement_plans.models import PlanState, PlanVersion
from dspt.improvement_plans.template import plan_csv

from .conftest import publish_not_met, token_for

ROWS = [
    {"item_id": "1.1.1", "actions": "Write policy", "owner": "Jo", "target_date": "2026-01-31"},
    {"item_id": "3.2.1", "actions": "Train staff", "owner": "Sam", "target_date": "31/03/2026"},
]


@pytest.fixture
def plan(world):
    on_publication(publish_not_met(world["other"]))  # a London plan nobody from RR8 may see
    return on_publication(publish_not_met(world["trust"]))


def bearer(world, who: str, org_key: str = "trust") -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_for(world['people'][who], world[org_key])}"}


def test_openapi_documents_plan_actions(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for p in (
        "/api/v1/plans/organisations/{ods_code}/upload",
        "/api/v1/plans/{plan_id}/decisions",
        "/api/v1/plans/{plan_id}/updates",
        "/api/v1/plans/{plan_id}/actions/{index}",
    ):
        assert p in paths


def test_full_cycle_over_the_api(client, world, plan):
    org_auth = bearer(world, "admin")
    r = client.get("/api/v1/plans/organisations/RR8", **org_auth)
    assert r.status_code == 200 and r.json()["state"] == "draft"
    assert [i["item_id"] for i in r.json()["items"]] == ["1.1.1", "3.2.1", "6.3.2"]
    csv = client.get("/api/v1/plans/organisations/RR8/template.csv", **org_auth)
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbfEvidence item")

    bad = [dict(ROWS[0]), {**ROWS[1], "owner": ""}]
    r = client.post(
        "/api/v1/plans/organisations/RR8/rows",
        {"rows": bad},
        content_type="application/json",
        **org_auth,
    )
    assert r.status_code == 400
    assert r.json()["errors"][0] == {
        "text": "Row 2 (item 3.2.1): no action owner.",
        "row": 2,
        "item_id": "3.2.1",
        "field": "owner",
    }
    r = client.post(
        "/api/v1/plans/organisations/RR8/upload",
        {"file": SimpleUploadedFile("plan.csv", plan_csv(ROWS))},
        **org_auth,
    )
    assert r.status_code == 201 and r.json()["version"]["number"] == 1

    rev_auth = {}
    client.force_login(world["people"]["reviewer"])
    r = client.post(
        f"/api/v1/plans/{plan.pk}/decisions",
        {"decision": "rejected"},
        content_type="application/json",
        **rev_auth,
    )
    assert r.status_code == 409 and "reasons" in r.json()["detail"]
    r = client.post(
        f"/api/v1/plans/{plan.pk}/decisions",
        {"decision": "approved"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["decided_by"] == "reviewer@nhs.uk"
    client.logout()

    r = client.patch(
        f"/api/v1/plans/{plan.pk}/actions/0",
        {"status": "done", "evidence_note": "Intranet"},
        content_type="application/json",
        **org_auth,
    )
    assert r.status_code == 200 and r.json()["status"] == "done"
    r = client.post(
        f"/api/v1/plans/{plan.pk}/updates",
        {"summary": "Going well"},
        content_type="application/json",
        **org_auth,
    )
    assert r.status_code == 201
    detail = client.get(f"/api/v1/plans/{plan.pk}", **org_auth).json()
    assert detail["state"] == PlanState.APPROVED and detail["decisions"][0]["kind"] == "approved"
    assert detail["updates"][0]["summary"] == "Going well"


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("admin", {"RR8"}),
        ("viewer", {"RR8"}),
        ("other_admin", {"RJ1"}),
        ("reviewer", {"RR8"}),
        ("london_reviewer", {"RJ1"}),
        ("national_reviewer", {"RR8", "RJ1"}),
        ("programme", {"RR8", "RJ1"}),
        ("commissioner", set()),
        ("lso", set()),
    ],
)
def test_list_and_detail_matrix_with_session(client, world, plan, who, sees):
    client.force_login(world["people"][who])
    listed = {p["ods_code"] for p in client.get("/api/v1/plans").json()}
    assert listed == sees
    code = client.get(f"/api/v1/plans/{plan.pk}").status_code
    assert code == (200 if "RR8" in sees else 404)
    code = client.get("/api/v1/plans/organisations/RR8").status_code
    assert code == (200 if "RR8" in sees else 404)


def test_token_never_reaches_another_organisation(client, world, plan):
    # A national reviewer who belongs to RJ1 creates a token there: it reaches only RJ1.
    from dspt.accounts.models import Membership

    Membership.objects.create(
        user=world["people"]["national_reviewer"], organisation=world["other"]
    )
    auth = bearer(world, "national_reviewer", "other")
    assert {p["ods_code"] for p in client.get("/api/v1/plans", **auth).json()} == {"RJ1"}
    assert client.get(f"/api/v1/plans/{plan.pk}", **auth).status_code == 404
    assert client.get("/api/v1/plans/organisations/RR8", **auth).status_code == 404
    plan.state = PlanState.AWAITING_REVIEW
    plan.save()
    r = client.post(
        f"/api/v1/plans/{plan.pk}/decisions",
        {"decision": "approved"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 404
    assert client.get("/api/v1/plans/escalations", **auth).json() == []


def test_other_organisation_and_viewer_cannot_change_the_plan(client, world, plan):
    data = {"file": SimpleUploadedFile("plan.csv", plan_csv(ROWS))}
    r = client.post(
        "/api/v1/plans/organisations/RR8/upload", data, **bearer(world, "other_admin", "other")
    )
    assert r.status_code == 404
    r = client.post(
        "/api/v1/plans/organisations/RR8/upload",
        {"file": SimpleUploadedFile("plan.csv", plan_csv(ROWS))},
        **bearer(world, "viewer"),
    )
    assert r.status_code == 403
    assert PlanVersion.objects.count() == 0


def test_unauthenticated_gets_401(client, plan):
    assert client.get("/api/v1/plans").status_code == 401
    assert client.get(f"/api/v1/plans/{plan.pk}").status_code == 401


def test_public_status_record_carries_no_plan_detail(client, world, plan):
    """Once the public API is served, an organisation's record holds no plan fields."""
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    if "/api/v1/organisations/{ods_code}" not in paths:
        pytest.skip("The public status API is not in this build yet.")
    r = client.get("/api/v1/organisations/RR8")
    assert r.status_code == 200
    body = r.content.decode().lower()
    for word in ("plan", "unmet", "gap", "action", "1.1.1"):
        assert word not in body
