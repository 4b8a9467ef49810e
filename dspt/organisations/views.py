"""A signed-in person's organisations: register one, see it, manage its people and API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dspt.accounts import services as account_services
from dspt.accounts.models import ApiToken, Membership, OrgRole
from dspt.frameworks.services import may_move_deadlines
from dspt.organisations import claims, selectors, services
from dspt.organisations.forms import (
    FindOrganisationForm,
    InviteForm,
    NewOrganisationForm,
    TokenForm,
)
from dspt.organisations.models import Organisation
from dspt.statuses.selectors import status_of


def _visible(request: HttpRequest, ods_code: str) -> Organisation:
    # 404, not 403: do not reveal whether someone else's private workspace exists.
    return get_object_or_404(
        Organisation.objects.visible_to(request.user), ods_code=ods_code.upper()
    )


def _administered(request: HttpRequest, ods_code: str) -> Organisation:
    org = _visible(request, ods_code)
    if not Organisation.objects.administered_by(request.user).filter(pk=org.pk).exists():
        raise Http404("Only an organisation admin can do this.")
    return org


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = request.user.memberships.select_related("organisation").order_by(
        "organisation__name"
    )
    return render(
        request,
        "organisations/home.jinja",
        {
            "memberships": memberships,
            "claims": selectors.claims_of(request.user),
            "may_decide_claims": claims.is_platform_admin(request.user),
            "may_move_deadlines": may_move_deadlines(request.user),
            "site_claims": selectors.site_claims(request.user).count(),
            "page_title": "Your organisations",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Step 1: find the organisation by ODS code; claim it if known, otherwise create it."""
    form = FindOrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["ods_code"]
        org = Organisation.objects.filter(ods_code=code).first()
        if org is None:
            return redirect(f"{request.path}new/?ods_code={code}")
        return redirect("organisations:claim", code)
    return render(
        request,
        "organisations/register.jinja",
        {"form": form, "page_title": "Register your organisation"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    form = NewOrganisationForm(
        request.POST or None, initial={"ods_code": request.GET.get("ods_code", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_organisation(
                user=request.user, request=request, **form.cleaned_data
            )
        except services.RegistrationRefused as exc:
            form.add_error("ods_code", str(exc))
        else:
            messages.success(
                request,
                f"{org.name} is registered and you are its organisation admin. Because it is not "
                "on a register we hold, our team may contact you to check it.",
            )
            return redirect("organisations:detail", org.ods_code)
    return render(
        request,
        "organisations/create.jinja",
        {"form": form, "page_title": "Register a new organisation"},
    )


@login_required
def detail(request: HttpRequest, ods_code: str) -> HttpResponse:
    org = _visible(request, ods_code)
    membership = Membership.objects.filter(user=request.user, organisation=org).first()
    is_admin = Organisation.objects.administered_by(request.user).filter(pk=org.pk).exists()
    return render(
        request,
        "organisations/detail.jinja",
        {
            "org": org,
            "result": status_of(org),
            "membership": membership,
            "is_admin": is_admin,
            "sites": org.sites.order_by("name") if not org.parent_id else [],
            "page_title": org.name,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, ods_code: str) -> HttpResponse:
    org = _administered(request, ods_code)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account_services.invite(
            organisation=org, invited_by=request.user, request=request, **form.cleaned_data
        )
        messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
        return redirect("organisations:members", org.ods_code)
    return render(
        request,
        "organisations/members.jinja",
        {
            "org": org,
            "form": form,
            "members": org.memberships.select_related("user").order_by("user__email"),
            "roles": OrgRole.choices,
            "invitations": org.invitations.filter(accepted_at__isnull=True).order_by("-created_at"),
            "page_title": f"People at {org.name}",
        },
    )


@login_required
@require_POST
def member_change(request: HttpRequest, ods_code: str, membership_id: int) -> HttpResponse:
    org = _administered(request, ods_code)
    membership = get_object_or_404(Membership, pk=membership_id, organisation=org)
    try:
        if request.POST.get("action") == "remove":
            account_services.remove_member(membership=membership, by=request.user, request=request)
            messages.success(request, f"{membership.user.email} no longer has access.")
        else:
            role = request.POST.get("role", "")
            if role not in OrgRole.values:
                raise ValueError("Choose a role.")
            account_services.change_role(
                membership=membership, role=role, by=request.user, request=request
            )
            messages.success(
                request, f"{membership.user.email} is now {OrgRole(role).label.lower()}."
            )
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("organisations:members", org.ods_code)


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest, ods_code: str) -> HttpResponse:
    org = _administered(request, ods_code)
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _, new_token = account_services.create_token(
            organisation=org, user=request.user, name=form.cleaned_data["name"], request=request
        )
        form = TokenForm()
    return render(
        request,
        "organisations/tokens.jinja",
        {
            "org": org,
            "form": form,
            "new_token": new_token,
            "tokens": org.api_tokens.select_related("user").order_by("-created_at"),
            "page_title": f"API tokens for {org.name}",
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, ods_code: str, token_id: int) -> HttpResponse:
    org = _administered(request, ods_code)
    token = get_object_or_404(ApiToken, pk=token_id, organisation=org)
    account_services.revoke_token(token=token, by=request.user, request=request)
    messages.success(
        request, f"Token ‘{token.name}’ revoked. Anything using it will stop working at once."
    )
    return redirect("organisations:tokens", org.ods_code)
