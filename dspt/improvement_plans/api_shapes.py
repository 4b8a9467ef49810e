"""The shapes the plans API answers with (plain dicts matching api_schemas), kept apart from the
endpoints in api.py."""

from __future__ import annotations

from dspt.improvement_plans.models import ImprovementPlan
from dspt.improvement_plans.selectors import effective_state
from dspt.improvement_plans.sources import plan_items_for


def summary(p: ImprovementPlan) -> dict:
    org = p.organisation
    return {
        "id": p.pk,
        "ods_code": org.ods_code,
        "organisation": org.name,
        "sector": org.org_type,
        "region": org.region_id,
        "edition": p.edition,
        "state": effective_state(p),
        "call_requested": p.call_requested,
        "submitted_at": p.submitted_at,
        "approved_on": p.approved_on,
        "closed_on": p.closed_on,
    }


def version(v) -> dict:
    return {
        "number": v.number,
        "source": v.source,
        "original_name": v.original_name,
        "uploaded_at": v.uploaded_at,
        "uploaded_by": v.uploaded_by.email if v.uploaded_by else None,
        "warnings": [w.get("text", "") for w in v.warnings],
        "has_file": bool(v.file),
    }


def decision(d) -> dict:
    """One review decision as the API shows it."""
    return {
        "kind": d.kind,
        "reasons": d.reasons,
        "justification": d.justification,
        "decided_by": d.decided_by_label,
        "decided_on": d.decided_on,
        "version": d.version.number if d.version else None,
    }


def detail(p: ImprovementPlan) -> dict:
    due = p.requests.filter(answered_by__isnull=True).order_by("-due_on").first()
    return {
        **summary(p),
        "publication_published_on": p.publication.published_on if p.publication else None,
        "items": [i.__dict__ for i in plan_items_for(p.publication)],
        "rows": p.rows,
        "versions": [version(v) for v in p.versions.order_by("number")],
        "decisions": [decision(d) for d in p.decisions.select_related("version")],
        "updates": [
            {
                "summary": u.summary,
                "submitted_on": u.submitted_on,
                "submitted_by": u.submitted_by.email if u.submitted_by else None,
            }
            for u in p.updates.select_related("submitted_by")
        ],
        "open_update_due_on": due.due_on if due else None,
    }


def problems(items) -> list[dict]:
    return [{"text": p.text, "row": p.row, "item_id": p.item_id, "field": p.field} for p in items]
