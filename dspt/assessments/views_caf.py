"""CAF assessment pages: overview by objective, one page per outcome, and the publish preview.

Access as for every assessment page (dspt.assessments.access): readers see, members and admins
change, anyone else gets 404. Writes go through caf_services, documents and publishing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from dspt.assessments import caf_services, selectors, services
from dspt.assessments.access import can_edit, editable_organisation, visible_organisation
from dspt.assessments.caf_evaluation import caf_evaluate
from dspt.assessments.documents import ACCEPT_ATTRIBUTE, ALLOWED_DESCRIPTION
from dspt.assessments.editions import caf_edition_of, current_caf_edition, is_caf
from dspt.assessments.forms import version_from_post
from dspt.core.dates import today
from dspt.frameworks.caf import ACHIEVEMENT_LABELS, supported_level
from dspt.statuses.selectors import status_of


def caf_overview_url(org) -> str:
    return reverse("assessments:caf_overview", args=[org.ods_code])


def _caf_assessment(org):
    assessment = selectors.current_assessment(org)
    return assessment if assessment is not None and is_caf(assessment) else None


def _require_caf(request, ods_code: str):
    org = visible_organisation(request, ods_code)
    assessment = _caf_assessment(org)
    if assessment is None:
        raise Http404("This organisation has no CAF-aligned assessment open.")
    return org, assessment


@login_required
def overview(request, ods_code: str) -> HttpResponse:
    """Progress by objective, every outcome with its achievement against the profile."""
    org = visible_organisation(request, ods_code)
    edition = current_caf_edition(org, today())
    if edition is None:
        raise Http404("No CAF-aligned assessment is open for this organisation.")
    assessment = _caf_assessment(org)
    context = {
        "page_title": f"CAF-aligned assessment – {org.name}",
        "back_link": {
            "href": reverse("organisations:detail", args=[org.ods_code]),
            "text": org.name,
        },
        "org": org,
        "edition": edition,
        "assessment": assessment,
        "editable": can_edit(request, org),
        "status": status_of(org),
        "history": selectors.publication_history(org)[:10],
        "plans_url": f"/plans/{org.ods_code}/",
        # The assurance app sits above this one: linked by its path, not imported.
        "assurance_url": f"/assurance/{org.ods_code}/",
        "ev": caf_evaluate(assessment) if assessment is not None else None,
    }
    return render(request, "assessments/caf_overview.jinja", context)


@login_required
@require_POST
def start(request, ods_code: str) -> HttpResponse:
    """Start (or open) the CAF-aligned assessment for the year open today."""
    org = editable_organisation(request, ods_code)
    try:
        caf_services.start_caf_assessment(org, request.user, request=request)
    except services.AssessmentError as exc:
        messages.error(request, str(exc))
    return redirect(caf_overview_url(org))


def _outcome_context(request, org, assessment, outcome_id: str, form=None, errors=None):
    ev = caf_evaluate(assessment)
    result = ev.results.get(outcome_id)
    if result is None:
        raise Http404("This assessment has no such outcome.")
    ids = list(ev.results)
    i = ids.index(outcome_id)
    answer = result.answer
    form = form or {
        "ticked": result.ticked,
        "claimed": answer.claimed if answer else "",
        "justification": answer.justification if answer else "",
    }
    errors = errors or {}
    # On a refused form, what the ticks as submitted support (they are shown, not yet saved).
    shown = supported_level(result.outcome, form["ticked"])
    return {
        "shown_supported": shown,
        "page_title": f"{result.outcome.label} – {org.name}",
        "back_link": {"href": caf_overview_url(org), "text": "Back to the assessment"},
        "org": org,
        "assessment": assessment,
        "edition": ev.edition,
        "result": result,
        "form": form,
        "errors": errors,
        "error_list": [{"text": m, "href": f"#{k}"} for k, m in errors.items()],
        "levels": [(lv, ACHIEVEMENT_LABELS[lv]) for lv in result.outcome.levels],
        "labels": ACHIEVEMENT_LABELS,
        "editable": can_edit(request, org),
        "accept": ACCEPT_ATTRIBUTE,
        "allowed_description": ALLOWED_DESCRIPTION,
        "next_id": ids[i + 1] if i + 1 < len(ids) else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def outcome(request, ods_code: str, outcome_id: str) -> HttpResponse:
    """One outcome: tick the indicators that are true, see the achievement, claim, justify,
    attach evidence."""
    org, assessment = _require_caf(request, ods_code)
    if request.method == "GET":
        context = _outcome_context(request, org, assessment, outcome_id)
        return render(request, "assessments/caf_outcome.jinja", context)
    editable_organisation(request, ods_code)
    form = {
        "ticked": request.POST.getlist("ticked"),
        "claimed": request.POST.get("claimed", ""),
        "justification": request.POST.get("justification", ""),
    }
    errors: dict[str, str] = {}
    try:
        caf_services.save_outcome(
            assessment,
            outcome_id,
            request.user,
            ticked=form["ticked"],
            claimed=form["claimed"],
            justification=form["justification"],
            expected_version=version_from_post(request.POST),
            request=request,
        )
    except caf_services.OutcomeRefused as exc:
        if "outcome" in exc.errors:
            raise Http404(exc.errors["outcome"]) from None
        errors = exc.errors
    except services.AssessmentError as exc:
        assessment.refresh_from_db()
        errors = {"answer": f"{exc} Nothing was saved."}
    upload = request.FILES.get("evidence")
    if upload is not None and not errors:
        try:
            services.attach_document(assessment, outcome_id, upload, request.user, request=request)
        except services.AssessmentError as exc:
            errors = {"evidence": f"Your answer was saved, but the file was not: {exc}"}
    if errors:
        context = _outcome_context(request, org, assessment, outcome_id, form, errors)
        return render(request, "assessments/caf_outcome.jinja", context, status=400)
    messages.success(request, f"{outcome_id} saved.")
    ids = [o.id for o in caf_edition_of(assessment).outcomes]
    nxt = ids[ids.index(outcome_id) + 1] if ids.index(outcome_id) + 1 < len(ids) else None
    if request.POST.get("then") == "next" and nxt:
        return redirect("assessments:caf_outcome", org.ods_code, nxt)
    return redirect(caf_overview_url(org))


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, ods_code: str) -> HttpResponse:
    """The publish preview (the level, and each outcome that falls short and why) and Publish."""
    org, assessment = _require_caf(request, ods_code)
    error = ""
    if request.method == "POST":
        editable_organisation(request, ods_code)
        try:
            services.publish(
                assessment,
                request.user,
                expected_version=version_from_post(request.POST),
                request=request,
            )
        except services.AssessmentError as exc:
            assessment.refresh_from_db()
            error = str(exc)
        else:
            messages.success(request, "Your CAF-aligned assessment is published.")
            return redirect(caf_overview_url(org))
    context = {
        "page_title": f"Publish your CAF-aligned assessment – {org.name}",
        "back_link": {"href": caf_overview_url(org), "text": "Back to the assessment"},
        "org": org,
        "assessment": assessment,
        "ev": caf_evaluate(assessment),
        "editable": can_edit(request, org),
        "error": error,
        "plans_url": f"/plans/{org.ods_code}/",
    }
    return render(request, "assessments/caf_publish.jinja", context, status=400 if error else 200)
