"""Fixtures for the assessment tests: small fixture editions, a pinned date, organisations and
people in every role."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dspt.accounts.models import Membership, OrgRole, OversightRole, User
from dspt.frameworks import model as frameworks
from dspt.organisations.models import Organisation, OrgType, Region

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = "2025-03-01"
PASSWORD = "correct horse battery staple"


def _fixture_editions() -> dict[tuple[str, str], frameworks.Edition]:
    editions = {}
    for path in sorted(FIXTURES.glob("*.json")):
        edition = frameworks.load_edition_file(path)
        editions[(edition.code, edition.audience)] = edition
    return editions


EDITIONS = _fixture_editions()


@pytest.fixture(autouse=True)
def fixture_editions(monkeypatch):
    """Answer every edition look-up from the fixture files, so tests never depend on the
    content of the shipped editions."""

    def load_edition(code: str, audience: str):
        try:
            return EDITIONS[(code, audience)]
        except KeyError:
            raise frameworks.EditionNotFound(f"No {audience} fixture for {code}.") from None

    def edition_for(category: str, on: date):
        audience = frameworks.audience_for(category)
        opened = [
            e
            for e in EDITIONS.values()
            if e.audience == audience and category in e.categories and e.opens_on <= on
        ]
        return max(opened, key=lambda e: e.opens_on, default=None)

    monkeypatch.setattr(frameworks, "load_edition", load_edition)
    monkeypatch.setattr(frameworks, "edition_for", edition_for)
    return EDITIONS


@pytest.fixture(autouse=True)
def pinned_today(settings, tmp_path):
    settings.DSPT_TODAY = TODAY
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def regions(db):
    return (
        Region.objects.get_or_create(
            ons_code="E12000003", defaults={"name": "Yorkshire and The Humber"}
        )[0],
        Region.objects.get_or_create(ons_code="E12000007", defaults={"name": "London"})[0],
    )


@pytest.fixture
def orgs(regions):
    """Head office H with sites A and A2 (in region 1); B elsewhere; H2 with its own site X."""
    r1, r2 = regions
    sc = OrgType.SOCIAL_CARE
    head = Organisation.objects.create(
        ods_code="AH01", name="Harbour Care Group", org_type=sc, is_cqc_provider=True, region=r1
    )
    a = Organisation.objects.create(
        ods_code="VA001", name="Ash House", org_type=sc, parent=head, region=r1
    )
    a2 = Organisation.objects.create(
        ods_code="VA002", name="Alder Court", org_type=sc, parent=head, region=r1
    )
    b = Organisation.objects.create(ods_code="VB001", name="Birch Lodge", org_type=sc, region=r2)
    head2 = Organisation.objects.create(
        ods_code="AH02", name="Other Group", org_type=sc, is_cqc_provider=True, region=r2
    )
    x = Organisation.objects.create(
        ods_code="VX001", name="Other Site", org_type=sc, parent=head2, region=r2
    )
    trust = Organisation.objects.create(
        ods_code="RT1", name="Riverside NHS Trust", org_type=OrgType.NHS_TRUST, region=r1
    )
    return {"H": head, "A": a, "A2": a2, "B": b, "H2": head2, "X": x, "T": trust}


def make_user(email: str, *, org=None, role=None, oversight="", **extra) -> User:
    user = User.objects.create_user(
        username=email, email=email, password=PASSWORD, oversight_role=oversight, **extra
    )
    if org is not None:
        Membership.objects.create(user=user, organisation=org, role=role or OrgRole.MEMBER)
    return user


@pytest.fixture
def people(orgs, regions):
    """One person in each role the access matrix covers."""
    a, b, head = orgs["A"], orgs["B"], orgs["H"]
    return {
        "viewer_a": make_user("viewer@a.test", org=a, role=OrgRole.VIEWER),
        "member_a": make_user("member@a.test", org=a, role=OrgRole.MEMBER),
        "admin_a": make_user("admin@a.test", org=a, role=OrgRole.ADMIN),
        "member_b": make_user("member@b.test", org=b, role=OrgRole.MEMBER),
        "head_office": make_user("member@head.test", org=head, role=OrgRole.MEMBER),
        "head_viewer": make_user("viewer@head.test", org=head, role=OrgRole.VIEWER),
        "reviewer": make_user(
            "reviewer@nhs.test", oversight=OversightRole.REVIEWER, remit_region=regions[0]
        ),
        "reviewer_elsewhere": make_user(
            "reviewer2@nhs.test", oversight=OversightRole.REVIEWER, remit_region=regions[1]
        ),
        "commissioner": make_user("commissioner@la.test", oversight=OversightRole.COMMISSIONER),
        "lso": make_user("lso@care.test", oversight=OversightRole.LSO),
        "programme": make_user("programme@nhs.test", oversight=OversightRole.PROGRAMME),
        "trust_member": make_user("member@trust.test", org=orgs["T"], role=OrgRole.ADMIN),
    }


# --- answering helpers --------------------------------------------------------------------------

# Answers that meet every item of the 2024-25 social care fixture.
ALL_MET = {
    "1.1.1": True,
    "1.1.2": "Our registered manager, Sam Patel.",
    "3.1.1": 97,
    "3.1.2": "2025-01-10",
    "7.1.1": "tested",
    "7.1.2": True,
}
# The smaller set needed for Approaching Standards (1.1.3 is a document).
APPROACHING_SET = {"1.1.1": True, "3.1.1": 96, "7.1.2": True}


def pdf_file(name: str = "policy.pdf", size: int = 200):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = b"%PDF-1.7\n" + b"0" * max(0, size - 9)
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def answer_all(assessment, user, answers: dict, *, with_policy: bool = True):
    from dspt.assessments import services

    for item_id, value in answers.items():
        services.save_answer(assessment, item_id, value=value, user=user)
    if with_policy:
        services.attach_document(assessment, "1.1.3", pdf_file(), user)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def started(orgs, people):
    """Org A's assessment, started by a member, with one answer and one document."""
    from dspt.assessments import services

    assessment = services.start_assessment(orgs["A"], people["member_a"])
    services.save_answer(assessment, "1.1.1", value=True, user=people["member_a"])
    document = services.attach_document(assessment, "1.1.3", pdf_file(), people["member_a"])
    assessment.refresh_from_db()
    return assessment, document


def make_token(user, org) -> str:
    from dspt.accounts.models import ApiToken, hash_token

    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(
        organisation=org, user=user, name="test", prefix=raw[:8], token_hash=hash_token(raw)
    )
    return raw


@pytest.fixture(autouse=True)
def no_caf_years(monkeypatch):
    """Outside the CAF tests, no CAF edition is open, so NHS organisations keep the fixture
    evidence-item editions (the CAF tests ask for `caf_years`)."""
    from dspt.frameworks import caf

    real = caf.caf_edition_for
    monkeypatch.setattr(caf, "caf_edition_for", lambda category, on: None)
    return real


@pytest.fixture
def caf_years(monkeypatch, no_caf_years):
    """The shipped CAF editions serve NHS organisations again."""
    from dspt.frameworks import caf

    monkeypatch.setattr(caf, "caf_edition_for", no_caf_years)
