"""Assessment pages: overview, one page per standard, and starting a new year's assessment.

Views stay thin: access comes from dspt.assessments.access, reads from selectors, writes from
services. The profile, publishing and documents are in views_publish.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from dspt.assessments import selectors, services
from dspt.assessments.access import can_edit, editable_organisation, visible_organisation
from dspt.assessments.documents import ACCEPT_ATTRIBUTE, ALLOWED_DESCRIPTION
from dspt.assessments.editions import (
    NoEditionOpen,
    current_caf_edition,
    current_edition,
    edition_of,
    is_caf,
)
from dspt.assessments.forms import field_from_answer, field_id, read_standard, version_from_post
from dspt.assessments.overview import next_step, profile_complete, still_needed
from dspt.assessments.values import display_value
from dspt.core.dates import today
from dspt.statuses.selectors import status_of


def _overview_url(org) -> str:
    return reverse("assessments:overview", args=[org.ods_code])


@login_required
def overview(request, ods_code: str) -> HttpResponse:
    """The task list by standard, the progress panel and the publication history."""
    org = visible_organisation(request, ods_code)
    assessment = selectors.current_assessment(org)
    # NHS organisations in the CAF years get the CAF-aligned edition (docs/caf.md); one that
    # already started this year's evidence-item assessment keeps it.
    if current_caf_edition(org, today()) is not None and (assessment is None or is_caf(assessment)):
        return redirect("assessments:caf_overview", org.ods_code)
    try:
        edition = current_edition(org, today())
    except NoEditionOpen as exc:
        edition, closed_reason = None, str(exc)
    else:
        closed_reason = ""
    context = {
        "page_title": f"Assessment – {org.name}",
        "back_link": {
            "href": reverse("organisations:detail", args=[org.ods_code]),
            "text": org.name,
        },
        "org": org,
        "edition": edition,
        "closed_reason": closed_reason,
        "assessment": assessment,
        "editable": can_edit(request, org),
        "status": status_of(org),
        "history": selectors.publication_history(org)[:10],
        "plans_url": f"/plans/{org.ods_code}/",
    }
    if assessment is not None:
        ev = selectors.progress(assessment)
        context["ev"] = ev
        context["next_step"] = next_step(org, assessment, ev)
        context["still_needed"] = still_needed(ev)
        context["profile_complete"] = profile_complete(assessment)
    return render(request, "assessments/overview.jinja", context)


@login_required
@require_POST
def start(request, ods_code: str) -> HttpResponse:
    """Start (or open) the assessment for the edition open today."""
    org = editable_organisation(request, ods_code)
    try:
        services.start_assessment(org, request.user, request=request)
    except services.AssessmentError as exc:
        messages.error(request, str(exc))
    return redirect(_overview_url(org))


def _standard_context(request, org, assessment, number: int, submission=None, top_error=""):
    edition = edition_of(assessment)
    try:
        standard = edition.standard(number)
    except KeyError:
        raise Http404("This assessment has no such standard.") from None
    ev = selectors.progress(assessment)
    rows = []
    for assertion in standard.assertions:
        items = []
        for item in assertion.items:
            result = ev.results[item.id]
            if submission is not None and item.id in submission.fields:
                state = submission.fields[item.id]
            else:
                state = field_from_answer(item, result.answer)
            items.append(
                {
                    "item": item,
                    "fid": field_id(item.id),
                    "result": result,
                    "field": state,
                    "display": display_value(item, result.answer.value if result.answer else None),
                }
            )
        rows.append({"assertion": assertion, "items": items})
    errors = []
    if top_error:
        errors.append({"text": top_error, "href": "#answers"})
    if submission is not None:
        for item_id, state in submission.fields.items():
            for message in (state.error, state.file_error):
                if message:
                    errors.append(
                        {"text": f"{item_id}: {message}", "href": f"#item-{field_id(item_id)}"}
                    )
    numbers = [s.number for s in edition.standards]
    i = numbers.index(number)
    return {
        "page_title": f"Standard {number}: {standard.title} – {org.name}",
        "back_link": {"href": _overview_url(org), "text": "Back to the assessment"},
        "org": org,
        "assessment": assessment,
        "edition": edition,
        "standard": standard,
        "counts": ev.by_standard[number],
        "rows": rows,
        "errors": errors,
        "editable": can_edit(request, org)
        and assessment.edition == current_edition(org, today()).code,
        "accept": ACCEPT_ATTRIBUTE,
        "allowed_description": ALLOWED_DESCRIPTION,
        "previous_number": numbers[i - 1] if i > 0 else None,
        "next_number": numbers[i + 1] if i + 1 < len(numbers) else None,
        "category": org.org_type,
    }


@login_required
@require_http_methods(["GET", "POST"])
def standard(request, ods_code: str, number: int) -> HttpResponse:
    """One standard's assertions and evidence items; members and admins answer them here."""
    org = visible_organisation(request, ods_code)
    assessment = selectors.current_assessment(org)
    if assessment is None or is_caf(assessment):
        # A CAF assessment has outcomes, not standards: the overview sends people to them.
        if assessment is None:
            messages.info(request, "Start the assessment first.")
        return redirect(_overview_url(org))
    if request.method == "GET":
        context = _standard_context(request, org, assessment, number)
        return render(request, "assessments/standard.jinja", context)

    editable_organisation(request, ods_code)  # 403 for people who may only read
    edition = edition_of(assessment)
    try:
        items = [i for a in edition.standard(number).assertions for i in a.items]
    except KeyError:
        raise Http404("This assessment has no such standard.") from None
    submission = read_standard(items, request.POST, request.FILES)
    top_error = ""
    try:
        expected = version_from_post(request.POST)
        problems = submission.errors | services.check_answers(assessment, submission.entries)
        if problems:
            raise services.AnswerErrors(problems)
        services.save_answers(
            assessment,
            submission.entries,
            user=request.user,
            expected_version=expected,
            request=request,
        )
    except services.AnswerErrors as exc:
        for item_id, message in exc.errors.items():
            submission.fields[item_id].error = message
        top_error = "Nothing was saved. Correct the answers marked below and save again."
    except services.StaleVersion as exc:
        assessment.refresh_from_db()
        top_error = f"{exc} Your answers are shown below but have not been saved."
    except services.AssessmentError as exc:
        top_error = str(exc)
    if submission.uploads and top_error:
        top_error += " Choose any files again: they were not uploaded."
    elif submission.uploads:
        for item_id, upload in submission.uploads.items():
            try:
                services.attach_document(assessment, item_id, upload, request.user, request=request)
            except services.AssessmentError as exc:
                submission.fields[item_id].file_error = str(exc)
                top_error = "Your answers were saved, but a file was not uploaded."
    if top_error:
        context = _standard_context(request, org, assessment, number, submission, top_error)
        return render(request, "assessments/standard.jinja", context, status=400)
    messages.success(request, f"Standard {number} saved.")
    if request.POST.get("then") == "next" and (nxt := _next_standard(edition, number)):
        return redirect("assessments:standard", org.ods_code, nxt)
    return redirect(_overview_url(org))


def _next_standard(edition, number: int) -> int | None:
    numbers = [s.number for s in edition.standards]
    i = numbers.index(number)
    return numbers[i + 1] if i + 1 < len(numbers) else None
