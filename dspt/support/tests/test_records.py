"""Recording activity and engagements: forms and CSV uploads (bad rows: nothing imported)."""

import io
from decimal import Decimal

import pytest

from dspt.audit.models import AuditEvent
from dspt.support.models import ActivityRecord, Engagement


def csv_file(text: str):
    f = io.BytesIO(text.encode())
    f.name = "upload.csv"
    return f


@pytest.fixture
def lso(client, people, settings):
    settings.DSPT_TODAY = "2024-07-15"
    client.force_login(people["lso_north"])
    return client


def test_engagement_form(lso, world):
    r = lso.post(
        "/support/engagements/",
        {
            "identifier": "1-000000006",
            "engaged_on": "2024-07-01",
            "method": "visit",
            "notes": "Walked through 1.1",
        },
    )
    assert r.status_code == 302
    e = Engagement.objects.get()
    assert (e.lso_id, e.organisation, str(e.engaged_on)) == ("LSO1", world.orgs["L6"], "2024-07-01")
    assert AuditEvent.objects.filter(action="support.engagement_recorded").count() == 1
    assert "Location L6" in lso.get("/support/engagements/").content.decode()


def test_engagement_form_errors(lso):
    r = lso.post(
        "/support/engagements/",
        {"identifier": "", "engaged_on": "2024-08-01", "method": "carrier pigeon"},
    )
    body = r.content.decode()
    assert r.status_code == 400
    assert "The location or provider is missing." in body
    assert "The date is in the future." in body
    assert "is not a way of engaging" in body
    assert Engagement.objects.count() == 0


def test_engagement_csv_with_a_bad_row_imports_nothing(lso):
    text = (
        "identifier,date,method,notes\n"
        "V0003,2024-05-01,Visit,fine\n"
        "AB02,01/06/2024,webinar,provider-wide\n"
        "V0008,2024-05-01,visit,Camden is another LSO's area\n"
        "V9999,2024-13-01,visit,\n"
    )
    r = lso.post("/support/engagements/", {"file": csv_file(text)})
    body = r.content.decode()
    assert r.status_code == 400
    assert "Row 4: V0008 is not in Care North&#39;s area." in body
    assert "Row 5: no location or provider has the code V9999." in body
    assert "Row 5: &#39;2024-13-01&#39; is not a date" in body
    assert Engagement.objects.count() == 0


def test_engagement_csv_imports_and_skips_repeats(lso, world):
    text = "identifier,date,method\nV0003,2024-05-01,Visit\nAB02,01/06/2024,webinar\n"
    assert lso.post("/support/engagements/", {"file": csv_file(text)}).status_code == 302
    assert lso.post("/support/engagements/", {"file": csv_file(text)}).status_code == 302
    assert Engagement.objects.count() == 2
    assert Engagement.objects.get(method="webinar").organisation == world.orgs["P2"]


def test_activity_form_and_replace(lso):
    lso.post(
        "/support/activity/",
        {"month": "2024-06", "kind": "helpline", "planned_hours": "10", "actual_hours": "12.5"},
    )
    lso.post(
        "/support/activity/",
        {"month": "2024-06", "kind": "helpline", "planned_hours": "10", "actual_hours": "11"},
    )
    rec = ActivityRecord.objects.get()
    assert (rec.planned_hours, rec.actual_hours) == (Decimal("10.0"), Decimal("11.0"))
    body = lso.get("/support/activity/").content.decode()
    assert "10.0 / 11.0" in body


def test_activity_csv_with_bad_rows_imports_nothing(lso):
    text = (
        "month,kind,planned_hours,actual_hours\n"
        "2024-04,1:1 support,20,18\n"
        "2024-04,juggling,5,\n"
        "2024-04,1:1 support,3,\n"
        "April,webinars,-2,\n"
    )
    r = lso.post("/support/activity/", {"file": csv_file(text)})
    body = r.content.decode()
    assert r.status_code == 400
    assert "Row 3: &#39;juggling&#39; is not a kind of activity" in body
    assert "Row 4: the same month and kind as row 2." in body
    assert "Row 5: &#39;April&#39; is not a month" in body
    assert "Row 5: planned hours &#39;-2&#39; must be a number of hours" in body
    assert ActivityRecord.objects.count() == 0


def test_activity_csv_and_download(lso):
    text = (
        "month,kind,planned_hours,actual_hours\n"
        "2024-04,1:1 support,20,18\n2024-04,Webinars,5,\n2024-05,helpline,8,8\n"
    )
    assert lso.post("/support/activity/", {"file": csv_file(text)}).status_code == 302
    assert ActivityRecord.objects.count() == 3
    csv_text = lso.get("/support/activity/?download=csv").content.decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0].startswith("Month,1:1 support: planned,1:1 support: actual")
    assert lines[1].startswith("2024-05,") and lines[2].startswith("2024-04,20.0,18.0")


def test_programme_records_for_a_chosen_lso(client, people, settings):
    settings.DSPT_TODAY = "2024-07-15"
    client.force_login(people["programme"])
    r = client.post(
        "/support/activity/?lso=LSO2",
        {"lso": "LSO2", "month": "2024-06", "kind": "promotion", "planned_hours": "3"},
    )
    assert r.status_code == 302
    assert ActivityRecord.objects.get().lso_id == "LSO2"


def test_work_lists_for_the_lso_area(lso):
    body = lso.get("/support/work/never-published/?as_of=2024-07-15").content.decode()
    assert "Location L6" in body and "Location L10" in body and "Location L9" not in body
    body = lso.get("/support/?as_of=2024-07-15").content.decode()
    assert "Expired</a> (1)" in body


def test_compare_shows_every_lso_in_aggregate(lso):
    body = lso.get("/support/compare/?as_of=2024-07-15").content.decode()
    assert "Care London" in body and "Care North" in body
    assert "Location L8" not in body  # no lists of another LSO's locations


@pytest.mark.parametrize(
    ("page", "text"),
    [
        ("/support/engagements/", "identifier,date,method\nV0003,2024-05-01,vi\rsit\n"),
        ("/support/activity/", "month,kind,planned_hours,actual_hours\n2024-05,help\rline,3,\n"),
    ],
)
def test_an_unreadable_csv_is_refused_on_the_page_and_nothing_is_stored(lso, page, text):
    r = lso.post(page, {"file": csv_file(text)})
    assert r.status_code == 400
    assert "Line 2 has a line break inside a value that is not in quotes." in r.content.decode()
    assert Engagement.objects.count() == ActivityRecord.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="support.").exists()
