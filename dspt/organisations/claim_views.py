"""Claiming a known organisation, following the emailed link, and the platform admin's queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dspt.accounts.models import Membership
from dspt.organisations import claim_upkeep, claims, selectors
from dspt.organisations.models import ClaimMethod, ClaimRequest, ClaimStatus, Organisation


@login_required
@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest, ods_code: str) -> HttpResponse:
    """Show a known organisation and how a claim to it is verified; start or renew the claim."""
    org = get_object_or_404(Organisation, ods_code=ods_code.upper())
    error = None
    note = ""
    if request.method == "POST":
        method = request.POST.get("method", "")
        note = request.POST.get("note", "")
        if method not in ClaimMethod.values:
            error = "Choose how we should check your request."
        else:
            try:
                made = claims.start_claim(
                    organisation=org, user=request.user, method=method, note=note, request=request
                )
            except claims.ClaimRefused as exc:
                error = str(exc)
            else:
                if made.method == ClaimMethod.EMAIL:
                    messages.success(
                        request,
                        f"We have emailed a verification link to {claims.mask_email(made.sent_to)}.",
                    )
                else:
                    messages.success(request, "Your request is with our team to check.")
                return redirect("organisations:claim", org.ods_code)
    pending = selectors.pending_claim(org, request.user)
    return render(
        request,
        "organisations/claim.jinja",
        {
            "org": org,
            "error": error,
            "note": note,
            "has_admin": claims.has_admin(org),
            "is_member": Membership.objects.filter(organisation=org, user=request.user).exists(),
            "pending": pending,
            "masked_email": claims.mask_email(org.contact_email) if org.contact_email else "",
            "link_days": claims.link_days(),
            "page_title": "Confirm your organisation",
        },
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, claim_id: int) -> HttpResponse:
    mine = get_object_or_404(ClaimRequest, pk=claim_id, user=request.user)
    try:
        claims.withdraw(claim=mine, user=request.user, request=request)
    except claims.ClaimRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Your request to register {mine.organisation.name} is withdrawn."
        )
    return redirect("organisations:home")


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link. GET only shows a confirm button: mail scanners open links on their own."""
    found = claims.find_by_link(token)
    problem = claims.link_problem(found, request.user)
    if request.method == "POST":
        try:
            claims.verify_by_link(raw=token, user=request.user, request=request)
        except claims.ClaimRefused as exc:
            problem = str(exc)
        else:
            org = found.organisation
            messages.success(
                request, f"Verified. You are now the organisation admin for {org.name}."
            )
            return redirect("organisations:detail", org.ods_code)
    return render(
        request,
        "organisations/claim_verify.jinja",
        {
            "claim": found if problem is None else None,
            "problem": problem,
            "page_title": "Confirm your organisation",
        },
        status=200 if problem is None else 400,
    )


def _platform_admin(request: HttpRequest) -> None:
    # 404 rather than 403, as for other staff-only pages: the queue's existence is not advertised.
    if not claims.is_platform_admin(request.user):
        raise Http404("Not found.")


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Platform admins: every pending claim and unchecked self-registration, and recent approvals.
    A head office's admins: the pending claims of their own sites."""
    staff = claims.is_platform_admin(request.user)
    sites = selectors.site_claims(request.user)
    if not staff and not sites.exists():
        raise Http404("Not found.")
    context = {"staff": staff, "site_claims": sites, "page_title": "Registration requests"}
    if staff:
        context |= {
            "staff_days": claim_upkeep.staff_days(),
            "staff_claims": selectors.pending_claims(ClaimMethod.STAFF),
            "email_claims": selectors.pending_claims(ClaimMethod.EMAIL),
            "unverified": selectors.unverified_registrations(),
            "recent": selectors.recently_verified_admins(),
        }
    return render(request, "organisations/claims_queue.jinja", context)


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, claim_id: int) -> HttpResponse:
    item = get_object_or_404(
        ClaimRequest.objects.select_related("organisation", "user"), pk=claim_id
    )
    if not claims.may_decide(request.user, item):
        raise Http404("Not found.")
    staff = claims.is_platform_admin(request.user)
    error = None
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        try:
            claims.decide(
                claim=item,
                by=request.user,
                approve=approve,
                reason=request.POST.get("reason", ""),
                request=request,
            )
        except claims.ClaimRefused as exc:
            error = str(exc)
        else:
            item.refresh_from_db()
            if item.status == ClaimStatus.APPROVED:
                messages.success(
                    request, f"{item.user.email} is now the admin of {item.organisation.name}."
                )
            else:
                messages.success(request, f"Request rejected: {item.reason}")
            return redirect("organisations:claims_queue")
    return render(
        request,
        "organisations/claim_decide.jinja",
        {
            "item": item,
            "error": error,
            # A head office sees the request itself; the claimant's other requests (elsewhere)
            # are for platform staff only.
            "others": selectors.other_claims(item) if staff else [],
            "history": selectors.claim_history(item.user) if staff else [],
            "staff": staff,
            "page_title": f"Check request for {item.organisation.name}",
        },
    )


@login_required
@require_POST
def mark_checked(request: HttpRequest, ods_code: str) -> HttpResponse:
    _platform_admin(request)
    org = get_object_or_404(Organisation, ods_code=ods_code.upper(), self_registered=True)
    claims.mark_checked(
        organisation=org, by=request.user, note=request.POST.get("note", ""), request=request
    )
    messages.success(request, f"{org.name} is marked as checked.")
    return redirect("organisations:claims_queue")


@login_required
@require_http_methods(["GET", "POST"])
def admins(request: HttpRequest, ods_code: str) -> HttpResponse:
    """Platform admins: an organisation's admins, and removing one who was wrongly verified."""
    _platform_admin(request)
    org = get_object_or_404(Organisation, ods_code=ods_code.upper())
    error = None
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        membership = get_object_or_404(
            Membership, pk=request.POST.get("membership") or 0, organisation=org
        )
        try:
            claim_upkeep.revoke_admin(
                membership=membership, by=request.user, reason=reason, request=request
            )
        except claims.ClaimRefused as exc:
            error = str(exc)
        else:
            messages.success(
                request, f"{membership.user.email} is no longer an admin of {org.name}."
            )
            return redirect("organisations:claim_admins", org.ods_code)
    return render(
        request,
        "organisations/claim_admins.jinja",
        {
            "org": org,
            "admins": claim_upkeep.admins(org),
            "approvals": selectors.approvals_of(org),
            "error": error,
            "reason": reason,
            "page_title": f"Admins of {org.name}",
        },
    )
