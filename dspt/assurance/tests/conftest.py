"""Fixtures for the independent assessment tests: a trust with a CAF assessment answered to
profile, a second trust, two audit firms with an assessor each, and people in every role."""

from datetime import date

import pytest

from dspt.accounts.models import Membership, OrgRole, OversightRole, User
from dspt.assessments.caf_services import save_outcome, start_caf_assessment
from dspt.assurance.models import Assessor, AuditFirm
from dspt.frameworks.caf import load_caf_edition
from dspt.organisations.models import Organisation, OrgType, Region


@pytest.fixture(autouse=True)
def pinned(settings, tmp_path):
    settings.DSPT_TODAY = "2026-11-23"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user(email, org=None, role=OrgRole.MEMBER, **extra):
    user = User.objects.create_user(username=email, email=email, password="x" * 12, **extra)
    if org is not None:
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


def ticks(outcome, level):
    return [i.id for i in outcome.at(level)]


@pytest.fixture
def world(db):
    r1 = Region.objects.get_or_create(ons_code="E12000003", defaults={"name": "Yorkshire"})[0]
    r2 = Region.objects.get_or_create(ons_code="E12000007", defaults={"name": "London"})[0]
    trust = Organisation.objects.create(
        ods_code="RT1",
        name="Riverside NHS Trust",
        org_type=OrgType.NHS_TRUST,
        region=r1,
        registered_on=date(2020, 1, 1),
    )
    other = Organisation.objects.create(
        ods_code="RT2", name="Hillside NHS Trust", org_type=OrgType.NHS_TRUST, region=r2
    )
    firm = AuditFirm.objects.create(name="Ledger and Lamp Audit")
    rival = AuditFirm.objects.create(name="Other Audit LLP")
    people = {
        "admin": _user("admin@rt1.test", trust, OrgRole.ADMIN),
        "member": _user("member@rt1.test", trust, OrgRole.MEMBER),
        "viewer": _user("viewer@rt1.test", trust, OrgRole.VIEWER),
        "other_admin": _user("admin@rt2.test", other, OrgRole.ADMIN),
        "assessor": _user("assessor@ledger.test"),
        "rival_assessor": _user("assessor@other.test"),
        "programme": _user("programme@nhs.test", oversight_role=OversightRole.PROGRAMME),
        "reviewer_elsewhere": _user(
            "reviewer@nhs.test", oversight_role=OversightRole.REVIEWER, remit_region=r2
        ),
        "commissioner": _user("comm@la.test", oversight_role=OversightRole.COMMISSIONER),
    }
    Assessor.objects.create(user=people["assessor"], firm=firm)
    Assessor.objects.create(user=people["rival_assessor"], firm=rival)
    assessment = start_caf_assessment(trust, people["admin"])
    edition = load_caf_edition(assessment.edition)
    for oid, level in edition.profile("nhs_trust").items():
        save_outcome(assessment, oid, people["admin"], ticked=ticks(edition.outcome(oid), level))
    assessment.refresh_from_db()
    return {
        "trust": trust,
        "other": other,
        "firm": firm,
        "rival": rival,
        "people": people,
        "assessment": assessment,
        "edition": edition,
    }


def pdf_file(name="evidence.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.7\n" + b"0" * 100, content_type="application/pdf")
