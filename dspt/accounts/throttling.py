"""Sign-in throttling, on django-axes: two limits, each over the same window.

- Per email address and network address (`LOGIN_FAILURE_LIMIT`): too many failed sign-ins for
  one email address from one network address lock that email address from that network address
  only. Someone else behind the same address (a NAT, a proxy) still signs in to their own account,
  and the same email address still signs in from anywhere else.
- Per network address (`LOGIN_ADDRESS_FAILURE_LIMIT`, higher): too many failed sign-ins from one
  address, whatever the email addresses, lock every sign-in from that address.

A failure for an email address with no account counts in the same way: it can lock only that
(non-existent) account and adds to its network address's count, so the page behaves the same
whether an account exists or not. A lock ends when the window has passed since the last failure
that counted; tries during a lock are refused before the password is checked and are not counted.
A successful sign-in clears the failures for that email address from that network address only.

Axes keeps the failures (`axes.models.AccessAttempt`, one row per email address, network address
and browser). Its lockout parameters name both groupings; this handler applies a limit to each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_credentials
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

# The order of settings.AXES_LOCKOUT_PARAMETERS: the pair first, then the address alone.
ACCOUNT_AND_ADDRESS, ADDRESS = 0, 1


def cool_off(request=None) -> timedelta:
    """The window (settings.AXES_COOLOFF_TIME names this function, so tests can change it)."""
    return timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def normalise_username(request, credentials) -> str | None:
    """The sign-in name axes records: the email address as the sign-in form reads it."""
    username = (credentials or {}).get("username")
    return username.strip().lower() if isinstance(username, str) else username


@dataclass(frozen=True)
class Lock:
    """A lock in force: `scope` is "account" (this email address from this network address) or
    "address" (every sign-in from this network address), ending at `until`."""

    scope: str
    until: datetime

    def message(self) -> str:
        minutes = max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
        at = timezone.localtime(self.until).strftime("%H:%M")
        if self.scope == "address":
            return (
                "Too many failed attempts to sign in from your network. Signing in from it is "
                f"paused for everyone for {wait}, until {at}. Ask your organisation admin for "
                "help if this keeps happening."
            )
        return (
            "Too many failed attempts to sign in with this email address from your network. "
            f"You can try again in {wait}, at {at}. Signing in from another network is not "
            "affected. If you have forgotten your password, ask your organisation admin."
        )


class SignInThrottle(AxesDatabaseHandler):
    """Axes' database handler with one limit for each lockout parameter (see the module)."""

    def lock(self, request, credentials=None) -> Lock | None:
        """The lock that applies to this request and email address, if any."""
        limits = (settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_ADDRESS_FAILURE_LIMIT)
        scopes = ("account", "address")
        attempts = self.get_user_attempts(request, credentials)
        for index in (ADDRESS, ACCOUNT_AND_ADDRESS):
            found = attempts[index].aggregate(
                n=Sum("failures_since_start"), last=Max("attempt_time")
            )
            if (found["n"] or 0) >= limits[index]:
                return Lock(scopes[index], found["last"] + cool_off(request))
        return None

    def get_failures(self, request, credentials=None) -> int:
        """1 when either limit is reached, else 0 (settings.AXES_FAILURE_LIMIT is 1): axes
        compares this one number with one limit, and this handler has two."""
        return 1 if self.lock(request, credentials) is not None else 0

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful sign-in: clear that email address's failures from that network
        address, not the address's other failures (one good account must not reset those)."""
        pair = self.filter_user_attempts(request, credentials)[ACCOUNT_AND_ADDRESS]
        count, _ = pair.delete()
        return count


def current_lock(request, email: str) -> Lock | None:
    """The lock on signing in as `email` from this request's address, if any."""
    AxesProxyHandler.update_request(request)
    credentials = get_credentials(email)
    handler = AxesProxyHandler.get_implementation()
    if not isinstance(handler, SignInThrottle):
        return None
    if get_client_username(request, credentials) is None:
        return None
    return handler.lock(request, credentials)
