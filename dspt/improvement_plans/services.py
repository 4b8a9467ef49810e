"""Every change to a plan: submissions, decisions, progress. Each is atomic and audited.

Permission is checked here as well as in views and the API, so no entry point can skip it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dspt.assessments.evaluation import approaching_by_action_plan
from dspt.assessments.models import Level
from dspt.audit.services import record
from dspt.core.dates import today
from dspt.improvement_plans import access, conf
from dspt.improvement_plans.checks import CheckRules, Problem, check_rows, rows_from_cells
from dspt.improvement_plans.columns import KEYS, MAX_CELL_CHARS
from dspt.improvement_plans.lifecycle import reconcile_organisation
from dspt.improvement_plans.models import (
    ACCEPTED_STATES,
    DecisionKind,
    ImprovementPlan,
    PlanDecision,
    PlanState,
    PlanUpdate,
    PlanVersion,
    VersionSource,
)
from dspt.improvement_plans.notifications import notify, org_people
from dspt.improvement_plans.selectors import current_plan
from dspt.improvement_plans.sources import plan_items_for
from dspt.improvement_plans.upload import UploadRefused, read_plan_file
from dspt.statuses.facts import Calendar

SUBMITTABLE = (PlanState.DRAFT, PlanState.REJECTED, PlanState.AWAITING_REVIEW)


class PlanActionError(Exception):
    """The action is not possible for this plan now; the message says why, in plain English."""


@dataclass
class Submission:
    version: PlanVersion | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.version is not None


def check_rules(plan: ImprovementPlan) -> CheckRules:
    """The rules a submission is judged by today (horizon from DSPT_PLAN_HORIZON_DAYS)."""
    return CheckRules(
        today=today(),
        horizon_days=conf.get_int("DSPT_PLAN_HORIZON_DAYS"),
        valid_until=Calendar().valid_until(plan.edition),
    )


def _require_edit(user, plan: ImprovementPlan) -> None:
    if not access.can_edit(user, plan):
        raise PermissionDenied("You cannot change this organisation's plan.")


def _require_submittable(plan: ImprovementPlan) -> None:
    if plan.state in ACCEPTED_STATES:
        raise PlanActionError(
            "This plan is already approved. Keep it up to date by marking actions done and "
            "sending updates."
        )
    if plan.state == PlanState.CLOSED:
        raise PlanActionError("This plan is closed.")
    if plan.publication_id is None:
        raise PlanActionError("The publication this plan answered was replaced. Reload the page.")


def submit_file(
    plan: ImprovementPlan, user, filename: str, data: bytes, request=None
) -> Submission:
    """Check an uploaded XLSX/CSV and, only if it passes, keep it as the next version."""
    _require_edit(user, plan)
    _require_submittable(plan)
    try:
        raw = read_plan_file(filename, data)
    except UploadRefused as exc:
        record(
            "plan.upload_refused",
            actor=user,
            organisation=plan.organisation,
            obj=plan,
            detail={"file": filename[:200], "size": len(data), "reasons": exc.messages[:5]},
            request=request,
        )
        return Submission(errors=[Problem(m) for m in exc.messages])
    rows = rows_from_cells(raw.rows)
    source = VersionSource.XLSX if raw.kind == "xlsx" else VersionSource.CSV
    return _submit(plan, user, rows, source, request, filename=filename, data=data)


def submit_rows(
    plan: ImprovementPlan, user, rows: list[dict], source: str = VersionSource.FORM, request=None
) -> Submission:
    """Check rows filled in on the page (or sent through the API) and keep them as a version."""
    _require_edit(user, plan)
    _require_submittable(plan)
    numbered = [(i, r) for i, r in enumerate(rows, start=1)]
    return _submit(plan, user, numbered, source, request)


def _submit(plan, user, numbered_rows, source, request, filename="", data=b"") -> Submission:
    result = check_rows(numbered_rows, plan_items_for(plan.publication), check_rules(plan))
    if not result.ok:
        record(
            "plan.submission_refused",
            actor=user,
            organisation=plan.organisation,
            obj=plan,
            detail={"source": source, "errors": len(result.errors)},
            request=request,
        )
        return Submission(errors=result.errors, warnings=result.warnings)
    with transaction.atomic():
        locked = ImprovementPlan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
        _require_submittable(locked)
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = PlanVersion(
            plan=locked,
            number=number,
            source=source,
            original_name=(filename or "")[:255],
            size=len(data),
            rows=result.rows,
            warnings=[w.as_dict() for w in result.warnings],
            uploaded_by=user,
        )
        if data:
            version.file.save(f"v{number}", ContentFile(data), save=False)
        version.save()
        locked.rows = result.rows
        locked.draft_rows = []
        locked.state = PlanState.AWAITING_REVIEW
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["rows", "draft_rows", "state", "submitted_at", "updated_at"])
        record(
            "plan.version_submitted",
            actor=user,
            organisation=locked.organisation,
            obj=version,
            detail={
                "number": number,
                "source": source,
                "rows": len(result.rows),
                "warnings": len(result.warnings),
            },
            request=request,
        )
    plan.refresh_from_db()
    return Submission(version=version, warnings=result.warnings)


def save_draft(plan: ImprovementPlan, user, rows: list[dict], request=None) -> None:
    """Keep rows typed on the page without checking them, to finish later."""
    _require_edit(user, plan)
    _require_submittable(plan)
    clean = [{k: str(r.get(k) or "")[:MAX_CELL_CHARS] for k in KEYS} for r in rows]
    with transaction.atomic():
        plan.draft_rows = clean
        plan.save(update_fields=["draft_rows", "updated_at"])
        record(
            "plan.draft_saved",
            actor=user,
            organisation=plan.organisation,
            obj=plan,
            detail={"rows": len(clean)},
            request=request,
        )


def decide(
    plan: ImprovementPlan,
    user,
    kind: str,
    *,
    reasons: str = "",
    justification: str = "",
    arrange_call: bool = False,
    request=None,
) -> PlanDecision:
    """Record a reviewer's decision; approval lifts the publication to Approaching Standards."""
    if not access.can_decide(user, plan):
        raise PermissionDenied("You cannot decide on this plan.")
    reasons, justification = reasons.strip(), justification.strip()
    with transaction.atomic():
        plan = (
            ImprovementPlan.objects.select_for_update(of=("self",))
            .select_related("publication", "organisation")
            .get(pk=plan.pk)
        )
        version = plan.latest_version
        _check_decision(plan, user, kind, version, reasons, justification)
        day = today()
        decision = PlanDecision.objects.create(
            plan=plan,
            version=version,
            kind=kind,
            reasons=reasons,
            justification=justification,
            decided_by=user,
            decided_by_label=user.email,
            decided_on=day,
        )
        fields = ["state", "call_requested", "updated_at"]
        if kind in (DecisionKind.APPROVED, DecisionKind.ACCEPTED_BY_EXCEPTION):
            plan.state = kind
            plan.approved_on = day
            plan.call_requested = False
            fields.append("approved_on")
            pub = plan.publication
            if pub is None:
                raise PlanActionError("The publication this plan answered was replaced.")
            if pub.level == Level.NOT_MET and pub.plan_approved_on is None:
                # The status rule reads Not Met as Approaching from this day.
                pub.plan_approved_on = day
                pub.save(update_fields=["plan_approved_on"])
        elif kind == DecisionKind.REJECTED:
            plan.state = PlanState.REJECTED
            plan.call_requested = plan.call_requested or arrange_call
        else:
            plan.call_requested = True
        plan.save(update_fields=fields)
        record(
            f"plan.{kind}",
            actor=user,
            organisation=plan.organisation,
            obj=plan,
            detail={
                "version": version.number if version else None,
                "reasons": reasons,
                "justification": justification,
                "arrange_call": arrange_call,
                "publication": plan.publication_id,
            },
            request=request,
        )
        _tell_organisation(plan, decision)
    return decision


def _check_decision(plan, user, kind, version, reasons, justification) -> None:
    if kind not in DecisionKind.values:
        raise PlanActionError("Unknown decision.")
    if plan.state == PlanState.CLOSED:
        raise PlanActionError("This plan is closed.")
    if version is None:
        raise PlanActionError("The organisation has not submitted a plan yet.")
    if kind == DecisionKind.CALL_REQUESTED:
        return
    if kind != DecisionKind.REJECTED and approaching_by_action_plan(plan.organisation.org_type):
        raise PlanActionError(
            "Social care organisations reach Approaching Standards by publishing with an action "
            "plan, once; an improvement plan cannot be approved for them."
        )
    if (
        kind in (DecisionKind.APPROVED, DecisionKind.REJECTED)
        and plan.state != PlanState.AWAITING_REVIEW
    ):
        raise PlanActionError("Only a plan awaiting review can be approved or rejected.")
    if kind == DecisionKind.REJECTED and not reasons:
        raise PlanActionError("Give the reasons for rejecting the plan.")
    if kind == DecisionKind.APPROVED and version.warnings:
        raise PlanActionError(
            "This version has warnings, so it does not meet the criteria for approval. Reject "
            "it, or a senior reviewer may accept it by exception."
        )
    if kind == DecisionKind.ACCEPTED_BY_EXCEPTION:
        if not access.can_accept_by_exception(user, plan):
            raise PermissionDenied("Only a senior reviewer can accept a plan by exception.")
        if plan.state not in (PlanState.AWAITING_REVIEW, PlanState.REJECTED):
            raise PlanActionError("Only a plan awaiting review or rejected can be accepted.")
        if not justification:
            raise PlanActionError("Record the justification for accepting by exception.")


def _tell_organisation(plan: ImprovementPlan, decision: PlanDecision) -> None:
    code = plan.organisation.ods_code
    link = f"/plans/{code}/" if code else ""
    titles = {
        DecisionKind.APPROVED: "Your improvement plan is approved",
        DecisionKind.ACCEPTED_BY_EXCEPTION: "Your improvement plan is accepted",
        DecisionKind.REJECTED: "Your improvement plan needs changes",
        DecisionKind.CALL_REQUESTED: "A reviewer would like a call about your improvement plan",
    }
    bodies = {
        DecisionKind.APPROVED: "Your status is now Approaching Standards. Keep the plan up to "
        "date: we will ask for updates.",
        DecisionKind.ACCEPTED_BY_EXCEPTION: "Your status is now Approaching Standards. Keep the "
        "plan up to date: we will ask for updates.",
        DecisionKind.REJECTED: "Your status stays Standards Not Met. Change the plan and upload it "
        "again. Reasons: " + decision.reasons,
        DecisionKind.CALL_REQUESTED: "A reviewer will contact you to arrange a call. "
        + decision.reasons,
    }
    if decision.kind == DecisionKind.REJECTED and plan.call_requested:
        bodies[DecisionKind.REJECTED] += " A reviewer will also contact you to arrange a call."
    notify(
        org_people(plan.organisation),
        organisation=plan.organisation,
        kind=f"plan_{decision.kind}",
        title=titles[decision.kind],
        body=bodies[decision.kind].strip(),
        link=link,
    )


def update_row(
    plan: ImprovementPlan, user, index: int, *, status: str, evidence_note: str, request=None
) -> dict:
    """Mark one action open or done and record where its evidence is."""
    _require_edit(user, plan)
    if plan.state not in ACCEPTED_STATES:
        raise PlanActionError("Actions can be marked done once the plan is approved.")
    if status not in ("open", "done"):
        raise PlanActionError("Status must be open or done.")
    with transaction.atomic():
        locked = ImprovementPlan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
        if not 0 <= index < len(locked.rows):
            raise PlanActionError("There is no such action in this plan.")
        row = dict(locked.rows[index])
        before = (row.get("status"), row.get("evidence_note"))
        row["status"] = status
        row["evidence_note"] = evidence_note.strip()[:MAX_CELL_CHARS]
        locked.rows = [*locked.rows[:index], row, *locked.rows[index + 1 :]]
        locked.save(update_fields=["rows", "updated_at"])
        record(
            "plan.action_updated",
            actor=user,
            organisation=locked.organisation,
            obj=locked,
            detail={
                "row": index + 1,
                "item_id": row.get("item_id"),
                "status": status,
                "before": before[0],
            },
            request=request,
        )
    plan.rows = locked.rows
    return row


def submit_update(plan: ImprovementPlan, user, summary: str, request=None) -> PlanUpdate:
    """Send a progress update: answers any open update request and clears its escalation."""
    _require_edit(user, plan)
    if plan.state not in ACCEPTED_STATES:
        raise PlanActionError("Updates are sent once the plan is approved.")
    summary = summary.strip()
    if not summary:
        raise PlanActionError("Say what has changed since the last update.")
    with transaction.atomic():
        locked = ImprovementPlan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
        day = today()
        update = PlanUpdate.objects.create(
            plan=locked,
            summary=summary[:5000],
            rows=locked.rows,
            submitted_by=user,
            submitted_on=day,
        )
        answered = locked.requests.filter(answered_by__isnull=True).update(answered_by=update)
        locked.escalations.filter(resolved_on__isnull=True).update(
            resolved_on=day, resolved_note="Update received"
        )
        done = sum(1 for r in locked.rows if r.get("status") == "done")
        record(
            "plan.update_submitted",
            actor=user,
            organisation=locked.organisation,
            obj=update,
            detail={
                "requests_answered": answered,
                "actions_done": done,
                "actions": len(locked.rows),
            },
            request=request,
        )
    return update


def plan_for_org(organisation, user) -> ImprovementPlan | None:
    """The organisation's current plan, started from its latest Not Met publication if needed."""
    reconcile_organisation(organisation)
    return current_plan(organisation)
