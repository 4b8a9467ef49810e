"""Keeping registration honest after the fact: closing stale claims, and undoing a wrong approval.

- `expire_claims` (run daily by `dspt expire-claims`): a claim whose emailed link ran out unused,
  or a staff-route claim nobody could check within `DSPT_CLAIM_STAFF_DAYS`, is closed as expired
  and the person told they may ask again. Queues then show only requests someone can act on.
- `revoke_admin`: a platform admin removes an organisation admin who should never have been
  verified (a claim approved in error, a self-registration that turned out false). Unlike an
  organisation's own "remove member", it may remove the last admin: the organisation goes back to
  having none, so its real staff can claim it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dspt.accounts.models import ApiToken, Invitation, Membership, OrgRole, User
from dspt.audit.services import record
from dspt.notifications.services import notify
from dspt.organisations.claims import ClaimRefused, close_claim, is_platform_admin
from dspt.organisations.models import ClaimMethod, ClaimRequest, ClaimStatus, Organisation


def staff_days() -> int:
    """How long a staff-route claim may wait for a check before it is closed as expired."""
    return int(getattr(settings, "DSPT_CLAIM_STAFF_DAYS", 30))


LINK_EXPIRED = (
    "The emailed link was not used before it expired. If you still need access, ask again."
)


def staff_expired() -> str:
    return (
        f"We could not check your request within {staff_days()} days. If you still need "
        "access, ask again, or ask your head office to invite you."
    )


def expire_claims(now: datetime | None = None) -> dict[str, int]:
    """Close stale pending claims; safe to repeat. Returns how many of each kind were closed."""
    now = now or timezone.now()
    counts = {"expired_links": 0, "expired_staff_checks": 0}
    # An emailed link past its expiry, or a staff check waiting too long.
    stale = ClaimRequest.objects.filter(status=ClaimStatus.PENDING).filter(
        Q(method=ClaimMethod.EMAIL, token_expires_at__lte=now)
        | Q(method=ClaimMethod.STAFF, created_at__lte=now - timedelta(days=staff_days()))
    )
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            claim = (
                ClaimRequest.objects.select_for_update()
                .select_related("organisation", "user")
                .get(pk=pk)
            )
            if claim.status != ClaimStatus.PENDING:  # decided meanwhile
                continue
            by_link = claim.method == ClaimMethod.EMAIL
            reason = LINK_EXPIRED if by_link else staff_expired()
            close_claim(claim, ClaimStatus.EXPIRED, reason, by=None, at=now)
            record(
                "organisation.claim_expired",
                organisation=claim.organisation,
                obj=claim,
                detail={"method": claim.method, "claimant": claim.user.email},
            )
            _tell_expired(claim)
            counts["expired_links" if by_link else "expired_staff_checks"] += 1
    return counts


def _tell_expired(claim: ClaimRequest) -> None:
    notify(
        [claim.user],
        organisation=claim.organisation,
        kind="claim",
        title=f"Your request to register {claim.organisation.name} has expired",
        body=claim.reason,
        link=f"/organisations/register/{claim.organisation.ods_code}/",
    )


def admins(org: Organisation) -> list[Membership]:
    """The organisation's admins, with the claim that made each one admin, if any."""
    return list(
        Membership.objects.filter(organisation=org, role=OrgRole.ADMIN)
        .select_related("user")
        .order_by("user__email")
    )


def revoke_admin(*, membership: Membership, by: User, reason: str, request=None) -> dict[str, int]:
    """Remove a wrongly verified admin: their membership, their API tokens for the organisation
    and the invitations they sent that nobody has accepted. Returns what was removed."""
    if not is_platform_admin(by):
        raise PermissionError("Only platform admins remove a verified organisation admin.")
    reason = reason.strip()
    if not reason:
        raise ClaimRefused("Say why this admin is removed: the person will be told.")
    with transaction.atomic():
        m = (
            Membership.objects.select_for_update()
            .select_related("user", "organisation")
            .get(pk=membership.pk)
        )
        if m.role != OrgRole.ADMIN:
            raise ClaimRefused(f"{m.user.email} is not an admin of {m.organisation.name}.")
        org = Organisation.objects.select_for_update().get(pk=m.organisation_id)
        now = timezone.now()
        tokens = ApiToken.objects.filter(
            organisation=org, user=m.user, revoked_at__isnull=True
        ).update(revoked_at=now)
        invitations, _ = Invitation.objects.filter(
            organisation=org, invited_by=m.user, accepted_at__isnull=True
        ).delete()
        m.delete()
        remaining = Membership.objects.filter(organisation=org, role=OrgRole.ADMIN).exists()
        if not remaining:
            # Nobody verified speaks for it any more: it can be claimed again.
            org.admin_verified_at = None
            org.save(update_fields=["admin_verified_at", "updated_at"])
        removed = {"api_tokens_revoked": tokens, "invitations_withdrawn": invitations}
        record(
            "organisation.admin_revoked",
            actor=by,
            organisation=org,
            obj=org,
            detail={"admin": m.user.email, "reason": reason[:500], **removed},
            request=request,
        )
        _tell_revoked(m.user, org, reason)
    return removed


def _tell_revoked(user: User, org: Organisation, reason: str) -> None:
    notify(
        [user],
        organisation=org,
        kind="claim",
        title=f"You are no longer the organisation admin for {org.name}",
        body=f"Reason: {reason}",
        link="/organisations/",
    )
