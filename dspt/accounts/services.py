"""Account writes: registration, sign-in throttling, invitations, API tokens. Each is audited."""

import secrets

from django.contrib.auth import authenticate
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from dspt.accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    OrgRole,
    User,
    hash_token,
)
from dspt.accounts.throttling import current_lock
from dspt.audit.services import record
from dspt.notifications.services import site_url
from dspt.tasks.queue import enqueue


class SignInRefused(Exception):
    """Raised when sign-in is refused; the message is safe to show."""


def register_user(*, full_name: str, email: str, password: str, request=None) -> User:
    with transaction.atomic():
        user = User(username=email.lower(), email=email.lower(), full_name=full_name)
        user.set_password(password)
        user.save()
        record("account.registered", actor=user, obj=user, request=request)
    return user


def sign_in(request, email: str, password: str) -> User:
    """Check credentials with throttling (dspt/accounts/throttling.py): while a lock applies to
    this email address from this network address, or to the address, even a correct password is
    refused, with a message saying which lock and until when."""
    email = email.lower().strip()
    lock = current_lock(request, email)
    if lock is not None:
        record(
            "account.sign_in_throttled",
            detail={"email": email, "lock": lock.scope},
            request=request,
        )
        raise SignInRefused(lock.message())
    user = authenticate(request, username=email, password=password)
    if user is None:
        record("account.sign_in_failed", detail={"email": email}, request=request)
        message = "Enter a correct email address and password."
        lock = current_lock(request, email)  # this failure may have reached a limit
        raise SignInRefused(f"{message} {lock.message()}" if lock else message)
    record("account.signed_in", actor=user, request=request)
    return user


def invite(*, organisation, email: str, role: str, invited_by: User, request=None) -> Invitation:
    """Create an invitation; the worker makes its link and emails it (`invitation_send`)."""
    with transaction.atomic():
        inv = Invitation.objects.create(
            organisation=organisation, email=email.lower(), role=role, invited_by=invited_by
        )
        record(
            "membership.invited",
            actor=invited_by,
            organisation=organisation,
            obj=inv,
            detail={"email": inv.email, "role": role},
            request=request,
        )
        enqueue("dspt.accounts.services.invitation_send", inv.pk, group="email")
    return inv


def invitation_send(invitation_id: int) -> None:
    """Worker job: make an unused invitation's link and email it to the person invited.

    The link is made here, not in the request, so that only its hash is ever stored: the queue
    keeps a job's arguments until it runs (and with a failed result), and they are the
    invitation's id alone. The hash and the email are one transaction, so a failed send leaves
    no hash and an invitation whose link was sent is not sent another (a job may run twice).
    """
    with transaction.atomic():
        inv = (
            Invitation.objects.select_for_update()
            .select_related("organisation", "invited_by")
            .filter(pk=invitation_id, accepted_at__isnull=True, token_hash__isnull=True)
            .first()
        )
        if inv is None:
            return  # accepted, withdrawn or already sent
        raw = secrets.token_urlsafe(24)
        inv.token_hash = hash_token(raw)
        inv.save(update_fields=["token_hash"])
        link = site_url(f"/accounts/invitations/{raw}/")
        send_mail(
            subject=(
                f"You have been invited to {inv.organisation.name} on the Data Security and "
                "Protection Toolkit"
            ),
            message=(
                f"{inv.invited_by.display_name} has invited you to join {inv.organisation.name} "
                f"as a {OrgRole(inv.role).label.lower()}.\n\n"
                f"Open this link to accept (sign in or create an account first): {link}\n"
            ),
            from_email=None,
            recipient_list=[inv.email],
        )


def accept_invitation(raw_token: str, user: User, request=None) -> Membership:
    """Join the organisation. The invitation must be unused and addressed to this user's email."""
    with transaction.atomic():
        inv = (
            Invitation.objects.select_for_update().filter(token_hash=hash_token(raw_token)).first()
        )
        if inv is None or inv.accepted_at is not None:
            raise ValueError("This invitation link is not valid or has already been used.")
        if inv.email != user.email.lower():
            raise ValueError("This invitation was sent to a different email address.")
        membership, _ = Membership.objects.update_or_create(
            user=user, organisation=inv.organisation, defaults={"role": inv.role}
        )
        inv.accepted_at = timezone.now()
        inv.save(update_fields=["accepted_at"])
        record(
            "membership.joined",
            actor=user,
            organisation=inv.organisation,
            obj=membership,
            detail={"role": inv.role},
            request=request,
        )
    return membership


def change_role(*, membership: Membership, role: str, by: User, request=None) -> None:
    """Change a member's role; an organisation always keeps at least one admin."""
    with transaction.atomic():
        m = Membership.objects.select_for_update().get(pk=membership.pk)
        if m.role == OrgRole.ADMIN and role != OrgRole.ADMIN:
            admins = Membership.objects.filter(
                organisation=m.organisation, role=OrgRole.ADMIN
            ).count()
            if admins <= 1:
                raise ValueError("An organisation must keep at least one admin.")
        old = m.role
        m.role = role
        m.save(update_fields=["role"])
        record(
            "membership.role_changed",
            actor=by,
            organisation=m.organisation,
            obj=m,
            detail={"user": m.user.email, "from": old, "to": role},
            request=request,
        )


def remove_member(*, membership: Membership, by: User, request=None) -> None:
    with transaction.atomic():
        m = Membership.objects.select_for_update().get(pk=membership.pk)
        if (
            m.role == OrgRole.ADMIN
            and Membership.objects.filter(organisation=m.organisation, role=OrgRole.ADMIN).count()
            <= 1
        ):
            raise ValueError("An organisation must keep at least one admin.")
        record(
            "membership.removed",
            actor=by,
            organisation=m.organisation,
            obj=m,
            detail={"user": m.user.email},
            request=request,
        )
        m.delete()


def create_token(*, organisation, user: User, name: str, request=None) -> tuple[ApiToken, str]:
    """Create an API token; the raw value is returned once and never stored."""
    raw = ApiToken.new_raw_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            organisation=organisation,
            user=user,
            name=name[:100],
            prefix=raw[:12],
            token_hash=hash_token(raw),
        )
        record(
            "api_token.created",
            actor=user,
            organisation=organisation,
            obj=token,
            detail={"name": token.name, "prefix": token.prefix},
            request=request,
        )
    return token, raw


def revoke_token(*, token: ApiToken, by: User, request=None) -> None:
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record(
                "api_token.revoked",
                actor=by,
                organisation=token.organisation,
                obj=token,
                detail={"name": token.name, "prefix": token.prefix},
                request=request,
            )
