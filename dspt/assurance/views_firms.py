"""`/assurance/firms/`: platform admins keep the audit firms and their assessors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from dspt.assurance import firms
from dspt.assurance.models import Assessor, AuditFirm


@login_required
@require_http_methods(["GET", "POST"])
def page(request) -> HttpResponse:
    if not firms.may_keep_firms(request.user):
        raise PermissionDenied("Only platform admins keep the list of audit firms.")
    error, field = "", ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add_firm":
                field = "name"
                firm = firms.firm_create(
                    name=request.POST.get("name", ""), by=request.user, request=request
                )
                messages.success(request, f"{firm.name} added.")
            elif action == "add_assessor":
                firm = get_object_or_404(AuditFirm, pk=request.POST.get("firm") or 0)
                field = f"email-{firm.pk}"
                a = firms.assessor_add(
                    firm=firm, email=request.POST.get("email", ""), by=request.user, request=request
                )
                messages.success(request, f"{a.user.email} now assesses for {firm.name}.")
            elif action == "remove_assessor":
                assessor = get_object_or_404(Assessor, pk=request.POST.get("assessor") or 0)
                firms.assessor_remove(assessor=assessor, by=request.user, request=request)
                messages.success(request, f"{assessor.user.email} no longer assesses.")
            else:
                raise firms.FirmRefused("Choose what to do.")
            return redirect("assurance:firms")
        except firms.FirmRefused as exc:
            error = str(exc)
    listed = AuditFirm.objects.prefetch_related("assessors__user").order_by("name")
    return render(
        request,
        "assurance/firms.jinja",
        {
            "page_title": "Audit firms",
            "firms": listed,
            "error": error,
            "field": field,
            "posted": request.POST if request.method == "POST" else {},
        },
        status=400 if error else 200,
    )
