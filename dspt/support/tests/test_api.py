"""LSO records API: scoped like the pages, for sessions and personal tokens; all-or-nothing CSV."""

import datetime as dt
import io
import json

import pytest

from dspt.accounts import services as account_services
from dspt.accounts import tokens
from dspt.audit.models import AuditEvent
from dspt.support.models import ActivityRecord, Engagement

API = "/api/v1/support"


@pytest.fixture
def recs(world, settings):
    settings.DSPT_TODAY = "2024-07-15"
    return {
        "north": Engagement.objects.create(
            lso=world.lsos["north"],
            organisation=world.orgs["L6"],
            engaged_on=dt.date(2024, 7, 1),
            method="visit",
        ),
        "london": Engagement.objects.create(
            lso=world.lsos["london"],
            organisation=world.orgs["L8"],
            engaged_on=dt.date(2024, 7, 1),
            method="visit",
        ),
        "act_london": ActivityRecord.objects.create(
            lso=world.lsos["london"], month=dt.date(2024, 6, 1), kind="helpline", planned_hours=5
        ),
    }


class Caller:
    """Calls the API as a person, through a session or a personal token."""

    def __init__(self, client, user, via):
        self.client, self.headers = client, {}
        if via == "token":
            _, raw = tokens.create_personal_token(user=user, name="t")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        else:
            client.force_login(user)

    def get(self, url):
        return self.client.get(url, **self.headers)

    def send(self, method, url, body=None):
        fn = getattr(self.client, method)
        return fn(url, json.dumps(body or {}), content_type="application/json", **self.headers)

    def upload(self, url, text, **data):
        f = io.BytesIO(text.encode())
        f.name = "up.csv"
        return self.client.post(url, {"file": f, **data}, **self.headers)


@pytest.fixture(params=["session", "token"])
def as_(request, client, people):
    return lambda role: Caller(client, people[role], request.param)


def test_lso_lists_only_its_own_records(as_, recs):
    north = as_("lso_north")
    rows = north.get(f"{API}/engagements").json()
    assert [r["id"] for r in rows] == [recs["north"].id]
    assert north.get(f"{API}/engagements?lso=LSO2").status_code == 403
    assert north.get(f"{API}/activity?lso=LSO2").status_code == 403
    assert north.get(f"{API}/activity").json() == []


def test_lso_cannot_reach_another_lsos_record(as_, recs):
    north = as_("lso_north")
    e, a = recs["london"], recs["act_london"]
    body = {"identifier": "V0008", "engaged_on": "2024-07-02", "method": "visit"}
    assert north.get(f"{API}/engagements/{e.id}").status_code == 404
    assert north.send("put", f"{API}/engagements/{e.id}", body).status_code == 404
    assert north.send("delete", f"{API}/engagements/{e.id}").status_code == 404
    act = {"month": "2024-06", "kind": "helpline", "planned_hours": "1"}
    assert north.send("put", f"{API}/activity/{a.id}", act).status_code == 404
    assert north.send("delete", f"{API}/activity/{a.id}").status_code == 404
    # Nor record one for the other LSO, nor for a location outside its area.
    assert north.send("post", f"{API}/engagements?lso=LSO2", body).status_code == 403
    r = north.send("post", f"{API}/engagements", body)
    assert r.status_code == 422 and "not in" in r.json()["problems"][0]
    e.refresh_from_db()
    assert e.engaged_on == dt.date(2024, 7, 1) and ActivityRecord.objects.count() == 1


def test_create_update_delete_engagement_audited(as_, recs, world):
    north = as_("lso_north")
    r = north.send(
        "post",
        f"{API}/engagements",
        {"identifier": "1-000000003", "engaged_on": "2024-07-10", "method": "Phone call"},
    )
    assert r.status_code == 201
    new = r.json()
    assert (new["lso"], new["ods_code"], new["method"]) == ("LSO1", "V0003", "phone")
    r = north.send(
        "put",
        f"{API}/engagements/{new['id']}",
        {"identifier": "V0003", "engaged_on": "2024-07-11", "method": "email", "notes": "n"},
    )
    assert r.status_code == 200 and r.json()["engaged_on"] == "2024-07-11"
    assert north.send("delete", f"{API}/engagements/{new['id']}").status_code == 204
    assert not Engagement.objects.filter(id=new["id"]).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "support.engagement_recorded",
        "support.engagement_updated",
        "support.engagement_deleted",
    } <= actions


def test_engagement_csv_is_all_or_nothing(as_, recs):
    north = as_("lso_north")
    bad = "identifier,date,method\nV0003,2024-05-01,visit\nV0008,2024-05-01,visit\n"
    r = north.upload(f"{API}/engagements/upload", bad)
    assert r.status_code == 422 and r.json()["problems"][0].startswith("Row 3:")
    assert Engagement.objects.count() == 2
    good = "identifier,date,method\nV0003,2024-05-01,visit\nV0006,2024-07-01,visit\n"
    assert north.upload(f"{API}/engagements/upload", good).json() == {
        "created": 1,
        "updated": 0,
        "skipped": 1,
    }


def test_activity_create_replace_update_and_csv(as_, recs):
    north = as_("lso_north")
    body = {"month": "2024-06", "kind": "webinars", "planned_hours": "8"}
    assert north.send("post", f"{API}/activity", body).status_code == 201
    r = north.send("post", f"{API}/activity", {**body, "actual_hours": "7.5"})
    assert r.status_code == 200 and r.json()["actual_hours"] == "7.5"
    rid = r.json()["id"]
    bad = north.send("put", f"{API}/activity/{rid}", {**body, "planned_hours": "-1"})
    assert bad.status_code == 422 and "Planned hours" in bad.json()["problems"][0]
    text = "month,kind,planned_hours,actual_hours\n2024-05,helpline,3,\n2024-05,nonsense,1,\n"
    r = north.upload(f"{API}/activity/upload", text)
    assert r.status_code == 422 and r.json()["problems"] == [r.json()["problems"][0]]
    assert ActivityRecord.objects.filter(lso_id="LSO1").count() == 1
    assert north.send("delete", f"{API}/activity/{rid}").status_code == 204


def test_programme_works_on_any_lso_by_code(as_, recs):
    prog = as_("programme")
    assert [r["id"] for r in prog.get(f"{API}/engagements?lso=LSO2").json()] == [recs["london"].id]
    assert prog.get(f"{API}/engagements/{recs['north'].id}").status_code == 200


@pytest.mark.parametrize("role", ["commissioner", "reviewer", "member"])
def test_others_have_no_lso_records(client, people, recs, role):
    client.force_login(people[role])
    assert client.get(f"{API}/engagements").status_code == 403
    assert client.get(f"{API}/engagements/{recs['north'].id}").status_code == 404


def test_organisation_token_is_refused(client, people, recs, world):
    _, raw = account_services.create_token(
        organisation=world.orgs["L1"], user=people["programme"], name="org"
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(f"{API}/engagements", **headers).status_code == 403
    assert client.get(f"{API}/engagements/{recs['north'].id}", **headers).status_code == 403


def test_openapi_describes_the_record_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for p in (
        "/api/v1/support/engagements",
        "/api/v1/support/engagements/{pk}",
        "/api/v1/support/activity/upload",
        "/api/v1/monitoring/watchlist",
        "/api/v1/monitoring/watchlist/export",
        "/api/v1/notifications",
    ):
        assert p in paths, p
    schemas = spec["components"]["schemas"]
    assert {"EngagementOut", "ActivityOut", "EntryOut", "ProblemsOut"} <= set(schemas)


# A carriage return on its own inside an unquoted value (a hand-edited or damaged file).
LONE_CR = {
    "engagements": "identifier,date,method\nV0003,2024-05-01,vi\rsit\n",
    "activity": "month,kind,planned_hours,actual_hours\n2024-05,help\rline,3,\n",
}
LONE_CR_PROBLEM = (
    "Line 2 has a line break inside a value that is not in quotes. Put that value in double "
    "quotes, or save the file again as CSV, and upload it again."
)


@pytest.mark.parametrize("kind", sorted(LONE_CR))
def test_an_unreadable_csv_is_refused_and_nothing_is_stored(as_, recs, kind):
    north = as_("lso_north")
    counts = (Engagement.objects.count(), ActivityRecord.objects.count())
    audited = AuditEvent.objects.count()
    r = north.upload(f"{API}/{kind}/upload", LONE_CR[kind])
    assert r.status_code == 422
    assert r.json()["problems"] == [LONE_CR_PROBLEM]
    assert (Engagement.objects.count(), ActivityRecord.objects.count()) == counts
    assert AuditEvent.objects.count() == audited
