"""A commissioner's watchlist: upload, statuses, what changed, export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from dspt.core.dates import today
from dspt.monitoring.access import require_commissioner
from dspt.monitoring.models import AlertKind
from dspt.monitoring.views.common import as_of_from, download, page, wants_download
from dspt.monitoring.views.nav import subnav
from dspt.monitoring.watchlist import (
    UploadError,
    entries_with_status,
    mark_seen,
    read_identifiers,
    replace_watchlist,
    resolve,
)
from dspt.notifications.selectors import notifications_for
from dspt.organisations.models import Organisation

MAX_UPLOAD = 5 * 1024 * 1024
EXPORT_COLUMNS = [
    ("cqc_location_id", "CQC location ID", "text"),
    ("ods_code", "ODS code", "text"),
    ("name", "Location", "text"),
    ("provider", "Provider", "text"),
    ("postcode", "Postcode", "text"),
    ("local_authority", "Local authority", "text"),
    ("status_label", "DSPT status", "text"),
    ("compliant", "Compliant", "text"),
    ("edition", "Edition", "text"),
    ("published_on", "Published on", "text"),
    ("valid_until", "Valid until", "text"),
    ("covered_by", "Covered by head office", "text"),
    ("seen_label", "Status when last seen", "text"),
    ("seen_on", "Last seen on", "text"),
    ("change", "Change since last seen", "text"),
]


def _commissioner(request) -> tuple:
    remit = require_commissioner(request.user)
    return remit, get_object_or_404(Organisation, id=remit.commissioner_id)


@login_required
def watchlist(request):
    remit, org = _commissioner(request)
    # Any date (a contract's or a grant's); the default is today.
    on, error = as_of_from(request)
    rows = entries_with_status(org, on)
    fmt = wants_download(request)
    if fmt:
        return download(rows, EXPORT_COLUMNS, f"watchlist-{on.isoformat()}", fmt)
    changed = sum(r["changed"] == "Yes" for r in rows)
    compliant = sum(r["compliant"] == "Yes" for r in rows)
    return page(
        request,
        "monitoring/watchlist.jinja",
        {
            "page_title": "Your watchlist",
            "subnav": subnav(remit),
            "current": "Watchlist",
            "org": org,
            "rows": rows,
            "on": on,
            "as_of": on,
            "error": error,
            "is_today": on == today(),
            "changed": changed,
            "compliant": compliant,
            "unread": notifications_for(request.user, unread_only=True)
            .filter(kind__in=AlertKind.values)
            .count(),
        },
    )


@login_required
def upload(request):
    remit, org = _commissioner(request)
    problems: list[str] = []
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            problems = ["Choose a file to upload."]
        elif f.size > MAX_UPLOAD:
            problems = ["The file is larger than 5 MB."]
        else:
            try:
                located = resolve(read_identifiers(f.name, f.read()))
                if not located:
                    raise UploadError(["The file lists no locations."])
                result = replace_watchlist(
                    org, located, by=request.user, on=today(), request=request
                )
            except UploadError as exc:
                problems = exc.problems
            else:
                messages.success(
                    request,
                    f"Watchlist updated: {result.added} added, {result.kept} kept, "
                    f"{result.removed} removed.",
                )
                return redirect("monitoring:watchlist")
    return page(
        request,
        "monitoring/watchlist_upload.jinja",
        {
            "page_title": "Upload the providers you commission",
            "subnav": subnav(remit),
            "current": "Watchlist",
            "problems": problems,
            "back_link": {"href": "/monitoring/watchlist/", "text": "Back to your watchlist"},
        },
        status=400 if problems else 200,
    )


@login_required
@require_POST
def seen(request):
    _remit, org = _commissioner(request)
    n = mark_seen(org, today(), by=request.user, request=request)
    messages.success(request, f"Today's statuses of {n} locations are now your baseline.")
    return redirect("monitoring:watchlist")


@login_required
def notifications(request):
    """Old address of the alerts page: alerts are now on the one notifications page."""
    return redirect("notifications:inbox", permanent=True)
