"""Access request pages. Thin: selectors decide what a person sees, services do the writing and
refuse what the rules do not allow (the page shows why and keeps what was typed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dspt.access import selectors, services
from dspt.access.forms import (
    AmendmentForm,
    AnswerForm,
    DecideForm,
    QuestionsForm,
    RequestForm,
    ReviewForm,
)
from dspt.access.models import AccessRequest, Stage
from dspt.core.dates import today
from dspt.statuses.selectors import status_of

NOT_YOURS = "Access requests are for the data teams that apply and the processing centre."
CENTRE_ONLY = "Only the processing centre reviews and decides access requests."


def _visible(request, pk: int) -> AccessRequest:
    return get_object_or_404(selectors.visible_to(request.user), pk=pk)


def _applicant_only(request, req: AccessRequest) -> None:
    if not selectors.may_act_for_applicant(request.user, req):
        raise PermissionDenied("Only the applicant's members and admins do this.")


def _centre_only(request) -> None:
    if not selectors.is_centre(request.user):
        raise PermissionDenied(CENTRE_ONLY)


def _refused(form, exc: services.AccessError) -> None:
    if isinstance(exc, services.AccessDenied):
        raise PermissionDenied(str(exc)) from exc
    form.add_error(None, str(exc))


@login_required
def index(request):
    """My requests (and the way to the centre's queue for the centre's people)."""
    user = request.user
    centre = selectors.is_centre(user)
    mine = selectors.visible_to(user)
    can_apply = selectors.applying_organisations(user).exists()
    if not (centre or can_apply or mine.exists()):
        raise PermissionDenied(NOT_YOURS)
    return render(
        request,
        "access/index.jinja",
        {
            "page_title": "Data access requests",
            "requests": [] if centre else mine[:200],
            "is_centre": centre,
            "can_apply": can_apply,
            "templates": selectors.templates(),
        },
    )


@login_required
def new(request):
    """A new request, blank or pre-filled from a standard template."""
    organisations = selectors.applying_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied("You can apply only as a member or admin of your organisation.")
    chosen = selectors.template(request.GET.get("template", ""))
    wanted = request.GET.get("organisation", "")
    org = organisations.filter(pk=int(wanted)).first() if wanted.isdigit() else None
    if org is None and chosen is not None:
        org = next(
            (o for o in organisations if o.org_type in chosen.applicant_types), organisations[0]
        )
    initial = chosen.initial(org, today()) if chosen else {}
    if org is not None:
        initial["organisation"] = org.pk
    form = RequestForm(initial=initial, user=request.user)
    status = 200
    if request.method == "POST":
        form = RequestForm(request.POST, user=request.user)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                req = services.request_create(
                    user=request.user,
                    applicant=data["organisation"],
                    title=data["title"],
                    local_authorities=data["local_authorities"],
                    coapplicants=data["coapplicants"],
                    template=data["template"] if selectors.template(data["template"]) else "",
                    controllers=data["controllers"],
                    request=request,
                    **form.terms(),
                )
            except services.AccessError as exc:
                _refused(form, exc)
            else:
                messages.info(request, f"Request {req.reference} saved as a draft.")
                return redirect("access:detail", pk=req.pk)
    return render(
        request,
        "access/new.jinja",
        {
            "page_title": "Apply for data",
            "form": form,
            "chosen": chosen,
            "templates": selectors.templates(),
            "back_link": {"href": "/access/"},
        },
        status=status,
    )


@login_required
def detail(request, pk: int):
    """Where a request is: stage, terms of each version, co-applicants, thread, statuses."""
    req = _visible(request, pk)
    user = request.user
    versions = list(
        req.versions.select_related("reviewed_by", "decided_by", "agreement")
        .prefetch_related("local_authorities")
        .order_by("-number")
    )
    coapplicants = list(req.coapplicants.select_related("organisation", "confirmed_by"))
    orgs = [req.applicant, *[c.organisation for c in coapplicants]]
    applicant = selectors.may_act_for_applicant(user, req)
    centre = selectors.is_centre(user)
    current = versions[0]
    return render(
        request,
        "access/detail.jinja",
        {
            "page_title": f"{req.reference}: {req.title}",
            "req": req,
            "versions": versions,
            "current": current,
            "coapplicants": coapplicants,
            "thread": req.messages.select_related("author", "version"),
            "statuses": [(o, status_of(o)) for o in orgs],
            "may_submit": applicant and req.status == Stage.DRAFT,
            "may_answer": applicant and req.status == Stage.QUESTIONS,
            "may_amend": applicant and req.status == Stage.APPROVED and req.live_agreement,
            "may_withdraw": applicant
            and req.status not in (Stage.APPROVED, Stage.REJECTED, Stage.WITHDRAWN),
            "may_confirm": req.status in (Stage.DRAFT, Stage.AWAITING_COAPPLICANTS)
            and selectors.confirmable_by(user, req).exists(),
            "may_review": centre and req.status == Stage.SUBMITTED,
            "may_decide": centre
            and req.status == Stage.REVIEWED
            and current.reviewed_by_id != user.pk,
            "is_centre": centre,
            "back_link": {"href": "/access/centre/" if centre else "/access/"},
        },
    )


@login_required
@require_POST
def submit(request, pk: int):
    req = _visible(request, pk)
    _applicant_only(request, req)
    try:
        services.request_submit(user=request.user, req=req, request=request)
    except services.AccessError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, req.get_status_display() + ".")
    return redirect("access:detail", pk=pk)


@login_required
@require_POST
def withdraw(request, pk: int):
    req = _visible(request, pk)
    _applicant_only(request, req)
    try:
        services.request_withdraw(user=request.user, req=req, request=request)
    except services.AccessError as exc:
        messages.error(request, str(exc))
    return redirect("access:detail", pk=pk)


@login_required
def confirm(request, pk: int):
    """A co-applicant confirms it is a joint controller on the request."""
    req = _visible(request, pk)
    entries = list(selectors.confirmable_by(request.user, req))
    if not entries:
        raise PermissionDenied("There is nothing here for your organisation to confirm.")
    if request.method == "POST":
        entry = next((e for e in entries if str(e.pk) == request.POST.get("coapplicant")), None)
        if entry is None:
            messages.error(request, "Choose the organisation you confirm for.")
        else:
            try:
                services.coapplicant_confirm(
                    user=request.user, req=req, organisation=entry.organisation, request=request
                )
            except services.AccessError as exc:
                messages.error(request, str(exc))
            else:
                messages.info(request, f"{entry.organisation.name} confirmed.")
                return redirect("access:detail", pk=pk)
    return render(
        request,
        "access/confirm.jinja",
        {
            "page_title": f"Confirm as co-applicant on {req.reference}",
            "req": req,
            "current": req.current,
            "entries": entries,
            "back_link": {"href": f"/access/{req.pk}/"},
        },
    )


@login_required
def answer(request, pk: int):
    """The applicant answers the reviewer's questions and sends the request back for review."""
    req = _visible(request, pk)
    _applicant_only(request, req)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_answer(
                user=request.user, req=req, answer=form.cleaned_data["answer"], request=request
            )
        except services.AccessError as exc:
            _refused(form, exc)
        else:
            messages.info(request, "Answer sent; the request is back for review.")
            return redirect("access:detail", pk=pk)
    return render(
        request,
        "access/answer.jinja",
        {
            "page_title": f"Answer questions on {req.reference}",
            "req": req,
            "form": form,
            "thread": req.messages.select_related("author"),
            "back_link": {"href": f"/access/{req.pk}/"},
        },
    )


@login_required
def amend(request, pk: int):
    """Start an amendment: a new version from the live terms, through the same stages."""
    req = _visible(request, pk)
    _applicant_only(request, req)
    live = req.live_version
    if live is None or req.status != Stage.APPROVED:
        raise PermissionDenied("Only an approved request with a live agreement can be amended.")
    initial = {k: getattr(live, k) for k in services.TERMS if k != "controllers"}
    initial["local_authorities"] = list(live.local_authorities.values_list("pk", flat=True))
    form = AmendmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.amendment_start(
                user=request.user,
                req=req,
                change_note=form.cleaned_data["change_note"],
                local_authorities=form.cleaned_data["local_authorities"],
                request=request,
                **form.terms(),
            )
        except services.AccessError as exc:
            _refused(form, exc)
        else:
            messages.info(request, "Amendment saved as a draft: send it for review when ready.")
            return redirect("access:detail", pk=pk)
    return render(
        request,
        "access/amend.jinja",
        {
            "page_title": f"Amend {req.reference}",
            "req": req,
            "live": live,
            "form": form,
            "back_link": {"href": f"/access/{req.pk}/"},
        },
        status=400 if form.errors else 200,
    )


@login_required
def queue(request):
    """The processing centre's queue."""
    _centre_only(request)
    return render(
        request,
        "access/queue.jinja",
        {
            "page_title": "Access requests: the centre's queue",
            "queue": selectors.queue(request.user),
            "decided": selectors.visible_to(request.user)
            .exclude(status__in=selectors.QUEUE_STAGES)
            .order_by("-updated_at")[:50],
        },
    )


@login_required
def review(request, pk: int):
    """The reviewer sends questions back, or recommends a decision."""
    _centre_only(request)
    req = _visible(request, pk)
    questions, recommend = QuestionsForm(prefix="q"), ReviewForm(prefix="r")
    if request.method == "POST":
        try:
            if "send_back" in request.POST:
                questions = QuestionsForm(request.POST, prefix="q")
                if questions.is_valid():
                    services.request_send_back(
                        user=request.user,
                        req=req,
                        questions=questions.cleaned_data["questions"],
                        request=request,
                    )
                    messages.info(request, "Questions sent to the applicant.")
                    return redirect("access:detail", pk=pk)
            else:
                recommend = ReviewForm(request.POST, prefix="r")
                if recommend.is_valid():
                    services.request_review(
                        user=request.user,
                        req=req,
                        recommendation=recommend.cleaned_data["recommendation"],
                        note=recommend.cleaned_data["note"],
                        request=request,
                    )
                    messages.info(request, "Review recorded; another person decides.")
                    return redirect("access:detail", pk=pk)
        except services.AccessError as exc:
            _refused(questions if "send_back" in request.POST else recommend, exc)
    return render(
        request,
        "access/review.jinja",
        {
            "page_title": f"Review {req.reference}",
            "req": req,
            "current": req.current,
            "thread": req.messages.select_related("author", "version"),
            "questions": questions,
            "recommend": recommend,
            "back_link": {"href": f"/access/{req.pk}/"},
        },
        status=400 if (questions.errors or recommend.errors) else 200,
    )


@login_required
def decide(request, pk: int):
    """The approver (not the reviewer) approves, issuing an agreement, or rejects with reasons."""
    _centre_only(request)
    req = _visible(request, pk)
    form = DecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.request_decide(
                user=request.user,
                req=req,
                decision=form.cleaned_data["decision"],
                reasons=form.cleaned_data["reasons"],
                request=request,
            )
        except services.AccessError as exc:
            if isinstance(exc, services.AccessDenied):
                form.add_error(None, str(exc))
            else:
                _refused(form, exc)
        else:
            done = (
                f"Approved: agreement {version.agreement.reference} issued."
                if version.agreement
                else "Rejected; the applicant is told the reasons."
            )
            messages.info(request, done)
            return redirect("access:detail", pk=pk)
    return render(
        request,
        "access/decide.jinja",
        {
            "page_title": f"Decide {req.reference}",
            "req": req,
            "current": req.current,
            "form": form,
            "back_link": {"href": f"/access/{req.pk}/"},
        },
        status=400 if form.errors else 200,
    )
