"""The page a person lands on after signing in.

Staff (reviewers, the programme, the processing centre, LSO staff, commissioners, platform
admins) see their work: queue counts, alerts, the latest figures and what is due. Everyone
else belongs to organisations, whose page (/organisations/) is their home.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from dspt.core.dates import today
from dspt.home.panels import panels_for


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in person's work, or their organisations if they have no staff role."""
    user = request.user
    if not user.oversight_role and not user.is_superuser:
        return redirect("organisations:home")
    memberships = user.memberships.select_related("organisation").order_by("organisation__name")
    return render(
        request,
        "home/home.jinja",
        {
            "page_title": "Your work",
            "role": user.get_oversight_role_display(),
            "panels": panels_for(user, today()),
            "memberships": memberships,
        },
    )
