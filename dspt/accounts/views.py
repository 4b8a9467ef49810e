"""Sign in, sign out, create an account, accept an invitation."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from dspt.accounts import services
from dspt.accounts.forms import RegisterForm, SignInForm
from dspt.audit.services import record


def _asked_next(request: HttpRequest) -> str:
    """The page the person was on their way to, if one was asked for and it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _next_url(request: HttpRequest, user=None) -> str:
    """Where to go after signing in: the page asked for, else staff land on their work (the
    home page) and everyone else on their organisations."""
    target = _asked_next(request)
    if target:
        return target
    if user is not None and (user.oversight_role or user.is_superuser):
        return "/home/"
    return "/organisations/"


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in(
                request, form.cleaned_data["email"], form.cleaned_data["password"]
            )
        except services.SignInRefused as exc:
            form.add_error(None, str(exc))
        else:
            login(request, user, backend="dspt.accounts.backends.EmailBackend")
            return redirect(_next_url(request, user))
    return render(
        request,
        "accounts/sign_in.jinja",
        # Only a page asked for is carried: the default depends on who signs in.
        {"form": form, "next": _asked_next(request), "page_title": "Sign in"},
    )


@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.user.is_authenticated:
            record("account.signed_out", actor=request.user, request=request)
        logout(request)
        messages.success(request, "You have signed out.")
        return redirect("/")
    return render(request, "accounts/sign_out.jinja", {"page_title": "Sign out"})


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.register_user(request=request, **form.cleaned_data)
        login(request, user, backend="dspt.accounts.backends.EmailBackend")
        messages.success(request, "Your account has been created.")
        return redirect(_next_url(request))
    return render(
        request,
        "accounts/register.jinja",
        {"form": form, "next": _next_url(request), "page_title": "Create an account"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            membership = services.accept_invitation(token, request.user, request=request)
        except ValueError as exc:
            error = str(exc)
        else:
            messages.success(request, f"You have joined {membership.organisation.name}.")
            return redirect("organisations:detail", membership.organisation.ods_code)
    return render(
        request,
        "accounts/accept_invitation.jinja",
        {"error": error, "page_title": "Accept invitation"},
    )
