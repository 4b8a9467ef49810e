"""Public figures (mounted at /api/v1/figures, no sign-in): every aggregate of public statuses.

Statuses are public, and so is the CQC directory, so any count of them for any area is public
too. These endpoints return counts only — never a named location, an answer or a plan.
"""

from __future__ import annotations

from ninja import Query, Router
from ninja.errors import HttpError

from dspt.core.api_types import Day, ErrorOut
from dspt.monitoring.api import AreaKind, Dimension, compliance_rows
from dspt.monitoring.api_remit import figures_day
from dspt.monitoring.breakdowns import area_scope
from dspt.monitoring.population import area_names
from dspt.monitoring.series import monthly_series

router = Router(tags=["public figures"])


def _area(area_kind: str | None, area_code: str | None):
    try:
        return area_scope(area_kind, area_code, area_names())
    except ValueError as exc:
        raise HttpError(404, str(exc)) from None


@router.get(
    "/compliance",
    auth=None,
    response={200: list[dict], 404: ErrorOut},
    summary="Compliance by one dimension or two, any area",
)
def compliance(
    request,
    by: Dimension,
    then: Dimension | None = None,
    as_of: Day | None = None,
    compare_to: Day | None = None,
    area_kind: AreaKind | None = None,
    area_code: str | None = None,
    where: list[str] = Query(None),  # noqa: B008 - how django-ninja declares a list query parameter
) -> list[dict]:
    """The same rows as /api/v1/monitoring/compliance, for any area (`area_kind` one of lso,
    region, icb, local_authority, with `area_code`), without signing in. 404 for an area
    that does not exist."""
    return compliance_rows(lambda: _area(area_kind, area_code), by, then, as_of, compare_to, where)


@router.get(
    "/series",
    auth=None,
    response={200: list[dict], 404: ErrorOut},
    summary="Monthly series, any area",
)
def series(
    request,
    as_of: Day | None = None,
    months: int = Query(48, ge=1, le=120),  # noqa: B008 - a bounded query parameter
    area_kind: AreaKind | None = None,
    area_code: str | None = None,
) -> list[dict]:
    """Status at each month end (`months` from 1 to 120), split by current edition, previous
    edition and expired; 404 for an area that does not exist."""
    return monthly_series(figures_day(as_of), months, _area(area_kind, area_code))
