"""Client-level data pages. Thin: selectors decide what a person sees, services do the writing."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from dspt.cld import conf, presenters, selectors, services
from dspt.cld.forms import (
    STEP_LABELS,
    AgreementForm,
    ChooseAgreementForm,
    ParticipationForm,
    UploadForm,
)
from dspt.cld.models import DataSharingAgreement, Participation, Submission
from dspt.cld.spec import DEFAULT_VERSION, available_versions, load_spec
from dspt.cld.uploads import LandingZoneUploadHandler
from dspt.core.dates import today
from dspt.organisations.models import Organisation, OrgType


def _processor_only(request) -> None:
    if not selectors.is_processor(request.user):
        raise PermissionDenied


def _file(path: str, filename: str, content_type: str) -> FileResponse:
    if not path or not Path(path).is_file():
        raise Http404
    return FileResponse(
        open(path, "rb"), as_attachment=True, filename=filename, content_type=content_type
    )  # noqa: SIM115


@login_required
def home(request):
    user = request.user
    return render(
        request,
        "cld/home.jinja",
        {
            "page_title": "Client-level data",
            "submissions": selectors.submissions_for(user)[:50],
            "can_upload": selectors.la_organisations_for(user).exists(),
            "is_processor": selectors.is_processor(user),
            "releases": selectors.releases_for(user).filter(refused_reason="")[:50],
        },
    )


def _upload_organisations(user):
    return selectors.la_organisations_for(user).filter(
        memberships__user=user, memberships__role__in=("admin", "member")
    )


@csrf_exempt  # checked by csrf_protect below, once our upload handler is in place
@login_required
def upload(request):
    if not _upload_organisations(request.user).exists():
        raise PermissionDenied
    if request.method == "POST":
        # Refuse an oversized upload before Django reads the body.
        limit = int(conf.get("DSPT_CLD_MAX_UPLOAD_BYTES"))
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit + 1024 * 1024:
            return HttpResponse(f"The file is larger than the {limit:,}-byte limit.", status=413)
    # The body is parsed only after this (the CSRF check is what first reads it), so the file is
    # written once, straight into the processing zone; whatever is not accepted is deleted.
    handler = LandingZoneUploadHandler(request)
    request.upload_handlers = [handler]
    try:
        return _upload(request, handler)
    finally:
        handler.discard_all()


@csrf_protect
def _upload(request, handler: LandingZoneUploadHandler):
    organisations = _upload_organisations(request.user)
    form = UploadForm(organisations=organisations)
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, organisations=organisations)
        if handler.too_large:
            form.add_error("file", f"The file is larger than the {handler.limit:,}-byte limit.")
            status = 413
        if form.is_valid():
            try:
                sub = services.receive_upload(
                    user=request.user,
                    organisation=form.cleaned_data["organisation"],
                    period=form.cleaned_data["period"],
                    upload=form.cleaned_data["file"],
                    original_name=form.cleaned_data["file"].name,
                    spec_version=form.cleaned_data["spec_version"],
                    request=request,
                )
            except services.CldError as exc:
                raise PermissionDenied(str(exc)) from exc
            return redirect("cld:submission", pk=sub.pk)
    return render(
        request,
        "cld/upload.jinja",
        {
            "page_title": "Send an extract",
            "form": form,
            "specifications": [
                (v, presenters.version_label(v)) for v in reversed(available_versions())
            ],
            "back_link": {"href": "/cld/"},
        },
        status=status,
    )


@login_required
def specification(request, version: str = ""):
    """A release of the extract specification: the header row and what each column holds."""
    versions = available_versions()
    version = version or (versions[-1] if versions else DEFAULT_VERSION)
    if version not in versions:
        raise Http404(f"There is no specification {version}.")
    spec = load_spec(version)
    return render(
        request,
        "cld/specification.jinja",
        {
            "page_title": spec.title,
            "spec": spec,
            "header_row": ",".join(spec.header),
            "rows": presenters.field_rows(spec),
            "others": [(v, presenters.version_label(v)) for v in versions if v != version],
            "back_link": {"href": "/cld/upload/", "text": "Back to sending an extract"},
        },
    )


@login_required
def submission(request, pk: int):
    sub = get_object_or_404(selectors.submissions_for(request.user), pk=pk)
    report = sub.report or {}
    return render(
        request,
        "cld/submission.jinja",
        {
            "page_title": f"Extract {sub.original_name}",
            "sub": sub,
            "report": report,
            "summary": sorted((report.get("summary") or {}).items()),
            "actions": report.get("actions") or {},
            "is_processor": selectors.is_processor(request.user),
            "back_link": {"href": "/cld/"},
        },
    )


@login_required
def submission_progress(request, pk: int):
    """The state and percentage, for the page's script to follow a check without reloading."""
    sub = get_object_or_404(selectors.submissions_for(request.user), pk=pk)
    return JsonResponse(
        {
            "state": sub.state,
            "state_label": sub.get_state_display(),
            "in_progress": sub.in_progress,
            "progress": sub.progress,
            "label": sub.progress_label,
        },
        headers={"Cache-Control": "no-store"},
    )


@login_required
def submission_errors(request, pk: int):
    sub = get_object_or_404(selectors.submissions_for(request.user), pk=pk)
    return _file(sub.errors_path, f"errors-{sub.pk}.csv", "text/csv")


@login_required
def submission_trace_results(request, pk: int):
    sub = get_object_or_404(selectors.submissions_for(request.user), pk=pk)
    return _file(sub.trace_results_path, f"trace-results-{sub.pk}.csv", "text/csv")


@login_required
@require_POST
def submission_process(request, pk: int):
    _processor_only(request)
    sub = get_object_or_404(selectors.submissions_for(request.user), pk=pk)
    try:
        sub = services.process_submission(sub, user=request.user, request=request)
    except services.CldError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(
            request,
            sub.get_state_display() + (f": {sub.state_message}" if sub.state_message else ""),
        )
    return redirect("cld:submission", pk=pk)


@login_required
def timetable(request):
    rows = selectors.timetable(request.user, today())
    if (
        not rows
        and not selectors.is_processor(request.user)
        and not selectors.la_organisations_for(request.user).exists()
    ):
        raise PermissionDenied
    return render(
        request,
        "cld/timetable.jinja",
        {"page_title": "Submission timetable", "rows": rows, "back_link": {"href": "/cld/"}},
    )


@login_required
def centre(request):
    _processor_only(request)
    return render(
        request,
        "cld/centre.jinja",
        {
            "page_title": "Processing centre",
            "rates": selectors.trace_rates(request.user),
            "agreements": selectors.agreements_for(request.user),
            "releases": selectors.releases_for(request.user)[:50],
            "participation": Participation.objects.select_related("local_authority").order_by(
                "local_authority__name"
            ),
            "onboarding_steps": Participation.STEPS,
            "agreement_form": AgreementForm(),
            "choose_agreement": ChooseAgreementForm(),
            "back_link": {"href": "/cld/"},
        },
    )


@login_required
def participation(request):
    _processor_only(request)
    rows = selectors.participation(request.user)
    return render(
        request,
        "cld/participation.jinja",
        {
            "page_title": "Participation",
            "rows": rows,
            "steps": Participation.STEPS,
            "step_labels": STEP_LABELS,
            "taking_part": sum(1 for _, p in rows if p and p.notice_served_on),
            # Each authority's latest notice (the list is newest first, so the first one wins).
            "latest_notice": {
                n.local_authority_id: n for n in reversed(list(selectors.notices_for(request.user)))
            },
            "back_link": {"href": "/cld/centre/"},
        },
    )


@login_required
def participation_edit(request, pk: int):
    _processor_only(request)
    la = get_object_or_404(Organisation, pk=pk, org_type=OrgType.LOCAL_AUTHORITY)
    current = Participation.objects.filter(local_authority=la).first()
    form = ParticipationForm(initial=ParticipationForm.initial_for(current))
    if request.method == "POST":
        form = ParticipationForm(request.POST)
        if form.is_valid():
            services.set_participation(
                user=request.user,
                local_authority=la,
                notice_served_on=form.cleaned_data["notice_served_on"],
                early_adopter=form.cleaned_data["early_adopter"],
                onboarding=form.onboarding(),
                request=request,
            )
            messages.info(request, f"Participation of {la.name} saved.")
            return redirect("cld:participation")
    return render(
        request,
        "cld/participation_edit.jinja",
        {
            "page_title": f"Participation of {la.name}",
            "la": la,
            "form": form,
            "step_fields": [form[f"step_{s}"] for s in Participation.STEPS],
            "back_link": {"href": "/cld/centre/participation/"},
        },
    )


@login_required
@require_POST
def agreement_create(request):
    _processor_only(request)
    form = AgreementForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "The agreement was not saved: "
            + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
        )
        return redirect("cld:centre")
    services.create_agreement(user=request.user, request=request, **form.cleaned_data)
    messages.info(request, "Agreement saved.")
    return redirect("cld:centre")


@login_required
@require_POST
def agreement_toggle(request, pk: int):
    _processor_only(request)
    dsa = get_object_or_404(DataSharingAgreement, pk=pk)
    services.set_agreement_active(dsa, not dsa.active, user=request.user, request=request)
    return redirect("cld:centre")


__all__ = ["Submission"]
