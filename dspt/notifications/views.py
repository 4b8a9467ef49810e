"""A person's notifications: one page, mark one or all as read."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from dspt.notifications import services
from dspt.notifications.selectors import notifications_for


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    notes = list(notifications_for(request.user)[:200])
    return render(
        request,
        "notifications/list.jinja",
        {
            "page_title": "Your notifications",
            "notes": notes,
            "unread": sum(not n.is_read for n in notes),
        },
    )


@login_required
@require_POST
def read(request: HttpRequest, note_id: int | None = None) -> HttpResponse:
    # Only the person's own rows are touched: another person's id matches nothing.
    services.mark_read(request.user, note_id)
    return redirect("notifications:inbox")
