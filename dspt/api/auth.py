"""API authentication: bearer tokens for systems, the session (with CSRF) for the browser."""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from dspt.accounts.models import ApiToken, hash_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: acts as the token's creator, limited to its organisation."""

    def authenticate(self, request, token: str):
        found = (
            ApiToken.objects.select_related("user", "organisation")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        # Avoid a write per request: record use at most once a minute.
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        request.api_token = found
        return found


api_auth = [TokenAuth(), django_auth]


def limit_to_token(request, organisations: QuerySet) -> QuerySet:
    """Narrow an organisation queryset to the calling token's organisation (and its sites).

    A token never reaches further than its own organisation, even if its creator could.
    """
    token = getattr(request, "api_token", None)
    if token is None:
        return organisations
    return organisations.filter(Q(id=token.organisation_id) | Q(parent_id=token.organisation_id))
