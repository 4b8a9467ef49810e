"""The organisation's side: see the plan, download the template, upload or fill it in, work it.

A plan the signed-in person may not see is a 404, so nobody learns another organisation has one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dspt.assessments.models import Assessment
from dspt.core.dates import today
from dspt.improvement_plans import access, services
from dspt.improvement_plans.chasing import next_round
from dspt.improvement_plans.columns import COLUMNS, KEYS, display_row, example_date
from dspt.improvement_plans.models import ACCEPTED_STATES, ImprovementPlan, PlanState
from dspt.improvement_plans.selectors import effective_state, no_plan_route
from dspt.improvement_plans.sources import EditionUnavailable, action_plan_items, plan_items_for
from dspt.improvement_plans.template import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    date_rule,
    plan_csv,
    plan_xlsx,
    prefilled_rows,
)
from dspt.improvement_plans.upload import max_upload_bytes
from dspt.organisations.models import Organisation

EXTRA_FORM_ROWS = 3


def _org(request: HttpRequest, ods_code: str) -> Organisation:
    return get_object_or_404(Organisation.objects.visible_to(request.user), ods_code=ods_code)


def _plan(request: HttpRequest, ods_code: str) -> tuple[Organisation, ImprovementPlan]:
    org = _org(request, ods_code)
    plan = services.plan_for_org(org, request.user)
    if plan is None:
        raise Http404("This organisation has no improvement plan.")
    return org, plan


def _page(request, org, plan, *, errors=None, warnings=None, status=200) -> HttpResponse:
    state = effective_state(plan) if plan else None
    items = plan_items_for(plan.publication) if plan else []
    versions = list(plan.versions.order_by("-number")) if plan else []
    rules = services.check_rules(plan) if plan else None
    ctx = {
        "page_title": f"Improvement plan – {org.name}",
        "org": org,
        "plan": plan,
        "state": state,
        "state_label": PlanState(state).label if state else "",
        "items": items,
        "rows": plan.rows if plan else [],
        "columns": COLUMNS,
        "versions": versions,
        # The reviewer's criteria the latest version falls short of, while it waits for review.
        "version_warnings": versions[0].warnings
        if versions and state == PlanState.AWAITING_REVIEW
        else [],
        "date_rule": date_rule(rules.today, rules.valid_until) if rules else "",
        "decisions": list(plan.decisions.order_by("-decided_at")) if plan else [],
        "updates": list(plan.updates.order_by("-submitted_at")) if plan else [],
        "open_requests": list(plan.requests.filter(answered_by__isnull=True)) if plan else [],
        "can_edit": bool(plan) and access.can_edit(request.user, plan),
        "accepted": bool(plan) and state in ACCEPTED_STATES,
        "submittable": bool(plan) and state in services.SUBMITTABLE,
        "errors": errors or [],
        "warnings": warnings or [],
        "max_kb": max_upload_bytes() // 1024,
        "next_round": next_round(today()),
        "route": None if plan else no_plan_route(org),
    }
    return render(request, "improvement_plans/plan.jinja", ctx, status=status)


@login_required
@require_GET
def plan_home(request: HttpRequest, ods_code: str) -> HttpResponse:
    org = _org(request, ods_code)
    plan = services.plan_for_org(org, request.user)
    if plan is not None and not access.can_view(request.user, plan):
        raise Http404
    return _page(request, org, plan)


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def template_download(request: HttpRequest, ods_code: str, fmt: str) -> HttpResponse:
    """The plan template, pre-filled with the current rows (or one row per item)."""
    org, plan = _plan(request, ods_code)
    rows = prefilled_rows(plan_items_for(plan.publication), plan.rows or None)
    name = f"improvement-plan-{org.ods_code}-{plan.edition}"
    if fmt == "csv":
        return _download(plan_csv(rows), CSV_CONTENT_TYPE, name + ".csv")
    rules = services.check_rules(plan)
    data = plan_xlsx(
        rows,
        organisation_name=org.name,
        edition=plan.edition,
        today=rules.today,
        valid_until=rules.valid_until,
    )
    return _download(data, XLSX_CONTENT_TYPE, name + ".xlsx")


@login_required
@require_GET
def action_plan_template(request: HttpRequest, ods_code: str, fmt: str) -> HttpResponse:
    """For a provider publishing at Approaching Standards: its action plan template, with a row
    for every item needed for Standards Met that the current assessment does not yet meet."""
    org = _org(request, ods_code)
    assessment = Assessment.objects.filter(organisation=org).order_by("-edition").first()
    if assessment is None:
        raise Http404("Start your assessment first.")
    try:
        items = action_plan_items(assessment, today())
    except EditionUnavailable:
        raise Http404("The assessment's edition is not available.") from None
    rows = prefilled_rows(items)
    name = f"action-plan-{org.ods_code}-{assessment.edition}"
    if fmt == "csv":
        return _download(plan_csv(rows), CSV_CONTENT_TYPE, name + ".csv")
    title = f"Action plan – {org.name} – {assessment.edition}"
    data = plan_xlsx(
        rows, organisation_name=org.name, edition=assessment.edition, today=today(), title=title
    )
    return _download(data, XLSX_CONTENT_TYPE, name + ".xlsx")


@login_required
@require_POST
def upload(request: HttpRequest, ods_code: str) -> HttpResponse:
    org, plan = _plan(request, ods_code)
    f = request.FILES.get("plan_file")
    if f is None:
        return _page(request, org, plan, errors=["Choose a plan file to upload."], status=400)
    if f.size > max_upload_bytes():
        kb = max_upload_bytes() // 1024
        return _page(
            request, org, plan, errors=[f"The file is too big: the limit is {kb} KB."], status=400
        )
    try:
        result = services.submit_file(plan, request.user, f.name, f.read(), request=request)
    except PermissionDenied:
        raise
    except services.PlanActionError as exc:
        return _page(request, org, plan, errors=[str(exc)], status=400)
    if not result.ok:
        return _page(request, org, plan, errors=[e.text for e in result.errors], status=400)
    messages.success(request, _submitted_message(result))
    return redirect("improvement_plans:plan", ods_code=org.ods_code)


def _submitted_message(result: services.Submission) -> str:
    """What the uploader is told: stored and awaiting review, and whether it meets the criteria
    a reviewer approves by."""
    text = f"Version {result.version.number} of your plan is uploaded and awaits review."
    if result.warnings:
        n = len(result.warnings)
        text += (
            f" It has {n} warning{'s' if n != 1 else ''} (below): a reviewer cannot approve it "
            "as it is. Upload a corrected version."
        )
    return text


def _form_rows(request: HttpRequest) -> list[dict]:
    count = min(int(request.POST.get("row_count", "0") or 0), 500)
    rows = []
    for i in range(count):
        row = {k: request.POST.get(f"r{i}-{k}", "").strip() for k in KEYS}
        if any(row.values()):
            rows.append(row)
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def fill(request: HttpRequest, ods_code: str) -> HttpResponse:
    """Fill the plan in on the page: save a draft, or submit it (checked like an upload)."""
    org, plan = _plan(request, ods_code)
    if not access.can_edit(request.user, plan):
        raise PermissionDenied
    errors: list = []
    if request.method == "POST":
        rows = _form_rows(request)
        try:
            if request.POST.get("action") == "draft":
                services.save_draft(plan, request.user, rows, request=request)
                messages.success(request, "Draft saved. Submit it when it is ready.")
                return redirect("improvement_plans:fill", ods_code=org.ods_code)
            result = services.submit_rows(plan, request.user, rows, request=request)
        except services.PlanActionError as exc:
            messages.error(request, str(exc))
            return redirect("improvement_plans:plan", ods_code=org.ods_code)
        if result.ok:
            messages.success(request, _submitted_message(result))
            return redirect("improvement_plans:plan", ods_code=org.ods_code)
        errors = result.errors
        current = rows
    else:
        current = plan.draft_rows or plan.rows or None
    items = plan_items_for(plan.publication)
    rules = services.check_rules(plan)
    rows = prefilled_rows(items, current)
    rows += [{} for _ in range(EXTRA_FORM_ROWS)]
    questions = {i.item_id: i for i in items}
    ctx = {
        "page_title": f"Fill in the improvement plan – {org.name}",
        "back_link": {"href": f"/plans/{org.ods_code}/", "text": "Back to the plan"},
        "org": org,
        "plan": plan,
        "rows": rows,
        "questions": questions,
        "errors": errors,
        "error_rows": {e.row for e in errors if e.row},
        "date_example": example_date(rules.today, rules.valid_until),
        "date_rule": date_rule(rules.today, rules.valid_until),
    }
    return render(request, "improvement_plans/fill.jinja", ctx, status=400 if errors else 200)


@login_required
@require_POST
def row_update(request: HttpRequest, ods_code: str, index: int) -> HttpResponse:
    org, plan = _plan(request, ods_code)
    try:
        services.update_row(
            plan,
            request.user,
            index,
            status="done" if request.POST.get("status") == "done" else "open",
            evidence_note=request.POST.get("evidence_note", ""),
            request=request,
        )
        messages.success(request, f"Action {index + 1} updated.")
    except services.PlanActionError as exc:
        messages.error(request, str(exc))
    return redirect("improvement_plans:plan", ods_code=org.ods_code)


@login_required
@require_POST
def update(request: HttpRequest, ods_code: str) -> HttpResponse:
    org, plan = _plan(request, ods_code)
    try:
        services.submit_update(plan, request.user, request.POST.get("summary", ""), request=request)
        messages.success(request, "Thank you: your update is sent.")
    except services.PlanActionError as exc:
        return _page(request, org, plan, errors=[str(exc)], status=400)
    return redirect("improvement_plans:plan", ods_code=org.ods_code)


@login_required
@require_GET
def version_file(request: HttpRequest, ods_code: str, number: int) -> HttpResponse:
    """The file as uploaded, for the organisation and reviewers in remit only."""
    org, plan = _plan(request, ods_code)
    if not access.can_view(request.user, plan):
        raise Http404
    version = get_object_or_404(plan.versions, number=number)
    if not version.file:
        raise Http404("This version was filled in on the page; there is no file.")
    ext = "xlsx" if version.source == "xlsx" else "csv"
    ctype = XLSX_CONTENT_TYPE if ext == "xlsx" else CSV_CONTENT_TYPE
    response = FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=f"improvement-plan-{org.ods_code}-v{number}.{ext}",
        content_type=ctype,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def row_cells(row: dict) -> list:
    """A row in column order, for display."""
    return display_row(row)
