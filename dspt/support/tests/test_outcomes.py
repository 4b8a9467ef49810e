"""The outcome measure on the hand-built world (see dspt/monitoring/tests/world.py).

Added here: L6 publishes 2023-24 Met on 10 May 2024. Care North engages L6 on 15 Mar 2024,
provider P5 (so L10 and L11) on 1 Feb 2024, and L1 on 1 Jun 2024 (already Met then).
"""

from datetime import date

import pytest

from dspt.assessments.models import Level, Publication
from dspt.support.models import Engagement
from dspt.support.outcomes import add_months, outcomes


@pytest.fixture
def engaged(world):
    o, north = world.orgs, world.lsos["north"]
    Publication.objects.create(
        organisation=o["L6"], edition="2023-24", published_on=date(2024, 5, 10), level=Level.MET
    )
    for org, day in (
        (o["L6"], date(2024, 3, 15)),
        (o["P5"], date(2024, 2, 1)),
        (o["L1"], date(2024, 6, 1)),
        (o["L6"], date(2024, 4, 1)),
    ):
        Engagement.objects.create(lso=north, organisation=org, engaged_on=day, method="visit")
    return world


def windows(result):
    return {w["months"]: w for w in result["windows"]}


def test_cohort(engaged):
    r = outcomes("LSO1", date(2025, 7, 15))
    assert r["engaged_locations"] == 4  # L6, L10, L11 (through P5), L1
    assert r["already_compliant"] == 1  # L1 was Met on 1 June 2024
    assert r["cohort"] == 3


def test_engaged_share_reaching_each_level(engaged):
    w = windows(outcomes("LSO1", date(2025, 7, 15)))
    # 3 months: only L6 (Met 10 May, within 15 Mar–15 Jun). L11's Met (20 Jun) is after 1 May.
    assert (w[3]["engaged"], w[3]["engaged_approaching"], w[3]["engaged_met"]) == (3, 1, 1)
    # 6 and 12 months: L6 and L11; L10 never publishes.
    assert (w[6]["engaged_approaching"], w[12]["engaged_approaching"]) == (2, 2)
    assert w[12]["engaged_approaching_pct"] == pytest.approx(200 / 3)
    assert w[12]["engaged_exceeded"] == 0


def test_comparable_locations_not_engaged(engaged):
    w = windows(outcomes("LSO1", date(2025, 7, 15)))
    # 3 months. L6: Care North, not published on 1 Mar; not engaged by 1 Jun: L3, L4, L5, L7
    #   → L3-L5 covered from 1 Jun → 3/4. L10: from 1 Feb to 1 May, pool L1, L3-5, L7 (L1 not
    #   yet engaged) → L1 Met on 1 May → 1/5. L11 (Camden, Care London area): pool L8 →
    #   Approaching on 1 Apr → 1/1. Mean (75 + 20 + 100) / 3 = 65.
    assert w[3]["comparison_approaching_pct"] == pytest.approx(65.0)
    # Met or better: 75, 20, 0 (L8 only reaches Approaching).
    assert w[3]["comparison_met_pct"] == pytest.approx(95 / 3)
    # 6 and 12 months: 75, 75 (L1 engaged by then, so out of L10's pool), 100.
    assert w[6]["comparison_approaching_pct"] == pytest.approx(250 / 3)
    assert w[12]["comparison_approaching_pct"] == pytest.approx(250 / 3)
    assert w[3]["comparison_pool"] == 4 + 5 + 1


def test_windows_are_measured_only_once_passed(engaged):
    w = windows(outcomes("LSO1", date(2024, 7, 1)))
    assert w[3]["engaged"] == 3  # 15 Jun and 1 May have passed
    assert w[6]["engaged"] == 0 and w[6]["engaged_approaching_pct"] is None


def test_another_lso_has_its_own_cohort(engaged):
    assert outcomes("LSO2", date(2025, 7, 15))["engaged_locations"] == 0


def test_add_months_keeps_to_month_ends():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)
