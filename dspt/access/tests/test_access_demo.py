"""The demo gives the access request sign-ins a request in each stage."""

from __future__ import annotations

import pytest

from dspt.access.models import AccessRequest, Stage
from dspt.accounts.models import User
from dspt.demo.loader import load_demo

pytestmark = pytest.mark.django_db


def test_demo_requests_in_different_stages(client, monkeypatch):
    monkeypatch.delenv("DSPT_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("DSPT_PSEUDONYM_KEY_FILE", raising=False)
    ctx, summary = load_demo(200, 5, log=lambda _m: None)
    assert any(p.startswith("access ") for p in summary["plugins"])
    stages = set(AccessRequest.objects.values_list("status", flat=True))
    assert {Stage.QUESTIONS, Stage.AWAITING_COAPPLICANTS, Stage.REVIEWED, Stage.APPROVED} <= stages

    client.force_login(ctx.users["la_data_team"])
    mine = client.get("/access/").content.decode()
    assert "Questions sent back" in mine and "Waiting for co-applicants" in mine
    client.force_login(User.objects.get(email="approver@demo.dspt.example"))
    queue = client.get("/access/centre/").content.decode()
    assert "Reviewed, waiting for a decision" in queue
    waiting = AccessRequest.objects.get(status=Stage.REVIEWED)
    assert client.get(f"/access/{waiting.pk}/decide/").status_code == 200
    approved = AccessRequest.objects.get(status=Stage.APPROVED)
    assert approved.live_agreement.reference == f"{approved.reference}-v1"
    client.force_login(User.objects.get(email="icb.analyst@demo.dspt.example"))
    joint = AccessRequest.objects.get(status=Stage.AWAITING_COAPPLICANTS)
    assert client.get(f"/access/{joint.pk}/confirm/").status_code == 200
