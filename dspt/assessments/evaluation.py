"""Judging a whole assessment: each item's outcome, progress counts, and the level publishing
would give today, with the reasons in plain English.

This is a pure read: it never writes. The public status itself is decided elsewhere
(dspt.statuses.compute) from the publications this module's verdict leads to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dspt.assessments.documents import ACTION_PLAN
from dspt.assessments.editions import edition_of
from dspt.assessments.models import Answer, Assessment, EvidenceDocument, Level, Publication
from dspt.core.dates import today
from dspt.frameworks.model import Edition, EvidenceItem, ItemOutcome, evaluate_item
from dspt.organisations.models import OrgType

MET_OUTCOMES = frozenset({ItemOutcome.MET, ItemOutcome.NOT_APPLICABLE})
OUTCOME_LABELS = {
    ItemOutcome.MET: "Met",
    ItemOutcome.PARTLY_MET: "Partly met",
    ItemOutcome.UNMET: "Not met",
    ItemOutcome.NOT_APPLICABLE: "Not applicable",
    ItemOutcome.UNANSWERED: "Not answered",
}


@dataclass
class ItemResult:
    """One evidence item with its answer, documents and outcome."""

    item: EvidenceItem
    outcome: ItemOutcome
    mandatory: bool
    approaching: bool
    answer: Answer | None = None
    documents: list[EvidenceDocument] = field(default_factory=list)
    # Set when a stored value no longer reads as an answer (it is then treated as unanswered).
    problem: str = ""

    @property
    def met(self) -> bool:
        return self.outcome in MET_OUTCOMES

    @property
    def answered(self) -> bool:
        return self.outcome != ItemOutcome.UNANSWERED

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]


@dataclass
class Counts:
    """Progress figures for the whole assessment or one standard."""

    answered: int = 0
    total: int = 0
    mandatory_met: int = 0
    mandatory_total: int = 0
    approaching_met: int = 0
    approaching_total: int = 0

    def add(self, r: ItemResult) -> None:
        self.total += 1
        self.answered += r.answered
        if r.mandatory:
            self.mandatory_total += 1
            self.mandatory_met += r.met
        if r.approaching:
            self.approaching_total += 1
            self.approaching_met += r.met

    @property
    def complete(self) -> bool:
        return self.answered == self.total


@dataclass
class Evaluation:
    """Everything the progress panel, the publish page and `publish` need to know."""

    assessment: Assessment
    edition: Edition
    on: date
    results: dict[str, ItemResult]
    overall: Counts
    by_standard: dict[int, Counts]
    unmet_mandatory: list[ItemResult]
    unmet_approaching: list[ItemResult]
    partly_met: list[ItemResult]
    social_care: bool
    action_plan_attached: bool
    previous_was_approaching: bool
    cyber_essentials_plus_current: bool
    would_publish_as: Level = Level.NOT_MET
    reasons: list[str] = field(default_factory=list)

    @property
    def approaching_route_open(self) -> bool:
        """Whether Approaching Standards is possible at all for this publication."""
        return self.social_care and not self.previous_was_approaching

    @property
    def needs_improvement_plan(self) -> bool:
        """Sectors other than social care publish Not Met with an improvement plan (issue 3)."""
        return self.would_publish_as == Level.NOT_MET and not self.social_care

    def unmet_items_record(self) -> list[dict]:
        """The private gap list kept on a publication: every mandatory item not met, plus any
        item partly met. The improvement plan builds its rows from this."""
        rows = []
        for r in self.results.values():
            if (r.mandatory and not r.met) or r.outcome == ItemOutcome.PARTLY_MET:
                rows.append(
                    {"item_id": r.item.id, "outcome": str(r.outcome), "mandatory": r.mandatory}
                )
        return rows


def _item_result(
    item: EvidenceItem, category: str, answer: Answer | None, docs: list, on: date
) -> ItemResult:
    result = ItemResult(
        item=item,
        outcome=ItemOutcome.UNANSWERED,
        mandatory=item.is_mandatory(category),
        approaching=item.needed_for_approaching(category),
        answer=answer,
        documents=docs,
    )
    try:
        result.outcome = evaluate_item(
            item,
            answer.value if answer else None,
            bool(answer and answer.not_applicable),
            len(docs),
            on,
        )
    except ValueError as exc:
        # A stored value that no longer reads (e.g. edited outside the toolkit) counts as
        # unanswered rather than breaking the page; the page shows the problem.
        result.problem = str(exc)
    return result


def _previous_was_approaching(assessment: Assessment) -> bool:
    latest = (
        Publication.objects.filter(organisation_id=assessment.organisation_id)
        .order_by("-published_on", "-id")
        .values_list("level", flat=True)
        .first()
    )
    return latest == Level.APPROACHING


def approaching_by_action_plan(org_type: str) -> bool:
    """Which route a sector takes to Approaching Standards (docs/rules.md §5): social care publishes it
    itself with an action plan, once; every other sector publishes Standards Not Met and gets
    there when a reviewer approves its improvement plan (docs/rules.md §6)."""
    return org_type == OrgType.SOCIAL_CARE


def evaluate(assessment: Assessment, on: date | None = None) -> Evaluation:
    """Judge `assessment` as of `on` (today by default)."""
    on = on or today()
    edition = edition_of(assessment)
    org = assessment.organisation
    category = org.org_type
    answers = {a.item_id: a for a in assessment.answers.all()}
    docs: dict[str, list[EvidenceDocument]] = {}
    for d in assessment.documents.order_by("uploaded_at", "id"):
        docs.setdefault(d.item_id, []).append(d)

    results: dict[str, ItemResult] = {}
    overall = Counts()
    by_standard: dict[int, Counts] = {s.number: Counts() for s in edition.standards}
    for item in edition.items:
        r = _item_result(item, category, answers.get(item.id), docs.get(item.id, []), on)
        results[item.id] = r
        overall.add(r)
        by_standard[item.standard].add(r)

    ce_expiry = assessment.cyber_essentials_plus_expires_on
    ev = Evaluation(
        assessment=assessment,
        edition=edition,
        on=on,
        results=results,
        overall=overall,
        by_standard=by_standard,
        unmet_mandatory=[r for r in results.values() if r.mandatory and not r.met],
        unmet_approaching=[r for r in results.values() if r.approaching and not r.met],
        partly_met=[r for r in results.values() if r.outcome == ItemOutcome.PARTLY_MET],
        social_care=approaching_by_action_plan(category),
        action_plan_attached=bool(docs.get(ACTION_PLAN)),
        previous_was_approaching=_previous_was_approaching(assessment),
        cyber_essentials_plus_current=bool(
            assessment.cyber_essentials_plus and ce_expiry is not None and ce_expiry >= on
        ),
    )
    ev.would_publish_as, ev.reasons = _verdict(ev)
    return ev


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _verdict(ev: Evaluation) -> tuple[Level, list[str]]:
    c = ev.overall
    if not ev.unmet_mandatory:
        reasons = [f"All {_plural(c.mandatory_total, 'mandatory item')} are met."]
        if ev.cyber_essentials_plus_current:
            expiry = ev.assessment.cyber_essentials_plus_expires_on
            reasons.append(
                f"Your Cyber Essentials Plus certificate is current (it runs to "
                f"{expiry.day} {expiry:%B %Y}), so you exceed the standards."
            )
            return Level.EXCEEDED, reasons
        if ev.assessment.cyber_essentials_plus:
            reasons.append(
                "Your Cyber Essentials Plus certificate has no expiry date or has expired, "
                "so it does not count towards Standards Exceeded."
            )
        else:
            reasons.append(
                "To reach Standards Exceeded you would also need a current Cyber Essentials Plus "
                "certificate recorded in your organisation profile."
            )
        return Level.MET, reasons

    reasons = [
        f"{len(ev.unmet_mandatory)} of {_plural(c.mandatory_total, 'mandatory item')} "
        f"{'is' if len(ev.unmet_mandatory) == 1 else 'are'} not met, so you do not meet "
        "the standards yet."
    ]
    if not ev.social_care:
        reasons.append(
            "You would publish Standards Not Met and then need an improvement plan for each "
            "unmet item; once a reviewer approves it your status becomes Approaching Standards."
        )
        return Level.NOT_MET, reasons

    if ev.previous_was_approaching:
        reasons.append(
            "Your last publication was Approaching Standards. That level is allowed for one "
            "publication only, so this one must reach Standards Met."
        )
        return Level.NOT_MET, reasons
    missing = []
    if ev.unmet_approaching:
        missing.append(
            f"{_plural(len(ev.unmet_approaching), 'item')} needed for Approaching Standards "
            f"{'is' if len(ev.unmet_approaching) == 1 else 'are'} not met"
        )
    if not ev.action_plan_attached:
        missing.append("no action plan document is attached")
    if missing:
        reasons.append(
            "You cannot publish Approaching Standards yet: " + " and ".join(missing) + "."
        )
        return Level.NOT_MET, reasons
    reasons.append(
        f"All {_plural(c.approaching_total, 'item')} needed for Approaching Standards are met and "
        "your action plan is attached, so you can publish Approaching Standards. This is allowed "
        "once: your next publication must reach Standards Met."
    )
    return Level.APPROACHING, reasons
