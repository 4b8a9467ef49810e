"""Two-way breakdowns, filters, two dates and several dates on the hand-built world.

On 15 July 2024 (world.py): L1 Met and L2 Expired (P1, Large, care homes, North East); L3-L5
Exceeded, L6 Not Published, L7 Not Met (P2, Medium, domiciliary, North East); L8 Approaching
(P3, Medium, care home, London, dementia); L9 Not Registered (P4, Micro/Small, care home,
London); L10 Not Published (P5, Micro/Small, supported living, North East); L11 Met (P5,
London, no service or client group recorded). L1 also serves people with dementia.
On 1 March 2024 only L2 (a 2022-23 publication) was compliant; L3-L8 and L11 had not
published yet.
"""

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from dspt.monitoring.breakdowns import Filters, at_dates, breakdown, compared
from dspt.monitoring.figures import fell_in as fell

JUL_15, MAR_1 = date(2024, 7, 15), date(2024, 3, 1)


def locs(rows, key="group"):
    return {
        (r[key], r.get("subgroup")) if "subgroup" in r else r[key]: (r["locations"], r["compliant"])
        for r in rows
    }


def test_provider_size_by_care_home(world):
    rows = breakdown("provider_size", "care_home", JUL_15)
    assert [(r["group"], r["subgroup"]) for r in rows] == [
        ("Large", "Care home"),
        ("Medium", "Care home"),
        ("Medium", "Non-care home"),
        ("Micro/Small", "Care home"),
        ("Micro/Small", "Non-care home"),
    ]
    assert locs(rows) == {
        ("Large", "Care home"): (2, 1),  # L1 Met, L2 Expired
        ("Medium", "Care home"): (1, 1),  # L8 Approaching
        ("Medium", "Non-care home"): (5, 3),  # L3-L5 Exceeded, L6, L7
        ("Micro/Small", "Care home"): (1, 0),  # L9 Not Registered
        ("Micro/Small", "Non-care home"): (2, 1),  # L10, L11 Met
    }
    medium_other = rows[2]
    assert list(medium_other)[:2] == ["group", "subgroup"]
    assert medium_other["exceeded"] == 3 and medium_other["not_compliant"] == 1
    # 5 of Medium's 6 locations; 5 of the 7 non-care-home locations.
    assert medium_other["group_share_pct"] == pytest.approx(500 / 6)
    assert medium_other["subgroup_share_pct"] == pytest.approx(500 / 7)


def test_client_group_as_the_second_dimension_counts_each_group_served(world):
    rows = breakdown("region", "client_group", JUL_15)
    got = locs(rows)
    assert got[("North East", "Dementia")] == (1, 1)  # L1
    assert got[("London", "Dementia")] == (1, 1)  # L8
    assert got[("London", "Not known")] == (1, 1)  # L11 records none
    assert sum(r["locations"] for r in rows if r["group"] == "London") == 3


def test_one_way_rows_equal_the_compliance_table(world):
    from dspt.monitoring.figures import compliance_table

    for by in ("region", "client_group", "service_type", "provider_size"):
        assert breakdown(by, None, JUL_15) == compliance_table(by, JUL_15)


def test_filters(world):
    care = Filters.parse(["care_home:Care home"])
    assert locs(breakdown("region", None, JUL_15, filters=care)) == {
        "London": (2, 1),  # L8 Approaching, L9 Not Registered
        "North East": (2, 1),  # L1 Met, L2 Expired
    }
    dementia = Filters.parse(["client_group:Dementia"])
    assert locs(breakdown("region", None, JUL_15, filters=dementia)) == {
        "London": (1, 1),
        "North East": (1, 1),
    }
    both = Filters.parse(["provider_size:Medium", "care_home:Non-care home"])
    assert locs(breakdown("scope", None, JUL_15, filters=both)) == {"Regional": (5, 3)}
    single = Filters.parse(["service_type:Domiciliary care service"])
    assert locs(breakdown("local_authority", None, JUL_15, filters=single)) == {
        "Newcastle": (3, 3),  # L3-L5
        "Sunderland": (2, 0),  # L6, L7
    }


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["colour:Red"], "Cannot filter by 'colour'"),
        (["care_home"], "is not a filter"),
        (["care_home:Care home", "care_home:Non-care home"], "only once"),
    ],
)
def test_bad_filters_say_why(items, message):
    with pytest.raises(ValueError, match=message):
        Filters.parse(items)


def test_same_dimension_twice_is_refused(world):
    with pytest.raises(ValueError, match="two different dimensions"):
        breakdown("region", "region", JUL_15)


def test_change_between_two_dates_and_the_areas_that_fell(world):
    rows = compared(breakdown("region", None, JUL_15), breakdown("region", None, MAR_1), MAR_1)
    by_region = {r["group"]: r for r in rows}
    ne, london = by_region["North East"], by_region["London"]
    # North East: 1 of 8 (L2) on 1 March; 4 of 8 (L1, L3-L5) on 15 July.
    assert (ne["compare_locations"], ne["compare_compliant"]) == (8, 1)
    assert ne["change_pts"] == pytest.approx(50 - 12.5)
    # London: 0 of 3 on 1 March; 2 of 3 (L8, L11) on 15 July.
    assert london["change_pts"] == pytest.approx(200 / 3)
    assert ne["compare_to"] == "2024-03-01" and fell(rows) == []
    # The other way round, both fell; the bigger fall first.
    back = compared(breakdown("region", None, MAR_1), breakdown("region", None, JUL_15), JUL_15)
    assert [r["group"] for r in fell(back)] == ["London", "North East"]


def test_one_measure_at_several_dates(world):
    rows = at_dates("care_home", [MAR_1, JUL_15], "compliant")
    assert rows == [
        {"group": "Care home", "2024-03-01": 1, "2024-07-15": 2},  # L2; then L1, L8
        {"group": "Non-care home", "2024-03-01": 0, "2024-07-15": 4},  # L3-L5, L11
    ]
    with pytest.raises(ValueError, match="Unknown measure"):
        at_dates("care_home", [JUL_15], "colour")


def _cli(*args) -> str:
    buf = io.StringIO()
    call_command("compliance", *args, stdout=buf)
    return buf.getvalue()


def test_cli_two_way_with_area_and_compare_to(world):
    rows = json.loads(
        _cli(
            "--by", "provider_size", "--then", "care_home", "--area", "region:E12000007",
            "--as-of", "2024-07-15", "--compare-to", "2024-03-01",
        )
    )  # fmt: skip
    assert [(r["group"], r["subgroup"], r["compliant"], r["compare_compliant"]) for r in rows] == [
        ("Medium", "Care home", 1, 0),  # L8
        ("Micro/Small", "Care home", 0, 0),  # L9
        ("Micro/Small", "Non-care home", 1, 0),  # L11
    ]
    text = _cli("--by", "region", "--then", "care_home", "--format", "csv", "--as-of", "2024-07-15")
    assert text.splitlines()[0].startswith("group,subgroup,locations,compliant,compliance_pct")
    where = json.loads(_cli("--by", "region", "--where", "rating:Good", "--as-of", "2024-07-15"))
    assert {r["group"]: r["locations"] for r in where} == {"London": 1, "North East": 2}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area", "lso"], "--area takes KIND:CODE"),
        (["--area", "lso:NOPE"], "No lso has the code NOPE"),
        (["--compare-to", "last year"], "--compare-to"),
        (["--where", "colour:Red"], "Cannot filter by 'colour'"),
    ],
)
def test_cli_refuses_bad_options_clearly(world, args, message):
    with pytest.raises(CommandError, match=message):
        _cli("--by", "region", *args)


def test_api_two_way_filters_and_dates(client, people):
    client.force_login(people["programme"])
    r = client.get(
        "/api/v1/monitoring/compliance?by=provider_size&then=care_home&as_of=2024-07-15"
        "&where=care_home:Care home&compare_to=2024-03-01"
    )
    assert r.status_code == 200, r.content
    assert [(x["group"], x["subgroup"], x["compare_compliant"]) for x in r.json()] == [
        ("Large", "Care home", 1),
        ("Medium", "Care home", 0),
        ("Micro/Small", "Care home", 0),
    ]
    r = client.get(
        "/api/v1/monitoring/at-dates?by=care_home&dates=2024-03-01&dates=2024-07-15&measure=compliant"
    )
    assert r.json()[0] == {"group": "Care home", "2024-03-01": 1, "2024-07-15": 2}
    bad = client.get("/api/v1/monitoring/compliance?by=region&where=colour:Red")
    assert bad.status_code == 422 and "Cannot filter by 'colour'" in bad.json()["detail"]
    # An LSO's two-way table stays inside its area.
    client.force_login(people["lso_london"])
    mine = client.get("/api/v1/monitoring/compliance?by=region&then=care_home&as_of=2024-07-15")
    assert {x["group"] for x in mine.json()} == {"London"}
    other = client.get(
        "/api/v1/monitoring/compliance?by=region&then=care_home&area_kind=lso&area_code=LSO1"
    )
    assert other.status_code == 403


def test_breakdown_page_table_chart_downloads_and_remit(client, people):
    client.force_login(people["programme"])
    r = client.get(
        "/monitoring/breakdowns/?by=provider_size&then=care_home&as_of=2024-07-15"
        "&care_home=Care+home&compare_to=2024-03-01"
    )
    assert r.status_code == 200
    page = r.content.decode()
    assert "Compliance by provider size and care home or not" in page
    assert "Share of the group" in page and "Change (points)" in page
    assert 'data-chart="chart-breakdown"' in page
    csv = client.get(
        "/monitoring/breakdowns/?by=provider_size&then=care_home&as_of=2024-07-15&download=csv"
    )
    lines = csv.content.decode().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("Group,Subgroup,Locations,Compliant")
    assert len(lines) == 6  # the header and five (size, care home) rows
    bad = client.get("/monitoring/breakdowns/?by=region&compare_to=soon")
    assert bad.status_code == 200 and "is not a date" in bad.content.decode()
    client.force_login(people["lso_london"])
    mine = client.get("/monitoring/breakdowns/?by=region&as_of=2024-07-15")
    assert "North East" not in mine.content.decode().split("<h2>")[-1]
    assert client.get("/monitoring/breakdowns/?area=lso:LSO1").status_code == 403
    client.force_login(people["member"])
    assert client.get("/monitoring/breakdowns/").status_code == 403


@pytest.mark.django_db
def test_public_figures_need_no_sign_in_and_hold_only_counts(client, world):
    r = client.get("/compliance/?by=region&then=care_home&as_of=2024-07-15&area=lso:LSO1")
    assert r.status_code == 200
    page = r.content.decode()
    assert "Compliance figures for Care North" in page and "never show" in page
    # Counts only: no location's name or ODS code appears.
    for org in world.orgs.values():
        assert org.name not in page and (not org.ods_code or org.ods_code not in page)
    unknown = client.get("/compliance/?area=lso:NOPE")
    assert unknown.status_code == 200 and "No lso has the code" in unknown.content.decode()
    api = client.get("/api/v1/figures/compliance?by=region&as_of=2024-07-15")
    assert api.status_code == 200
    assert sum(r["locations"] for r in api.json()) == 11
    area = client.get(
        "/api/v1/figures/compliance?by=care_home&as_of=2024-07-15&area_kind=lso&area_code=LSO2"
    )
    assert {r["group"]: r["locations"] for r in area.json()} == {"Care home": 2, "Non-care home": 1}
    assert (
        client.get("/api/v1/figures/compliance?by=region&area_kind=lso&area_code=X").status_code
        == 404
    )
    series = client.get("/api/v1/figures/series?as_of=2024-07-15&months=3")
    assert [m["month"] for m in series.json()] == ["2024-05", "2024-06", "2024-07"]
    text = json.dumps(api.json()) + json.dumps(series.json())
    for org in world.orgs.values():
        assert org.name not in text


@pytest.mark.django_db
def test_days_outside_the_editions_are_refused_clearly(client, world):
    for url in (
        "/api/v1/figures/compliance?by=region&as_of=1970-01-01",
        "/api/v1/figures/compliance?by=region&compare_to=1970-01-01",
        "/api/v1/figures/series?as_of=2150-01-01",
    ):
        r = client.get(url)
        assert r.status_code == 422 and "Figures are available for dates" in r.json()["detail"]
    page = client.get("/compliance/?by=region&compare_to=1970-01-01")
    assert page.status_code == 200 and "Figures are available for dates" in page.content.decode()
