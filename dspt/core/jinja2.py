"""The Jinja2 environment: NHS.UK frontend components plus the project's globals and filters."""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.templatetags.static import static
from django.urls import reverse
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
    """How many in-app notifications the person has not read (shown in the header)."""
    if user is None or not user.is_authenticated:
        return 0
    from dspt.improvement_plans.notifications import unread_count

    return unread_count(user)


def unread_alerts(user) -> int:
    """How many commissioner watchlist alerts the person has not read."""
    if user is None or not user.is_authenticated:
        return 0
    from dspt.monitoring.models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True).count()


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
        unread_alerts=unread_alerts,
    )
    env.filters.update(long_date=long_date)
    return env
