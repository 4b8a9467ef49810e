"""The monitoring API's callers: whose remit a request carries (shared by its routers)."""

from __future__ import annotations

from ninja.errors import HttpError

from dspt.monitoring.access import Remit, remit_of


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
