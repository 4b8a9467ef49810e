"""API authentication: bearer tokens for systems, the session (with CSRF) for the browser."""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from dspt.accounts.models import ApiToken, hash_token

# Where a personal (oversight) token is accepted: monitoring figures, watchlists, LSO records
# and "who am I". Everywhere else it is refused outright, so a new endpoint elsewhere can never
# be reached with one by accident (docs/adr/0004).
PERSONAL_TOKEN_PATHS = ("/api/v1/monitoring/", "/api/v1/support/", "/api/v1/me")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: acts as the token's creator.

    An organisation token is limited to its organisation (`limit_to_token`). A personal token
    acts with its holder's monitoring remit, on the monitoring and support API only.
    """

    def authenticate(self, request, token: str):
        found = (
            ApiToken.objects.select_related("user", "organisation")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        if found.personal and not request.path.startswith(PERSONAL_TOKEN_PATHS):
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

    A token never reaches further than its own organisation, even if its creator could; a
    personal oversight token reaches no organisation's workspace at all.
    """
    token = getattr(request, "api_token", None)
    if token is None:
        return organisations
    if token.personal:
        return organisations.none()
    return organisations.filter(Q(id=token.organisation_id) | Q(parent_id=token.organisation_id))
