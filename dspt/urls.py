"""URL map: one include per domain app, the API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path

from dspt.api.api import api
from dspt.monitoring.views.breakdown import public_breakdowns

urlpatterns = [
    path("", include("dspt.statuses.urls")),
    path("accounts/", include("dspt.accounts.urls")),
    path("home/", include("dspt.home.urls")),
    path("organisations/", include("dspt.organisations.urls")),
    path("assessments/", include("dspt.assessments.urls")),
    path("frameworks/", include("dspt.frameworks.urls")),
    path("plans/", include("dspt.improvement_plans.urls")),
    path("assurance/", include("dspt.assurance.urls")),
    path("monitoring/", include("dspt.monitoring.urls")),
    path("compliance/", public_breakdowns, name="public_figures"),
    path("support/", include("dspt.support.urls")),
    path("cld/", include("dspt.cld.urls")),
    path("access/", include("dspt.access.urls")),
    path("notifications/", include("dspt.notifications.urls")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]

# Error pages in the NHS layout, with the reason and a way on (dspt/core/errors.py).
handler400 = "dspt.core.errors.bad_request"
handler403 = "dspt.core.errors.permission_denied"
handler404 = "dspt.core.errors.page_not_found"
handler500 = "dspt.core.errors.server_error"
