"""Reads for registration: claims waiting for a check, and what a person is waiting for."""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from dspt.accounts.models import OrgRole
from dspt.organisations.models import ClaimRequest, ClaimStatus, Organisation


def pending_claim(org: Organisation, user) -> ClaimRequest | None:
    """The person's own pending claim of this organisation, if any."""
    return ClaimRequest.objects.filter(
        organisation=org, user=user, status=ClaimStatus.PENDING
    ).first()


def claims_of(user, *, days: int = 30) -> QuerySet[ClaimRequest]:
    """A person's pending claims and those decided recently, for their home page."""
    since = timezone.now() - timedelta(days=days)
    return (
        ClaimRequest.objects.filter(user=user)
        .filter(Q(status=ClaimStatus.PENDING) | Q(decided_at__gte=since))
        .exclude(status=ClaimStatus.APPROVED)
        .select_related("organisation")
        .order_by("-created_at")
    )


def pending_claims(method: str) -> QuerySet[ClaimRequest]:
    """Pending claims checked in one way, oldest first (the order staff should work in)."""
    return (
        ClaimRequest.objects.filter(status=ClaimStatus.PENDING, method=method)
        .select_related("organisation", "user")
        .order_by("created_at", "id")
    )


def site_claims(user) -> QuerySet[ClaimRequest]:
    """Pending claims of sites whose head office `user` administers, oldest first."""
    if not user.is_authenticated:
        return ClaimRequest.objects.none()
    return (
        ClaimRequest.objects.filter(
            status=ClaimStatus.PENDING,
            organisation__parent__memberships__user=user,
            organisation__parent__memberships__role=OrgRole.ADMIN,
        )
        .select_related("organisation", "user")
        .order_by("created_at", "id")
        .distinct()
    )


def recently_verified_admins(days: int = 90) -> QuerySet[ClaimRequest]:
    """Claims approved in the last `days` days, newest first: where a wrong approval shows up."""
    since = timezone.now() - timedelta(days=days)
    return (
        ClaimRequest.objects.filter(status=ClaimStatus.APPROVED, decided_at__gte=since)
        .select_related("organisation", "user", "decided_by")
        .order_by("-decided_at", "-id")
    )


def approvals_of(org: Organisation) -> QuerySet[ClaimRequest]:
    """How the organisation's admins were verified: its approved claims, newest first."""
    return (
        ClaimRequest.objects.filter(organisation=org, status=ClaimStatus.APPROVED)
        .select_related("user", "decided_by")
        .order_by("-decided_at", "-id")
    )


def other_claims(claim: ClaimRequest) -> QuerySet[ClaimRequest]:
    """Everyone else who has asked to run the same organisation: rival claims deserve a look."""
    return (
        ClaimRequest.objects.filter(organisation_id=claim.organisation_id)
        .exclude(pk=claim.pk)
        .select_related("user")
        .order_by("-created_at")
    )


def claim_history(user) -> QuerySet[ClaimRequest]:
    """Every claim this person has made: many claims of unrelated organisations is a warning."""
    return (
        ClaimRequest.objects.filter(user=user)
        .select_related("organisation")
        .order_by("-created_at")[:20]
    )


def unverified_registrations() -> QuerySet[Organisation]:
    """Self-registered organisations no platform admin has checked yet, with their admins."""
    return (
        Organisation.objects.filter(self_registered=True, admin_verified_at__isnull=True)
        .prefetch_related("memberships__user")
        .order_by("registered_on", "name")
    )


def admins_of(org: Organisation) -> list:
    return [m.user for m in org.memberships.all() if m.role == OrgRole.ADMIN]
