"""The national team's deadlines page: see each edition's deadline and move one."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dspt.core.dates import today
from dspt.frameworks import services


@login_required
@require_http_methods(["GET", "POST"])
def deadlines(request: HttpRequest) -> HttpResponse:
    """Every recent edition's deadline (shipped or moved); the form moves or restores one."""
    # 404 rather than 403, as for other staff-only pages.
    if not services.may_move_deadlines(request.user):
        raise Http404("Not found.")
    error, values = None, {}
    if request.method == "POST":
        values = request.POST
        edition = values.get("edition", "")
        restore = values.get("action") == "restore"
        try:
            new = None if restore else _date(values)
            applied = services.move_deadline(
                edition=edition,
                deadline=new,
                reason=values.get("reason", ""),
                by=request.user,
                request=request,
            )
        except services.DeadlineRefused as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                f"The {edition} deadline is now {applied.day} {applied:%B %Y}. Every status "
                "that depends on it has changed with it.",
            )
            return redirect("frameworks:deadlines")
    return render(
        request,
        "frameworks/deadlines.jinja",
        {
            "rows": services.edition_deadlines(today()),
            "error": error,
            "values": values,
            "page_title": "Publication deadlines",
        },
        status=400 if error else 200,
    )


def _date(values) -> date:
    """The new deadline from the day, month and year boxes."""
    try:
        return date(
            int(values.get("deadline[year]", "")),
            int(values.get("deadline[month]", "")),
            int(values.get("deadline[day]", "")),
        )
    except ValueError:
        raise services.DeadlineRefused(
            "Enter the new deadline as a real date, for example 31 7 2026."
        ) from None
