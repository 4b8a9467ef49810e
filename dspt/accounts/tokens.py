"""Personal API tokens for oversight people (commissioners, LSOs, the programme team).

A personal token acts as the person who made it, with their monitoring remit as it is at the
moment of each request (never more: if the person loses the role, the token reaches nothing).
It works only on the monitoring and support API and `/me` (dspt.api.auth), and reaches no
organisation's private workspace. Only the person themself creates and revokes it. See
docs/adr/0004-personal-oversight-tokens.md.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from dspt.accounts.models import ApiToken, User, hash_token
from dspt.accounts.remits import remit_of
from dspt.audit.services import record

MAX_ACTIVE = 10


def may_hold_personal_tokens(user) -> bool:
    """Only people with a monitoring remit (commissioner, LSO, programme, platform admin)."""
    return remit_of(user) is not None


def personal_tokens(user) -> QuerySet[ApiToken]:
    """The person's own personal tokens, newest first."""
    return ApiToken.objects.filter(user=user, organisation__isnull=True).order_by("-created_at")


def create_personal_token(*, user: User, name: str, request=None) -> tuple[ApiToken, str]:
    """Create a personal token; the raw value is returned once and only its hash is stored."""
    if not may_hold_personal_tokens(user):
        raise PermissionError("Personal API tokens are for commissioners, LSOs and the programme.")
    name = (name or "").strip()[:100]
    if not name:
        raise ValueError("Enter a name for the token, so you can tell it apart later.")
    if personal_tokens(user).filter(revoked_at__isnull=True).count() >= MAX_ACTIVE:
        raise ValueError(f"You already have {MAX_ACTIVE} active tokens. Revoke one first.")
    raw = ApiToken.new_raw_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            organisation=None, user=user, name=name, prefix=raw[:12], token_hash=hash_token(raw)
        )
        record(
            "api_token.created",
            actor=user,
            obj=token,
            detail={"name": token.name, "prefix": token.prefix, "personal": True},
            request=request,
        )
    return token, raw


def revoke_personal_token(*, user: User, token_id: int, request=None) -> ApiToken:
    """Revoke one of the person's own personal tokens (another person's is not found)."""
    with transaction.atomic():
        token = personal_tokens(user).select_for_update().get(pk=token_id)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record(
                "api_token.revoked",
                actor=user,
                obj=token,
                detail={"name": token.name, "prefix": token.prefix, "personal": True},
                request=request,
            )
    return token
