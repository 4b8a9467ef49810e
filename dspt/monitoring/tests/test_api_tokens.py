"""Personal API tokens for oversight people: role x monitoring endpoint, as a matrix.

A personal token acts with its holder's remit (never more); organisation tokens are refused on
monitoring; revoked tokens and tokens of people who lost their role reach nothing.
"""

import pytest

from dspt.accounts import services as account_services
from dspt.accounts import tokens
from dspt.accounts.models import ApiToken, OversightRole
from dspt.audit.models import AuditEvent

ENDPOINTS = {
    "total": "/api/v1/monitoring/total",
    "compliance": "/api/v1/monitoring/compliance?by=local_authority",
    "series": "/api/v1/monitoring/series?months=2",
    "targets": "/api/v1/monitoring/targets",
    "targets_years": "/api/v1/monitoring/targets/years?as_of=2024-07-15",
    "lso2_total": "/api/v1/monitoring/total?area_kind=lso&area_code=LSO2",
    "lso1_total": "/api/v1/monitoring/total?area_kind=lso&area_code=LSO1",
    "national": "/api/v1/monitoring/total?area_kind=national",
    "areas": "/api/v1/monitoring/areas?measure=change&level=local_authority&as_of=2024-07-15",
    "lso2_locations": "/api/v1/monitoring/locations?area_kind=lso&area_code=LSO2",
    "region_table": "/api/v1/monitoring/region-table?region=E12000007&as_of=2024-07-15",
}
# Which endpoints answer 200 for each holder of a personal token; everything else is 403.
ALLOWED = {
    "programme": set(ENDPOINTS),
    "admin": set(ENDPOINTS),
    "lso_north": {"total", "compliance", "series", "lso1_total", "areas", "region_table"},
    "lso_london": {"total", "compliance", "series", "lso2_total", "areas", "region_table"}
    | {"lso2_locations"},
    "commissioner": {"total", "compliance", "series", "areas", "region_table"},
}


def _bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_personal_token_matrix_matches_the_holders_remit(client, people, role):
    _, raw = tokens.create_personal_token(user=people[role], name="report")
    for key, url in ENDPOINTS.items():
        r = client.get(url, **_bearer(raw))
        expected = 200 if key in ALLOWED[role] else 403
        assert r.status_code == expected, (role, key, r.content)
    # The token gives exactly the figures the person sees when signed in.
    client.force_login(people[role])
    assert (
        client.get(ENDPOINTS["total"]).json()
        == client.get(ENDPOINTS["total"], **_bearer(raw)).json()
    )


def test_lso_token_sees_own_area_not_another(client, people):
    _, raw = tokens.create_personal_token(user=people["lso_north"], name="x")
    own = client.get(ENDPOINTS["total"], **_bearer(raw)).json()
    assert own["group"] and own["locations"] > 0
    r = client.get(ENDPOINTS["lso2_total"], **_bearer(raw))
    assert r.status_code == 403 and "own area" in r.json()["detail"]


def test_reviewer_and_member_cannot_hold_personal_tokens(client, people):
    for role in ("reviewer", "member"):
        with pytest.raises(PermissionError):
            tokens.create_personal_token(user=people[role], name="x")
        client.force_login(people[role])
        assert client.get("/accounts/tokens/").status_code == 404


def test_organisation_token_is_refused_on_monitoring(client, people, world):
    _, raw = account_services.create_token(
        organisation=world.orgs["L1"], user=people["member"], name="org"
    )
    for url in ENDPOINTS.values():
        r = client.get(url, **_bearer(raw))
        assert r.status_code == 403, url
    # An organisation token of a programme person is refused too: it acts for one organisation.
    _, raw = account_services.create_token(
        organisation=world.orgs["L1"], user=people["programme"], name="org"
    )
    assert client.get(ENDPOINTS["total"], **_bearer(raw)).status_code == 403


def test_revoked_token_and_lost_role_reach_nothing(client, people):
    token, raw = tokens.create_personal_token(user=people["lso_north"], name="x")
    assert client.get(ENDPOINTS["total"], **_bearer(raw)).status_code == 200
    tokens.revoke_personal_token(user=people["lso_north"], token_id=token.id)
    assert client.get(ENDPOINTS["total"], **_bearer(raw)).status_code == 401
    _, raw2 = tokens.create_personal_token(user=people["commissioner"], name="y")
    people["commissioner"].oversight_role = OversightRole.NONE
    people["commissioner"].save()
    assert client.get(ENDPOINTS["total"], **_bearer(raw2)).status_code == 403


def test_personal_token_reaches_no_organisation_workspace(client, people):
    _, raw = tokens.create_personal_token(user=people["programme"], name="x")
    assert client.get("/api/v1/plans", **_bearer(raw)).status_code == 401
    assert client.get("/api/v1/cld/submissions", **_bearer(raw)).status_code == 401
    me = client.get("/api/v1/me", **_bearer(raw)).json()
    assert me["email"] == "programme@example.org" and me["token_organisation"] is None


def test_where_a_personal_token_works_does_not_depend_on_the_address(client, people):
    # Served under a prefix (SCRIPT_NAME), the paths change but the routers do not.
    _, raw = tokens.create_personal_token(user=people["programme"], name="x")
    prefixed = {"SCRIPT_NAME": "/dspt", **_bearer(raw)}
    assert client.get(ENDPOINTS["total"], **prefixed).status_code == 200
    assert client.get("/api/v1/me", **prefixed).status_code == 200
    assert client.get("/api/v1/plans", **prefixed).status_code == 401


def test_tokens_page_creates_shows_once_and_revokes_own_only(client, people):
    client.force_login(people["lso_north"])
    body = client.post("/accounts/tokens/", {"name": "Board report"}).content.decode()
    token = ApiToken.objects.get(user=people["lso_north"])
    assert token.organisation_id is None and "dspt_" in body
    raw = body.split('id="new-token">')[1].split("<")[0]
    assert token.token_hash != raw and len(token.token_hash) == 64  # stored hashed
    assert raw not in client.get("/accounts/tokens/").content.decode()  # shown once
    assert client.post("/accounts/tokens/", {"name": ""}).status_code == 400
    # Another person cannot revoke it.
    client.force_login(people["lso_london"])
    assert client.post(f"/accounts/tokens/{token.id}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    client.force_login(people["lso_north"])
    assert client.post(f"/accounts/tokens/{token.id}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    actions = set(
        AuditEvent.objects.filter(actor=people["lso_north"]).values_list("action", flat=True)
    )
    assert {"api_token.created", "api_token.revoked"} <= actions


def test_areas_locations_and_region_table_in_the_api(client, people):
    client.force_login(people["lso_north"])
    rows = client.get(ENDPOINTS["areas"]).json()
    # Only Care North's local authorities; Sunderland fell by a third of its locations.
    assert {r["group"]: round(r["value"], 1) for r in rows} == {
        "Newcastle": 80.0,
        "Sunderland": -33.3,
    }
    page = client.get("/api/v1/monitoring/locations?as_of=2024-07-15&page_size=3&sort=name").json()
    assert (page["count"], len(page["results"]), page["results"][0]["name"]) == (
        8,
        3,
        "Location L1",
    )
    bad = client.get("/api/v1/monitoring/locations?page_size=101")
    assert bad.status_code == 422
    assert client.get("/api/v1/monitoring/locations?status=sleepy").status_code == 422
    table = client.get("/api/v1/monitoring/region-table?as_of=2024-07-15").json()
    assert [r["group"] for r in table] == ["Newcastle", "Sunderland", "All local authorities"]
