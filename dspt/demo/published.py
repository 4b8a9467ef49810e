"""The programme's published shapes, measured on a loaded demo with the monitoring figures.

Every number here comes from `dspt.monitoring`'s own functions (the ones behind `dspt
compliance`, the dashboard's lists and the API), so the demo is judged the way the platform
shows it. docs/data.md lists the shapes, the targets and the tolerance the tests allow.
"""

from __future__ import annotations

from datetime import date

from dspt.monitoring.figures import compliance_table, expired_share_by_lso, total
from dspt.monitoring.lists import medium_regional_providers, new_locations

# The days the programme's figures describe: July 2024 for the levels, July 2023 to June 2024
# for the year's changes.
JULY_2024 = date(2024, 7, 31)
JULY_2023 = date(2023, 7, 31)
JUNE_2024 = date(2024, 6, 30)
# First-year registration: the 2021 cohort (new in 2021-22) against the newest cohort the day
# can judge (registered with CQC at least a year before it).
FIRST_COHORT = 2021


def _pct(table: list[dict]) -> dict[str, float]:
    return {r["group"]: r["compliance_pct"] for r in table}


def published_shapes(as_of: date = JULY_2024, new_as_of: date | None = None) -> dict[str, object]:
    """The four published shapes on a loaded demo.

    - `expired_by_lso`: expired share (%) of each LSO area on `as_of`;
    - `medium_regional_share` / `medium_regional_pct`: medium-sized regional providers' locations
      as a share of all locations, and the share of them compliant, on `as_of`;
    - `change`: compliance change (points) from 31 July 2023 to 30 June 2024 by provider size
      and by care home or not;
    - `first_year`: share (%) of each CQC-registration year's new locations that registered with
      the toolkit within their first year, judged on `new_as_of` (default `as_of`).
    """
    expired = {r["group"]: r["expired_pct"] for r in expired_share_by_lso(as_of)}
    medium = medium_regional_providers(as_of)
    locations = sum(r["locations"] for r in medium)
    compliant = sum(r["compliant"] for r in medium)
    everyone = total(as_of)["locations"]
    change = {}
    for by in ("provider_size", "care_home"):
        before = _pct(compliance_table(by, JULY_2023))
        after = _pct(compliance_table(by, JUNE_2024))
        change.update({g: after[g] - before[g] for g in after if g in before})
    first_year = {
        int(r["group"]): r["first_year_pct"]
        for r in new_locations(new_as_of or as_of)
        if r["first_year_pct"] is not None and int(r["group"]) >= FIRST_COHORT
    }
    return {
        "expired_by_lso": expired,
        "medium_regional_share": 100.0 * locations / everyone if everyone else 0.0,
        "medium_regional_pct": 100.0 * compliant / locations if locations else 0.0,
        "change": change,
        "first_year": first_year,
    }
