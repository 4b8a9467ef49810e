"""Plan settings: a Django setting wins, then the environment variable of the same name, then the
default, so an operator can set them without editing settings.py."""

import os

from django.conf import settings

DEFAULTS = {
    # Request day:escalation day pairs (MM-DD:MM-DD), comma-separated.
    "DSPT_PLAN_UPDATE_ROUNDS": "09-01:10-15,12-01:01-15",
    # A request sent late still gives at least this many days before it escalates.
    "DSPT_PLAN_UPDATE_GRACE_DAYS": "14",
    # Target completion dates further ahead than this are implausible.
    "DSPT_PLAN_HORIZON_DAYS": "730",
    # Largest plan file accepted (bytes).
    "DSPT_PLAN_MAX_UPLOAD_BYTES": str(2 * 1024 * 1024),
    # Address used for links in emails.
    "DSPT_SITE_URL": "http://127.0.0.1:8000",
}


def get(name: str) -> str:
    """The configured value of one plan setting, as text."""
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, "") or DEFAULTS[name]
    return str(value)


def get_int(name: str) -> int:
    return int(get(name))
