"""'Today' for the platform. DSPT_TODAY pins it for demos and tests; otherwise the London date."""

from datetime import date

from django.conf import settings
from django.utils import timezone


def today() -> date:
    """The current date in Europe/London, unless DSPT_TODAY pins it."""
    pinned = getattr(settings, "DSPT_TODAY", "")
    if pinned:
        return date.fromisoformat(pinned)
    return timezone.localdate()


def parse_iso_date(value: str | None) -> date | None:
    """Parse YYYY-MM-DD, raising ValueError with a plain message on anything else."""
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"'{value}' is not a date in the form YYYY-MM-DD.") from None
