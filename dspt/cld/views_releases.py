"""Release pages: the processing centre chooses an agreement, its extracts and the aggregate
tables; recipients see their releases and download the files, each download checked again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dspt.cld import selectors, services
from dspt.cld.forms import ChooseAgreementForm, ReleaseForm
from dspt.cld.models import DataSharingAgreement
from dspt.core.dates import today


def _processor_only(request) -> None:
    if not selectors.is_processor(request.user):
        raise PermissionDenied


def _agreement(value) -> DataSharingAgreement | None:
    """The agreement a form names, or None for nothing or nonsense (the form then says so)."""
    try:
        return DataSharingAgreement.objects.select_related("recipient").get(pk=int(value))
    except (TypeError, ValueError, DataSharingAgreement.DoesNotExist):
        return None


def _form_page(request, choose: ChooseAgreementForm, form: ReleaseForm | None, dsa, status=200):
    return render(
        request,
        "cld/release_new.jinja",
        {
            "page_title": "Release extracts",
            "choose": choose,
            "form": form,
            "dsa": dsa,
            "tables": form.aggregates.tables if form else [],
            "back_link": {"href": "/cld/centre/"},
        },
        status=status,
    )


@login_required
def release_new(request):
    """Step one (no agreement yet) and step two (the agreement's extracts and the tables)."""
    _processor_only(request)
    dsa = _agreement(request.GET.get("agreement"))
    choose = ChooseAgreementForm(initial={"agreement": dsa.pk} if dsa else None)
    form = ReleaseForm(agreement=dsa) if dsa else None
    return _form_page(request, choose, form, dsa)


@login_required
@require_POST
def release_create(request):
    _processor_only(request)
    dsa = _agreement(request.POST.get("agreement"))
    form = ReleaseForm(request.POST, agreement=dsa)
    if dsa is None:
        choose = ChooseAgreementForm(request.POST)
        choose.is_valid()  # for its error message
        return _form_page(request, choose, None, None, status=400)
    if not form.is_valid():
        choose = ChooseAgreementForm(initial={"agreement": dsa.pk})
        return _form_page(request, choose, form, dsa, status=400)
    try:
        rel = services.release(
            submissions=form.chosen_submissions(),
            dsa=dsa,
            tables=form.cleaned_data["tables"],
            health_dataset=form.cleaned_data.get("health_dataset"),
            user=request.user,
            on=today(),
            request=request,
        )
    except services.CldError as exc:
        messages.error(request, str(exc))
        return redirect("cld:centre")
    if rel.refused:
        messages.error(request, f"Release refused: {rel.refused_reason}")
    elif rel.preparing:
        messages.info(
            request,
            f"Release {rel.pk} to {rel.recipient.name} passed its checks and is being prepared "
            "in the background; its page shows when the files are ready.",
        )
        return redirect("cld:release", rel.pk)
    elif rel.state == rel.State.FAILED:
        messages.error(request, f"Release {rel.pk} could not be prepared: {rel.state_message}")
    else:
        linked = ""
        if rel.health_dataset_id:
            people = rel.linkage.get("people_rate", 0)
            linked = (
                f" Linked with {rel.health_dataset.title.lower()}: {rel.health_rows:,} events; "
                f"{people:.1%} of the people have at least one."
            )
        messages.info(
            request,
            f"Released {rel.rows:,} rows from {rel.submissions.count()} extract(s) and "
            f"{len(rel.tables)} aggregate table(s) to {rel.recipient.name}.{linked}",
        )
    return redirect("cld:centre")


@login_required
def releases(request):
    return render(
        request,
        "cld/releases.jinja",
        {
            "page_title": "Extracts released to you",
            "releases": selectors.releases_for(request.user).filter(refused_reason=""),
            "back_link": {"href": "/cld/"},
        },
    )


@login_required
def release_detail(request, pk: int):
    rel = get_object_or_404(selectors.releases_for(request.user), pk=pk)
    return render(
        request,
        "cld/release.jinja",
        {
            "page_title": f"Release {rel.pk}",
            "rel": rel,
            "extracts": sorted(rel.submissions.all(), key=lambda s: (s.organisation.name, s.pk)),
            "can_download": selectors.can_download(request.user, rel),
            "back_link": {
                "href": "/cld/centre/" if selectors.is_processor(request.user) else "/cld/releases/"
            },
        },
    )


@login_required
def release_download(request, pk: int, what: str):
    # Scoped first: another organisation's release, or a refused one, is not found at all.
    rel = get_object_or_404(selectors.releases_for(request.user), pk=pk)
    target = selectors.release_file(rel, what)
    if target is None:
        raise Http404
    reason = services.authorise_download(
        rel, user=request.user, on=today(), what=what, request=request
    )
    if reason:
        return render(
            request,
            "cld/refused.jinja",
            {"page_title": "Download refused", "reason": reason},
            status=403,
        )
    if not target.path.is_file():
        raise Http404
    return FileResponse(
        open(target.path, "rb"),  # noqa: SIM115 - closed by the response
        as_attachment=True,
        filename=target.filename,
        content_type=target.content_type,
    )
