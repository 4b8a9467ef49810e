"""Public figures (mounted at /api/v1/figures, no sign-in): every aggregate of public statuses.

Statuses are public, and so is the CQC directory, so any count of them for any area is public
too. These endpoints return counts only — never a named location, an answer or a plan.
"""

from __future__ import annotations

from datetime import date

from ninja import Query, Router
from ninja.errors import HttpError

from dspt.monitoring.api import compliance_rows, figures_day
from dspt.monitoring.breakdowns import area_scope
from dspt.monitoring.population import area_names
from dspt.monitoring.series import monthly_series

router = Router(tags=["public figures"])


def _area(area_kind: str | None, area_code: str | None):
    try:
        return area_scope(area_kind, area_code, area_names())
    except ValueError as exc:
        raise HttpError(404, str(exc)) from None


@router.get("/compliance", auth=None, summary="Compliance by one dimension or two, any area")
def compliance(
    request,
    by: str,
    then: str | None = None,
    as_of: date | None = None,
    compare_to: date | None = None,
    area_kind: str | None = None,
    area_code: str | None = None,
    where: list[str] = Query(None),  # noqa: B008 - how django-ninja declares a list query parameter
) -> list[dict]:
    """The same rows as /api/v1/monitoring/compliance, for any area (`area_kind` one of lso,
    region, icb, local_authority, with `area_code`), without signing in."""
    return compliance_rows(lambda: _area(area_kind, area_code), by, then, as_of, compare_to, where)


@router.get("/series", auth=None, summary="Monthly series, any area")
def series(
    request,
    as_of: date | None = None,
    months: int = 48,
    area_kind: str | None = None,
    area_code: str | None = None,
) -> list[dict]:
    """Status at each month end, split by current edition, previous edition and expired."""
    if not 1 <= months <= 120:
        raise HttpError(422, "months must be between 1 and 120.")
    return monthly_series(figures_day(as_of), months, _area(area_kind, area_code))
