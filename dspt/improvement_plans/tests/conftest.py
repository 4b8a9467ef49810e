"""Shared fixtures: two regions, organisations in each, people in every role, publications."""

from __future__ import annotations

from datetime import date

import pytest

from dspt.accounts.models import ApiToken, Membership, OrgRole, OversightRole, User, hash_token
from dspt.assessments.models import Level, Publication
from dspt.organisations.models import Organisation, OrgType, Region

TODAY = date(2025, 8, 1)

UNMET = [
    {"item_id": "1.1.1", "outcome": "unmet", "mandatory": True},
    {"item_id": "3.2.1", "outcome": "unanswered", "mandatory": True},
    {"item_id": "6.3.2", "outcome": "partly_met", "mandatory": False},
]


@pytest.fixture(autouse=True)
def _pinned(settings, tmp_path):
    settings.DSPT_TODAY = TODAY.isoformat()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def regions(db):
    return (
        Region.objects.get_or_create(
            ons_code="E12000003", defaults={"name": "Yorkshire and The Humber"}
        )[0],
        Region.objects.get_or_create(ons_code="E12000007", defaults={"name": "London"})[0],
    )


def make_org(code: str, region, org_type=OrgType.NHS_TRUST, name=None) -> Organisation:
    return Organisation.objects.create(
        ods_code=code,
        name=name or f"Org {code}",
        org_type=org_type,
        region=region,
        registered_on=date(2020, 1, 1),
    )


def make_user(email: str, role: str = OversightRole.NONE, region=None, **kw) -> User:
    return User.objects.create_user(
        username=email,
        email=email,
        password="a-long-password-1",
        oversight_role=role,
        remit_region=region,
        **kw,
    )


def publish_not_met(org, on=date(2025, 6, 20), edition="2024-25", unmet=None) -> Publication:
    return Publication.objects.create(
        organisation=org,
        edition=edition,
        published_on=on,
        level=Level.NOT_MET,
        unmet_items=UNMET if unmet is None else unmet,
    )


@pytest.fixture
def world(regions):
    """Two trusts (Yorkshire, London), and one person in each role."""
    yorks, london = regions
    trust = make_org("RR8", yorks, name="Leeds Teaching Hospitals")
    other = make_org("RJ1", london, name="Guy's and St Thomas'")
    people = {
        "admin": make_user("admin@rr8.nhs.uk"),
        "member": make_user("member@rr8.nhs.uk"),
        "viewer": make_user("viewer@rr8.nhs.uk"),
        "other_admin": make_user("admin@rj1.nhs.uk"),
        "reviewer": make_user("reviewer@nhs.uk", OversightRole.REVIEWER, yorks),
        "london_reviewer": make_user("lon-reviewer@nhs.uk", OversightRole.REVIEWER, london),
        "national_reviewer": make_user("nat-reviewer@nhs.uk", OversightRole.REVIEWER),
        "senior": make_user("senior@nhs.uk", OversightRole.SENIOR_REVIEWER, yorks),
        "programme": make_user("programme@nhs.uk", OversightRole.PROGRAMME),
        "platform_admin": make_user("ops@nhs.uk", OversightRole.PLATFORM_ADMIN),
        "commissioner": make_user("commissioner@la.gov.uk", OversightRole.COMMISSIONER),
        "lso": make_user("lso@lso.org.uk", OversightRole.LSO),
    }
    Membership.objects.create(user=people["admin"], organisation=trust, role=OrgRole.ADMIN)
    Membership.objects.create(user=people["member"], organisation=trust, role=OrgRole.MEMBER)
    Membership.objects.create(user=people["viewer"], organisation=trust, role=OrgRole.VIEWER)
    Membership.objects.create(user=people["other_admin"], organisation=other, role=OrgRole.ADMIN)
    return {"trust": trust, "other": other, "people": people, "yorks": yorks, "london": london}


def token_for(user, org) -> str:
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(
        organisation=org, user=user, name="t", prefix=raw[:8], token_hash=hash_token(raw)
    )
    return raw
