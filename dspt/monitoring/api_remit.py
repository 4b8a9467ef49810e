"""The monitoring API's callers: whose remit a request carries, the area it asks for within
it, and the days figures are given for (shared by its routers)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from ninja.errors import HttpError

from dspt.core.dates import today
from dspt.monitoring.access import Remit, remit_of, scope_from
from dspt.monitoring.dates import out_of_range
from dspt.monitoring.population import area_names
from dspt.monitoring.sql import Scope


def caller_remit(request) -> Remit:
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


def caller_scope(request, area_kind: str | None, area_code: str | None) -> Scope:
    """The area asked for, checked against the caller's remit (403 outside it)."""
    remit = caller_remit(request)
    try:
        return scope_from(remit, area_kind, area_code, area_names())
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None


def national_caller(request) -> Remit:
    """The caller's remit, which must be national (403 otherwise)."""
    remit = caller_remit(request)
    if not remit.national:
        raise HttpError(403, "Targets are for the national programme team.")
    return remit


def figures_day(as_of: date | None, name: str = "") -> date:
    """The day asked for (default today); 422 when figures are not given for it, the message
    led by the parameter's `name` when one is given."""
    day = as_of or today()
    problem = out_of_range(day)
    if problem:
        raise HttpError(422, f"{name}: {problem}" if name else problem)
    return day
