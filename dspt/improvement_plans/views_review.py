"""The reviewer's side (queue, plan, compare, decide), escalations and notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dspt.improvement_plans import access, services
from dspt.improvement_plans.lifecycle import reconcile_organisation
from dspt.improvement_plans.models import DecisionKind, ImprovementPlan, PlanState
from dspt.improvement_plans.selectors import (
    AGES,
    QueueFilters,
    compare_versions,
    effective_state,
    escalations_for,
    queue_counts,
    review_queue,
)
from dspt.improvement_plans.sources import plan_items_for
from dspt.organisations.models import OrgType, Region


def _require_queue(request: HttpRequest) -> None:
    if not access.can_use_queue(request.user):
        raise PermissionDenied


def _queue_plan(request: HttpRequest, plan_id: int) -> ImprovementPlan:
    _require_queue(request)
    plan = get_object_or_404(access.queue_plans(request.user), pk=plan_id)
    reconcile_organisation(plan.organisation)
    plan.refresh_from_db()
    return plan


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _require_queue(request)
    g = request.GET
    filters = QueueFilters(
        region=g.get("region", ""),
        sector=g.get("sector", ""),
        age=g.get("age", ""),
        state=g.get("state", PlanState.AWAITING_REVIEW),
    )
    plans = list(review_queue(request.user, filters)[:500])
    regions = Region.objects.all()
    if request.user.oversight_role in access.DECIDERS and request.user.remit_region_id:
        regions = regions.filter(pk=request.user.remit_region_id)
    ctx = {
        "page_title": "Improvement plans to review",
        "plans": plans,
        "filters": filters,
        "regions": regions,
        "sectors": OrgType.choices,
        "ages": [(k, v[0]) for k, v in AGES.items()],
        "states": PlanState.choices,
        "counts": queue_counts(request.user),
        "now": timezone.now(),
        "effective_state": effective_state,
    }
    return render(request, "improvement_plans/queue.jinja", ctx)


@login_required
@require_GET
def review(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _queue_plan(request, plan_id)
    version = plan.latest_version
    state = effective_state(plan)
    ctx = {
        "page_title": f"Review plan – {plan.organisation.name}",
        "back_link": {"href": "/plans/review/", "text": "Back to the queue"},
        "plan": plan,
        "org": plan.organisation,
        "state": state,
        "state_label": PlanState(state).label,
        "version": version,
        "versions": list(plan.versions.order_by("-number")),
        "decisions": list(plan.decisions.order_by("-decided_at")),
        "updates": list(plan.updates.order_by("-submitted_at")),
        "items": plan_items_for(plan.publication),
        "can_decide": access.can_decide(request.user, plan) and state != PlanState.CLOSED,
        "can_except": access.can_accept_by_exception(request.user, plan),
        "kinds": DecisionKind,
    }
    return render(request, "improvement_plans/review.jinja", ctx)


@login_required
@require_GET
def compare(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _queue_plan(request, plan_id)
    versions = {v.number: v for v in plan.versions.all()}
    if len(versions) < 2:
        raise Http404("There is only one version.")
    try:
        right_n = int(request.GET.get("right", max(versions)))
        left_n = int(request.GET.get("left", right_n - 1))
    except ValueError:
        raise Http404 from None
    if left_n not in versions or right_n not in versions:
        raise Http404("No such version.")
    ctx = {
        "page_title": f"Compare versions – {plan.organisation.name}",
        "back_link": {"href": f"/plans/review/{plan.pk}/", "text": "Back to the plan"},
        "plan": plan,
        "left": versions[left_n],
        "right": versions[right_n],
        "numbers": sorted(versions),
        "changes": compare_versions(versions[left_n], versions[right_n]),
    }
    return render(request, "improvement_plans/compare.jinja", ctx)


@login_required
@require_POST
def decide(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _queue_plan(request, plan_id)
    kind = request.POST.get("decision", "")
    try:
        services.decide(
            plan,
            request.user,
            kind,
            reasons=request.POST.get("reasons", ""),
            justification=request.POST.get("justification", ""),
            arrange_call=request.POST.get("arrange_call") == "yes",
            request=request,
        )
    except services.PlanActionError as exc:
        messages.error(request, str(exc))
        return redirect("improvement_plans:review", plan_id=plan.pk)
    labels = {
        DecisionKind.APPROVED: "Plan approved: the organisation is now Approaching Standards.",
        DecisionKind.ACCEPTED_BY_EXCEPTION: "Plan accepted by exception: the organisation is now "
        "Approaching Standards.",
        DecisionKind.REJECTED: "Plan rejected: the organisation has been asked to resubmit.",
        DecisionKind.CALL_REQUESTED: "The organisation has been told you will arrange a call.",
    }
    messages.success(request, labels[kind])
    return redirect("improvement_plans:review", plan_id=plan.pk)


@login_required
@require_GET
def escalations(request: HttpRequest) -> HttpResponse:
    if not access.can_see_escalations(request.user):
        raise PermissionDenied
    show_all = request.GET.get("show") == "all"
    ctx = {
        "page_title": "Overdue plan updates",
        "escalations": list(escalations_for(request.user, include_resolved=show_all)[:500]),
        "show_all": show_all,
    }
    return render(request, "improvement_plans/escalations.jinja", ctx)


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    """Old address: every notification is now on one page for the whole platform."""
    return redirect("notifications:inbox", permanent=True)
