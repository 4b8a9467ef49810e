"""Independent assessment pages.

- `/assurance/<ODS>/`: the organisation's reviews; its admins invite a firm (with a sample of
  outcomes) and withdraw an open review. Readers of the organisation see the list.
- `/assurance/reviews/…`: an assessor's open reviews; the review page (agree the sample, rate
  outcomes, report) and the evidence of sampled outcomes.
- `/assurance/reports/…`: reports, to the organisation and the national team, as a page, PDF, XLSX.
Outside a person's scope the answer is 404 (the selectors decide).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dspt.assessments import selectors as assessment_selectors
from dspt.assessments.caf_evaluation import caf_evaluate
from dspt.assessments.editions import caf_edition_of, is_caf
from dspt.assessments.models import EvidenceDocument
from dspt.assurance import selectors, services
from dspt.assurance.models import AssuranceLevel, AuditFirm, Confidence, Review, ReviewState
from dspt.assurance.report import report_pdf, report_rows, report_xlsx
from dspt.frameworks.caf import ACHIEVEMENT_LABELS
from dspt.organisations.models import Organisation


def _organisation(request, ods_code: str) -> Organisation:
    org = Organisation.objects.visible_to(request.user).filter(ods_code=ods_code).first()
    if org is None:
        raise Http404("No organisation you can see has that ODS code.")
    return org


def _administers(request, org: Organisation) -> bool:
    return Organisation.objects.administered_by(request.user).filter(pk=org.pk).exists()


@login_required
@require_http_methods(["GET", "POST"])
def organisation(request, ods_code: str) -> HttpResponse:
    """The organisation's reviews and, for its admins, the invitation form."""
    org = _organisation(request, ods_code)
    assessment = assessment_selectors.current_assessment(org)
    caf_assessment = assessment if assessment is not None and is_caf(assessment) else None
    admin = _administers(request, org)
    error, chosen = "", []
    if request.method == "POST":
        if not admin:
            raise PermissionDenied("Only the organisation's admins can invite an assessor.")
        if caf_assessment is None:
            raise Http404("This organisation has no CAF-aligned assessment to review.")
        chosen = request.POST.getlist("sample")
        firm = AuditFirm.objects.filter(pk=request.POST.get("firm") or 0).first()
        try:
            if firm is None:
                raise services.ReviewRefused("Choose the audit firm to invite.")
            services.review_invite(
                assessment=caf_assessment,
                firm=firm,
                sample=chosen,
                user=request.user,
                request=request,
            )
        except services.ReviewRefused as exc:
            error = str(exc)
        else:
            messages.success(request, f"{firm.name} is invited to review your assessment.")
            return redirect("assurance:organisation", org.ods_code)
    reviews = list(selectors.reviews_of(org))
    context = {
        "page_title": f"Independent assessment – {org.name}",
        "org": org,
        "assessment": caf_assessment,
        "admin": admin,
        "reviews": reviews,
        "open_review": next((r for r in reviews if r.state == ReviewState.OPEN), None),
        "firms": AuditFirm.objects.order_by("name"),
        "outcomes": caf_edition_of(caf_assessment).outcomes if caf_assessment else [],
        "chosen": chosen,
        "error": error,
    }
    return render(request, "assurance/organisation.jinja", context, status=400 if error else 200)


@login_required
@require_POST
def withdraw(request, ods_code: str, pk: int) -> HttpResponse:
    org = _organisation(request, ods_code)
    if not _administers(request, org):
        raise PermissionDenied("Only the organisation's admins can withdraw an invitation.")
    review = get_object_or_404(Review, pk=pk, organisation=org)
    try:
        services.review_withdraw(review=review, user=request.user, request=request)
    except services.ReviewRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The invitation is withdrawn.")
    return redirect("assurance:organisation", org.ods_code)


@login_required
def assessor_reviews(request) -> HttpResponse:
    """An assessor's open reviews (an empty list for anyone else)."""
    if selectors.assessor_of(request.user) is None:
        raise Http404("Only assessors of an audit firm have reviews here.")
    return render(
        request,
        "assurance/assessor_reviews.jinja",
        {"page_title": "Your reviews", "reviews": selectors.reviews_for_assessor(request.user)},
    )


def _review_context(review: Review, error: str = "") -> dict:
    ev = caf_evaluate(review.assessment)
    rated = {r.outcome_id: r for r in review.outcomes.all()}
    return {
        "page_title": f"Review of {review.organisation.name} {review.edition}",
        "review": review,
        "ev": ev,
        "sampled": [(ev.results[o], rated.get(o)) for o in review.sample if o in ev.results],
        "labels": ACHIEVEMENT_LABELS,
        "confidences": Confidence.choices,
        "assurance_levels": AssuranceLevel.choices,
        "error": error,
    }


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk: int) -> HttpResponse:
    """The assessor's review: agree the sample, rate each sampled outcome, then report."""
    found = selectors.review_for_assessor(request.user, pk)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "sample":
                services.review_set_sample(
                    review=found,
                    sample=request.POST.getlist("sample"),
                    user=request.user,
                    request=request,
                )
            elif action == "rate":
                services.review_rate_outcome(
                    review=found,
                    outcome_id=request.POST.get("outcome", ""),
                    rating=request.POST.get("rating", ""),
                    confidence=request.POST.get("confidence", ""),
                    comment=request.POST.get("comment", ""),
                    user=request.user,
                    request=request,
                )
            elif action == "report":
                services.review_report(
                    review=found,
                    assurance=request.POST.get("assurance", ""),
                    confidence=request.POST.get("confidence", ""),
                    summary=request.POST.get("summary", ""),
                    user=request.user,
                    request=request,
                )
                messages.success(
                    request, "Your report is issued to the organisation and the national team."
                )
                return redirect("assurance:assessor_reviews")
            else:
                raise services.ReviewRefused(
                    "The form was incomplete. Reload the page and try again."
                )
        except services.ReviewRefused as exc:
            error = str(exc)
        else:
            messages.success(request, "Saved.")
            return redirect("assurance:review", found.pk)
    found.refresh_from_db()
    return render(
        request,
        "assurance/review.jinja",
        _review_context(found, error),
        status=400 if error else 200,
    )


@login_required
def review_document(request, pk: int, document_id: int) -> FileResponse:
    """Evidence of a sampled outcome, for the invited assessor while the review is open."""
    found = selectors.review_for_assessor(request.user, pk)
    doc = EvidenceDocument.objects.filter(
        pk=document_id, assessment=found.assessment, item_id__in=found.sample
    ).first()
    if doc is None:
        raise Http404("No document of the sampled outcomes has that number.")
    return FileResponse(
        doc.file.open("rb"),
        as_attachment=True,
        filename=doc.original_name,
        content_type=doc.content_type,
    )


@login_required
def reports(request) -> HttpResponse:
    """Reports the person may read: the organisation's own, or every one for the national team."""
    return render(
        request,
        "assurance/reports.jinja",
        {
            "page_title": "Independent assessment reports",
            "reports": selectors.reports_visible_to(request.user),
        },
    )


@login_required
def report(request, pk: int) -> HttpResponse:
    found = selectors.report_for(request.user, pk)
    return render(
        request,
        "assurance/report.jinja",
        {
            "page_title": f"Independent assessment of {found.organisation.name}",
            "review": found,
            "rows": report_rows(found),
        },
    )


def _filename(review: Review, ext: str) -> str:
    return f"independent-assessment-{review.organisation.ods_code}-{review.edition}.{ext}"


@login_required
def report_download_pdf(request, pk: int) -> HttpResponse:
    found = selectors.report_for(request.user, pk)
    response = HttpResponse(report_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(found, "pdf")}"'
    return response


@login_required
def report_download_xlsx(request, pk: int) -> HttpResponse:
    found = selectors.report_for(request.user, pk)
    response = HttpResponse(
        report_xlsx(found),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(found, "xlsx")}"'
    return response
