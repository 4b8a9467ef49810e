"""Oversight of the CAF-aligned assessments across NHS organisations, for the national team.

For one edition and an optional area (a region, or an ICB), from each NHS organisation's CAF
assessment of that edition as it stands (its current answers: published or still in progress):

- achievement by objective and by outcome against each organisation's own category profile
  (at or above profile, below profile, not answered);
- the assurance levels of the reported independent assessments;
- the NHS trusts with no reported independent assessment (with an open review, or none).

A pure read; the page is `views_oversight.py`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dspt.assessments.caf_evaluation import caf_evaluate
from dspt.assessments.models import Assessment
from dspt.assurance.models import AssuranceLevel, Review, ReviewState
from dspt.frameworks.caf import CAF_AUDIENCE, CAF_CATEGORIES, CafEdition
from dspt.organisations.models import Organisation, OrgType


@dataclass
class Tally:
    """Counts of organisation × outcome answers."""

    at_profile: int = 0
    below: int = 0
    not_answered: int = 0

    @property
    def total(self) -> int:
        return self.at_profile + self.below + self.not_answered

    @property
    def at_profile_pct(self) -> float | None:
        return round(100 * self.at_profile / self.total, 1) if self.total else None


@dataclass
class Oversight:
    edition: CafEdition
    organisations: int
    assessed: int
    by_objective: dict[str, Tally] = field(default_factory=dict)
    by_outcome: dict[str, Tally] = field(default_factory=dict)
    assurance: dict[str, int] = field(default_factory=dict)
    trusts_without: list[tuple[Organisation, str]] = field(default_factory=list)


def nhs_organisations(region: str = "", icb: str = ""):
    """NHS organisations (trusts, ICBs, CSUs, ALBs) in the area, by name."""
    orgs = Organisation.objects.filter(org_type__in=CAF_CATEGORIES)
    if region:
        orgs = orgs.filter(region_id=region)
    if icb:
        orgs = orgs.filter(icb_id=icb)
    return orgs.order_by("name")


def oversight(edition: CafEdition, *, region: str = "", icb: str = "") -> Oversight:
    """The figures for `edition` over the NHS organisations of the area."""
    orgs = list(nhs_organisations(region, icb))
    assessments = (
        Assessment.objects.filter(
            organisation__in=orgs, edition=edition.code, audience=CAF_AUDIENCE
        )
        .select_related("organisation")
        .prefetch_related("outcome_answers", "documents")
    )
    result = Oversight(edition=edition, organisations=len(orgs), assessed=0)
    result.by_objective = {o.code: Tally() for o in edition.objectives}
    result.by_outcome = {o.id: Tally() for o in edition.outcomes}
    for assessment in assessments:
        result.assessed += 1
        ev = caf_evaluate(assessment)
        for oid, r in ev.results.items():
            for tally in (result.by_outcome[oid], result.by_objective[r.outcome.objective]):
                if not r.answered:
                    tally.not_answered += 1
                elif r.meets_profile:
                    tally.at_profile += 1
                else:
                    tally.below += 1
    reviews = Review.objects.filter(organisation__in=orgs, edition=edition.code)
    reported = Counter(
        reviews.filter(state=ReviewState.REPORTED).values_list("assurance", flat=True)
    )
    result.assurance = {level: reported.get(level, 0) for level in AssuranceLevel.values}
    with_report = set(
        reviews.filter(state=ReviewState.REPORTED).values_list("organisation_id", flat=True)
    )
    with_open = set(
        reviews.filter(state=ReviewState.OPEN).values_list("organisation_id", flat=True)
    )
    result.trusts_without = [
        (o, "Review open" if o.pk in with_open else "Not invited")
        for o in orgs
        if o.org_type == OrgType.NHS_TRUST and o.pk not in with_report
    ]
    return result
