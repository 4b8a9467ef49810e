"""Shapes the assessment overview: the next step first, then what is still needed by standard.

The overview used to open with two long lists of items still needed (for Approaching Standards
and for Standards Met), which overlapped and pushed the standards and the publish button far
down the page. Now the progress card ends with one next step; the items still needed are one
list, grouped by standard, each item marked if Approaching Standards needs it, folded away
below the standards.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from dspt.assessments.evaluation import Evaluation, ItemResult
from dspt.assessments.models import Assessment
from dspt.organisations.models import Organisation


@dataclass(frozen=True)
class NextStep:
    """The one thing to do next, and where."""

    text: str
    href: str
    button: str


@dataclass
class StandardNeeds:
    """One standard's items that are still needed."""

    number: int
    title: str
    results: list[ItemResult] = field(default_factory=list)


def _first_standard(ev: Evaluation, results: list[ItemResult]) -> tuple[int, str]:
    number = min(r.item.standard for r in results)
    return number, ev.edition.standard(number).title


def _plural(n: int, one: str) -> str:
    return f"{n} {one if n == 1 else one + 's'}"


def profile_complete(assessment: Assessment) -> bool:
    """The profile's named roles are filled in (the task list's "Completed")."""
    return bool(assessment.caldicott_guardian and assessment.senior_information_risk_owner)


def next_step(org: Organisation, assessment: Assessment, ev: Evaluation) -> NextStep:
    """What to do next: meet the items for the next level up, attach the action plan, complete
    the profile, or publish."""
    code = org.ods_code
    aiming_for_approaching = (
        ev.social_care
        and ev.approaching_route_open
        and ev.would_publish_as.value == "standards_not_met"
    )
    if aiming_for_approaching and ev.unmet_approaching:
        number, title = _first_standard(ev, ev.unmet_approaching)
        return NextStep(
            f"{_plural(len(ev.unmet_approaching), 'item')} needed for Approaching Standards "
            f"{'is' if len(ev.unmet_approaching) == 1 else 'are'} not met yet. Start with "
            f"standard {number}: {title}.",
            reverse("assessments:standard", args=[code, number]),
            f"Go to standard {number}",
        )
    if aiming_for_approaching and not ev.action_plan_attached:
        return NextStep(
            "Every item needed for Approaching Standards is met. Attach an action plan saying how "
            "and by when you will meet the rest, then publish Approaching Standards.",
            reverse("assessments:action_plan", args=[code]),
            "Add your action plan",
        )
    if ev.unmet_mandatory:
        number, title = _first_standard(ev, ev.unmet_mandatory)
        return NextStep(
            f"{_plural(len(ev.unmet_mandatory), 'mandatory item')} "
            f"{'is' if len(ev.unmet_mandatory) == 1 else 'are'} not met yet for Standards Met. "
            f"Next: standard {number}: {title}.",
            reverse("assessments:standard", args=[code, number]),
            f"Go to standard {number}",
        )
    if not profile_complete(assessment):
        return NextStep(
            "Every mandatory item is met. Complete your organisation profile, then publish.",
            reverse("assessments:profile", args=[code]),
            "Complete the profile",
        )
    return NextStep(
        "Every mandatory item is met. Check your answers and publish.",
        reverse("assessments:publish", args=[code]),
        "Review and publish",
    )


def still_needed(ev: Evaluation) -> list[StandardNeeds]:
    """Items not met that the next levels need (mandatory, or needed for Approaching Standards
    where that route is open), once each, grouped by standard in the edition's order."""
    wanted = {r.item.id: r for r in ev.unmet_mandatory}
    if ev.approaching_route_open:
        wanted.update({r.item.id: r for r in ev.unmet_approaching})
    order = {item_id: n for n, item_id in enumerate(ev.results)}
    by_number: dict[int, StandardNeeds] = {}
    for r in sorted(wanted.values(), key=lambda r: order[r.item.id]):
        number = r.item.standard
        if number not in by_number:
            by_number[number] = StandardNeeds(number, ev.edition.standard(number).title)
        by_number[number].results.append(r)
    return [by_number[n] for n in sorted(by_number)]
