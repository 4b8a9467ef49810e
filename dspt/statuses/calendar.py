"""Which day each edition's publications stop being valid, including deadlines the national team moved."""

import time
from datetime import date
from functools import lru_cache

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dspt.frameworks import deadlines
from dspt.frameworks.models import DeadlineOverride
from dspt.statuses.compute import ValidUntil

_CACHE_SECONDS = 60
_cached: tuple[float, ValidUntil] | None = None


def valid_until_function() -> ValidUntil:
    """A `valid_until(edition)` for the status rule, honouring moved deadlines.

    Cached for a minute per process so bulk figures don't query per organisation; a change in
    this process clears it at once, other processes pick it up within the minute.
    """
    global _cached
    now = time.monotonic()
    if _cached is not None and now - _cached[0] < _CACHE_SECONDS:
        return _cached[1]
    overrides = dict(DeadlineOverride.objects.values_list("edition", "deadline"))

    @lru_cache(maxsize=64)
    def valid_until(edition: str) -> date:
        return deadlines.valid_until(edition, overrides)

    _cached = (now, valid_until)
    return valid_until


def forget_moved_deadlines() -> None:
    """Read moved deadlines afresh next time: callers that have just seen, by their own checks,
    that data changed in another process must not build on a minute-old copy."""
    global _cached
    _cached = None


@receiver([post_save, post_delete], sender=DeadlineOverride)
def _forget(**kwargs) -> None:
    forget_moved_deadlines()
