# ruff: noqa: F811 - `world`, `extracts` and `three` are fixtures imported from the cld tests
"""An amendment never widens what may be released before it is approved: releases follow the
live agreement's local authorities, and an agreement replaced by an amendment releases nothing."""

from __future__ import annotations

from datetime import date

import pytest

from dspt.access import services
from dspt.access.models import Controllers, Dataset, LegalBasis, Outputs
from dspt.accounts.models import OversightRole
from dspt.assessments.models import Publication
from dspt.cld import services as cld
from dspt.cld.tests.conftest import extracts, key_env  # noqa: F401 - fixtures
from dspt.cld.tests.test_cld_releases import three  # noqa: F401 - a fixture
from dspt.cld.tests.test_cld_web import user, world  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db
ON = date(2025, 5, 1)


def _decide(req, reviewer, approver):
    services.request_submit(user=reviewer["applicant"], req=req)
    services.request_review(user=reviewer["centre"], req=req, recommendation="approve")
    services.request_decide(user=approver, req=req, decision="approved", reasons="Fine.")
    req.refresh_from_db()
    return req.live_agreement


def _release(w, sub, dsa):
    return cld.release(submissions=[sub], dsa=dsa, tables=[], user=w["processor"], on=ON)


def test_an_amendment_adding_an_authority_releases_it_only_once_approved(three):
    leeds, wakefield = three["las"]["LAA"], three["las"]["LAB"]
    Publication.objects.create(
        organisation=leeds, edition="2024-25", published_on=date(2024, 9, 1), level="standards_met"
    )
    approver = user("approver@dscro.test", oversight=OversightRole.PROCESSOR)
    people = {"applicant": three["la_a"], "centre": three["processor"]}
    req = services.request_create(
        user=three["la_a"],
        applicant=leeds,
        title="Our own area",
        local_authorities=[leeds],
        datasets=[Dataset.CLD],
        period_start=date(2024, 4, 1),
        period_end=date(2025, 6, 30),
        purpose="Social care in Leeds.",
        legal_basis=LegalBasis.PUBLIC_TASK_CARE,
        outputs=Outputs.RECORD_LEVEL,
        retention="Destroyed after the analysis.",
        destroy_by=date(2027, 3, 31),
        controllers=Controllers.SOLE,
    )
    first = _decide(req, people, approver)
    assert not _release(three, three["a1"], first).refused
    outside = _release(three, three["b1"], first)
    assert outside.refused and "Wakefield" in outside.refused_reason

    # An amendment adding Wakefield, sent for review but not yet decided: still refused.
    services.amendment_start(
        user=three["la_a"],
        req=req,
        change_note="Add Wakefield.",
        local_authorities=[leeds, wakefield],
    )
    services.request_submit(user=three["la_a"], req=req)
    assert _release(three, three["b1"], first).refused

    # Approved: the new agreement releases Wakefield; the replaced one releases nothing.
    services.request_review(user=three["processor"], req=req, recommendation="approve")
    services.request_decide(user=approver, req=req, decision="approved", reasons="Fine.")
    req.refresh_from_db()
    second = req.live_agreement
    assert second != first
    assert not _release(three, three["b1"], second).refused
    first.refresh_from_db()
    assert not first.active and _release(three, three["a1"], first).refused
