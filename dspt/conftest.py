"""Fixtures shared by every app's tests: small hand-built organisations, people and publications."""

from datetime import date

import pytest

from dspt.accounts.models import Membership, OversightRole, User
from dspt.assessments.models import Level, Publication
from dspt.organisations.models import ICB, LocalAuthority, Organisation, OrgType, Region


@pytest.fixture
def geography(db):
    """Two regions, each with one LA and one ICB.

    The reference data migration has already loaded all of England, so these are fetched and
    set to the values the tests rely on rather than created.
    """
    north, _ = Region.objects.update_or_create(
        ons_code="E12000003", defaults={"name": "Yorkshire and The Humber"}
    )
    south, _ = Region.objects.update_or_create(
        ons_code="E12000008", defaults={"name": "South East"}
    )
    icb_n, _ = ICB.objects.update_or_create(
        ods_code="QWO", defaults={"name": "West Yorkshire ICB", "region": north}
    )
    icb_s, _ = ICB.objects.update_or_create(
        ods_code="QRL", defaults={"name": "Hampshire and Isle of Wight ICB", "region": south}
    )
    leeds, _ = LocalAuthority.objects.update_or_create(
        ons_code="E08000035",
        defaults={"name": "Leeds", "cqc_name": "Leeds", "region": north, "icb": icb_n},
    )
    hants, _ = LocalAuthority.objects.update_or_create(
        ons_code="E10000014",
        defaults={"name": "Hampshire", "cqc_name": "Hampshire", "region": south, "icb": icb_s},
    )
    return {
        "north": north,
        "south": south,
        "leeds": leeds,
        "hampshire": hants,
        "icb_n": icb_n,
        "icb_s": icb_s,
    }


@pytest.fixture
def make_org(geography):
    counter = {"n": 0}

    def make(ods_code=None, name=None, org_type=OrgType.SOCIAL_CARE, la="leeds", **kw):
        counter["n"] += 1
        la_obj = geography[la]
        return Organisation.objects.create(
            ods_code=ods_code or f"V{counter['n']:04d}",
            name=name or f"Test Care Home {counter['n']}",
            org_type=org_type,
            local_authority=la_obj,
            region=la_obj.region,
            icb=la_obj.icb,
            postcode=kw.pop("postcode", "LS1 4AP"),
            **kw,
        )

    return make


@pytest.fixture
def make_user(db):
    def make(email, role=OversightRole.NONE, password="a-long-test-password", **kw):
        user = User(
            username=email, email=email, full_name=email.split("@")[0], oversight_role=role, **kw
        )
        user.set_password(password)
        user.save()
        return user

    return make


@pytest.fixture
def member_of(make_user):
    def make(org, role="member", email=None):
        user = make_user(email or f"{role}.{org.ods_code.lower()}@example.org")
        Membership.objects.create(user=user, organisation=org, role=role)
        return user

    return make


@pytest.fixture
def publish(db):
    def make(org, edition="2025-26", on=date(2026, 5, 1), level=Level.MET, **kw):
        return Publication.objects.create(
            organisation=org, edition=edition, published_on=on, level=level, **kw
        )

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """Argon2 is deliberately slow; tests use a fast hasher unless they check hashing itself."""
    if "real_hashing" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
