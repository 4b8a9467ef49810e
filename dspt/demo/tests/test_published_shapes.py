"""The demo's shape "2024" matches the programme's published shapes (docs/data.md), measured with
the monitoring figures themselves (dspt.demo.published)."""

import pytest

from dspt.demo.loader import load_demo
from dspt.demo.published import published_shapes
from dspt.demo.tests.test_demo import table_dump, wipe

pytestmark = pytest.mark.django_db


def test_published_shapes_on_a_mid_size_load(settings):
    """Mid-size tolerances (3,000 locations: about 90 per LSO area and 40-70 locations per
    CQC-registration year); docs/data.md gives the full demo's figures and the tighter
    tolerances they meet. Today is pinned: the histories are drawn up to it."""
    settings.DSPT_TODAY = "2026-12-06"
    _ctx, summary = load_demo(3000, 2024, log=lambda _m: None, plugins=False)
    assert summary["shape"] == "2024"
    shapes = published_shapes()
    # Expired share by LSO area in July 2024: 0-4% published; at about 90 locations an area's
    # share moves in steps of 1.1 points, so one may reach 7%.
    expired = shapes["expired_by_lso"]
    assert len(expired) >= 28
    assert all(0 <= pct <= 7 for pct in expired.values()), expired
    assert sum(expired.values()) / len(expired) < 3
    # Medium-sized regional providers: about 10% of locations, about 65% compliant.
    assert shapes["medium_regional_share"] == pytest.approx(10, abs=3.5)
    assert shapes["medium_regional_pct"] == pytest.approx(65, abs=8)
    # July 2023 to June 2024: micro/small +16 points, large +3; care homes +7, others +18.
    change = shapes["change"]
    assert change["Micro/Small"] == pytest.approx(16, abs=4)
    assert change["Large"] == pytest.approx(3, abs=3)
    assert change["Care home"] == pytest.approx(7, abs=4)
    assert change["Non-care home"] == pytest.approx(18, abs=4)
    assert change["Micro/Small"] > change["Large"] + 8
    assert change["Non-care home"] > change["Care home"] + 6
    # First-year registration by year of CQC registration, judged in July 2024: from about 22%
    # (new in 2021) rising to about 42% (the newest cohort judged, 2023).
    first_year = shapes["first_year"]
    assert sorted(first_year) == [2021, 2022, 2023]
    assert first_year[2021] == pytest.approx(22, abs=8)
    assert first_year[2023] == pytest.approx(42, abs=10)
    assert first_year[2021] < first_year[2023] - 10


def test_the_2023_shape_is_kept_beside_the_new_one():
    """Shape "2023" (the regression fixtures') is reproducible and is not the new shape."""
    _ctx, summary = load_demo(300, 7, log=lambda _m: None, shape="2023", plugins=False)
    assert summary["shape"] == "2023"
    old = table_dump()
    wipe()
    load_demo(300, 7, log=lambda _m: None, shape="2023", plugins=False)
    assert table_dump() == old
    wipe()
    load_demo(300, 7, log=lambda _m: None, plugins=False)
    assert table_dump()["pubs"] != old["pubs"]


def test_an_unknown_shape_is_refused():
    with pytest.raises(ValueError, match="Unknown demo shape '2019'. Choose one of: 2023, 2024."):
        load_demo(300, 7, log=lambda _m: None, shape="2019")
