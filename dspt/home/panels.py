"""What each staff role's home page shows: one panel per kind of work, each a few lines with a
count or figure and a link to where the work is done.

Every count is read through the owning app's scoped selectors (the reviewer's queue is their
region's, an LSO's figures are its area's, a commissioner's are their area's and watchlist's),
so the home shows nothing the person could not open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.urls import reverse

from dspt.access.models import Stage
from dspt.access.selectors import queue as access_queue
from dspt.accounts.models import OversightRole, User
from dspt.accounts.remits import remit_of
from dspt.assurance.models import AuditFirm
from dspt.cld.models import Submission
from dspt.cld.selectors import (
    agreements_for,
    is_processor,
    releases_for,
    submissions_for,
    timetable,
)
from dspt.frameworks.services import edition_deadlines, may_move_deadlines
from dspt.improvement_plans import access as plan_access
from dspt.improvement_plans.models import PlanState
from dspt.improvement_plans.selectors import (
    QueueFilters,
    escalations_for,
    queue_counts,
    review_queue,
)
from dspt.monitoring.access import scope_from
from dspt.monitoring.figures import total
from dspt.monitoring.lists import expiring
from dspt.monitoring.population import area_names
from dspt.monitoring.watchlist import entries_with_status
from dspt.notifications.selectors import unread_count
from dspt.organisations.claims import is_platform_admin
from dspt.organisations.models import ClaimMethod
from dspt.organisations.selectors import pending_claims

AGREEMENT_WARNING = timedelta(days=90)


@dataclass(frozen=True)
class Line:
    """One line of a panel: a sentence, and where to act on it."""

    text: str
    href: str = ""
    link_text: str = ""


@dataclass
class Panel:
    """A kind of work: its heading and lines."""

    title: str
    lines: list[Line] = field(default_factory=list)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _long(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _pct(value: float) -> str:
    return f"{value:.1f}%"


def plans_panel(user: User, on: date) -> Panel:
    """Reviewers and the programme: the plan queue and escalations."""
    counts = queue_counts(user)
    waiting = counts[PlanState.AWAITING_REVIEW]
    panel = Panel("Improvement plans")
    text = _plural(waiting, "plan") + " waiting for review"
    oldest = review_queue(user, QueueFilters()).first()
    if oldest is not None and oldest.submitted_at:
        days = (on - oldest.submitted_at.date()).days
        text += f"; the oldest has waited {_plural(max(days, 0), 'day')}"
    panel.lines.append(Line(text + ".", reverse("improvement_plans:queue"), "Review plans"))
    rejected = counts[PlanState.REJECTED]
    if rejected:
        panel.lines.append(Line(_plural(rejected, "plan") + " sent back and not yet resubmitted."))
    if plan_access.can_see_escalations(user):
        open_escalations = escalations_for(user).count()
        panel.lines.append(
            Line(
                _plural(open_escalations, "open escalation") + " (updates not sent when asked).",
                reverse("improvement_plans:escalations"),
                "See escalations",
            )
        )
    return panel


def figures_panel(user: User, on: date) -> Panel | None:
    """Programme, LSOs and commissioners: compliance in their area today."""
    remit = remit_of(user)
    if remit is None:
        return None
    scope = scope_from(remit, None, None, area_names())
    whole = total(on, scope)
    panel = Panel(f"Compliance in {scope.label}")
    panel.lines.append(
        Line(
            f"{_pct(whole['compliance_pct'])} of "
            + _plural(whole["locations"], "adult social care location")
            + f" meet the standards today ({whole['compliant']:,}).",
            reverse("monitoring:dashboard"),
            "Open the dashboard",
        )
    )
    if remit.lso_code:
        due = len(expiring(on, scope))
        panel.lines.append(
            Line(
                _plural(due, "location")
                + " hold a status that lapses at the next deadline and have not renewed.",
                reverse("support:home"),
                "Open your LSO work lists",
            )
        )
    return panel


def watchlist_panel(user: User, on: date) -> Panel | None:
    """Commissioners: their watchlist and its alerts."""
    remit = remit_of(user)
    if remit is None or not remit.commissioner_id:
        return None
    entries = entries_with_status(user.commissioner_for, on)
    changed = sum(1 for e in entries if e["changed"] == "Yes")
    not_compliant = sum(1 for e in entries if e["compliant"] != "Yes")
    panel = Panel("Your watchlist")
    panel.lines.append(
        Line(
            _plural(len(entries), "location") + f" on your watchlist: {not_compliant:,} not "
            f"meeting the standards, {changed:,} changed since you last looked.",
            reverse("monitoring:watchlist"),
            "Open your watchlist",
        )
    )
    return panel


def deadline_panel(user: User, on: date) -> Panel:
    """Everyone with a staff role: the publication deadline that is coming."""
    upcoming = [d for d in edition_deadlines(on) if d.deadline >= on]
    panel = Panel("What is due")
    if upcoming:
        nxt = min(upcoming, key=lambda d: d.deadline)
        days = (nxt.deadline - on).days
        panel.lines.append(
            Line(
                f"The {nxt.label} publication deadline is {_long(nxt.deadline)}, in "
                f"{_plural(days, 'day')}.",
                reverse("frameworks:deadlines") if may_move_deadlines(user) else "",
                "Publication deadlines",
            )
        )
    return panel


def centre_panel(user: User, on: date) -> Panel:
    """The processing centre: extracts to process, failures, agreements ending, releases."""
    subs = submissions_for(user)
    ready = subs.filter(state=Submission.State.ACCEPTED).count()
    checking = subs.filter(state__in=[Submission.State.LANDING, Submission.State.CHECKING]).count()
    failed = subs.filter(state=Submission.State.FAILED).count()
    ending = (
        agreements_for(user)
        .filter(active=True, expires_on__gte=on, expires_on__lte=on + AGREEMENT_WARNING)
        .count()
    )
    centre = reverse("cld:centre")
    panel = Panel("Client-level data")
    panel.lines.append(
        Line(
            _plural(ready, "accepted extract") + " ready to trace and pseudonymise; "
            f"{checking:,} still being checked.",
            centre,
            "Open the processing centre",
        )
    )
    if failed:
        panel.lines.append(Line(_plural(failed, "extract") + " failed processing.", centre))
    panel.lines.append(
        Line(
            _plural(ending, "data sharing agreement") + " ending in the next 90 days.",
            centre,
            "See agreements",
        )
    )
    panel.lines.extend(_timetable_lines(user, on))
    panel.lines.append(
        Line(
            _plural(releases_for(user).count(), "release") + " made.",
            reverse("cld:release_new"),
            "Make a release",
        )
    )
    return panel


def access_panel(user: User) -> Panel:
    """The processing centre: data access requests to review, and reviewed ones to decide (those
    another person reviewed: nobody decides their own review)."""
    waiting = access_queue(user)
    to_review = waiting.filter(status=Stage.SUBMITTED).count()
    reviewed = waiting.filter(status=Stage.REVIEWED)
    to_decide = sum(1 for r in reviewed if r.current.reviewed_by_id != user.pk)
    queue = reverse("access:queue")
    return Panel(
        "Data access requests",
        [
            Line(_plural(to_review, "request") + " waiting for review.", queue, "Open the queue"),
            Line(_plural(to_decide, "reviewed request") + " for you to decide.", queue),
        ],
    )


def _timetable_lines(user: User, on: date) -> list[Line]:
    """The last period that fell due (authorities with no accepted extract) and the next one."""
    rows = timetable(user, on)
    lines = []
    past = [r.period for r in rows if r.period.due_date < on]
    if past:
        last = max(past, key=lambda p: p.due_date)
        missing = sum(
            1 for r in rows if r.period == last and r.state in ("missing", "rejected_only")
        )
        lines.append(
            Line(
                _plural(missing, "local authority", "local authorities")
                + f" sent no accepted extract for the period due {_long(last.due_date)}.",
                reverse("cld:timetable"),
                "See the timetable",
            )
        )
    upcoming = [r.period.due_date for r in rows if r.period.due_date >= on]
    if upcoming:
        lines.append(Line(f"The next extracts are due on {_long(min(upcoming))}."))
    return lines


def registrations_panel(user: User) -> Panel:
    """Platform admins: registration requests waiting for a check, and the audit firms NHS
    organisations may invite."""
    waiting = pending_claims(ClaimMethod.STAFF).count()
    return Panel(
        "Registrations",
        [
            Line(
                _plural(waiting, "registration request") + " waiting for a staff check.",
                reverse("organisations:claims_queue"),
                "Check registration requests",
            ),
            Line(
                _plural(AuditFirm.objects.count(), "audit firm")
                + " that NHS organisations may invite to assess them.",
                reverse("assurance:firms"),
                "Keep the audit firms and their assessors",
            ),
        ],
    )


def notifications_panel(user: User) -> Panel:
    """Unread alerts and messages."""
    unread = unread_count(user)
    return Panel(
        "Alerts",
        [
            Line(
                _plural(unread, "unread notification") + ".",
                reverse("notifications:inbox"),
                "Read notifications",
            )
        ],
    )


def panels_for(user: User, on: date) -> list[Panel]:
    """The panels for the person's role, most pressing work first."""
    role = user.oversight_role
    panels: list[Panel | None] = []
    if role in (OversightRole.REVIEWER, OversightRole.SENIOR_REVIEWER):
        panels.append(plans_panel(user, on))
    if role == OversightRole.COMMISSIONER:
        panels.append(watchlist_panel(user, on))
    if role in (OversightRole.PROGRAMME, OversightRole.LSO, OversightRole.COMMISSIONER):
        panels.append(figures_panel(user, on))
    if role == OversightRole.PROGRAMME and plan_access.can_use_queue(user):
        panels.append(plans_panel(user, on))
    if is_processor(user):
        panels.append(centre_panel(user, on))
        panels.append(access_panel(user))
    if is_platform_admin(user):
        panels.append(registrations_panel(user))
    panels.append(notifications_panel(user))
    if role != OversightRole.PROCESSOR:  # the centre's deadlines are the timetable's, above
        panels.append(deadline_panel(user, on))
    return [p for p in panels if p is not None]
