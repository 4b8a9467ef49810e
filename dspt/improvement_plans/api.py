"""Improvement plans in the API (/api/v1/plans): everything the pages do.

Every call is scoped as the pages are (`access`), and a bearer token never reaches beyond its own
organisation (`limit_to_token`): a reviewer's token cannot review other organisations' plans.
Plans appear only here, never in the public status records.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import Status

from dspt.accounts.auth import limit_to_token
from dspt.improvement_plans import access, services
from dspt.improvement_plans import api_shapes as shapes
from dspt.improvement_plans.api_schemas import (
    Accepted,
    ActionIn,
    DecisionIn,
    DecisionOut,
    EscalationOut,
    Message,
    NotificationOut,
    PlanDetail,
    PlanSummary,
    Refused,
    Row,
    RowChangeOut,
    RowsIn,
    UpdateIn,
    UpdateOut,
)
from dspt.improvement_plans.columns import KEYS
from dspt.improvement_plans.models import (
    ImprovementPlan,
    PlanState,
    VersionSource,
)
from dspt.improvement_plans.selectors import (
    QueueFilters,
    compare_versions,
    escalations_for,
    notifications_for,
    review_queue,
    with_effective_state,
)
from dspt.improvement_plans.sources import plan_items_for
from dspt.improvement_plans.template import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    plan_csv,
    plan_xlsx,
    prefilled_rows,
)
from dspt.improvement_plans.upload import max_upload_bytes
from dspt.notifications.models import Notification
from dspt.organisations.models import Organisation

router = Router(tags=["improvement plans"])


def _orgs(request):
    return limit_to_token(request, Organisation.objects.visible_to(request.user))


def _visible_plans(request):
    return ImprovementPlan.objects.filter(organisation__in=_orgs(request))


def _get_plan(request, plan_id: int) -> ImprovementPlan:
    # Reviewers reach plans in their remit; a token only its own organisation's.
    qs = _visible_plans(request) | ImprovementPlan.objects.filter(
        pk__in=access.queue_plans(request.user).filter(
            organisation__in=limit_to_token(request, Organisation.objects.all())
        )
    )
    return get_object_or_404(
        qs.distinct().select_related("organisation", "publication"), pk=plan_id
    )


@router.get("", response=list[PlanSummary], summary="Plans you may see")
def list_plans(request, state: str = "", region: str = "", sector: str = ""):
    """Your organisations' plans; for reviewers, also the plans in their remit."""
    own = _visible_plans(request)
    queue = review_queue(request.user, QueueFilters(region=region, sector=sector, state=""))
    queue = queue.filter(organisation__in=limit_to_token(request, Organisation.objects.all()))
    qs = with_effective_state(
        ImprovementPlan.objects.filter(pk__in=own.values("pk"))
        | ImprovementPlan.objects.filter(pk__in=queue.values("pk"))
    ).select_related("organisation")
    if region:
        qs = qs.filter(organisation__region_id=region)
    if sector:
        qs = qs.filter(organisation__org_type=sector)
    plans = [shapes.summary(p) for p in qs.order_by("id")[:1000]]
    if state:
        plans = [p for p in plans if p["state"] == state]
    return plans


@router.get("/escalations", response=list[EscalationOut], summary="Overdue updates in your remit")
def list_escalations(request, include_resolved: bool = False):
    if getattr(request, "api_token", None) is not None:
        return []  # the regional list is a reviewer's own, never reached with an org token
    return [
        {
            "plan_id": e.plan_id,
            "ods_code": e.plan.organisation.ods_code,
            "organisation": e.plan.organisation.name,
            "region": e.region_id,
            "due_on": e.request.due_on,
            "escalated_on": e.escalated_on,
            "resolved_on": e.resolved_on,
        }
        for e in escalations_for(request.user, include_resolved)[:1000]
    ]


@router.get("/notifications", response=list[NotificationOut], summary="Your notifications")
def list_notifications(request, unread_only: bool = False):
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "title": n.title,
            "body": n.body,
            "link": n.link,
            "created_at": n.created_at,
            "read": n.is_read,
        }
        for n in notifications_for(request.user, unread_only)[:500]
    ]


@router.post("/notifications/{note_id}/read", response={204: None}, summary="Mark as read")
def read_notification(request, note_id: int):
    note = get_object_or_404(Notification, pk=note_id, user=request.user)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return Status(204, None)


def _org_plan(request, ods_code: str) -> ImprovementPlan:
    org = get_object_or_404(_orgs(request), ods_code=ods_code)
    plan = services.plan_for_org(org, request.user)
    if plan is None:
        raise HttpError(404, "This organisation has no improvement plan.")
    return plan


@router.get(
    "/organisations/{ods_code}", response=PlanDetail, summary="An organisation's current plan"
)
def org_plan(request, ods_code: str):
    return shapes.detail(_org_plan(request, ods_code))


@router.get(
    "/organisations/{ods_code}/template.{fmt}",
    summary="Download the plan template (fmt: xlsx or csv)",
)
def org_template(request, ods_code: str, fmt: str):
    if fmt not in ("xlsx", "csv"):
        raise HttpError(404, "Use template.xlsx or template.csv.")
    plan = _org_plan(request, ods_code)
    rows = prefilled_rows(plan_items_for(plan.publication), plan.rows or None)
    if fmt == "csv":
        data, ctype = plan_csv(rows), CSV_CONTENT_TYPE
    else:
        org = plan.organisation
        rules = services.check_rules(plan)
        data = plan_xlsx(
            rows,
            organisation_name=org.name,
            edition=plan.edition,
            today=rules.today,
            valid_until=rules.valid_until,
        )
        ctype = XLSX_CONTENT_TYPE
    response = HttpResponse(data, content_type=ctype)
    response["Content-Disposition"] = (
        f'attachment; filename="improvement-plan-{ods_code}-{plan.edition}.{fmt}"'
    )
    return response


def _submission_response(result):
    if not result.ok:
        return Status(
            400,
            {
                "accepted": False,
                "errors": shapes.problems(result.errors),
                "warnings": shapes.problems(result.warnings),
            },
        )
    return Status(
        201,
        {
            "accepted": True,
            "version": shapes.version(result.version),
            "warnings": shapes.problems(result.warnings),
        },
    )


@router.post(
    "/organisations/{ods_code}/upload",
    response={201: Accepted, 400: Refused, 403: Message, 409: Message, 413: Message},
    summary="Upload the plan (XLSX or CSV); checked at once, kept only if it passes",
)
def org_upload(request, ods_code: str, file: UploadedFile = File(...)):  # noqa: B008
    plan = _org_plan(request, ods_code)
    if file.size > max_upload_bytes():
        return Status(
            413, {"detail": f"The largest plan we accept is {max_upload_bytes() // 1024} KB."}
        )
    try:
        result = services.submit_file(plan, request.user, file.name, file.read(), request=request)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except services.PlanActionError as exc:
        return Status(409, {"detail": str(exc)})
    return _submission_response(result)


@router.post(
    "/organisations/{ods_code}/rows",
    response={200: Message, 201: Accepted, 400: Refused, 403: Message, 409: Message},
    summary="Send the plan as rows (checked like an upload), or save them as a draft",
)
def org_rows(request, ods_code: str, payload: RowsIn):
    plan = _org_plan(request, ods_code)
    rows = [{k: getattr(r, k) for k in KEYS if hasattr(r, k)} for r in payload.rows]
    try:
        if payload.draft:
            services.save_draft(plan, request.user, rows, request=request)
            return Status(200, {"detail": "Draft saved."})
        result = services.submit_rows(plan, request.user, rows, VersionSource.API, request=request)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except services.PlanActionError as exc:
        return Status(409, {"detail": str(exc)})
    return _submission_response(result)


@router.get("/{plan_id}", response=PlanDetail, summary="One plan in full")
def plan_detail(request, plan_id: int):
    return shapes.detail(_get_plan(request, plan_id))


@router.get("/{plan_id}/compare", response=list[RowChangeOut], summary="Compare two versions' rows")
def plan_compare(request, plan_id: int, left: int, right: int):
    plan = _get_plan(request, plan_id)
    versions = {v.number: v for v in plan.versions.all()}
    if left not in versions or right not in versions:
        raise HttpError(404, "No such version.")
    return [
        {
            "item_id": c.item_id,
            "change": c.kind,
            "changed_fields": c.changed if c.kind == "changed" else [],
            "left": c.left,
            "right": c.right,
        }
        for c in compare_versions(versions[left], versions[right])
    ]


@router.get("/{plan_id}/versions/{number}/file", summary="A version's file as uploaded")
def plan_version_file(request, plan_id: int, number: int):
    plan = _get_plan(request, plan_id)
    version = get_object_or_404(plan.versions, number=number)
    if not version.file:
        raise HttpError(404, "This version has no file.")
    ext = "xlsx" if version.source == VersionSource.XLSX else "csv"
    with version.file.open("rb") as fh:
        data = fh.read()
    response = HttpResponse(
        data, content_type=XLSX_CONTENT_TYPE if ext == "xlsx" else CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="plan-{plan_id}-v{number}.{ext}"'
    return response


@router.post(
    "/{plan_id}/decisions",
    response={201: DecisionOut, 403: Message, 409: Message},
    summary="Approve, reject, ask for a call or accept by exception (reviewers)",
)
def plan_decide(request, plan_id: int, payload: DecisionIn):
    plan = _get_plan(request, plan_id)
    try:
        d = services.decide(
            plan,
            request.user,
            payload.decision,
            reasons=payload.reasons,
            justification=payload.justification,
            arrange_call=payload.arrange_call,
            request=request,
        )
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except services.PlanActionError as exc:
        return Status(409, {"detail": str(exc)})
    return Status(201, shapes.decision(d))


@router.patch(
    "/{plan_id}/actions/{index}",
    response={200: Row, 403: Message, 409: Message},
    summary="Mark an action open or done, with its evidence note (index from 0)",
)
def plan_action(request, plan_id: int, index: int, payload: ActionIn):
    plan = _get_plan(request, plan_id)
    try:
        return Status(
            200,
            services.update_row(
                plan,
                request.user,
                index,
                status=payload.status,
                evidence_note=payload.evidence_note,
                request=request,
            ),
        )
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except services.PlanActionError as exc:
        return Status(409, {"detail": str(exc)})


@router.post(
    "/{plan_id}/updates",
    response={201: UpdateOut, 403: Message, 409: Message},
    summary="Send a progress update",
)
def plan_update(request, plan_id: int, payload: UpdateIn):
    plan = _get_plan(request, plan_id)
    try:
        u = services.submit_update(plan, request.user, payload.summary, request=request)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except services.PlanActionError as exc:
        return Status(409, {"detail": str(exc)})
    return Status(
        201,
        {
            "summary": u.summary,
            "submitted_on": u.submitted_on,
            "submitted_by": u.submitted_by.email,
        },
    )


__all__ = ["router", "PlanState"]
