"""CAF-aligned editions for NHS organisations: their shape, loading, and achievement from indicators.

An edition aligned to the Cyber Assessment Framework (CAF) is organised as objectives (A–D and the
NHS objective E) holding principles (A1, A2, …) holding contributing outcomes (A1.a, …). Each
outcome lists indicators of good practice grouped by level: Not achieved, Partially achieved (not
every outcome has this level) and Achieved. Per organisation category the edition sets the
expected profile: the level each outcome must reach.

Achievement from indicators (the reading this toolkit implements; docs/caf.md says the same):

- **Achieved** when every Achieved indicator is ticked and no Not achieved indicator is ticked.
- **Partially achieved** (only for an outcome that has that level) when it is not Achieved,
  every Partially achieved indicator is ticked and no Not achieved indicator is ticked.
- **Not achieved** otherwise: any ticked Not achieved indicator, or a level's set left incomplete.

An organisation may claim a level no higher than its ticked indicators support. Files live at
editions/<code>/nhs-caf.json (schema 2); `caf_validation` checks them. Nothing here touches Django.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from dspt.frameworks.deadlines import label_for, parse_code, previous_edition_code
from dspt.frameworks.loader import EDITIONS_DIR, EditionNotFound

CAF_AUDIENCE = "nhs-caf"
CAF_SCHEMA = 2
# The organisation categories a CAF edition serves, in file order.
CAF_CATEGORIES: tuple[str, ...] = ("nhs_trust", "icb", "csu", "alb")

NOT_ACHIEVED = "not_achieved"
PARTIALLY_ACHIEVED = "partially_achieved"
ACHIEVED = "achieved"
# Lowest first: a level's rank is its index.
ACHIEVEMENT_LEVELS: tuple[str, ...] = (NOT_ACHIEVED, PARTIALLY_ACHIEVED, ACHIEVED)
ACHIEVEMENT_LABELS: dict[str, str] = {
    NOT_ACHIEVED: "Not achieved",
    PARTIALLY_ACHIEVED: "Partially achieved",
    ACHIEVED: "Achieved",
}


def level_rank(level: str) -> int:
    """0 for Not achieved, 1 for Partially achieved, 2 for Achieved; ValueError otherwise."""
    try:
        return ACHIEVEMENT_LEVELS.index(level)
    except ValueError:
        raise ValueError(f"{level!r} is not an achievement level.") from None


@dataclass(frozen=True)
class Indicator:
    """One indicator of good practice (or of its absence), ticked when it is true."""

    id: str
    level: str
    text: str


@dataclass(frozen=True)
class Outcome:
    """A contributing outcome (e.g. A1.a) with its indicators grouped by level."""

    id: str
    title: str
    statement: str
    principle: str
    objective: str
    indicators: tuple[Indicator, ...]

    @property
    def label(self) -> str:
        return f"{self.id} {self.title}"

    def at(self, level: str) -> tuple[Indicator, ...]:
        """The indicators of one level, in file order."""
        return tuple(i for i in self.indicators if i.level == level)

    @cached_property
    def levels(self) -> tuple[str, ...]:
        """The levels this outcome can reach, lowest first (Partially achieved only if it has
        indicators for it)."""
        if self.at(PARTIALLY_ACHIEVED):
            return ACHIEVEMENT_LEVELS
        return (NOT_ACHIEVED, ACHIEVED)

    @cached_property
    def indicator_ids(self) -> frozenset[str]:
        return frozenset(i.id for i in self.indicators)

    @cached_property
    def fingerprint(self) -> str:
        """A stable hash of what the outcome asks: the statement and every indicator. Answers
        carry forward to the next edition only when this is unchanged."""
        definition = {
            "statement": " ".join(self.statement.split()),
            "indicators": [[i.id, i.level, " ".join(i.text.split())] for i in self.indicators],
        }
        canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def supported_level(outcome: Outcome, ticked: Iterable[str]) -> str:
    """The level the ticked indicators support, by the reading in this module's docstring.

    Unknown indicator IDs are ignored (the services refuse them before they are stored).
    """
    ticks = set(ticked) & outcome.indicator_ids
    if any(i.id in ticks for i in outcome.at(NOT_ACHIEVED)):
        return NOT_ACHIEVED
    achieved = outcome.at(ACHIEVED)
    if achieved and all(i.id in ticks for i in achieved):
        return ACHIEVED
    partial = outcome.at(PARTIALLY_ACHIEVED)
    if partial and all(i.id in ticks for i in partial):
        return PARTIALLY_ACHIEVED
    return NOT_ACHIEVED


def effective_level(outcome: Outcome, ticked: Iterable[str], claimed: str | None) -> str:
    """The level that counts: the claim, but never above what the ticks support (no claim: the
    supported level)."""
    supported = supported_level(outcome, ticked)
    if claimed is None or claimed not in ACHIEVEMENT_LEVELS:
        return supported
    return min(claimed, supported, key=level_rank)


@dataclass(frozen=True)
class Principle:
    """A principle (e.g. A1 Governance) and its contributing outcomes."""

    code: str
    title: str
    summary: str
    outcomes: tuple[Outcome, ...]


@dataclass(frozen=True)
class Objective:
    """An objective (A–E) and its principles."""

    code: str
    title: str
    summary: str
    principles: tuple[Principle, ...]

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        return tuple(o for p in self.principles for o in p.outcomes)


@dataclass(frozen=True)
class CafEdition:
    """One year's CAF-aligned edition, as loaded from its file."""

    code: str
    title: str
    opens_on: date
    deadline: date
    categories: tuple[str, ...]
    coverage: str
    objectives: tuple[Objective, ...] = field(repr=False)
    profiles: dict[str, dict[str, str]] = field(repr=False, hash=False, compare=False)
    audience: str = CAF_AUDIENCE
    framework: str = "caf"

    @property
    def key(self) -> str:
        return f"{self.code}/{self.audience}"

    @property
    def label(self) -> str:
        return label_for(self.code)

    @cached_property
    def outcomes(self) -> tuple[Outcome, ...]:
        """Every contributing outcome in document order."""
        return tuple(o for objective in self.objectives for o in objective.outcomes)

    @cached_property
    def _index(self) -> dict[str, Outcome]:
        return {o.id: o for o in self.outcomes}

    def outcome(self, outcome_id: str) -> Outcome:
        """The outcome with this ID; KeyError if the edition has none."""
        return self._index[outcome_id]

    def has_outcome(self, outcome_id: str) -> bool:
        return outcome_id in self._index

    def objective(self, code: str) -> Objective:
        """The objective with this letter; KeyError if absent."""
        for objective in self.objectives:
            if objective.code == code:
                return objective
        raise KeyError(code)

    def profile(self, category: str) -> dict[str, str]:
        """Outcome ID → the level an organisation of this category must reach.

        Raises ValueError for a category the edition does not serve.
        """
        if category not in self.categories:
            raise ValueError(
                f"The {self.key} edition does not cover organisations of type {category!r}."
            )
        return dict(self.profiles[category])


def caf_edition_from_data(data: dict[str, Any]) -> CafEdition:
    """Build a CafEdition from the parsed JSON of a schema 2 file; ValueError if unusable."""
    try:
        objectives = []
        for raw_obj in data["objectives"]:
            principles = []
            for raw_p in raw_obj["principles"]:
                outcomes = tuple(
                    Outcome(
                        id=raw_o["id"],
                        title=raw_o["title"],
                        statement=raw_o["statement"],
                        principle=raw_p["code"],
                        objective=raw_obj["code"],
                        indicators=tuple(
                            Indicator(id=raw_i["id"], level=level, text=raw_i["text"])
                            for level in ACHIEVEMENT_LEVELS
                            for raw_i in raw_o["indicators"].get(level, ())
                        ),
                    )
                    for raw_o in raw_p["outcomes"]
                )
                principles.append(
                    Principle(
                        code=raw_p["code"],
                        title=raw_p["title"],
                        summary=raw_p.get("summary", ""),
                        outcomes=outcomes,
                    )
                )
            objectives.append(
                Objective(
                    code=raw_obj["code"],
                    title=raw_obj["title"],
                    summary=raw_obj.get("summary", ""),
                    principles=tuple(principles),
                )
            )
        return CafEdition(
            code=data["code"],
            title=data["title"],
            opens_on=date.fromisoformat(data["opens_on"]),
            deadline=date.fromisoformat(data["deadline"]),
            categories=tuple(data["categories"]),
            coverage=data.get("coverage", ""),
            objectives=tuple(objectives),
            profiles={c: dict(p) for c, p in data["profiles"].items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"Not a usable CAF edition file: {exc!r}") from exc


def load_caf_file(path: str | Path) -> CafEdition:
    """Load a CAF edition from any file path (uncached; for tools, fixtures and validation)."""
    return caf_edition_from_data(json.loads(Path(path).read_text(encoding="utf-8")))


def caf_path(code: str) -> Path:
    """Where the CAF file for this toolkit year lives (whether or not it exists)."""
    parse_code(code)
    return EDITIONS_DIR / code / f"{CAF_AUDIENCE}.json"


@cache
def load_caf_edition(code: str) -> CafEdition:
    """The shipped CAF edition for a toolkit year (cached); EditionNotFound if none is shipped."""
    path = caf_path(code)
    if not path.is_file():
        raise EditionNotFound(f"No CAF edition is shipped for {code}.")
    return load_caf_file(path)


def shipped_caf_files() -> list[Path]:
    """Every shipped CAF edition file, by year."""
    return sorted(EDITIONS_DIR.glob(f"*/{CAF_AUDIENCE}.json"), key=lambda p: p.parent.name)


@cache
def all_caf_editions() -> tuple[CafEdition, ...]:
    """Every shipped CAF edition, oldest first."""
    return tuple(load_caf_edition(p.parent.name) for p in shipped_caf_files())


def caf_edition_for(category: str, on: date) -> CafEdition | None:
    """The latest CAF edition serving this category that had opened by `on`; None if none had
    (or the category is not an NHS one)."""
    opened = [e for e in all_caf_editions() if category in e.categories and e.opens_on <= on]
    return max(opened, key=lambda e: e.opens_on, default=None)


def previous_caf_edition(edition: CafEdition) -> CafEdition | None:
    """The CAF edition of the year before, if one is shipped."""
    try:
        return load_caf_edition(previous_edition_code(edition.code))
    except (EditionNotFound, ValueError):
        return None


def unchanged_outcomes(old: CafEdition, new: CafEdition) -> frozenset[str]:
    """IDs of outcomes that ask exactly the same in both editions (their answers carry forward)."""
    return frozenset(
        o.id
        for o in new.outcomes
        if old.has_outcome(o.id) and old.outcome(o.id).fingerprint == o.fingerprint
    )
