"""The shape of a framework edition: frozen dataclasses, response types and organisation categories.

Nothing here reads files or touches Django, so status rules, carry-forward and the web layer can
all share one immutable picture of an edition. Import these names from `dspt.frameworks.model`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property

from dspt.frameworks.deadlines import label_for


class ResponseType(StrEnum):
    """How an evidence item is answered."""

    CONFIRM = "confirm"
    TEXT = "text"
    DATE = "date"
    NUMBER = "number"
    PERCENTAGE = "percentage"
    DOCUMENT = "document"
    CHOICE = "choice"
    CAF_RATING = "caf_rating"


class ItemOutcome(StrEnum):
    """What one answer amounts to on a given day."""

    MET = "met"
    PARTLY_MET = "partly_met"
    UNMET = "unmet"
    NOT_APPLICABLE = "not_applicable"
    UNANSWERED = "unanswered"


# Organisation categories: the org_type values of organisations.models.OrgType. Repeated here
# rather than imported so that this package stays pure Python (a test keeps the two in step).
CATEGORIES: tuple[str, ...] = (
    "social_care_provider",
    "local_authority",
    "nhs_trust",
    "icb",
    "csu",
    "alb",
    "gp_practice",
    "pharmacy",
    "dentist",
    "other",
)

# Which edition file serves which categories. Every category is served by exactly one audience.
AUDIENCES: dict[str, tuple[str, ...]] = {
    "social-care": ("social_care_provider", "gp_practice", "pharmacy", "dentist", "other"),
    "local-authority": ("local_authority",),
    "nhs-trust": ("nhs_trust", "icb", "csu", "alb"),
}

FRAMEWORKS: tuple[str, ...] = ("dspt", "caf")

# The three leadership obligations of the standards framework and the standards under each.
DSPT_OBLIGATIONS: dict[str, tuple[int, ...]] = {
    "People": (1, 2, 3),
    "Process": (4, 5, 6, 7),
    "Technology": (8, 9, 10),
}

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Choice:
    """One option of a choice item. `meets` counts as met; `partial` as partly met."""

    key: str
    label: str
    meets: bool
    partial: bool = False


@dataclass(frozen=True)
class EvidenceItem:
    """One question an organisation answers, with the rule that decides whether it is met."""

    id: str
    assertion_id: str
    standard: int
    question: str
    guidance: str
    response_type: ResponseType
    threshold: float | None
    max_age_days: int | None
    choices: tuple[Choice, ...]
    allow_na: bool
    mandatory: frozenset[str]
    approaching: frozenset[str]

    def is_mandatory(self, category: str) -> bool:
        """Whether the item must be met for Standards Met by an organisation of this category."""
        return category in self.mandatory

    def needed_for_approaching(self, category: str) -> bool:
        """Whether the item is in the smaller set needed for Approaching Standards."""
        return category in self.approaching

    def choice(self, key: str) -> Choice:
        """The choice with this key; KeyError if there is none."""
        for choice in self.choices:
            if choice.key == key:
                return choice
        raise KeyError(key)

    @cached_property
    def fingerprint(self) -> str:
        """A stable hash of what is asked and how it is judged.

        Two items with the same fingerprint ask the same thing in the same way, so last year's
        answer still holds. Guidance, N/A permission and the mandatory flags are left out on
        purpose: changing them does not change what an answer means.
        """
        definition = {
            "question": _SPACES.sub(" ", self.question).strip(),
            "type": str(self.response_type),
            "threshold": self.threshold,
            "max_age_days": self.max_age_days,
            "choices": [[c.key, c.label, c.meets, c.partial] for c in self.choices],
        }
        canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Assertion:
    """A statement an organisation makes (e.g. 1.1), evidenced by its items."""

    id: str
    title: str
    items: tuple[EvidenceItem, ...]


@dataclass(frozen=True)
class Standard:
    """One of the ten data security standards (or, in a CAF profile, one principle)."""

    number: int
    title: str
    obligation: str
    summary: str
    assertions: tuple[Assertion, ...]


@dataclass(frozen=True)
class Edition:
    """One year's framework for one audience, as loaded from its file."""

    code: str
    audience: str
    title: str
    framework: str
    opens_on: date
    deadline: date
    categories: tuple[str, ...]
    standards: tuple[Standard, ...] = field(repr=False)

    @property
    def key(self) -> str:
        """Unique name of the edition, e.g. "2024-25/social-care"."""
        return f"{self.code}/{self.audience}"

    @property
    def label(self) -> str:
        """The short year label used in public statuses, e.g. "24/25"."""
        return label_for(self.code)

    @cached_property
    def items(self) -> tuple[EvidenceItem, ...]:
        """Every evidence item in document order."""
        return tuple(
            item
            for standard in self.standards
            for assertion in standard.assertions
            for item in assertion.items
        )

    @cached_property
    def _index(self) -> dict[str, EvidenceItem]:
        return {item.id: item for item in self.items}

    @cached_property
    def assertions(self) -> tuple[Assertion, ...]:
        """Every assertion in document order."""
        return tuple(a for standard in self.standards for a in standard.assertions)

    def item(self, item_id: str) -> EvidenceItem:
        """The evidence item with this ID; KeyError if the edition has none."""
        return self._index[item_id]

    def has_item(self, item_id: str) -> bool:
        """Whether the edition has an evidence item with this ID."""
        return item_id in self._index

    def standard(self, number: int) -> Standard:
        """The standard with this number; KeyError if absent."""
        for standard in self.standards:
            if standard.number == number:
                return standard
        raise KeyError(number)

    def _check_category(self, category: str) -> None:
        # An organisation assessed against the wrong file would otherwise see no mandatory items
        # and so reach Standards Met by default; fail loudly instead.
        if category not in self.categories:
            raise ValueError(
                f"The {self.key} edition does not cover organisations of type {category!r}; "
                f"it covers {', '.join(self.categories)}."
            )

    def mandatory_items(self, category: str) -> tuple[EvidenceItem, ...]:
        """Items an organisation of this category must meet for Standards Met, in order.

        Raises ValueError if the edition does not serve the category.
        """
        self._check_category(category)
        return tuple(item for item in self.items if item.is_mandatory(category))

    def approaching_items(self, category: str) -> tuple[EvidenceItem, ...]:
        """Items needed for Approaching Standards by this category, in order.

        Raises ValueError if the edition does not serve the category.
        """
        self._check_category(category)
        return tuple(item for item in self.items if item.needed_for_approaching(category))
