"""Claiming a known organisation: verify that the claimant speaks for it before they become admin.

A claim of an organisation known from a register (the CQC register, a DSPT export) that has no
admin yet creates a pending ClaimRequest and gives no access. It is verified in one of two ways
(docs/adr/0005-claim-verification.md says why):

- EMAIL: a single-use link, valid for `CLAIM_LINK_DAYS`, goes to the organisation's registered
  contact email (never to an address the claimant types). Following it while signed in as the
  claimant, and confirming, makes them admin. The token is stored only as a SHA-256 hash, and is
  made by the background worker as it sends the email (`send_link`): the request queues the
  claim's id, so the link never waits in the queue's tables.
- STAFF: a platform admin checks the claim (for example by phoning the registered manager) and
  approves or rejects it with a reason.

Every step is audited; a person may start only a few claims a day.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from dspt.accounts.models import Membership, OrgRole, OversightRole, User, hash_token
from dspt.audit.services import record
from dspt.core.dates import today
from dspt.organisations import claim_messages
from dspt.organisations.claim_rules import claims_per_day, head_office_admins, link_days
from dspt.organisations.models import ClaimMethod, ClaimRequest, ClaimStatus, Organisation
from dspt.tasks.queue import enqueue

ALREADY_HAS_ADMIN = "{org} already has an organisation admin. Ask them to invite you."


class ClaimRefused(Exception):
    """The claim cannot go ahead; the message tells the person what to do instead."""


def has_admin(org: Organisation) -> bool:
    return Membership.objects.filter(organisation=org, role=OrgRole.ADMIN).exists()


def is_platform_admin(user: User) -> bool:
    """Platform admins decide any claim: they are the staff who can phone a registered manager."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.oversight_role == OversightRole.PLATFORM_ADMIN)
    )


def may_decide(user: User, claim: ClaimRequest | None = None) -> bool:
    """Platform admins decide every claim; a head office's admins decide claims of its sites."""
    if is_platform_admin(user):
        return True
    if claim is None or not (user.is_authenticated and user.is_active):
        return False
    return any(u.pk == user.pk for u in head_office_admins(claim.organisation))


def mask_email(address: str) -> str:
    """Show enough of the registered address for the claimant to recognise it, not to harvest it."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}{'•' * max(len(local) - 1, 2)}@{domain}"


def start_claim(
    *, organisation: Organisation, user: User, method: str, note: str = "", request=None
) -> ClaimRequest:
    """Open a claim. For an emailed link, the worker makes and sends the link (`send_link`).

    A person's earlier pending claim of the same organisation is withdrawn first, so asking again
    re-sends a fresh link (the old one stops working) or moves the claim to the staff queue.
    """
    note = note.strip()
    refusal = None
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=organisation.pk)
        recent = ClaimRequest.objects.filter(
            user=user, created_at__gte=timezone.now() - timedelta(hours=24)
        ).count()
        if method == ClaimMethod.EMAIL and not org.contact_email:
            method = ClaimMethod.STAFF  # nothing on record to send a link to
        if has_admin(org):
            refusal = f"{org.name} is already registered. Ask its organisation admin to invite you."
        elif Membership.objects.filter(organisation=org, user=user).exists():
            refusal = f"You already belong to {org.name}."
        elif recent >= claims_per_day():
            # Recorded (and committed) even though the claim is refused: staff see the pattern.
            record(
                "organisation.claim_throttled",
                actor=user,
                organisation=org,
                detail={"recent_claims": recent},
                request=request,
            )
            refusal = (
                "You have made too many registration requests today. Try again tomorrow, or "
                "wait for the ones you have made to be checked."
            )
        elif method == ClaimMethod.STAFF and not note:
            refusal = "Tell us your job title and a phone number we can call you on."
        if refusal is None:
            claim = _open(org, user, method, note, request)
    if refusal:
        raise ClaimRefused(refusal)
    return claim


def _open(org: Organisation, user: User, method: str, note: str, request):
    for old in ClaimRequest.objects.select_for_update().filter(
        organisation=org, user=user, status=ClaimStatus.PENDING
    ):
        close_claim(old, ClaimStatus.CANCELLED, "Replaced by a new request.", by=user)
    emailed = method == ClaimMethod.EMAIL
    claim = ClaimRequest.objects.create(
        organisation=org,
        user=user,
        method=method,
        claimant_note=note[:1000],
        sent_to=org.contact_email if emailed else "",
        token_expires_at=timezone.now() + timedelta(days=link_days()) if emailed else None,
    )
    record(
        "organisation.claim_requested",
        actor=user,
        organisation=org,
        obj=claim,
        detail={"method": method, "sent_to": claim.sent_to},
        request=request,
    )
    if emailed:
        enqueue("dspt.organisations.claims.send_link", claim.pk, group="email")
    claim_messages.tell_head_office(claim)
    return claim


def send_link(claim_id: int) -> None:
    """Worker job: make a pending emailed claim's link and send it to the address on record.

    The link is made here, not in the request, so that only its hash is ever stored: the queue
    keeps a job's arguments until it runs (and with a failed result), and they are the claim's
    id alone. The hash and the email are one transaction, so a failed send leaves no hash and a
    claim whose link was sent is not sent another (a job may run twice).
    """
    with transaction.atomic():
        claim = (
            ClaimRequest.objects.select_for_update()
            .select_related("organisation", "user")
            .filter(pk=claim_id, status=ClaimStatus.PENDING, method=ClaimMethod.EMAIL)
            .first()
        )
        if claim is None or claim.token_hash or claim.link_expired:
            return  # decided, replaced or expired meanwhile, or already sent
        raw = secrets.token_urlsafe(32)
        claim.token_hash = hash_token(raw)
        claim.save(update_fields=["token_hash"])
        claim_messages.email_link(claim, raw)


def close_claim(claim: ClaimRequest, status: str, reason: str, *, by: User | None, at=None) -> None:
    """Close a (locked) pending claim with a status and the reason the person is shown."""
    claim.status = status
    claim.reason = reason
    claim.decided_at = at or timezone.now()
    claim.decided_by = by
    # The hash is kept so a used or replaced link gets a precise message; only a pending claim's
    # link is ever honoured.
    claim.save(update_fields=["status", "reason", "decided_at", "decided_by"])


def _make_admin(
    claim: ClaimRequest, *, how: str, by: User | None, request=None
) -> Membership | None:
    """Approve a pending claim (already locked): the claimant becomes the first admin.

    Returns None, closing the claim, when the organisation gained an admin meanwhile.
    """
    org = Organisation.objects.select_for_update().get(pk=claim.organisation_id)
    if has_admin(org):
        close_claim(claim, ClaimStatus.REJECTED, ALREADY_HAS_ADMIN.format(org=org.name), by=by)
        return None
    membership, _ = Membership.objects.update_or_create(
        user=claim.user, organisation=org, defaults={"role": OrgRole.ADMIN}
    )
    close_claim(claim, ClaimStatus.APPROVED, claim.reason, by=by)
    org.admin_verified_at = timezone.now()
    fields = ["admin_verified_at", "updated_at"]
    if org.registered_on is None:
        org.registered_on = today()
        fields.append("registered_on")
    org.save(update_fields=fields)
    record(
        "organisation.registered",
        actor=by or claim.user,
        organisation=org,
        obj=claim,
        detail={"how": "claimed", "verified_by": how, "admin": claim.user.email},
        request=request,
    )
    # Anyone else waiting to claim it is told to ask the new admin instead.
    for other in (
        ClaimRequest.objects.select_for_update()
        .filter(organisation=org, status=ClaimStatus.PENDING)
        .exclude(pk=claim.pk)
    ):
        close_claim(
            other,
            ClaimStatus.REJECTED,
            "Someone else at this organisation was verified as its admin. Ask them to invite you.",
            by=by,
        )
        claim_messages.tell_claimant(other)
    return membership


def find_by_link(raw: str) -> ClaimRequest | None:
    """The claim a link belongs to, whatever its state (for a clear message), or None."""
    if not raw:
        return None
    return (
        ClaimRequest.objects.select_related("organisation", "user")
        .filter(token_hash=hash_token(raw))
        .first()
    )


def link_problem(claim: ClaimRequest | None, user: User) -> str | None:
    """Why this link cannot be used by this person, in words for them; None when it can."""
    if claim is None:
        return (
            "This link is not valid. Check that the whole link was copied, or start again from "
            "‘Register an organisation’."
        )
    if claim.user_id != user.pk:
        return (
            "This link is for a request made by a different account. Sign out, then sign in as "
            "the person who asked to register the organisation, and open the link again."
        )
    if claim.status == ClaimStatus.APPROVED:
        return "This link has already been used. It works only once."
    if claim.status == ClaimStatus.CANCELLED:
        return (
            "This link was replaced by a newer one, or the request was withdrawn. Use the link "
            "in the most recent email."
        )
    if claim.status == ClaimStatus.REJECTED:
        return f"This request was closed: {claim.reason}"
    if claim.link_expired:
        return (
            f"This link has expired (links last {link_days()} days). Ask for a new one from "
            "‘Register an organisation’."
        )
    return None


def verify_by_link(*, raw: str, user: User, request=None) -> Membership:
    """Use an emailed link: the signed-in claimant becomes admin. Raises ClaimRefused otherwise."""
    membership = None
    with transaction.atomic():
        claim = find_by_link(raw)
        if claim is not None:
            claim = ClaimRequest.objects.select_for_update().get(pk=claim.pk)
        problem = link_problem(claim, user)
        if problem is None:
            membership = _make_admin(claim, how="email", by=None, request=request)
            if membership is None:
                problem = ALREADY_HAS_ADMIN.format(org=claim.organisation.name)
        if problem:
            # Committed with the refusal: repeated wrong-user attempts are visible in the log.
            record(
                "organisation.claim_link_refused",
                actor=user,
                organisation=claim.organisation if claim else None,
                obj=claim,
                detail={"why": problem[:120]},
                request=request,
            )
    if problem:
        raise ClaimRefused(problem)
    return membership


def decide(
    *, claim: ClaimRequest, by: User, approve: bool, reason: str = "", request=None
) -> ClaimRequest:
    """A platform admin approves or rejects a pending claim; the claimant is told either way."""
    if not may_decide(by, claim):
        raise PermissionError(
            "Only platform admins, or the admins of the organisation's head office, decide "
            "registration requests."
        )
    reason = reason.strip()
    if not approve and not reason:
        raise ClaimRefused("Say why the request is rejected: the person will be told.")
    with transaction.atomic():
        claim = ClaimRequest.objects.select_for_update().get(pk=claim.pk)
        if claim.status != ClaimStatus.PENDING:
            raise ClaimRefused("This request has already been decided.")
        claim.reason = reason
        if approve:
            how = "staff" if is_platform_admin(by) else "head office"
            approved = _make_admin(claim, how=how, by=by, request=request) is not None
        else:
            close_claim(claim, ClaimStatus.REJECTED, reason, by=by)
            approved = False
        record(
            "organisation.claim_approved" if approved else "organisation.claim_rejected",
            actor=by,
            organisation=claim.organisation,
            obj=claim,
            detail={
                "claimant": claim.user.email,
                "reason": claim.reason,
                "decided_as": "platform admin" if is_platform_admin(by) else "head office admin",
            },
            request=request,
        )
        claim_messages.tell_claimant(claim)
    return claim


def withdraw(*, claim: ClaimRequest, user: User, request=None) -> None:
    """The claimant withdraws their own pending claim (its link stops working)."""
    with transaction.atomic():
        claim = ClaimRequest.objects.select_for_update().get(pk=claim.pk, user=user)
        if claim.status != ClaimStatus.PENDING:
            raise ClaimRefused("This request has already been decided.")
        close_claim(claim, ClaimStatus.CANCELLED, "Withdrawn by the person who asked.", by=user)
        record(
            "organisation.claim_withdrawn",
            actor=user,
            organisation=claim.organisation,
            obj=claim,
            request=request,
        )


def mark_checked(*, organisation: Organisation, by: User, note: str = "", request=None) -> None:
    """A platform admin records that a self-registered organisation and its admin are genuine."""
    if not is_platform_admin(by):
        raise PermissionError("Only platform admins check registrations.")
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=organisation.pk)
        org.admin_verified_at = timezone.now()
        org.save(update_fields=["admin_verified_at", "updated_at"])
        record(
            "organisation.registration_checked",
            actor=by,
            organisation=org,
            obj=org,
            detail={"note": note.strip()[:500]},
            request=request,
        )
