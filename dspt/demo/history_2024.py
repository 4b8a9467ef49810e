"""Publication histories in the demo's shape "2024" (the default; docs/data.md).

The same yearly rhythm as shape "2023" (history.py), with four changes so that the programme's
published shapes hold as well as the July 2024 levels:

- few units are expired on the anchor day, and most of those lapsed at the June 2024 deadline
  (expired share 0-4% in every LSO area, while June to July still shows the deadline's lapse);
- the adoption table is scaled, unit by unit, to `early`: the share of its anchor-day compliance
  it already had in July 2023 (care homes and large providers early, micro/small non-care
  services late: calibration.EARLY);
- a unit registers with the toolkit within its first year of CQC registration with a chance
  that grows with the year it started (FIRST_YEAR); otherwise it cannot publish or register
  before its first anniversary.
"""

from __future__ import annotations

from datetime import date, timedelta

from dspt.demo.history import ADOPTION, ANCHOR, HistoryMaker, Pub

# How a unit not compliant on the anchor day splits (cumulative): expired, Standards Not Met,
# registered but never published, and (the rest) not registered.
STATES = (0.07, 0.13, 0.62)
# An expired unit's last publication was for 2022-23 (lapsed at the June 2024 deadline).
LAPSED_AT_DEADLINE = 0.85
# Chance of registering within the first year, by year of CQC registration (earlier years take
# the first, later ones the last).
FIRST_YEAR = {2021: 0.34, 2022: 0.42, 2023: 0.52}
# A unit that does not register in its first year cannot publish until this many days after its
# CQC registration (a uniform draw between the two).
SLOW_EARLIEST, SLOW_LATEST = 380, 560
ADOPTED_BY_2022_23 = ADOPTION[-1][1]
YEAR = timedelta(days=366)


class HistoryMaker2024(HistoryMaker):
    """Draws one unit's registration day and publications, in shape "2024"."""

    states = STATES
    quick = True

    def unit(
        self, p: float, cqc_registered_on: date, ce_holder: bool, early: float = 0.86
    ) -> tuple[date | None, list[Pub]]:
        """(registered_on, publications) for one unit; `early` as in the module docstring."""
        year = min(max(cqc_registered_on.year, min(FIRST_YEAR)), max(FIRST_YEAR))
        self.quick = self.rng.random() < FIRST_YEAR[year]
        scale = early / ADOPTED_BY_2022_23
        self.adoption = tuple((edition, share * scale) for edition, share in ADOPTION)
        registered, pubs = super().unit(p, cqc_registered_on, ce_holder)
        if registered is not None and not self.quick:
            anniversary = cqc_registered_on + YEAR
            registered = max(registered, min(pubs[0].day if pubs else anniversary, anniversary))
            if registered > self.cal.today:
                registered = None
        return registered, pubs

    def _earliest(self, cqc_registered_on: date) -> date:
        if self.quick:
            return super()._earliest(cqc_registered_on)
        return cqc_registered_on + timedelta(days=self.rng.randint(SLOW_EARLIEST, SLOW_LATEST))

    def _too_late(self, cqc_registered_on: date, earliest: date) -> date:
        # A slow unit stays slow: it is not compliant on the anchor day after all.
        return super()._too_late(cqc_registered_on, earliest) if self.quick else earliest

    def _kept(self, edition: str) -> bool:
        # Those compliant in July 2024 that were in July 2023 too (calibration.EARLY) kept 2022-23.
        return edition == "2022-23" or super()._kept(edition)

    def _expired_last(self, adopt: str) -> str:
        if self.rng.random() < LAPSED_AT_DEADLINE:
            return "2022-23"
        return super()._expired_last(adopt)

    def _hint(self, cqc_registered_on: date) -> date | None:
        if self.quick:
            low = max(cqc_registered_on, date(2020, 6, 1))
            day = low + timedelta(days=self.rng.randint(0, 330))
        else:
            low = max(cqc_registered_on + YEAR, date(2020, 6, 1))
            if low > ANCHOR:
                return None
            day = low + timedelta(days=self.rng.randint(0, (ANCHOR - low).days))
        return min(day, ANCHOR)
