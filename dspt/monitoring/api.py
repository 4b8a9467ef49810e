"""Monitoring API (mounted at /api/v1/monitoring): the same rows as `dspt compliance`.

Figures follow the caller's remit (dspt.monitoring.access): a signed-in session, or a personal
API token of a commissioner, LSO or programme person (docs/adr/0004). Organisation tokens act for
one organisation only, so they are refused here.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from ninja import Router
from ninja.errors import HttpError

from dspt.core.dates import today
from dspt.monitoring.access import Remit, remit_of, scope_from
from dspt.monitoring.dates import out_of_range
from dspt.monitoring.figures import compliance_table, total
from dspt.monitoring.population import DIMENSIONS, area_names
from dspt.monitoring.series import monthly_series
from dspt.monitoring.targets import targets_vs_actuals

router = Router(tags=["monitoring"])


def _remit(request) -> Remit:
    """The caller's remit; organisation tokens are refused (they act for one organisation)."""
    token = getattr(request, "api_token", None)
    if token is not None and not token.personal:
        raise HttpError(
            403,
            "Organisation API tokens cannot read monitoring figures. Use a personal token "
            "(Your API tokens) or a signed-in session.",
        )
    remit = remit_of(request.user)
    if remit is None:
        raise HttpError(403, "Compliance monitoring is for commissioners, LSOs and the programme.")
    return remit


def _day(as_of: date | None) -> date:
    """The day asked for (default today); 422 when figures are not given for it."""
    day = as_of or today()
    problem = out_of_range(day)
    if problem:
        raise HttpError(422, problem)
    return day


def _scope(request, area_kind: str | None, area_code: str | None):
    remit = _remit(request)
    try:
        return scope_from(remit, area_kind, area_code, area_names())
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None


@router.get("/compliance", summary="Compliance table by one dimension")
def compliance(
    request,
    by: str,
    as_of: date | None = None,
    area_kind: str | None = None,
    area_code: str | None = None,
) -> list[dict]:
    """One row per group (CONTRACT format), as of a date (default today), for your area.

    `by` is one of region, local_authority, icb, lso, provider_size, service_type,
    client_group, rating, scope, care_home. National users may pass `area_kind`
    (lso, region, icb, local_authority) and `area_code`.
    """
    if by not in DIMENSIONS:
        raise HttpError(422, f"Unknown dimension '{by}'. Choose one of: {', '.join(DIMENSIONS)}.")
    scope = _scope(request, area_kind, area_code)
    return compliance_table(by, _day(as_of), scope)


@router.get("/total", summary="The whole area's row")
def area_total(
    request, as_of: date | None = None, area_kind: str | None = None, area_code: str | None = None
) -> dict:
    return total(_day(as_of), _scope(request, area_kind, area_code))


@router.get("/series", summary="Monthly series")
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
    return monthly_series(_day(as_of), months, _scope(request, area_kind, area_code))


@router.get("/targets", summary="Targets against actuals")
def targets(request, as_of: date | None = None) -> list[dict]:
    remit = _remit(request)
    if not remit.national:
        raise HttpError(403, "Targets are for the national programme team.")
    return targets_vs_actuals(_day(as_of))


def _mount() -> None:
    from dspt.monitoring.api_watchlist import router as watchlist

    router.add_router("/watchlist", watchlist)


_mount()
