"""Organisation writes: registering a new organisation (claims of known ones: claims.py)."""

from django.db import transaction

from dspt.accounts.models import Membership, OrgRole, User
from dspt.audit.services import record
from dspt.core.dates import today
from dspt.organisations.models import Organisation


class RegistrationRefused(Exception):
    """The organisation cannot be registered by this person; the message says what to do."""


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
    """Register an organisation the platform did not know, with the person as its admin.

    Self-service on purpose (nobody else could vouch for an organisation no register knows), but
    marked `self_registered` so oversight staff see it as unverified until a platform admin
    checks it (docs/adr/0005-claim-verification.md).
    """
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
            self_registered=True,
        )
        Membership.objects.create(user=user, organisation=org, role=OrgRole.ADMIN)
        record(
            "organisation.registered",
            actor=user,
            organisation=org,
            obj=org,
            detail={"how": "created", "verified": False},
            request=request,
        )
    return org
