"""API authentication: a bearer token acts as the person who made it, within its limits.

`TokenAuth` finds the token; `limit_to_token` narrows what an organisation token reaches. Which
routers accept which kind of token is the API's own decision (dspt.api.auth).
"""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from ninja.security import HttpBearer

from dspt.accounts.models import ApiToken, hash_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: acts as the token's creator.

    An organisation token is limited to its organisation (`limit_to_token`). A personal token
    acts with its holder's monitoring remit, and only where the API mounts `oversight_auth`.
    """

    def __init__(self, *, personal: bool = False) -> None:
        super().__init__()
        self.personal = personal

    def authenticate(self, request, token: str):
        found = (
            ApiToken.objects.select_related("user", "organisation")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        if found.personal and not self.personal:
            return None
        now = timezone.now()
        # Avoid a write per request: record use at most once a minute.
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        request.api_token = found
        return found


def limit_to_token(request, organisations: QuerySet) -> QuerySet:
    """Narrow an organisation queryset to the calling token's organisation (and its sites).

    A token never reaches further than its own organisation, even if its creator could; a
    personal oversight token reaches no organisation's workspace at all.
    """
    token = getattr(request, "api_token", None)
    if token is None:
        return organisations
    if token.personal:
        return organisations.none()
    return organisations.filter(Q(id=token.organisation_id) | Q(parent_id=token.organisation_id))
