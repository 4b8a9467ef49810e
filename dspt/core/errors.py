"""Error pages in the NHS layout: what went wrong, the reason where we know it, and a way on.

Wired as the project's handler400/403/404/500 (dspt/urls.py) and CSRF failure view (settings).
The reason is the message the code raised with (it is also what the log records), shown only
when it is one of ours: Django's own messages ("No Organisation matches the given query.") and
the resolver's details are replaced by a plain sentence.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string

TEMPLATE = "errors/page.jinja"
# Django's get_object_or_404 message: it names a model, which tells a user nothing.
_DJANGOS_OWN = re.compile(r"^No .+ matches the given query\.$")
_NOT_OURS = {"", "Not found.", "Permission denied."}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErrorPage:
    """What an error page says: its heading, the reason, and general advice."""

    status: int
    heading: str
    reason: str
    advice: str


def reason_from(exception: BaseException | None) -> str:
    """The message the code raised with, if it is a sentence written for people."""
    if exception is None or not exception.args or not isinstance(exception.args[0], str):
        return ""
    message = exception.args[0].strip()
    if message in _NOT_OURS or _DJANGOS_OWN.match(message):
        return ""
    return message


def _page(request: HttpRequest, page: ErrorPage) -> HttpResponse:
    context = {"error": page, "page_title": page.heading}
    return render(request, TEMPLATE, context, status=page.status)


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    """400: the request could not be read."""
    return _page(
        request,
        ErrorPage(
            400,
            "Sorry, we could not read that request",
            reason_from(exception),
            "Go back and try again. If a link brought you here, start again from the home page.",
        ),
    )


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    """403: signed in, but this page is for other people."""
    return _page(
        request,
        ErrorPage(
            403,
            "You do not have access to this page",
            reason_from(exception) or "Your account's role does not include this page.",
            "If you think you should have access, ask your organisation's admin or the person "
            "who gave you your role.",
        ),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 from the cross-site request check: usually a form left open too long."""
    return _page(
        request,
        ErrorPage(
            403,
            "Your form could not be sent",
            "The page was open for too long, or you signed in or out in another tab.",
            "Go back, reload the page and send the form again.",
        ),
    )


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    """404: no such page, or one the signed-in person may not see (we never say which)."""
    return _page(
        request,
        ErrorPage(
            404,
            "Page not found",
            reason_from(exception),
            "If you typed the web address, check it is correct. If you pasted it, check you "
            "copied the whole address. Pages for an organisation show only to its members and "
            "to the staff whose work covers it.",
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """500: something failed on our side. Rendering the page must not fail in turn: if the full
    layout cannot be drawn (the database may be what failed), the page is drawn without the
    signed-in parts, and failing that as plain text."""
    page = ErrorPage(
        500,
        "Sorry, there is a problem with the service",
        "Something went wrong on our side. It has been recorded.",
        "Try again later. Anything you had saved before this page is still saved.",
    )
    context = {"error": page, "page_title": page.heading}
    try:
        return HttpResponseServerError(render_to_string(TEMPLATE, context, request))
    except Exception:  # noqa: BLE001 - the error page must always answer
        log.exception("The error page could not use the full layout")
    try:
        return HttpResponseServerError(render_to_string(TEMPLATE, context))
    except Exception:  # noqa: BLE001
        log.exception("The error page could not be drawn")
        return HttpResponseServerError(
            page.heading + ". " + page.advice, content_type="text/plain; charset=utf-8"
        )
