"""Monthly series, year-on-year, work lists and targets on the hand-built world."""

import json
from datetime import date

import pytest

from dspt.monitoring import lists
from dspt.monitoring.figures import Scope, fell_in, year_on_year
from dspt.monitoring.series import monthly_series
from dspt.monitoring.targets import targets_by_year, targets_vs_actuals

JUL_15 = date(2024, 7, 15)


def test_series_splits_current_previous_and_expired(world):
    rows = monthly_series(JUL_15, months=3)
    assert [r["as_of"] for r in rows] == ["2024-05-31", "2024-06-30", "2024-07-15"]
    keys = (
        "locations",
        "current_edition",
        "previous_edition",
        "expired",
        "not_published",
        "not_registered",
        "compliant",
        "compliant_current_edition",
        "compliant_previous_edition",
    )
    got = [tuple(r[k] for k in keys) for r in rows]
    assert got == [
        # 31 May: L1, L8 on 2023-24 (current); L2 on 2022-23 (previous); L3-7, L10, L11 np; L9 nr
        (11, 2, 1, 0, 7, 1, 3, 2, 1),
        # 30 Jun: L1, L3-5, L7, L8, L11 current; L2 previous on its last valid day
        (11, 7, 1, 0, 2, 1, 7, 6, 1),
        # 15 Jul: 2023-24 is now the previous edition; L2 expired
        (11, 0, 7, 1, 2, 1, 6, 0, 6),
    ]
    assert [r["current_edition_code"] for r in rows] == ["2023-24", "2023-24", "2024-25"]


def test_series_agrees_with_the_table_on_every_month(world):
    from dspt.monitoring.figures import total

    for r in monthly_series(date(2025, 8, 20), months=30):
        t = total(date.fromisoformat(r["as_of"]))
        for key in ("locations", "compliant", "expired", "met"):
            assert r[key] == t[key], (r["as_of"], key)


def test_series_has_48_months_by_default(world):
    rows = monthly_series(JUL_15)
    assert len(rows) == 48
    assert rows[0]["month"] == "2020-08"


def test_year_on_year_and_areas_that_fell(world):
    yoy = {r["group"]: r for r in year_on_year("region", JUL_15)}
    # 15 Jul 2023: North East L2 met of 8 → 12.5%; London 0 of 2 (L11 not yet with CQC)
    assert yoy["North East"]["previous_compliance_pct"] == pytest.approx(12.5)
    assert yoy["North East"]["compliance_pct"] == pytest.approx(50.0)
    assert yoy["North East"]["change_pts"] == pytest.approx(37.5)
    assert yoy["London"]["previous_locations"] == 2 and yoy["London"]["locations"] == 3
    assert fell_in(year_on_year("region", JUL_15)) == []
    # A year later every 2023-24 publication has lapsed.
    fell = fell_in(year_on_year("region", date(2025, 7, 15)))
    assert [(r["group"], round(r["change_pts"], 3)) for r in fell] == [
        ("London", -66.667),
        ("North East", -50.0),
    ]


def names(rows):
    return [r["name"] for r in rows]


def test_work_lists(world):
    assert names(lists.expired(JUL_15)) == ["Location L2"]
    assert names(lists.never_published(JUL_15)) == ["Location L10", "Location L6"]
    # Micro/small providers' locations not compliant: L9 (nr), L10 (np); L11 is met.
    assert sorted(names(lists.small_not_compliant(JUL_15))) == ["Location L10", "Location L9"]


def test_expiring_at_the_next_deadline_and_not_renewed(world):
    # 15 Jun 2024: the next deadline is 30 Jun 2024; only L2's 2022-23 publication lapses then.
    rows = lists.expiring(date(2024, 6, 15))
    assert names(rows) == ["Location L2"]
    assert rows[0]["valid_until"] == "2024-06-30"
    # Once L2 renews with a 2023-24 publication it leaves the list.
    from dspt.assessments.models import Level, Publication

    Publication.objects.create(
        organisation=world.orgs["L2"],
        edition="2023-24",
        published_on=date(2024, 6, 16),
        level=Level.MET,
    )
    assert lists.expiring(date(2024, 6, 20)) == []


def test_medium_regional_providers_ranked(world):
    rows = lists.medium_regional_providers(JUL_15)
    # P3 is medium but local; P1 regional but large: only P2, with L6 and L7 not compliant.
    assert [(r["provider"], r["not_compliant_locations"], r["locations"]) for r in rows] == [
        ("Medium Co", 2, 5)
    ]
    assert rows[0]["local_authorities"] == "Newcastle, Sunderland"
    # Care London's area has no location of P2.
    assert lists.medium_regional_providers(JUL_15, Scope("lso", "LSO2", "Care London")) == []


def test_areas_where_small_providers_lag(world):
    rows = lists.areas_where_small_lag(JUL_15)
    # Camden: small = L9 (nr), L11 (met) → 50%; others L8 approaching → 100%.
    # Newcastle: small = L10 (np) → 0%; others L1, L3-5 → 4 of 4 = 100%.
    assert [(r["group"], r["small_compliance_pct"], r["other_compliance_pct"]) for r in rows] == [
        ("Newcastle", 0.0, 100.0),
        ("Camden", 50.0, 100.0),
    ]


def test_new_locations(world):
    rows = {r["group"]: r for r in lists.new_locations(JUL_15)}
    # 2024 cohort: L11 (CQC 1 Jan 2024), registered with the toolkit 1 Jan 2023, published
    # 20 Jun 2024 → 171 days ≈ 5.62 months; not yet a full year so not judged.
    assert rows["2024"]["locations"] == 1 and rows["2024"]["judged_first_year"] == 0
    assert rows["2024"]["median_months_to_first_publication"] == pytest.approx(171 / (365.25 / 12))
    # 2022 cohort: L10 (CQC 1 Jan 2022) registered 1 Jan 2023 (365 days: within its first year).
    assert rows["2022"]["registered_in_first_year"] == 1
    assert rows["2022"]["published"] == 0


def test_targets_against_actuals(world):
    got = {r["target"]: r for r in targets_vs_actuals(JUL_15)}
    assert got["Overall compliance"]["actual_pct"] == pytest.approx(600 / 11)
    assert got["Overall compliance"]["met"] is False
    assert got["Large providers"]["actual_pct"] == pytest.approx(50.0)
    assert got["Regional providers"]["actual_pct"] == pytest.approx(400 / 7)
    # 3 of 11 exceeded = 27.3%: at least the 15% floor; of the 6 compliant, 3 = 50%.
    of_all = got["Share at Standards Exceeded (of all locations)"]
    assert (of_all["actual_pct"], of_all["locations"], of_all["met"]) == (
        pytest.approx(300 / 11),
        11,
        True,
    )
    of_compliant = got["Share at Standards Exceeded (of compliant locations)"]
    assert (of_compliant["actual_pct"], of_compliant["locations"]) == (50.0, 6)


def test_targets_come_from_data(world, settings, tmp_path):
    f = tmp_path / "targets.json"
    care_homes = {"edition": "2024-25", "measure": "care_home", "group": "Care home"}
    f.write_text(json.dumps({"targets": [{**care_homes, "label": "Care homes", "min_pct": 50}]}))
    settings.DSPT_MONITORING_TARGETS_FILE = str(f)
    got = targets_vs_actuals(JUL_15)
    assert [(r["target"], r["actual_pct"], r["met"]) for r in got] == [("Care homes", 50.0, True)]


def test_each_year_is_judged_against_its_own_targets(world, settings, tmp_path):
    def target(edition, min_pct, measure="overall", label="Overall compliance", **extra):
        return {"edition": edition, "measure": measure, "label": label, "min_pct": min_pct, **extra}

    f = tmp_path / "targets.json"
    targets = [
        target("2022-23", 5),
        target("2023-24", 60),
        target("2023-24", 15, "exceeded_share", "Exceeded", max_pct=20),
        target("2024-25", 50),
        target("2025-26", 90),
    ]
    f.write_text(json.dumps({"targets": targets}))
    settings.DSPT_MONITORING_TARGETS_FILE = str(f)
    got = [
        (r["edition"], r["target"], r["judged_on"], r["actual_pct"], r["met"], r["in_progress"])
        for r in targets_by_year(JUL_15)
    ]
    assert got == [
        # 1 Jul 2023 (the day after 2022-23's deadline): L11 not yet registered with CQC, so 10
        # locations; only L2 (2022-23 Met) is compliant.
        ("2022-23", "Overall compliance", "2023-07-01", 10.0, True, False),
        # 1 Jul 2024: L1, L3-L5, L8, L11 compliant of 11; 3 exceeded (of 11, and of the 6).
        ("2023-24", "Overall compliance", "2024-07-01", pytest.approx(600 / 11), False, False),
        (
            "2023-24",
            "Exceeded (of all locations)",
            "2024-07-01",
            pytest.approx(300 / 11),
            True,
            False,
        ),
        ("2023-24", "Exceeded (of compliant locations)", "2024-07-01", 50.0, True, False),
        # 2024-25 is under way on 15 Jul 2024: read on that day. 2025-26 has not begun.
        ("2024-25", "Overall compliance", "2024-07-15", pytest.approx(600 / 11), True, True),
    ]
