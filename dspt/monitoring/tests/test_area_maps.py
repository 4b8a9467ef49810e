"""Maps of any measure by area, on the hand-built world (figures worked out by hand from
world.py's comments).

On 15 Jul 2024: Newcastle (LA1) holds L1 met, L3-L5 exceeded (P2, medium regional), L10 not
published (P5, micro/small); Sunderland (LA2) L2 expired, L6 not published, L7 not compliant
(both P2); Camden (LA3) L8 approaching (P3, medium local), L9 not registered (P4, micro/small),
L11 met (P5). On 15 Jul 2023 only L2 was compliant and L11 was not yet registered with CQC.
"""

import io
import json
import re
from datetime import date

import pytest
from PIL import Image

from dspt.monitoring.area_measures import by_area
from dspt.monitoring.sql import Scope
from dspt.monitoring.tests.pages import map_areas as _areas
from dspt.monitoring.tests.pages import square

JUL_15 = date(2024, 7, 15)


def _values(measure, level, **kw):
    return {r["group"]: r["value"] for r in by_area(measure, level, JUL_15, **kw)}


def test_each_measure_by_local_authority(world):
    assert _values("compliance", "local_authority") == {
        "Camden": pytest.approx(200 / 3),
        "Newcastle": 80.0,
        "Sunderland": 0.0,
    }
    assert _values("expired", "local_authority") == {
        "Camden": 0.0,
        "Newcastle": 0.0,
        "Sunderland": pytest.approx(100 / 3),
    }
    assert _values("small_share", "local_authority") == {
        "Camden": pytest.approx(200 / 3),
        "Newcastle": 20.0,
        "Sunderland": 0.0,
    }
    assert _values("medium_regional", "local_authority") == {
        "Camden": 0,
        "Newcastle": 3,
        "Sunderland": 2,
    }


def test_change_against_a_year_before_and_any_date(world):
    rows = {r["group"]: r for r in by_area("change", "local_authority", JUL_15)}
    assert rows["Newcastle"]["value"] == 80.0  # 0 of 5 a year before, 4 of 5 now
    assert rows["Sunderland"]["value"] == pytest.approx(-100 / 3)  # L2 was met, now expired
    assert rows["Camden"]["compare_locations"] == 2  # L11 was not yet registered with CQC
    assert rows["Camden"]["value"] == pytest.approx(200 / 3)
    assert rows["Camden"]["compare_to"] == "2023-07-15"
    # Against 30 Jun 2024 (L2 still valid; L1, L3-L5, L7, L8, L11 published by then).
    on = by_area("change", "local_authority", JUL_15, compare_to=date(2024, 6, 30))
    assert {r["group"]: r["value"] for r in on}["Sunderland"] == pytest.approx(-100 / 3)


def test_regions_icbs_and_lso_areas(world):
    assert _values("compliance", "region") == {"London": pytest.approx(200 / 3), "North East": 50.0}
    assert _values("medium_regional", "icb") == {"ICB Alpha": 5, "ICB Beta": 0}
    assert _values("expired", "lso") == {"Care London": 0.0, "Care North": 12.5}


def test_an_area_scope_limits_the_map(world):
    north = Scope("lso", "LSO1", "Care North")
    assert _values("compliance", "local_authority", scope=north) == {
        "Newcastle": 80.0,
        "Sunderland": 0.0,
    }


@pytest.fixture
def boundaries(settings, tmp_path):
    codes = ["E08000021", "E08000024", "E09000007", "E12000001", "E12000007"]
    features = [square(code, k) for k, code in enumerate(codes)]
    (tmp_path / "areas.geojson").write_text(json.dumps({"features": features}))
    settings.DSPT_BOUNDARIES_DIR = str(tmp_path)


def test_map_page_for_any_measure_with_table(programme, boundaries):
    body = programme.get(
        "/monitoring/map/local_authority/?as_of=2024-07-15&measure=expired"
    ).content.decode()
    areas = _areas(body)
    # Expired: none is good (green), the most is red.
    assert areas["Newcastle"] == ("#007f3b", "Newcastle: 0.0% expired")
    assert areas["Sunderland"][1] == "Sunderland: 33.3% expired"
    assert "Expired publications (% of locations) by local authority as of 15 July 2024" in body
    assert "Download the map as PNG" in body


def test_an_lso_area_is_drawn_as_its_local_authorities(programme, boundaries):
    body = programme.get(
        "/monitoring/map/lso/?as_of=2024-07-15&measure=medium_regional"
    ).content.decode()
    areas = _areas(body)
    # Newcastle and Sunderland both carry Care North's figure (5 locations), Camden London's 0.
    assert areas["Care North"][1] == "Care North: 5 locations"
    assert sorted(t for _, t in areas.values()) == [
        "Care London: 0 locations",
        "Care North: 5 locations",
    ]
    fills = re.findall(r'fill="(#[0-9a-f]{6})"[^>]*><title>Care North', body)
    assert len(fills) == 2 and fills[0] == fills[1] == "#005eb8"


def test_map_downloads_svg_png_csv(programme, boundaries):
    base = "/monitoring/map/region/?as_of=2024-07-15&measure=change&compare_to=2023-07-15"
    svg = programme.get(base + "&download=svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg["Content-Disposition"] == 'attachment; filename="map-change-region-2024-07-15.svg"'
    text = svg.content.decode()
    assert text.startswith("<?xml") and "North East: +37.5 points" in text
    png = programme.get(base + "&download=png")
    assert png["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.format == "PNG" and image.width == 1120
    csv = programme.get(base + "&download=csv").content.decode("utf-8-sig").splitlines()
    assert csv[0] == (
        "Region,Code,Locations then,Compliant then (%),Locations,Compliant (%),"
        "Change (percentage points)"
    )
    assert csv[2].startswith("North East,E12000001,8,12.5,8,50.0,37.5")


def test_a_commissioner_maps_only_their_area(client, people, boundaries):
    client.force_login(people["commissioner"])
    body = client.get("/monitoring/map/local_authority/?as_of=2024-07-15").content.decode()
    assert set(_areas(body)) == {"Newcastle", "E08000024", "E09000007"}
    assert _areas(body)["E08000024"][1] == "E08000024: no figure"
    # Another area asked for by its code is refused.
    r = client.get("/monitoring/map/local_authority/?area=local_authority:E09000007")
    assert r.status_code == 403


def test_small_share_map_has_a_scatter_against_compliance(programme, boundaries):
    body = programme.get(
        "/monitoring/map/local_authority/?as_of=2024-07-15&measure=small_share"
    ).content.decode()
    data = json.loads(
        body.split('<script type="application/json" id="chart-scatter">')[1].split("</script>")[0]
    )
    trace = data["data"][0]
    points = {t: (x, y) for t, x, y in zip(trace["text"], trace["x"], trace["y"], strict=True)}
    assert points == {
        "Camden": (pytest.approx(200 / 3), pytest.approx(200 / 3)),
        "Newcastle": (20.0, 80.0),
        "Sunderland": (0.0, 0.0),
    }
