"""Assessment pages: organisation profile, action plan, documents, publishing and its result."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dspt.assessments import selectors, services
from dspt.assessments.access import can_edit, editable_organisation, visible_organisation
from dspt.assessments.documents import ACCEPT_ATTRIBUTE, ACTION_PLAN, ALLOWED_DESCRIPTION
from dspt.assessments.editions import edition_of, is_caf
from dspt.assessments.forms import ProfileForm, covers_from_post, version_from_post
from dspt.assessments.models import EvidenceDocument
from dspt.statuses.compute import RANK, UNLOCK_LABELS
from dspt.statuses.selectors import status_of


def _current_or_redirect(request, org):
    assessment = selectors.current_assessment(org)
    if assessment is None:
        messages.info(request, "Start the assessment first.")
    elif is_caf(assessment):
        return None  # served by the CAF pages (views_caf); the overview sends people there
    return assessment


def _overview(org):
    return redirect("assessments:overview", org.ods_code)


def _back(org) -> dict:
    return {
        "href": reverse("assessments:overview", args=[org.ods_code]),
        "text": "Back to the assessment",
    }


@login_required
@require_http_methods(["GET", "POST"])
def profile(request, ods_code: str) -> HttpResponse:
    """The organisation profile: named roles, NHSmail, Cyber Essentials Plus."""
    org = visible_organisation(request, ods_code)
    assessment = _current_or_redirect(request, org)
    if assessment is None:
        return _overview(org)
    form = ProfileForm.from_assessment(assessment)
    status = 200
    if request.method == "POST":
        editable_organisation(request, ods_code)
        form = ProfileForm.from_post(request.POST)
        if not form.errors:
            try:
                services.update_profile(
                    assessment,
                    request.user,
                    **form.values,
                    expected_version=version_from_post(request.POST),
                    request=request,
                )
            except services.AssessmentError as exc:
                form.errors["profile"] = str(exc)
            else:
                messages.success(request, "Organisation profile saved.")
                return _overview(org)
        status = 400
    return render(
        request,
        "assessments/profile.jinja",
        {
            "page_title": f"Organisation profile – {org.name}",
            "back_link": _back(org),
            "org": org,
            "assessment": assessment,
            "form": form,
            "editable": can_edit(request, org),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_plan(request, ods_code: str) -> HttpResponse:
    """The social care action plan document that Approaching Standards needs."""
    org = visible_organisation(request, ods_code)
    assessment = _current_or_redirect(request, org)
    if assessment is None:
        return _overview(org)
    error, status = "", 200
    if request.method == "POST":
        editable_organisation(request, ods_code)
        upload = request.FILES.get("file")
        if upload is None:
            error = "Choose a file to upload."
        else:
            try:
                services.attach_document(
                    assessment, ACTION_PLAN, upload, request.user, request=request
                )
            except services.AssessmentError as exc:
                error = str(exc)
            else:
                messages.success(request, "Action plan uploaded.")
                return redirect("assessments:action_plan", org.ods_code)
        status = 400
    return render(
        request,
        "assessments/action_plan.jinja",
        {
            "page_title": f"Action plan – {org.name}",
            "back_link": _back(org),
            "org": org,
            "assessment": assessment,
            "documents": assessment.documents.filter(item_id=ACTION_PLAN).order_by("uploaded_at"),
            "error": error,
            "editable": can_edit(request, org),
            "accept": ACCEPT_ATTRIBUTE,
            "allowed_description": ALLOWED_DESCRIPTION,
        },
        status=status,
    )


def _document(org, document_id: int) -> EvidenceDocument:
    return get_object_or_404(
        EvidenceDocument.objects.select_related("assessment"),
        pk=document_id,
        assessment__organisation=org,
    )


@login_required
def document(request, ods_code: str, document_id: int) -> FileResponse:
    """Download an evidence document: only for people who may read the assessment."""
    org = visible_organisation(request, ods_code)
    doc = _document(org, document_id)
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=doc.original_name, content_type=doc.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def remove_document(request, ods_code: str, document_id: int) -> HttpResponse:
    """Confirm, then remove, an evidence document."""
    org = editable_organisation(request, ods_code)
    doc = _document(org, document_id)
    assessment = doc.assessment
    if doc.item_id == ACTION_PLAN:
        back = reverse("assessments:action_plan", args=[org.ods_code])
    elif is_caf(assessment):
        back = reverse("assessments:caf_outcome", args=[org.ods_code, doc.item_id])
    else:
        edition = edition_of(assessment)
        number = edition.item(doc.item_id).standard if edition.has_item(doc.item_id) else None
        back = (
            reverse("assessments:standard", args=[org.ods_code, number])
            if number is not None
            else reverse("assessments:overview", args=[org.ods_code])
        )
    if request.method == "POST":
        try:
            services.remove_document(assessment, doc, request.user, request=request)
        except services.AssessmentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Removed {doc.original_name}.")
        return redirect(back)
    return render(
        request,
        "assessments/remove_document.jinja",
        {
            "page_title": "Remove a document",
            "back_link": {"href": back, "text": "Back"},
            "org": org,
            "document": doc,
            "cancel": back,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, ods_code: str) -> HttpResponse:
    """Say exactly what publishing would give and why, then publish on confirmation."""
    org = visible_organisation(request, ods_code)
    assessment = _current_or_redirect(request, org)
    if assessment is None:
        return _overview(org)
    error, chosen, status = "", None, 200
    if request.method == "POST":
        editable_organisation(request, ods_code)
        chosen = covers_from_post(request.POST)
        try:
            services.publish(
                assessment,
                request.user,
                covers=chosen,
                expected_version=version_from_post(request.POST),
                request=request,
            )
        except services.AssessmentError as exc:
            error, status = str(exc), 409 if isinstance(exc, services.StaleVersion) else 400
            assessment.refresh_from_db()
        else:
            return redirect("assessments:published", org.ods_code)
    ev = selectors.progress(assessment)
    latest = selectors.latest_publication(assessment)
    sites = list(services.coverable_sites(org))
    current = status_of(org)
    if chosen is None:
        chosen = (
            [s.ods_code for s in latest.covers.all()] if latest else [s.ods_code for s in sites]
        )
    return render(
        request,
        "assessments/publish.jinja",
        {
            "page_title": f"Publish your assessment – {org.name}",
            "back_link": _back(org),
            "org": org,
            "assessment": assessment,
            "ev": ev,
            "status": current,
            # Publishing always replaces the current status: warn when that is a step down.
            "lowering": current.compliant and RANK[ev.would_publish_as.value] < current.rank,
            "sites": sites,
            "chosen": set(chosen),
            "error": error,
            "editable": can_edit(request, org),
            "plans_url": f"/plans/{org.ods_code}/",
        },
        status=status,
    )


@login_required
def published(request, ods_code: str) -> HttpResponse:
    """After publishing: the status, what it unlocks and until when it is valid."""
    org = visible_organisation(request, ods_code)
    assessment = selectors.current_assessment(org)
    latest = selectors.latest_publication(assessment) if assessment else None
    if latest is None:
        return _overview(org)
    status = status_of(org)
    return render(
        request,
        "assessments/published.jinja",
        {
            "page_title": f"Published – {org.name}",
            "org": org,
            "publication": latest,
            "status": status,
            "unlocks": [UNLOCK_LABELS[u] for u in status.unlocks],
            "covers": list(latest.covers.all()),
            "plans_url": f"/plans/{org.ods_code}/",
        },
    )
