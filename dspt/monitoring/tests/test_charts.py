"""Charts on the year-on-year, targets, targeting, new locations and outcomes pages: each has
the same figures as the table beside it, and only chart pages relax inline styles."""

import json
from datetime import date

from dspt.monitoring import lists
from dspt.monitoring.targets import targets_vs_actuals

JUL_15 = date(2024, 7, 15)


def _figure(body: str, chart_id: str) -> dict:
    assert f'data-chart="{chart_id}"' in body, chart_id
    return json.loads(body.split(f'id="{chart_id}">')[1].split("</script>")[0])


def _row_headers(body: str) -> list[str]:
    return [
        cell.split("</th>")[0]
        for cell in body.split('<th scope="row" class="nhsuk-table__header">')[1:]
    ]


def _csp_relaxed(response) -> bool:
    return "'unsafe-inline'" in response["Content-Security-Policy"].split("style-src")[1]


def test_year_on_year_chart_matches_table(programme):
    r = programme.get("/monitoring/change/?as_of=2024-07-15&by=provider_size")
    body = r.content.decode()
    fig = _figure(body, "chart-yoy")
    groups = fig["data"][1]["y"]
    assert groups == ["Large", "Medium", "Micro/Small"]
    assert set(groups) <= set(_row_headers(body))
    assert [t["name"] for t in fig["data"]] == ["A year before", "Now"]
    assert _csp_relaxed(r)


def test_targets_chart_marks_each_target(programme):
    rows = targets_vs_actuals(JUL_15)
    r = programme.get("/monitoring/targets/?as_of=2024-07-15")
    fig = _figure(r.content.decode(), "chart-targets")
    bars, marks = fig["data"]
    assert bars["y"] == [row["target"] for row in rows]
    assert bars["x"] == [row["actual_pct"] for row in rows]
    assert marks["x"] == [row["min_pct"] for row in rows]
    # Colour says met or not, as the table's "Met?" column does.
    assert bars["marker"]["color"] == ["#007f3b" if row["met"] else "#d5281b" for row in rows]
    assert _csp_relaxed(r)


def test_targets_by_year_chart_and_download(programme):
    r = programme.get("/monitoring/targets/?as_of=2024-07-15")
    body = r.content.decode()
    fig = _figure(body, "chart-targets-years")
    bars, marks = fig["data"]
    # The shipped targets: 2021-22 to 2023-24 (2024-25 has no targets of its own).
    assert bars["x"] == ["2021-22", "2022-23", "2023-24"]
    assert marks["y"] == [55, 65, 75]
    assert "Each toolkit year against its own targets" in body
    csv = programme.get("/monitoring/targets/?as_of=2024-07-15&download=csv&table=years")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Toolkit year,Figures as of,Target,")
    assert lines[1].startswith("2021-22,2022-07-01,Overall compliance,55")


def test_targeting_charts(programme):
    providers = lists.medium_regional_providers(JUL_15)
    r = programme.get("/monitoring/targeting/?as_of=2024-07-15")
    body = r.content.decode()
    if providers:
        fig = _figure(body, "chart-providers")
        assert fig["data"][0]["y"] == [p["provider"] for p in providers][:20]
        assert fig["data"][0]["x"] == [p["not_compliant_locations"] for p in providers][:20]
    lag = lists.areas_where_small_lag(JUL_15)
    assert bool(lag) == ('data-chart="chart-lag"' in body)
    assert providers or lag  # the test world has something to draw


def test_new_locations_chart(programme):
    r = programme.get("/monitoring/new-locations/?as_of=2024-07-15")
    body = r.content.decode()
    fig = _figure(body, "chart-new")
    assert fig["data"][0]["x"] == _row_headers(body)


def test_outcomes_chart(client, people, settings):
    settings.DSPT_TODAY = "2025-07-15"
    client.force_login(people["lso_north"])
    r = client.get("/support/outcomes/")
    fig = _figure(r.content.decode(), "chart-outcomes")
    assert fig["data"][0]["x"] == ["Within 3 months", "Within 6 months", "Within 12 months"]
    assert [t["name"] for t in fig["data"]][:2] == [
        "Engaged: Approaching or better",
        "Comparable, not engaged: Approaching or better",
    ]
    assert _csp_relaxed(r)
