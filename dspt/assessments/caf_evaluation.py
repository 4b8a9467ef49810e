"""Judging a CAF assessment: each outcome's achievement, progress by objective, and the level
publishing would give today, with the outcomes that fall short and why.

A pure read. Achievement comes from the ticked indicators (`dspt.frameworks.caf`); the level is
decided by the status rule's `caf_level` (dspt.statuses.compute) against the organisation
category's profile. The shape mirrors `evaluation.Evaluation` where publishing needs it
(`would_publish_as`, `reasons`, `unmet_items_record`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dspt.assessments.editions import caf_edition_of
from dspt.assessments.models import Assessment, EvidenceDocument, Level, OutcomeAnswer
from dspt.core.dates import today
from dspt.frameworks.caf import (
    ACHIEVEMENT_LABELS,
    CafEdition,
    Outcome,
    effective_level,
    level_rank,
    supported_level,
)
from dspt.statuses.compute import CafVerdict, OutcomeShortfall, caf_level


@dataclass
class OutcomeResult:
    """One outcome with its answer, documents, achievement and expected level."""

    outcome: Outcome
    expected: str
    answer: OutcomeAnswer | None = None
    documents: list[EvidenceDocument] = field(default_factory=list)

    @property
    def ticked(self) -> list[str]:
        return list(self.answer.ticked) if self.answer else []

    @property
    def answered(self) -> bool:
        return self.answer is not None and bool(self.answer.claimed or self.answer.ticked)

    @property
    def supported(self) -> str:
        """The level the ticked indicators support."""
        return supported_level(self.outcome, self.ticked)

    @property
    def level(self) -> str:
        """The level that counts: the claim, never above what the ticks support."""
        claimed = self.answer.claimed if self.answer and self.answer.claimed else None
        return effective_level(self.outcome, self.ticked, claimed)

    @property
    def meets_profile(self) -> bool:
        return level_rank(self.level) >= level_rank(self.expected)

    @property
    def level_label(self) -> str:
        return ACHIEVEMENT_LABELS[self.level] if self.answered else "Not started"

    @property
    def expected_label(self) -> str:
        return ACHIEVEMENT_LABELS[self.expected]


@dataclass
class ObjectiveProgress:
    """Progress figures for one objective (A–E)."""

    code: str
    title: str
    results: list[OutcomeResult]

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def answered(self) -> int:
        return sum(r.answered for r in self.results)

    @property
    def at_profile(self) -> int:
        return sum(r.meets_profile for r in self.results)


@dataclass
class CafEvaluation:
    """Everything the CAF pages and publishing need to know."""

    assessment: Assessment
    edition: CafEdition
    on: date
    results: dict[str, OutcomeResult]
    objectives: list[ObjectiveProgress]
    verdict: CafVerdict
    reasons: list[str]

    @property
    def would_publish_as(self) -> Level:
        return self.verdict.level

    @property
    def needs_improvement_plan(self) -> bool:
        return self.verdict.level == Level.NOT_MET

    @property
    def shortfalls(self) -> list[tuple[OutcomeShortfall, OutcomeResult]]:
        return [(s, self.results[s.outcome]) for s in self.verdict.shortfalls]

    @property
    def answered(self) -> int:
        return sum(r.answered for r in self.results.values())

    @property
    def total(self) -> int:
        return len(self.results)

    def unmet_items_record(self) -> list[dict]:
        """The private gap list kept on the publication: one row per outcome below profile. The
        improvement plan takes its rows from it (the question column reads the outcome and why
        it falls short)."""
        return [
            {
                "item_id": s.outcome,
                "outcome": s.reached,
                "mandatory": True,
                "question": f"{r.outcome.label}: {s.reason}",
            }
            for s, r in self.shortfalls
        ]


def _reasons(verdict: CafVerdict, total: int) -> list[str]:
    if verdict.level == Level.MET:
        return [
            f"All {total} outcomes reach the level your profile expects, so you would publish "
            "Standards Met."
        ]
    n = len(verdict.shortfalls)
    return [
        f"{n} of {total} outcomes {'falls' if n == 1 else 'fall'} short of the level your "
        "profile expects, so you would publish Standards Not Met.",
        "You would then need an improvement plan with a row for each outcome below profile; "
        "once a reviewer approves it your status becomes Approaching Standards.",
    ]


def caf_evaluate(assessment: Assessment, on: date | None = None) -> CafEvaluation:
    """Judge a CAF assessment as of `on` (today by default)."""
    on = on or today()
    edition = caf_edition_of(assessment)
    profile = edition.profile(assessment.organisation.org_type)
    answers = {a.outcome_id: a for a in assessment.outcome_answers.all()}
    docs: dict[str, list[EvidenceDocument]] = {}
    for d in assessment.documents.order_by("uploaded_at", "id"):
        docs.setdefault(d.item_id, []).append(d)
    results = {
        o.id: OutcomeResult(o, profile[o.id], answers.get(o.id), docs.get(o.id, []))
        for o in edition.outcomes
    }
    objectives = [
        ObjectiveProgress(ob.code, ob.title, [results[o.id] for o in ob.outcomes])
        for ob in edition.objectives
    ]
    verdict = caf_level({oid: r.level for oid, r in results.items()}, profile)
    return CafEvaluation(
        assessment=assessment,
        edition=edition,
        on=on,
        results=results,
        objectives=objectives,
        verdict=verdict,
        reasons=_reasons(verdict, len(results)),
    )
