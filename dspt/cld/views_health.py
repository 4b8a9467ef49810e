"""Health dataset and data provision notice pages: the processing centre loads health datasets
and sees their checks and linkage, and records notices; an authority sees its own notices."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from dspt.cld import selectors, services
from dspt.cld.forms_health import HealthLoadForm, NoticeForm
from dspt.cld.health import load_health_spec
from dspt.cld.models import ProvisionNotice
from dspt.organisations.models import Organisation, OrgType


def _processor_only(request) -> None:
    if not selectors.is_processor(request.user):
        raise PermissionDenied


@login_required
def health_datasets(request):
    """The health datasets loaded, and a form to load another."""
    _processor_only(request)
    form = HealthLoadForm()
    if request.method == "POST":
        form = HealthLoadForm(request.POST, request.FILES)
        if form.is_valid():
            ds = services.health_dataset_load(
                user=request.user,
                code=form.cleaned_data["code"],
                upload=form.cleaned_data["file"],
                original_name=form.cleaned_data["file"].name,
                request=request,
            )
            return redirect("cld:health_dataset", pk=ds.pk)
    return render(
        request,
        "cld/health_datasets.jinja",
        {
            "page_title": "Health datasets",
            "form": form,
            "datasets": selectors.health_datasets_for(request.user)[:100],
            "back_link": {"href": "/cld/centre/"},
        },
        status=400 if form.errors else 200,
    )


@login_required
def health_dataset(request, pk: int):
    """One load: its checks, and how its people link with social care extracts."""
    ds = get_object_or_404(selectors.health_datasets_for(request.user), pk=pk)
    report = ds.report or {}
    return render(
        request,
        "cld/health_dataset.jinja",
        {
            "page_title": f"{ds.title}: {ds.original_name}",
            "ds": ds,
            "spec": load_health_spec(ds.code),
            "report": report,
            "summary": sorted((report.get("summary") or {}).items()),
            "back_link": {"href": "/cld/centre/health/"},
        },
    )


@login_required
def health_dataset_errors(request, pk: int):
    ds = get_object_or_404(selectors.health_datasets_for(request.user), pk=pk)
    if not ds.errors_path or not Path(ds.errors_path).is_file():
        raise Http404
    return FileResponse(
        open(ds.errors_path, "rb"),  # noqa: SIM115 - closed by the response
        as_attachment=True,
        filename=f"health-errors-{ds.pk}.csv",
        content_type="text/csv",
    )


@login_required
def notices(request):
    """Notices served: every authority's (processing centre) or your own authority's."""
    visible = selectors.notices_for(request.user)
    if (
        not selectors.is_processor(request.user)
        and not selectors.la_organisations_for(request.user).exists()
    ):
        raise PermissionDenied
    return render(
        request,
        "cld/notices.jinja",
        {
            "page_title": "Data provision notices",
            "notices": visible.order_by("local_authority__name", "-served_on"),
            "is_processor": selectors.is_processor(request.user),
            "back_link": {"href": "/cld/"},
        },
    )


def _notice_page(request, form, la, notice, status=200):
    return render(
        request,
        "cld/notice_edit.jinja",
        {
            "page_title": f"Data provision notice to {la.name}",
            "form": form,
            "la": la,
            "notice": notice,
            "back_link": {"href": "/cld/centre/participation/"},
        },
        status=status,
    )


def _save_notice(request, form, la, notice):
    try:
        services.notice_record(
            user=request.user,
            local_authority=la,
            notice=notice,
            document=form.cleaned_data["document"],
            **{k: form.cleaned_data[k] for k in NoticeForm.base_fields if k != "document"},
            request=request,
        )
    except services.CldError as exc:
        form.add_error("document" if "PDF" in str(exc) else None, str(exc))
        return None
    messages.info(request, f"Notice {form.cleaned_data['reference']} to {la.name} saved.")
    return redirect("cld:notices")


@login_required
def notice_new(request, la_pk: int):
    _processor_only(request)
    la = get_object_or_404(Organisation, pk=la_pk, org_type=OrgType.LOCAL_AUTHORITY)
    form = NoticeForm()
    if request.method == "POST":
        form = NoticeForm(request.POST, request.FILES)
        if form.is_valid() and (done := _save_notice(request, form, la, None)):
            return done
        return _notice_page(request, form, la, None, status=400)
    return _notice_page(request, form, la, None)


@login_required
def notice_edit(request, pk: int):
    _processor_only(request)
    notice = get_object_or_404(ProvisionNotice.objects.select_related("local_authority"), pk=pk)
    la = notice.local_authority
    fields = ("reference", "served_on", "mandates_from", "mandates_until", "mandates")
    form = NoticeForm(initial={f: getattr(notice, f) for f in fields})
    if request.method == "POST":
        form = NoticeForm(request.POST, request.FILES)
        if form.is_valid() and (done := _save_notice(request, form, la, notice)):
            return done
        return _notice_page(request, form, la, notice, status=400)
    return _notice_page(request, form, la, notice)


@login_required
def notice_document(request, pk: int):
    # Scoped first: another authority's notice is not found at all.
    notice = get_object_or_404(selectors.notices_for(request.user), pk=pk)
    try:
        path = services.notice_document_read(user=request.user, notice=notice, request=request)
    except services.CldError as exc:
        raise Http404(str(exc)) from exc
    return FileResponse(
        open(path, "rb"),  # noqa: SIM115 - closed by the response
        as_attachment=True,
        filename=notice.document_name or f"notice-{notice.pk}.pdf",
        content_type="application/pdf",
    )
