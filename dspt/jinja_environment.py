"""The Jinja2 environment: NHS.UK frontend components plus the project's globals and filters.

The project's, like urls.py: its globals serve every app's pages and base.jinja (the
notifications badge in the header), so it sits above the apps (settings.TEMPLATES).
"""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from dspt.core.dates import date_parts


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """Reverse a URL by name, as Django's {% url %} does."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def long_date(value: date | datetime | None, default: str = "") -> str:
    """Format a date the way GOV.UK and NHS.UK style prefer: 1 March 2024."""
    if not value:
        return default
    return f"{value.day} {value:%B %Y}"


def unread_notifications(user) -> int:
    """How many notifications (plan messages and watchlist alerts) the person has not read:
    the one badge in the header."""
    from dspt.notifications.selectors import unread_count

    return unread_count(user)


def takes_part_in_cld(user) -> bool:
    """Whether the header shows client-level data: only to the people with a part in it."""
    from dspt.cld.selectors import takes_part

    return takes_part(user)


def takes_part_in_access(user) -> bool:
    """Whether the header shows data access requests: the processing centre, and people who may
    apply for an organisation or are on a request."""
    from dspt.access.selectors import takes_part

    return takes_part(user)


def environment(**options: Any) -> Environment:
    """Build the environment Django's Jinja2 backend uses for every page."""
    options["undefined"] = ChainableUndefined
    options["loader"] = ChoiceLoader([options["loader"], PackageLoader("nhsuk_frontend_jinja")])
    options.setdefault("extensions", []).append("jinja2.ext.do")
    env = Environment(**options)  # noqa: S701 - autoescape is set by Django's backend options
    env.globals.update(
        static=static,
        url=url,
        get_messages=messages.get_messages,
        settings_debug=settings.DEBUG,
        unread_notifications=unread_notifications,
        takes_part_in_cld=takes_part_in_cld,
        takes_part_in_access=takes_part_in_access,
        date_parts=date_parts,
    )
    env.filters.update(long_date=long_date)
    return env
