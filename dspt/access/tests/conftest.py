"""A small world for access requests: Leeds (an LA) and its ICB, Hampshire (another LA), two
centre people (a reviewer and an approver), and members of each organisation."""

from __future__ import annotations

from datetime import date

import pytest

from dspt.access import services
from dspt.access.models import Controllers, Dataset, LegalBasis, Outputs
from dspt.accounts.models import OversightRole
from dspt.organisations.models import OrgType


@pytest.fixture
def world(geography, make_org, member_of, make_user, settings):
    settings.DSPT_TODAY = "2026-06-01"
    leeds = make_org("E08000035", "Leeds City Council", org_type=OrgType.LOCAL_AUTHORITY)
    icb = make_org("QWO", "West Yorkshire ICB", org_type=OrgType.ICB)
    hants = make_org(
        "E10000014", "Hampshire County Council", org_type=OrgType.LOCAL_AUTHORITY, la="hampshire"
    )
    care_home = make_org("V9001", "A Care Home")
    people = {
        "leeds": member_of(leeds, "member"),
        "leeds_admin": member_of(leeds, "admin"),
        "leeds_viewer": member_of(leeds, "viewer"),
        "icb": member_of(icb, "member"),
        "hants": member_of(hants, "admin"),
        "care_home": member_of(care_home, "admin"),
        "reviewer": make_user("reviewer@centre.example", OversightRole.PROCESSOR),
        "approver": make_user("approver@centre.example", OversightRole.PROCESSOR),
        "programme": make_user("programme@example.org", OversightRole.PROGRAMME),
        "plan_reviewer": make_user("plans@example.org", OversightRole.REVIEWER),
    }
    return {"leeds": leeds, "icb": icb, "hants": hants, "people": people}


def terms(**kw) -> dict:
    return {
        "datasets": [Dataset.CLD, Dataset.HOSPITAL_ADMISSIONS],
        "period_start": date(2024, 4, 1),
        "period_end": date(2026, 3, 31),
        "purpose": "Social care and hospital use in Leeds.",
        "legal_basis": LegalBasis.PUBLIC_TASK_CARE,
        "outputs": Outputs.RECORD_LEVEL,
        "retention": "Destroyed after the analysis.",
        "destroy_by": date(2029, 3, 31),
        "controllers": Controllers.JOINT,
        **kw,
    }


@pytest.fixture
def joint_request(world):
    """Leeds applies jointly with its ICB (a draft)."""
    return services.request_create(
        user=world["people"]["leeds"],
        applicant=world["leeds"],
        title="Linked analysis",
        local_authorities=[world["leeds"]],
        coapplicants=[world["icb"]],
        **terms(),
    )


@pytest.fixture
def approved(world, joint_request):
    """The joint request through every stage to an issued agreement."""
    p = world["people"]
    req = joint_request
    services.request_submit(user=p["leeds"], req=req)
    services.coapplicant_confirm(user=p["icb"], req=req, organisation=world["icb"])
    services.request_review(user=p["reviewer"], req=req, recommendation="approve")
    services.request_decide(user=p["approver"], req=req, decision="approved", reasons="Fine.")
    req.refresh_from_db()
    return req
