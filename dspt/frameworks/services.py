"""Database side of editions: reading and moving the deadlines the national team sets at run time.

The pure functions in deadlines.py take overrides as a mapping so that they stay testable and fast
in bulk (monthly time series call them thousands of times); read the mapping once here and pass it.
Moving a deadline changes every status that depends on it at once (what is valid, what has
expired, which edition a day belongs to), so it is for the national team only, needs a reason and
is audited with the deadline before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from dspt.accounts.models import OversightRole
from dspt.audit.services import record
from dspt.core.signals import DerivedTableError
from dspt.frameworks import deadlines
from dspt.frameworks.models import DeadlineOverride


class DeadlineRefused(ValueError):
    """A deadline move that may not be made; the message says why, in plain English."""


def deadline_overrides() -> dict[str, date]:
    """Every recorded deadline override, edition code -> deadline."""
    return dict(DeadlineOverride.objects.values_list("edition", "deadline"))


def may_move_deadlines(user) -> bool:
    """The national team: the programme team and platform admins."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (
            user.is_superuser
            or user.oversight_role in (OversightRole.PROGRAMME, OversightRole.PLATFORM_ADMIN)
        )
    )


@dataclass(frozen=True)
class EditionDeadline:
    """One edition's deadline as the platform applies it, and where it comes from."""

    edition: str
    label: str
    shipped: date
    deadline: date
    reason: str

    @property
    def moved(self) -> bool:
        return self.deadline != self.shipped


def edition_deadlines(on: date, around: int = 2) -> list[EditionDeadline]:
    """The editions from a few years before the one `on` belongs to until a few after, and any
    edition with a moved deadline, newest first."""
    overrides = DeadlineOverride.objects.in_bulk()
    moved_to = {code: o.deadline for code, o in overrides.items()}
    current = deadlines.parse_code(deadlines.current_edition_code(on, moved_to))[0]
    codes = {deadlines.code_for_start_year(y) for y in range(current - around, current + 2)}
    codes |= set(overrides)
    rows = []
    for code in sorted(codes, reverse=True):
        moved = overrides.get(code)
        shipped = deadlines.deadline_for(code)
        rows.append(
            EditionDeadline(
                edition=code,
                label=deadlines.label_for(code),
                shipped=shipped,
                deadline=moved.deadline if moved else shipped,
                reason=moved.reason if moved else "",
            )
        )
    return rows


def _long(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _check(edition: str, deadline: date, overrides: dict[str, date]) -> None:
    """Deadlines stay in order: after the previous edition's and before the next one's, so every
    day still belongs to exactly one edition and a publication's validity never runs backwards."""
    before = deadlines.previous_edition_code(edition)
    after = deadlines.next_edition_code(edition)
    earliest = deadlines.deadline_for(before, overrides)
    latest = deadlines.deadline_for(after, overrides)
    if not earliest < deadline < latest:
        raise DeadlineRefused(
            f"The {deadlines.label_for(edition)} deadline must fall after the "
            f"{deadlines.label_for(before)} deadline ({_long(earliest)}) and before the "
            f"{deadlines.label_for(after)} deadline ({_long(latest)})."
        )


def move_deadline(*, edition: str, deadline: date | None, reason: str, by, request=None) -> date:
    """Set an edition's deadline (None: back to the shipped one); returns the deadline now applied.

    Raises DeadlineRefused, changing nothing, when the person may not, the edition code or the
    reason is missing, or the new date would put deadlines out of order."""
    if not may_move_deadlines(by):
        raise DeadlineRefused("Only the national team can move a deadline.")
    try:
        deadlines.parse_code(edition)
    except ValueError as exc:
        raise DeadlineRefused(str(exc)) from None
    reason = (reason or "").strip()
    if not reason:
        raise DeadlineRefused("Say why the deadline moves: it is shown beside the new date.")
    if len(reason) > 300:
        raise DeadlineRefused("Keep the reason to 300 characters.")
    shipped = deadlines.deadline_for(edition)
    try:
        return _move(edition, deadline, shipped, reason, by, request)
    except DerivedTableError as exc:
        # Every status follows the deadline in the same transaction; that failed, so nothing
        # moved (the error is logged where it happened).
        raise DeadlineRefused(f"The deadline was not moved. {exc}") from exc


def _move(edition: str, deadline: date | None, shipped: date, reason: str, by, request) -> date:
    with transaction.atomic():
        current = DeadlineOverride.objects.select_for_update().filter(edition=edition).first()
        before = current.deadline if current else shipped
        overrides = {k: v for k, v in deadline_overrides().items() if k != edition}
        target = shipped if deadline is None else deadline
        _check(edition, target, overrides)
        if target == shipped:
            DeadlineOverride.objects.filter(edition=edition).delete()
        else:
            DeadlineOverride.objects.update_or_create(
                edition=edition, defaults={"deadline": target, "reason": reason}
            )
        record(
            "deadline.moved" if target != shipped else "deadline.restored",
            actor=by,
            detail={
                "edition": edition,
                "before": before.isoformat(),
                "after": target.isoformat(),
                "shipped": shipped.isoformat(),
                "reason": reason,
            },
            request=request,
        )
    return target
