"""Audit firms and their assessors, kept by platform admins: a firm is added by name, and a
person with an account on the platform is made one of its assessors (or stops being one).

Keyword-only services, one transaction each, audited. An assessor belongs to one firm at a time.
"""

from __future__ import annotations

from django.db import transaction

from dspt.accounts.models import OversightRole, User
from dspt.assurance.models import Assessor, AuditFirm, Review, ReviewState
from dspt.audit.services import record


class FirmRefused(ValueError):
    """A change to firms or assessors that cannot be made; the message is fit to show."""


def may_keep_firms(user) -> bool:
    """Platform admins keep the list of audit firms and their assessors."""
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.oversight_role == OversightRole.PLATFORM_ADMIN)
    )


def firm_create(*, name: str, by: User, request=None) -> AuditFirm:
    """Add an audit firm; its name must be new (ignoring case)."""
    name = " ".join(name.split())
    if not name:
        raise FirmRefused("Enter the audit firm's name.")
    if len(name) > 200:
        raise FirmRefused("The name must be 200 characters or fewer.")
    with transaction.atomic():
        if AuditFirm.objects.filter(name__iexact=name).exists():
            raise FirmRefused(f"There is already an audit firm called {name}.")
        firm = AuditFirm.objects.create(name=name)
        record("assurance.firm_added", actor=by, obj=firm, detail={"name": name}, request=request)
    return firm


def assessor_add(*, firm: AuditFirm, email: str, by: User, request=None) -> Assessor:
    """Make the person with this email address one of the firm's assessors. They must have an
    account already (they create it themselves, as everyone does), and not assess for another
    firm."""
    email = email.strip().lower()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise FirmRefused(
                f"No one has an account with the email address {email or '(none given)'}: "
                "ask the assessor to create one first, then add them."
            )
        current = Assessor.objects.select_for_update().filter(user=user).first()
        if current is not None:
            raise FirmRefused(f"{user.email} is already an assessor for {current.firm.name}.")
        assessor = Assessor.objects.create(user=user, firm=firm)
        record(
            "assurance.assessor_added",
            actor=by,
            obj=firm,
            detail={"firm": firm.name, "email": user.email},
            request=request,
        )
    return assessor


def assessor_remove(*, assessor: Assessor, by: User, request=None) -> None:
    """Stop a person assessing for their firm. The firm's reviews stay, and its other assessors
    carry on with them; a firm's last assessor cannot go while it has a review open."""
    with transaction.atomic():
        firm = AuditFirm.objects.select_for_update().get(pk=assessor.firm_id)
        others = firm.assessors.exclude(pk=assessor.pk).exists()
        if not others and Review.objects.filter(firm=firm, state=ReviewState.OPEN).exists():
            raise FirmRefused(
                f"{assessor.user.email} is {firm.name}'s only assessor and it has a review open: "
                "add another assessor first."
            )
        email = assessor.user.email
        assessor.delete()
        record(
            "assurance.assessor_removed",
            actor=by,
            obj=firm,
            detail={"firm": firm.name, "email": email},
            request=request,
        )
