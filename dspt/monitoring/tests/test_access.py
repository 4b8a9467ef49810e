"""Who may see which monitoring pages: role × own/other area, including reaching for another
LSO's or commissioner's records."""

import re

import pytest

from dspt.support.models import Engagement

NATIONAL = {"programme", "admin"}
AREA = NATIONAL | {"lso_north", "lso_london", "commissioner", "other_commissioner"}
LSO_PAGES = NATIONAL | {"lso_north", "lso_london"}
# Every person of the `people` fixture, and nobody signed in.
ROLES = [*sorted(AREA), "reviewer", "member", None]

# (url, roles that get 200); everyone else signed in gets 403, anonymous goes to sign in.
MATRIX = [
    ("/monitoring/dashboard/", AREA),
    ("/monitoring/series/", AREA),
    ("/monitoring/change/", AREA),
    ("/monitoring/new-locations/", AREA),
    ("/monitoring/map/local_authority/", AREA),
    ("/monitoring/map/lso/?measure=change", AREA),
    ("/monitoring/map/icb/?measure=expired&area=lso:LSO2", NATIONAL | {"lso_london"}),
    ("/monitoring/dashboard/?area=lso:LSO2", NATIONAL | {"lso_london"}),
    ("/monitoring/dashboard/?area=lso:LSO1", NATIONAL | {"lso_north"}),
    ("/monitoring/dashboard/?area=local_authority:E08000021", NATIONAL | {"commissioner"}),
    ("/monitoring/series/?area=national", NATIONAL),
    ("/monitoring/targets/", NATIONAL),
    ("/monitoring/targeting/", NATIONAL),
    ("/monitoring/value-for-money/", NATIONAL),
    ("/monitoring/report/", NATIONAL),
    ("/monitoring/watchlist/", {"commissioner", "other_commissioner"}),
    ("/monitoring/watchlist/upload/", {"commissioner", "other_commissioner"}),
    ("/support/", LSO_PAGES),
    ("/support/?lso=LSO2", NATIONAL | {"lso_london"}),
    ("/support/work/expired/?lso=LSO2", NATIONAL | {"lso_london"}),
    ("/support/work/medium-regional/?lso=LSO1", NATIONAL | {"lso_north"}),
    ("/support/engagements/?lso=LSO2", NATIONAL | {"lso_london"}),
    ("/support/activity/?lso=LSO1", NATIONAL | {"lso_north"}),
    ("/support/outcomes/?lso=LSO2", NATIONAL | {"lso_london"}),
    ("/support/compare/", LSO_PAGES),
    ("/support/activity/periods/", LSO_PAGES),
    ("/monitoring/locations/", AREA),
    ("/monitoring/locations/?area=lso:LSO2&status=not_registered", NATIONAL | {"lso_london"}),
    ("/monitoring/region-by-local-authority/?region=E12000007", AREA),
    ("/monitoring/targets/?as_of=2023-07-31", NATIONAL),
    ("/monitoring/at-dates/", AREA),
    ("/monitoring/at-dates/?area=lso:LSO2&by=region", NATIONAL | {"lso_london"}),
]


@pytest.mark.parametrize(("url", "allowed"), MATRIX)
def test_page_access_matrix(client, people, url, allowed):
    for role in ROLES:
        client.logout()
        if role:
            client.force_login(people[role])
        r = client.get(url)
        if role is None:
            assert r.status_code == 302 and "/accounts/sign-in/" in r["Location"], url
        elif role in allowed:
            assert r.status_code == 200, (role, url, r.status_code)
        else:
            assert r.status_code in (403, 404), (role, url, r.status_code)


def test_lso_sees_only_its_own_area_figures(client, people):
    client.force_login(people["lso_north"])
    body = client.get("/monitoring/dashboard/?as_of=2024-07-15&by=local_authority").content.decode()
    assert "Compliance in Care North" in body
    assert "Newcastle" in body and "Sunderland" in body
    assert "Camden" not in body  # another LSO's local authority
    # 8 locations in Care North's area, not the national 11
    assert "of 8 active adult social care locations" in body


def test_commissioner_sees_their_local_authority(client, people):
    client.force_login(people["commissioner"])
    body = client.get("/monitoring/dashboard/?as_of=2024-07-15").content.decode()
    assert "Compliance in Newcastle" in body
    assert "of 5 active adult social care locations" in body  # L1, L3, L4, L5, L10


@pytest.mark.parametrize(
    ("asked", "status", "said"),
    [
        ({"lso": "LSO2"}, 403, ""),  # for another LSO
        ({}, 400, "not in Care North"),  # for its own LSO, at a location outside its area
    ],
)
def test_lso_cannot_record_an_engagement_elsewhere(
    client, people, world, settings, asked, status, said
):
    settings.DSPT_TODAY = "2024-07-15"
    client.force_login(people["lso_north"])
    location = {"identifier": world.orgs["L8"].ods_code, "engaged_on": "2024-05-01"}
    r = client.post("/support/engagements/", {**asked, **location, "method": "visit"})
    assert r.status_code == status
    assert said in r.content.decode()
    assert Engagement.objects.count() == 0


def test_lso_engagement_list_shows_only_its_own(client, people, world):
    Engagement.objects.create(
        lso=world.lsos["london"],
        organisation=world.orgs["L8"],
        engaged_on="2024-05-01",
        method="visit",
        notes="London secret",
    )
    client.force_login(people["lso_north"])
    body = client.get("/support/engagements/").content.decode()
    assert "London secret" not in body and "Location L8" not in body
    client.force_login(people["lso_london"])
    assert "London secret" in client.get("/support/engagements/").content.decode()


def test_commissioner_cannot_see_another_commissioners_watchlist(client, people, world):
    from dspt.monitoring.models import WatchlistEntry

    WatchlistEntry.objects.create(
        commissioner=people["council"],
        location=world.orgs["L1"],
        identifier="V0001",
        added_on="2024-07-01",
    )
    client.force_login(people["other_commissioner"])
    body = client.get("/monitoring/watchlist/").content.decode()
    assert "Location L1" not in body and "Your watchlist is empty" in body
    export = client.get("/monitoring/watchlist/?download=csv").content.decode("utf-8-sig")
    assert export.strip().count("\n") == 0  # header only
    client.force_login(people["commissioner"])
    assert "Location L1" in client.get("/monitoring/watchlist/").content.decode()


@pytest.mark.parametrize(
    ("role", "query", "status"),
    [
        ("programme", "", 200),
        ("lso_north", "", 200),
        ("lso_north", "&area_kind=lso&area_code=LSO2", 403),
        ("lso_north", "&area_kind=national", 403),
        ("commissioner", "&area_kind=local_authority&area_code=E08000021", 200),
        ("commissioner", "&area_kind=local_authority&area_code=E09000007", 403),
        ("member", "", 403),
        ("reviewer", "", 403),
    ],
)
def test_api_access(client, people, role, query, status):
    client.force_login(people[role])
    r = client.get(f"/api/v1/monitoring/compliance?by=region&as_of=2024-07-15{query}")
    assert r.status_code == status, r.content


def test_api_rows_follow_the_remit(client, people):
    client.force_login(people["programme"])
    national = client.get("/api/v1/monitoring/compliance?by=region&as_of=2024-07-15").json()
    assert sum(r["locations"] for r in national) == 11
    client.force_login(people["lso_london"])
    mine = client.get("/api/v1/monitoring/compliance?by=region&as_of=2024-07-15").json()
    assert mine == [
        {
            "group": "London",
            "locations": 3,
            "compliant": 2,
            "compliance_pct": pytest.approx(200 / 3),
            "approaching": 1,
            "met": 1,
            "exceeded": 0,
            "expired": 0,
            "not_compliant": 0,
            "not_published": 0,
            "not_registered": 1,
        }
    ]


def test_api_needs_sign_in(client, world):
    assert client.get("/api/v1/monitoring/compliance?by=region").status_code == 401


def test_api_refuses_bearer_tokens(client, people, world):
    from dspt.accounts.models import ApiToken, hash_token

    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(
        organisation=world.orgs["L1"],
        user=people["programme"],
        name="t",
        prefix=raw[:8],
        token_hash=hash_token(raw),
    )
    r = client.get(
        "/api/v1/monitoring/compliance?by=region", headers={"Authorization": f"Bearer {raw}"}
    )
    assert r.status_code == 403


def test_an_lso_and_a_commissioner_see_their_area_beside_region_and_england(client, people):
    client.force_login(people["lso_north"])
    body = client.get("/monitoring/dashboard/?as_of=2024-07-15").content.decode()
    table = body.split('id="beside"')[1].split("</table>")[0]
    # Care North: 4 of 8 compliant; North East (the same 8): 50%; England: 6 of 11.
    cells = [c.strip() for c in re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", table)]
    assert "Care North" in cells and "North East" in cells and "England" in cells
    assert "54.5%" in cells  # England's share, shown beside the LSO's own
    client.force_login(people["commissioner"])
    body = client.get("/monitoring/dashboard/?as_of=2024-07-15").content.decode()
    assert "Newcastle beside its region and England" in body
    client.force_login(people["programme"])
    assert 'id="beside"' not in client.get("/monitoring/dashboard/").content.decode()
