"""Organisation writes: registering (claiming or creating) an organisation."""

from django.db import transaction

from dspt.accounts.models import Membership, OrgRole, User
from dspt.audit.services import record
from dspt.core.dates import today
from dspt.organisations.models import Organisation


class RegistrationRefused(Exception):
    """The organisation cannot be registered by this person; the message says what to do."""


def claim_organisation(*, organisation: Organisation, user: User, request=None) -> Membership:
    """Become the first admin of an organisation that is known (e.g. from the CQC register) but has
    no account yet. An organisation that already has an admin is joined by invitation only."""
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if Membership.objects.filter(organisation=org, role=OrgRole.ADMIN).exists():
            raise RegistrationRefused(
                f"{org.name} is already registered. Ask its organisation admin to invite you."
            )
        membership = Membership.objects.create(user=user, organisation=org, role=OrgRole.ADMIN)
        if org.registered_on is None:
            org.registered_on = today()
            org.save(update_fields=["registered_on", "updated_at"])
        record(
            "organisation.registered",
            actor=user,
            organisation=org,
            obj=org,
            detail={"how": "claimed"},
            request=request,
        )
    return membership


def create_organisation(
    *,
    user: User,
    ods_code: str,
    name: str,
    org_type: str,
    postcode: str,
    local_authority=None,
    request=None,
) -> Organisation:
    """Register an organisation the platform did not know, with the person as its admin."""
    with transaction.atomic():
        if Organisation.objects.filter(ods_code=ods_code).exists():
            raise RegistrationRefused(f"An organisation with ODS code {ods_code} already exists.")
        org = Organisation.objects.create(
            ods_code=ods_code,
            name=name,
            org_type=org_type,
            postcode=postcode,
            local_authority=local_authority,
            region=local_authority.region if local_authority else None,
            icb=local_authority.icb if local_authority else None,
            registered_on=today(),
        )
        Membership.objects.create(user=user, organisation=org, role=OrgRole.ADMIN)
        record(
            "organisation.registered",
            actor=user,
            organisation=org,
            obj=org,
            detail={"how": "created"},
            request=request,
        )
    return org
