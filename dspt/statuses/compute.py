"""The status rule: one pure function of publication history, plan decisions and a date.

Everything that shows a status — the public pages, the API, the CSV export, dashboards and the
monthly series — calls `status_on` (or `StatusTimeline`, which is built from it). Nothing here
touches the database: the selectors gather the facts, this module judges them.

Rules (docs/rules.md §5):
- A publication for edition Y stays valid until the deadline of edition Y+1 (inclusive).
- The latest publication on or before the date counts (republishing within a year is allowed).
- Standards Not Met becomes Approaching Standards from the day a reviewer approves its plan.
- Standards Exceeded steps down to Standards Met after its Cyber Essentials Plus certificate ends.
- A site's status is its own valid publication if it has one; otherwise its head office's latest
  publication when that covers the site and is valid. A site never swaps its own valid
  publication for its head office's, even a better one.
- With nothing valid: Expired if there was a publication (own or covering), otherwise Not
  Published if registered, otherwise Not Registered.

The level a CAF-aligned publication reaches is decided here too (`caf_level`, docs/caf.md):
Standards Met when every contributing outcome reaches the level the organisation category's
profile expects; otherwise Standards Not Met, which becomes Approaching Standards once a
reviewer approves the improvement plan whose rows are the outcomes below profile.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import models

from dspt.frameworks.caf import ACHIEVEMENT_LABELS, NOT_ACHIEVED, level_rank
from dspt.frameworks.deadlines import label_for
from dspt.statuses.levels import Level


class Status(models.TextChoices):
    """Public status values (docs/interfaces.md)."""

    NOT_REGISTERED = "not_registered", "Not Registered"
    NOT_PUBLISHED = "not_published", "Not Published"
    STANDARDS_NOT_MET = "standards_not_met", "Standards Not Met"
    APPROACHING = "approaching_standards", "Approaching Standards"
    MET = "standards_met", "Standards Met"
    EXCEEDED = "standards_exceeded", "Standards Exceeded"
    EXPIRED = "expired", "Expired"


COMPLIANT_STATUSES = frozenset({Status.APPROACHING, Status.MET, Status.EXCEEDED})
MEETS_STANDARDS = frozenset({Status.MET, Status.EXCEEDED})
# Order used when comparing statuses ("did it fall?"); higher is better.
RANK: dict[str, int] = {
    Status.NOT_REGISTERED: 0,
    Status.NOT_PUBLISHED: 1,
    Status.EXPIRED: 1,
    Status.STANDARDS_NOT_MET: 2,
    Status.APPROACHING: 3,
    Status.MET: 4,
    Status.EXCEEDED: 5,
}
UNLOCKS: dict[str, tuple[str, ...]] = {
    Status.APPROACHING: ("nhsmail",),
    Status.MET: ("nhsmail", "nhs_data_sharing"),
    Status.EXCEEDED: ("nhsmail", "nhs_data_sharing"),
}
UNLOCK_LABELS = {
    "nhsmail": "An NHSmail account",
    "nhs_data_sharing": "NHS data sharing: shared care records, summary care record access and similar",
}

ValidUntil = Callable[[str], date]


def edition_label(code: str) -> str:
    """'2023-24' -> '23/24', the form the public label uses."""
    return label_for(code)


@dataclass(frozen=True, slots=True)
class PublicationFact:
    """What the status rule needs to know about one publication."""

    edition: str
    published_on: date
    level: str
    seq: int = 0  # breaks ties between publications on the same day: higher is later
    plan_approved_on: date | None = None
    ce_plus_expires_on: date | None = None
    covers_site: bool = True  # for a head office's publication: does it cover the site judged?


@dataclass(frozen=True, slots=True)
class History:
    """Everything that decides one organisation's status."""

    registered_on: date | None = None
    publications: tuple[PublicationFact, ...] = ()
    head_office: str | None = None
    head_office_publications: tuple[PublicationFact, ...] = ()


@dataclass(frozen=True, slots=True)
class StatusResult:
    """An organisation's status on a day, with the publication it rests on."""

    status: Status
    edition: str | None = None
    published_on: date | None = None
    valid_until: date | None = None
    covered_by: str | None = None
    # For Expired: the level the lapsed publication had.
    lapsed_level: str | None = None

    @property
    def compliant(self) -> bool:
        return self.status in COMPLIANT_STATUSES

    @property
    def meets_standards(self) -> bool:
        """Standards Met or Exceeded: what data sharing and CLD releases require."""
        return self.status in MEETS_STANDARDS

    @property
    def unlocks(self) -> list[str]:
        return list(UNLOCKS.get(self.status, ()))

    @property
    def label(self) -> str:
        """The public label, carrying the edition: '23/24 Standards Met'."""
        if self.status == Status.EXPIRED and self.edition:
            lapsed = Status(self.lapsed_level).label if self.lapsed_level else "published"
            return f"{edition_label(self.edition)} {lapsed} (expired)"
        if self.edition and self.status not in (Status.NOT_PUBLISHED, Status.NOT_REGISTERED):
            return f"{edition_label(self.edition)} {self.status.label}"
        return self.status.label

    @property
    def rank(self) -> int:
        return RANK[self.status]


def _latest(pubs: Iterable[PublicationFact], on: date) -> PublicationFact | None:
    best: PublicationFact | None = None
    for p in pubs:
        if p.published_on <= on and (
            best is None or (p.published_on, p.seq) > (best.published_on, best.seq)
        ):
            best = p
    return best


def _level_on(p: PublicationFact, on: date) -> Status:
    if p.level == Level.NOT_MET:
        if p.plan_approved_on is not None and p.plan_approved_on <= on:
            return Status.APPROACHING
        return Status.STANDARDS_NOT_MET
    if p.level == Level.EXCEEDED and p.ce_plus_expires_on is not None and on > p.ce_plus_expires_on:
        return Status.MET
    return Status(p.level)


def _published(p: PublicationFact, on: date, until: date, covered_by: str | None) -> StatusResult:
    return StatusResult(
        status=_level_on(p, on),
        edition=p.edition,
        published_on=p.published_on,
        valid_until=until,
        covered_by=covered_by,
    )


def status_on(history: History, on: date, valid_until: ValidUntil) -> StatusResult:
    """The status `history` gives on day `on`. `valid_until(edition)` is the last valid day."""
    own = _latest(history.publications, on)
    if own is not None:
        own_until = valid_until(own.edition)
        if on <= own_until:
            return _published(own, on, own_until, None)

    # Cover only means something for a site that has a head office.
    ho_pubs = history.head_office_publications if history.head_office else ()
    cover = _latest(ho_pubs, on)
    if cover is not None and cover.covers_site:
        cover_until = valid_until(cover.edition)
        if on <= cover_until:
            return _published(cover, on, cover_until, history.head_office)

    lapsed: list[tuple[date, PublicationFact, str | None]] = []
    if own is not None:
        lapsed.append((valid_until(own.edition), own, None))
    last_cover = _latest((p for p in ho_pubs if p.covers_site), on)
    if last_cover is not None:
        lapsed.append((valid_until(last_cover.edition), last_cover, history.head_office))
    if lapsed:
        until, p, by = max(lapsed, key=lambda t: (t[0], t[1].published_on, t[1].seq))
        return StatusResult(
            status=Status.EXPIRED,
            edition=p.edition,
            published_on=p.published_on,
            valid_until=until,
            covered_by=by,
            lapsed_level=_level_on(p, until).value,
        )
    if history.registered_on is not None and history.registered_on <= on:
        return StatusResult(status=Status.NOT_PUBLISHED)
    return StatusResult(status=Status.NOT_REGISTERED)


def change_days(history: History, valid_until: ValidUntil) -> list[date]:
    """Every day on which the status could change; between them it is constant."""
    days: set[date] = set()
    if history.registered_on is not None:
        days.add(history.registered_on)
    for p in (*history.publications, *history.head_office_publications):
        days.add(p.published_on)
        days.add(valid_until(p.edition) + timedelta(days=1))
        if p.plan_approved_on is not None:
            days.add(p.plan_approved_on)
        if p.ce_plus_expires_on is not None:
            days.add(p.ce_plus_expires_on + timedelta(days=1))
    return sorted(days)


@dataclass(slots=True)
class StatusTimeline:
    """One organisation's status as a step function, for fast look-ups across many dates.

    Built by calling `status_on` at each change day, so it can never disagree with it.
    """

    days: list[date] = field(default_factory=list)
    results: list[StatusResult] = field(default_factory=list)

    @classmethod
    def build(cls, history: History, valid_until: ValidUntil) -> StatusTimeline:
        timeline = cls()
        for day in change_days(history, valid_until):
            result = status_on(history, day, valid_until)
            if not timeline.results or timeline.results[-1] != result:
                timeline.days.append(day)
                timeline.results.append(result)
        return timeline

    def at(self, on: date) -> StatusResult:
        i = bisect_right(self.days, on)
        return self.results[i - 1] if i else StatusResult(status=Status.NOT_REGISTERED)


@dataclass(frozen=True, slots=True)
class OutcomeShortfall:
    """A CAF outcome below the level its profile expects."""

    outcome: str
    reached: str
    expected: str

    @property
    def reason(self) -> str:
        """Why it falls short, in plain English."""
        return (
            f"{self.outcome} reaches {ACHIEVEMENT_LABELS[self.reached]}; the profile expects "
            f"{ACHIEVEMENT_LABELS[self.expected]}."
        )


@dataclass(frozen=True, slots=True)
class CafVerdict:
    """The level a CAF-aligned publication reaches, and the outcomes that keep it from Met."""

    level: Level
    shortfalls: tuple[OutcomeShortfall, ...] = ()


def caf_level(reached: Mapping[str, str], profile: Mapping[str, str]) -> CafVerdict:
    """The publication level from each outcome's level and the category's expected profile.

    `reached` maps outcome ID to the level that counts (an organisation's claim, never above what
    its ticked indicators support; dspt.frameworks.caf.effective_level); an outcome missing from
    it counts as Not achieved. `profile` maps every contributing outcome to its expected level.
    Standards Met when every outcome reaches its profile level, else Standards Not Met with the
    shortfalls in profile order. A CAF publication never reaches Standards Exceeded.
    """
    shortfalls = tuple(
        OutcomeShortfall(outcome=oid, reached=reached.get(oid, NOT_ACHIEVED), expected=expected)
        for oid, expected in profile.items()
        if level_rank(reached.get(oid, NOT_ACHIEVED)) < level_rank(expected)
    )
    return CafVerdict(level=Level.NOT_MET if shortfalls else Level.MET, shortfalls=shortfalls)
