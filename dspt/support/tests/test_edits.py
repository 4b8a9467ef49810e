"""Changing and deleting engagements and activity records: scoped, audited, confirmed."""

import datetime as dt
from decimal import Decimal

import pytest

from dspt.audit.models import AuditEvent
from dspt.support.models import ActivityRecord, Engagement


@pytest.fixture
def records(world, people, settings):
    settings.DSPT_TODAY = "2024-07-15"
    north = Engagement.objects.create(
        lso=world.lsos["north"],
        organisation=world.orgs["L6"],
        engaged_on=dt.date(2024, 7, 1),
        method="visit",
    )
    london = Engagement.objects.create(
        lso=world.lsos["london"],
        organisation=world.orgs["L8"],
        engaged_on=dt.date(2024, 7, 1),
        method="visit",
    )
    act_north = ActivityRecord.objects.create(
        lso=world.lsos["north"], month=dt.date(2024, 6, 1), kind="helpline", planned_hours=10
    )
    act_london = ActivityRecord.objects.create(
        lso=world.lsos["london"], month=dt.date(2024, 6, 1), kind="helpline", planned_hours=5
    )
    return {"north": north, "london": london, "act_north": act_north, "act_london": act_london}


# (role, records they may change); everyone else signed in gets 404 for each record.
MAY_CHANGE = {
    "lso_north": {"north", "act_north"},
    "lso_london": {"london", "act_london"},
    "programme": {"north", "london", "act_north", "act_london"},
    "commissioner": set(),
    "reviewer": set(),
    "member": set(),
}


def _urls(key, obj):
    kind = "activity" if key.startswith("act") else "engagements"
    return [f"/support/{kind}/{obj.pk}/", f"/support/{kind}/{obj.pk}/delete/"]


@pytest.mark.parametrize("role", sorted(MAY_CHANGE))
def test_edit_and_delete_pages_matrix(client, people, records, role):
    client.force_login(people[role])
    for key, obj in records.items():
        for url in _urls(key, obj):
            expected = 200 if key in MAY_CHANGE[role] else 404
            assert client.get(url).status_code == expected, (role, url)
            if expected == 404:
                assert client.post(url, {"planned_hours": "1"}).status_code == 404
    assert Engagement.objects.count() == 2 and ActivityRecord.objects.count() == 2


def test_lso_changes_own_engagement_audited(client, people, records, world):
    client.force_login(people["lso_north"])
    e = records["north"]
    r = client.post(
        f"/support/engagements/{e.pk}/",
        {"identifier": "V0003", "engaged_on": "2024-07-02", "method": "phone", "notes": "Call"},
    )
    assert r.status_code == 302 and r["Location"] == "/support/engagements/"
    e.refresh_from_db()
    assert (e.organisation, e.engaged_on, e.method, e.notes) == (
        world.orgs["L3"],
        dt.date(2024, 7, 2),
        "phone",
        "Call",
    )
    event = AuditEvent.objects.get(action="support.engagement_updated")
    assert event.actor == people["lso_north"]
    assert (
        event.detail["before"]["method"] == "visit" and event.detail["after"]["method"] == "phone"
    )


def test_engagement_edit_refuses_bad_values_and_other_area(client, people, records):
    client.force_login(people["lso_north"])
    e = records["north"]
    r = client.post(
        f"/support/engagements/{e.pk}/",
        {"identifier": "V0008", "engaged_on": "2024-08-01", "method": "visit"},
    )
    body = r.content.decode()
    assert r.status_code == 400
    assert "not in" in body and "The date is in the future." in body
    e.refresh_from_db()
    assert e.engaged_on == dt.date(2024, 7, 1)
    assert not AuditEvent.objects.filter(action="support.engagement_updated").exists()


def test_delete_asks_first_then_deletes_and_audits(client, people, records):
    client.force_login(people["lso_north"])
    e = records["north"]
    page = client.get(f"/support/engagements/{e.pk}/delete/").content.decode()
    assert "Yes, delete this engagement" in page and "No, keep it" in page
    assert Engagement.objects.filter(pk=e.pk).exists()  # looking does not delete
    r = client.post(f"/support/engagements/{e.pk}/delete/")
    assert r.status_code == 302
    assert not Engagement.objects.filter(pk=e.pk).exists()
    event = AuditEvent.objects.get(action="support.engagement_deleted")
    assert event.detail["engaged_on"] == "2024-07-01" and event.detail["lso"] == "LSO1"


def test_activity_change_conflict_and_delete(client, people, records, world):
    client.force_login(people["lso_north"])
    a = records["act_north"]
    other = ActivityRecord.objects.create(
        lso=world.lsos["north"], month=dt.date(2024, 5, 1), kind="helpline", planned_hours=3
    )
    r = client.post(
        f"/support/activity/{a.pk}/",
        {"month": "2024-05", "kind": "helpline", "planned_hours": "4"},
    )
    assert r.status_code == 400 and "already recorded" in r.content.decode()
    r = client.post(
        f"/support/activity/{a.pk}/",
        {"month": "2024-06", "kind": "helpline", "planned_hours": "12.5", "actual_hours": "11"},
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert (a.planned_hours, a.actual_hours) == (Decimal("12.5"), Decimal("11"))
    assert AuditEvent.objects.filter(action="support.activity_updated").count() == 1
    assert f"/support/activity/{a.pk}/" in client.get("/support/activity/").content.decode()
    client.post(f"/support/activity/{other.pk}/delete/")
    assert not ActivityRecord.objects.filter(pk=other.pk).exists()
    assert AuditEvent.objects.filter(action="support.activity_deleted").count() == 1


def test_programme_edit_returns_to_the_chosen_lso(client, people, records):
    client.force_login(people["programme"])
    e = records["london"]
    r = client.post(
        f"/support/engagements/{e.pk}/",
        {"identifier": "V0008", "engaged_on": "2024-07-03", "method": "visit"},
    )
    assert r.status_code == 302 and r["Location"] == "/support/engagements/?lso=LSO2"


def test_editing_an_engagement_changes_the_outcome_measure(people, records, world):
    from dspt.support import edits
    from dspt.support.outcomes import context, first_engagements

    # An edit keeps the count and ids the same: the measure must still notice it.
    before = set(first_engagements(context(), "LSO1").values())
    e = records["north"]
    cleaned = {"organisation": e.organisation, "engaged_on": dt.date(2024, 7, 2), "method": "visit"}
    edits.update_engagement(e, cleaned, "", by=people["lso_north"])
    after = set(first_engagements(context(), "LSO1").values())
    assert (before, after) == ({dt.date(2024, 7, 1)}, {dt.date(2024, 7, 2)})
