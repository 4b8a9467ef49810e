"""The demo gives the client-level data sign-ins something real to look at, with a private
demo key when the operator has none."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from dspt.cld.demo import DEMO_TABLES
from dspt.cld.models import Submission
from dspt.cld.selectors import releases_for
from dspt.demo.loader import load_demo

pytestmark = pytest.mark.django_db


def test_demo_sign_ins_see_client_level_data(client, monkeypatch, settings):
    monkeypatch.delenv("DSPT_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("DSPT_PSEUDONYM_KEY_FILE", raising=False)
    ctx, summary = load_demo(200, 5, log=lambda _m: None)
    assert any(p.startswith("cld ") for p in summary["plugins"])

    key = Path(settings.DSPT_CLD_DEMO_KEY_FILE)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_text().strip()) == 64
    assert "DSPT_PSEUDONYM_KEY_FILE" not in os.environ  # only set while the demo loaded

    client.force_login(ctx.users["la_data_team"])
    timetable = client.get("/cld/timetable/").content.decode()
    for state in ("On time", "Late", "Missing", "Missing (sent, rejected)", "Not yet due"):
        assert f">{state}<" in timetable, state
    rejected = Submission.objects.get(state=Submission.State.REJECTED)
    page = client.get(f"/cld/submissions/{rejected.pk}/").content.decode()
    assert "Findings by rule" in page and "was rejected" in page
    assert client.get(f"/cld/submissions/{rejected.pk}/errors.csv").status_code == 200
    processed = Submission.objects.filter(
        state=Submission.State.PROCESSED, organisation__memberships__user=ctx.users["la_data_team"]
    ).get()
    assert client.get(f"/cld/submissions/{processed.pk}/trace-results.csv").status_code == 200

    client.force_login(ctx.users["processor"])
    centre = client.get("/cld/centre/").content.decode()
    assert "DSA-DEMO-001" in centre and "Standards Met or better is required" in centre
    assert centre.count("matched cross check") == 2  # two authorities' trace rates
    # As under `make run`, the server is given the demo key: the late extract can be processed.
    monkeypatch.setenv("DSPT_PSEUDONYM_KEY_FILE", str(key))
    late = Submission.objects.get(state=Submission.State.ACCEPTED)
    client.post(f"/cld/submissions/{late.pk}/process/")
    late.refresh_from_db()
    assert late.state == Submission.State.PROCESSED, late.state_message
    assert late.trace_outcomes.get("matched_cross_check", 0) > 0  # the demo index is found

    client.force_login(ctx.users["recipient_analyst"])
    releases = client.get("/cld/releases/").content.decode()
    assert "DSA-DEMO-001" in releases
    mine = releases_for(ctx.users["recipient_analyst"]).get()
    resp = client.get(f"/cld/releases/{mine.pk}/extract/")
    assert resp.status_code == 200 and b"".join(resp.streaming_content)[:4] == b"PAR1"
    # One release of both authorities' processed extracts for the period, with two tables.
    covered = list(mine.submissions.all())
    assert len(covered) == 2 and len({s.organisation_id for s in covered}) == 2
    assert mine.rows == sum(s.rows for s in covered)
    assert [t["name"] for t in mine.tables] == list(DEMO_TABLES)
    assert (
        mine.agreement.local_authorities.filter(pk__in=[s.organisation_id for s in covered]).count()
        == 2
    )
    for table in mine.tables:
        assert table["title"] in releases
        resp = client.get(f"/cld/releases/{mine.pk}/{table['name']}/")
        lines = b"".join(resp.streaming_content).decode().splitlines()
        assert resp.status_code == 200 and len(lines) > 1
        assert {line.split(",")[1] for line in lines[1:]} == {
            s.organisation.local_authority.ons_code for s in covered
        }
    page = client.get(f"/cld/releases/{mine.pk}/").content.decode()
    assert all(s.organisation.name in page for s in covered)
    # Linked with the demo's hospital admissions: a good share of people link, some do not.
    assert mine.health_dataset.code == "hospital_admissions" and mine.health_rows > 0
    assert 0.2 < mine.linkage["people_rate"] < 0.8, mine.linkage
    assert "Social care people with at least one health event" in page
    resp = client.get(f"/cld/releases/{mine.pk}/health_events/")
    assert resp.status_code == 200 and b"".join(resp.streaming_content)[:4] == b"PAR1"

    # The demo authority's data team reads its own notice.
    client.force_login(ctx.users["la_data_team"])
    notices = client.get("/cld/notices/").content.decode()
    assert "DPN-DEMO-001" in notices and "DPN-DEMO-002" not in notices
    from dspt.cld.models import ProvisionNotice

    own = ProvisionNotice.objects.get(reference="DPN-DEMO-001")
    resp = client.get(f"/cld/notices/{own.pk}/document/")
    assert resp.status_code == 200 and b"".join(resp.streaming_content).startswith(b"%PDF-")
