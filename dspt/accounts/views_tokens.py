"""Your personal API tokens (oversight people only): list, create, revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dspt.accounts import tokens
from dspt.accounts.models import ApiToken


@login_required
@require_http_methods(["GET", "POST"])
def personal_tokens(request: HttpRequest) -> HttpResponse:
    if not tokens.may_hold_personal_tokens(request.user):
        raise Http404
    error = None
    new_token = None
    if request.method == "POST":
        try:
            _, new_token = tokens.create_personal_token(
                user=request.user, name=request.POST.get("name", ""), request=request
            )
        except ValueError as exc:
            error = str(exc)
    return render(
        request,
        "accounts/tokens.jinja",
        {
            "page_title": "Your API tokens",
            "tokens": tokens.personal_tokens(request.user),
            "new_token": new_token,
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if not tokens.may_hold_personal_tokens(request.user):
        raise Http404
    try:
        token = tokens.revoke_personal_token(user=request.user, token_id=token_id, request=request)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    messages.success(
        request, f"Token ‘{token.name}’ revoked. Anything using it will stop working at once."
    )
    return redirect("accounts:tokens")
