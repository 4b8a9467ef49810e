"""LSO activity over any period: totals by kind and by LSO, with the same months a year before
(figures worked out by hand from the records made here)."""

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest

from dspt.support.activity_periods import Period, activity_over, default_period
from dspt.support.models import ActivityRecord


@pytest.fixture
def hours(world):
    def rec(lso, month, kind, planned, actual):
        ActivityRecord.objects.create(
            lso_id=lso,
            month=month,
            kind=kind,
            planned_hours=Decimal(planned),
            actual_hours=None if actual is None else Decimal(actual),
        )

    rec("LSO1", date(2024, 4, 1), "one_to_one", "10", "8")
    rec("LSO1", date(2024, 8, 1), "one_to_one", "5", "7")
    rec("LSO1", date(2024, 9, 1), "one_to_one", "100", "100")  # after the period
    rec("LSO1", date(2024, 5, 1), "webinars", "4", None)  # planned, not yet done
    rec("LSO2", date(2024, 6, 1), "one_to_one", "3", "3")
    rec("LSO1", date(2023, 4, 1), "one_to_one", "6", "5")  # a year before
    rec("LSO2", date(2023, 8, 1), "webinars", "2", "2")


APR_TO_AUG = Period(date(2024, 4, 1), date(2024, 8, 1))


def test_totals_by_kind_and_lso_with_a_year_before(hours):
    found = activity_over(APR_TO_AUG)
    kinds = {r["group"]: r for r in found["by_kind"]}
    one_to_one = kinds["1:1 support"]
    assert (one_to_one["planned_hours"], one_to_one["actual_hours"]) == (18.0, 18.0)
    assert (one_to_one["previous_actual_hours"], one_to_one["change_hours"]) == (5.0, 13.0)
    assert one_to_one["change_pct"] == pytest.approx(260.0)
    webinars = kinds["Webinars"]
    assert (webinars["planned_hours"], webinars["actual_hours"]) == (4.0, 0.0)
    assert webinars["actual_pct_of_planned"] == 0.0 and webinars["previous_actual_hours"] == 2.0
    lsos = {r["group"]: r for r in found["by_lso"]}
    assert (lsos["Care North"]["planned_hours"], lsos["Care North"]["actual_hours"]) == (19.0, 15.0)
    assert (lsos["Care London"]["actual_hours"], lsos["Care London"]["previous_actual_hours"]) == (
        3.0,
        2.0,
    )
    total = found["total"]
    assert (total["planned_hours"], total["actual_hours"], total["previous_actual_hours"]) == (
        22.0,
        18.0,
        7.0,
    )


def test_default_period_is_the_last_twelve_months():
    assert default_period(date(2026, 12, 6)) == Period(date(2026, 1, 1), date(2026, 12, 1))
    assert default_period(date(2024, 5, 31)) == Period(date(2023, 6, 1), date(2024, 5, 1))


def test_page_chart_and_download(client, people, hours):
    client.force_login(people["lso_london"])  # aggregates of every LSO, as on the comparison
    r = client.get("/support/activity/periods/?from=2024-04&to=2024-08")
    body = r.content.decode()
    assert "LSO activity, April 2024 to August 2024" in body
    chart = json.loads(body.split('id="chart-lsos">')[1].split("</script>")[0])
    assert chart["data"][1]["y"] == ["Care London", "Care North"]
    assert chart["data"][1]["x"] == [3.0, 15.0]
    r = client.get("/support/activity/periods/?from=2024-04&to=2024-08&download=csv&table=lso")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [(x["Group"], x["Actual hours"]) for x in rows] == [
        ("Care London", "3.0"),
        ("Care North", "15.0"),
        ("All LSOs", "18.0"),
    ]


def test_bad_months_are_named(client, people, hours):
    client.force_login(people["programme"])
    body = client.get("/support/activity/periods/?from=2024-13&to=2024-01").content.decode()
    assert "Enter the first month as a year and month, for example 2024-04." in body
    body = client.get("/support/activity/periods/?from=2024-08&to=2024-04").content.decode()
    assert "The last month must be the same as or after the first month." in body


@pytest.mark.parametrize(
    ("who", "status"),
    [("programme", 200), ("lso_north", 200), ("commissioner", 404), ("member", 403)],
)
def test_who_may_see_it(client, people, who, status):
    client.force_login(people[who])
    assert client.get("/support/activity/periods/").status_code == status


def test_compare_page_scatters_hours_against_compliance(client, people, hours, settings):
    settings.DSPT_TODAY = "2024-09-30"
    client.force_login(people["programme"])
    body = client.get("/support/compare/?as_of=2024-08-31").content.decode()
    chart = json.loads(body.split('id="chart-hours-compliance">')[1].split("</script>")[0])
    points = dict(zip(chart["data"][0]["text"], chart["data"][0]["x"], strict=True))
    # Actual hours recorded up to 31 Aug 2024 (the year before's included).
    assert points == {"Care London": 5.0, "Care North": 20.0}


def test_activity_periods_in_the_api(client, people, hours):
    client.force_login(people["lso_north"])
    r = client.get("/api/v1/support/activity-periods?first=2024-04&last=2024-08")
    assert r.status_code == 200
    assert r.json()["total"]["actual_hours"] == 18.0
    assert (
        client.get("/api/v1/support/activity-periods?first=2024-9&last=2024-08").status_code == 422
    )
    client.force_login(people["commissioner"])
    assert (
        client.get("/api/v1/support/activity-periods?first=2024-04&last=2024-08").status_code == 403
    )


def test_hours_are_mapped_by_lso_area(client, people, hours, settings, tmp_path):
    def square(code, x):
        ring = [[x, 50], [x + 1, 50], [x + 1, 51], [x, 51], [x, 50]]
        return {
            "properties": {"ons_code": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }

    codes = ["E08000021", "E08000024", "E09000007"]
    features = [square(c, k) for k, c in enumerate(codes)]
    (tmp_path / "las.geojson").write_text(json.dumps({"features": features}))
    settings.DSPT_BOUNDARIES_DIR = str(tmp_path)
    client.force_login(people["programme"])
    url = "/support/activity/periods/?from=2024-04&to=2024-08"
    body = client.get(url).content.decode()
    titles = re.findall(r"<title>([^<]+)</title>", body.split('class="app-svg app-map"')[1])
    # Newcastle and Sunderland are Care North's (15 hours), Camden Care London's (3).
    assert sorted(titles) == [
        "Care London: 3 hours",
        "Care North: 15 hours",
        "Care North: 15 hours",
    ]
    png = client.get(url + "&download=png")
    assert png["Content-Type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
