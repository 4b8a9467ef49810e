"""LSO activity over any period of months: national totals by kind, each LSO's totals, and the
same months a year earlier beside them (docs/monitoring.md, "LSO activity over a period")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from dspt.organisations.models import LSO
from dspt.support.models import ActivityKind, ActivityRecord

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class Period:
    """Whole months from `first` to `last` (each the first day of its month), inclusive."""

    first: date
    last: date

    def year_before(self) -> Period:
        return Period(
            self.first.replace(year=self.first.year - 1), self.last.replace(year=self.last.year - 1)
        )

    @property
    def label(self) -> str:
        if self.first == self.last:
            return f"{self.first:%B %Y}"
        return f"{self.first:%B %Y} to {self.last:%B %Y}"


def parse_month(raw: str, what: str) -> tuple[date | None, str | None]:
    """A month written YYYY-MM (2000 to 2099), or an error naming `what`."""
    found = MONTH.match((raw or "").strip())
    if not found or not 1 <= int(found[2]) <= 12 or not 2000 <= int(found[1]) <= 2099:
        return None, f"Enter the {what} as a year and month, for example 2024-04."
    return date(int(found[1]), int(found[2]), 1), None


def default_period(today: date) -> Period:
    """The twelve months up to and including this one."""
    last = today.replace(day=1)
    first = date(last.year - 1, last.month, 1)
    first = date(first.year + (first.month // 12), first.month % 12 + 1, 1)
    return Period(first, last)


def _hours(period: Period) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """(LSO code, kind) -> (planned, actual) hours in the period."""
    rows = (
        ActivityRecord.objects.filter(month__gte=period.first, month__lte=period.last)
        .values("lso_id", "kind")
        .annotate(planned=Sum("planned_hours"), actual=Sum("actual_hours"))
    )
    return {
        (r["lso_id"], r["kind"]): (r["planned"] or Decimal(0), r["actual"] or Decimal(0))
        for r in rows
    }


def _row(group: str, now: tuple[Decimal, Decimal], before: tuple[Decimal, Decimal]) -> dict:
    planned, actual = float(now[0]), float(now[1])
    previous = float(before[1])
    return {
        "group": group,
        "planned_hours": planned,
        "actual_hours": actual,
        "actual_pct_of_planned": 100.0 * actual / planned if planned else None,
        "previous_actual_hours": previous,
        "change_hours": actual - previous,
        "change_pct": 100.0 * (actual - previous) / previous if previous else None,
    }


def _sum(pairs) -> tuple[Decimal, Decimal]:
    planned = actual = Decimal(0)
    for p, a in pairs:
        planned += p
        actual += a
    return planned, actual


def activity_over(period: Period) -> dict[str, list[dict] | dict]:
    """`by_kind` (national totals per kind of activity), `by_lso` (each LSO's totals),
    `total` and `by_lso_codes` (LSO code -> actual hours, for the map); each row has planned and actual hours, actual as a share of planned, and actual
    hours in the same months a year earlier with the change."""
    now, before = _hours(period), _hours(period.year_before())
    by_kind = [
        _row(
            label,
            _sum(v for (_, k), v in now.items() if k == kind),
            _sum(v for (_, k), v in before.items() if k == kind),
        )
        for kind, label in ActivityKind.choices
    ]
    by_lso = [
        _row(
            lso.name,
            _sum(v for (code, _), v in now.items() if code == lso.code),
            _sum(v for (code, _), v in before.items() if code == lso.code),
        )
        for lso in LSO.objects.order_by("name")
    ]
    total = _row("All LSOs", _sum(now.values()), _sum(before.values()))
    codes = {
        lso.code: float(_sum(v for (code, _), v in now.items() if code == lso.code)[1])
        for lso in LSO.objects.all()
    }
    return {"by_kind": by_kind, "by_lso": by_lso, "total": total, "by_lso_codes": codes}
