"""Publication histories, 2020 to today, with the DSPT's yearly rhythm.

Each unit that publishes (a location, or a head office publishing for its sites) is drawn into one
of five states on the anchor day, 31 July 2024, with its calibrated chance `p` of being compliant:
compliant, expired, published Standards Not Met, registered but never published, not registered.
Its history before and after is drawn to fit that state:

- Adoption grows from 2020: a compliant unit first published in an edition spread so that about
  14.5% of locations were compliant in April 2021.
- Most publications fall in the ten weeks before the 30 June deadline; some are spread over the
  year; units that missed a deadline publish in the July-September tail after it (their previous
  publication lapsed on 1 July, so they show as expired for a few weeks).
- Approaching Standards comes mostly on a first publication and never twice running; units holding
  Cyber Essentials Plus publish at Standards Exceeded, with the certificate's expiry recorded.
- After the anchor day units keep renewing, a few lapse, and some of the rest join, so compliance
  keeps rising slowly to today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from dspt.assessments.models import Level
from dspt.frameworks.deadlines import deadline_for, next_edition_code

ANCHOR = date(2024, 7, 31)
ANCHOR_EDITION = "2023-24"
FIRST_EDITION = "2019-20"
FIRST_DAY = date(2020, 1, 6)  # the history starts in 2020 so that April 2021 has a baseline
# Share of the units compliant on the anchor day that had first published by each edition.
ADOPTION = (("2019-20", 0.05), ("2020-21", 0.36), ("2021-22", 0.64), ("2022-23", 0.86))
EXPIRED_ADOPTION = (("2019-20", 0.15), ("2020-21", 0.55), ("2021-22", 0.85), ("2022-23", 1.0))
# How a unit not compliant on the anchor day splits (cumulative): expired, Standards Not Met,
# registered but never published, and (the rest) not registered.
STATES = (0.30, 0.36, 0.70)


@dataclass(frozen=True)
class Pub:
    edition: str
    day: date
    level: str
    ce_expires_on: date | None = None


def previous_edition(code: str) -> str:
    start = int(code[:4]) - 1
    return f"{start}-{(start + 1) % 100:02d}"


class Calendar:
    """The editions from 2019-20 to the one open today, and their publishing windows."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.editions: list[str] = []
        code = FIRST_EDITION
        # Always reach past the anchor edition, so a pinned early "today" still has a calendar;
        # publications after today are simply not made.
        while True:
            self.editions.append(code)
            if deadline_for(code) >= today and code >= "2024-25":
                break
            code = next_edition_code(code)
        self.index = {code: i for i, code in enumerate(self.editions)}
        self.windows = {
            code: (
                max(deadline_for(previous_edition(code)) + timedelta(days=1), FIRST_DAY),
                deadline_for(code),
            )
            for code in self.editions
        }

    def edition_on(self, day: date) -> str:
        for code in self.editions:
            if day <= self.windows[code][1]:
                return code
        return self.editions[-1]


class HistoryMaker:
    """Draws one unit's registration day and publications."""

    def __init__(self, rng: Random, calendar: Calendar) -> None:
        self.rng = rng
        self.cal = calendar
        self.pre = [
            e
            for e in calendar.editions
            if calendar.index[e] <= calendar.index.get(ANCHOR_EDITION, -1)
        ]
        self.post = [e for e in calendar.editions if e not in self.pre]

    # -- timing ---------------------------------------------------------------------------
    def _day(self, edition: str, mode: str, earliest: date) -> date | None:
        rng = self.rng
        start, end = self.cal.windows[edition]
        start = max(start, earliest)
        if start > end:
            return None
        if mode == "july":
            day = max(start, self.cal.windows[edition][0]) + timedelta(days=rng.randint(0, 29))
            day = min(day, ANCHOR)
        elif mode == "late":
            day = start + timedelta(days=rng.randint(0, 75))
        else:
            rush = 0.72 if mode == "renew" else 0.5
            if rng.random() < rush:
                day = end - timedelta(days=int(rng.triangular(0, 70, 0)))
            else:
                day = start + timedelta(days=rng.randint(0, max(0, (end - start).days)))
        day = min(max(day, start), end)
        return day if day <= self.cal.today else None

    # -- hooks (a later shape of the demo overrides them; history_2024.py) -----------------
    states = STATES
    adoption = ADOPTION

    def _earliest(self, cqc_registered_on: date) -> date:
        """The first day the unit could publish."""
        return cqc_registered_on + timedelta(days=self.rng.randint(20, 300))

    def _too_late(self, cqc_registered_on: date, earliest: date) -> date:
        """A unit compliant on the anchor day whose `earliest` is after its last chance."""
        return max(cqc_registered_on + timedelta(days=14), FIRST_DAY)

    def _kept(self, edition: str) -> bool:
        """Does a unit compliant on the anchor day publish for an edition between its first and
        the anchor one? (Those that skip one are expired for the year after its deadline.)"""
        return self.rng.random() > 0.06

    def _expired_last(self, adopt: str) -> str:
        """The last edition an expired unit published."""
        idx = self.cal.index
        return self.rng.choice(self.pre[idx[adopt] : idx["2022-23"] + 1] or [adopt])

    def _hint(self, cqc_registered_on: date) -> date | None:
        """When a unit that never published registered with the toolkit."""
        low = max(cqc_registered_on, date(2020, 6, 1))
        return low + timedelta(days=self.rng.randint(0, max(0, (ANCHOR - low).days)))

    # -- which editions -------------------------------------------------------------------
    def _state(self, v: float) -> str:
        """A unit not compliant on the anchor day, from a uniform draw `v`."""
        expired, not_met, unpublished = self.states
        return (
            "expired"
            if v < expired
            else "not_met"
            if v < not_met
            else "unpublished"
            if v < unpublished
            else "unregistered"
        )

    def _adopt(self, w: float, table) -> str:
        for edition, share in table:
            if w < share:
                return edition
        return ANCHOR_EDITION

    def unit(
        self, p: float, cqc_registered_on: date, ce_holder: bool
    ) -> tuple[date | None, list[Pub]]:
        """(registered_on, publications) for one unit."""
        rng = self.rng
        earliest = self._earliest(cqc_registered_on)
        plan: dict[str, str] = {}  # edition -> mode override ("july", "not_met")
        chosen: list[str] = []
        registered_hint: date | None = None
        active_at_anchor = False
        u = rng.random()
        idx = self.cal.index
        if cqc_registered_on > ANCHOR:
            state = "new"
        elif u < p:
            state = "compliant"
        else:
            v = (u - p) / (1 - p)
            state = self._state(v)
        if state == "compliant":
            # A compliant unit must have managed to publish by the anchor day.
            last_chance = min(self.cal.windows[ANCHOR_EDITION][1], ANCHOR)
            if earliest > last_chance:
                earliest = self._too_late(cqc_registered_on, earliest)
            adopt = self._adopt(u / p, self.adoption)
            while idx[adopt] < idx[ANCHOR_EDITION] and self.cal.windows[adopt][1] < earliest:
                adopt = self.cal.editions[idx[adopt] + 1]
            if self.cal.windows[ANCHOR_EDITION][1] >= earliest:
                span = self.cal.editions[idx[adopt] : idx[ANCHOR_EDITION] + 1]
                chosen = [e for e in span if e in (adopt, ANCHOR_EDITION) or self._kept(e)]
                if "2022-23" in chosen and len(chosen) > 1 and rng.random() < 0.05:
                    chosen.remove(ANCHOR_EDITION)  # missed the deadline, back in July
                    chosen.append("2024-25")
                    plan["2024-25"] = "july"
            elif earliest <= ANCHOR and "2024-25" in idx:
                chosen = ["2024-25"]
                plan["2024-25"] = "july"
            active_at_anchor = True
        elif state == "expired":
            adopt = self._adopt(rng.random(), EXPIRED_ADOPTION)
            last = self._expired_last(adopt)
            chosen = [
                e
                for e in self.pre[idx[adopt] : idx[last] + 1]
                if self.cal.windows[e][1] >= earliest
            ]
        elif state == "not_met":
            if rng.random() < 0.5:
                chosen = [e for e in ("2021-22", "2022-23") if self.cal.windows[e][1] >= earliest]
            chosen.append(ANCHOR_EDITION)
            plan[ANCHOR_EDITION] = "not_met"
            active_at_anchor = True
        elif state == "unpublished":
            registered_hint = self._hint(cqc_registered_on)

        chosen += self._after(chosen, active_at_anchor, state, plan)
        # Whatever a unit not compliant on the anchor day does next, it does after that day.
        floor = earliest if state == "compliant" else max(earliest, ANCHOR + timedelta(days=1))
        pubs = self._publish(chosen, plan, earliest, floor, ce_holder)
        if pubs:
            first = pubs[0].day
            lowest = max(cqc_registered_on, date(2018, 4, 1))
            registered = max(lowest, first - timedelta(days=rng.randint(7, 150)))
            registered = min(registered, first, registered_hint or first)
        elif registered_hint is not None:
            registered = registered_hint
        elif state in ("unregistered", "new", "expired") and rng.random() < 0.15:
            low = max(cqc_registered_on + timedelta(days=7), date(2024, 8, 1))
            span = (self.cal.today - low).days
            registered = low + timedelta(days=rng.randint(0, span)) if span >= 0 else None
        else:
            registered = None
        return registered, pubs

    def _after(self, chosen: list[str], active: bool, state: str, plan: dict) -> list[str]:
        """Editions after the anchor: renewals, lapses and newcomers."""
        rng = self.rng
        added: list[str] = []
        already = set(chosen)
        active = active or bool(chosen and chosen[-1] == ANCHOR_EDITION)
        join = {"expired": 0.45, "unpublished": 0.35, "unregistered": 0.18, "new": 0.55}.get(
            state, 0.3
        )
        skip_next = False
        for edition in self.post:
            if edition in already:
                active = True
                continue
            if skip_next:
                skip_next = False
                added.append(edition)
                plan[edition] = "late"
                active = True
                continue
            if active:
                r = rng.random()
                if r < 0.92:
                    added.append(edition)
                elif r < 0.97:
                    skip_next = True
                    active = False
                else:
                    active = False
            elif rng.random() < join:
                added.append(edition)
                plan.setdefault(edition, "late" if state == "expired" else "first")
                active = True
        return added

    def _publish(
        self, chosen: list[str], plan: dict, earliest: date, post_floor: date, ce_holder: bool
    ) -> list[Pub]:
        rng = self.rng
        pubs: list[Pub] = []
        have = set(chosen)
        previous_level: str | None = None
        for edition in sorted(chosen, key=self.cal.index.__getitem__):
            override = plan.get(edition)
            prev = previous_edition(edition)
            if override in ("july", "late"):
                mode = override
            elif prev in have:
                mode = "renew"
            elif previous_edition(prev) in have:
                mode = "late"
            else:
                mode = "first"
            day = self._day(edition, mode, post_floor if edition in self.post else earliest)
            if day is None:
                have.discard(edition)
                continue
            ce_expiry = None
            if override == "not_met":
                level = Level.NOT_MET
            else:
                fresh = mode != "renew"
                approaching = previous_level != Level.APPROACHING and rng.random() < (
                    0.13 if fresh else 0.007
                )
                if approaching:
                    level = Level.APPROACHING
                elif ce_holder and rng.random() < 0.85:
                    level = Level.EXCEEDED
                    ce_expiry = day + timedelta(days=rng.randint(330, 450))
                else:
                    level = Level.MET
            pubs.append(Pub(edition, day, level, ce_expiry))
            previous_level = level
        return pubs
