"""The Jinja2 environment: NHS.UK frontend components plus the project's globals and filters."""

from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader


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


def figures_updating_since() -> str | None:
    """While the compliance figures are being rebuilt in the background: the local time it
    started ("14:05"), for the notice on monitoring pages; else None."""
    from dspt.monitoring.engine import updating_since

    started = updating_since()
    if started is None:
        return None
    return (
        datetime.fromtimestamp(started, tz=UTC)
        .astimezone(timezone.get_current_timezone())
        .strftime("%H:%M")
    )


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
        figures_updating_since=figures_updating_since,
    )
    env.filters.update(long_date=long_date)
    return env
