"""Pages, services and access: who sees which submission, report and release, and when a
recipient is refused."""

from __future__ import annotations

from datetime import UTC, date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dspt.accounts.models import Membership, OrgRole, OversightRole, User
from dspt.assessments.models import Publication
from dspt.audit.models import AuditEvent
from dspt.cld import services
from dspt.cld.generate import generate
from dspt.cld.models import Release, Submission, TimetablePeriod
from dspt.cld.pseudonymise import derive_recipient_key, pseudonym
from dspt.cld.suppression import suppress
from dspt.organisations.models import LocalAuthority, Organisation, OrgType, Region

from .conftest import TEST_KEY_HEX

pytestmark = pytest.mark.django_db
KEY = bytes.fromhex(TEST_KEY_HEX)
TABLE = "events_people_by_authority_event_service"
PASSWORD = "correct horse battery staple"


def user(email, org=None, role=OrgRole.MEMBER, oversight=""):
    u = User.objects.create_user(
        username=email, email=email, password=PASSWORD, oversight_role=oversight
    )
    if org is not None:
        Membership.objects.create(user=u, organisation=org, role=role)
    return u


@pytest.fixture
def world(settings, tmp_path, key_env, extracts):
    settings.DSPT_TODAY = "2025-05-01"
    settings.DSPT_CLD_STORAGE = str(tmp_path / "zone")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    region = Region.objects.filter(
        name="Yorkshire and The Humber"
    ).first() or Region.objects.create(ons_code="E12000003", name="Yorkshire and The Humber")
    las = {}
    for code, ons, name in (("LAA", "E08000035", "Leeds"), ("LAB", "E08000036", "Wakefield")):
        la, _ = LocalAuthority.objects.get_or_create(
            ons_code=ons, defaults={"name": name, "cqc_name": name, "region": region}
        )
        las[code] = Organisation.objects.create(
            ods_code=code,
            name=f"{name} Council",
            org_type=OrgType.LOCAL_AUTHORITY,
            local_authority=la,
        )
    rec = Organisation.objects.create(
        ods_code="8RE01", name="Research Unit", org_type=OrgType.OTHER
    )
    weak = Organisation.objects.create(
        ods_code="8RE02", name="Unassured Analytics", org_type=OrgType.OTHER
    )
    other = Organisation.objects.create(
        ods_code="8RE03", name="No Agreement Ltd", org_type=OrgType.OTHER
    )
    Publication.objects.create(
        organisation=rec, edition="2024-25", published_on=date(2024, 9, 1), level="standards_met"
    )
    period = TimetablePeriod.objects.create(
        period_start=date(2024, 4, 1), period_end=date(2025, 3, 31), due_date=date(2025, 4, 30)
    )
    extract = extracts / "web-a.csv"
    if not extract.exists():
        generate(extract, rows=300, seed=31, la_code="E08000035")
    index, lookup = extract.with_name("web-a-index.csv"), extract.with_name("web-a-lsoa.csv")
    settings.DSPT_CLD_INDEX, settings.DSPT_CLD_LOOKUP = str(index), str(lookup)
    return {
        "las": las,
        "period": period,
        "extract": extract,
        "rec": rec,
        "weak": weak,
        "other": other,
        "la_a": user("data@leeds.test", las["LAA"]),
        "la_b": user("data@wakefield.test", las["LAB"]),
        "viewer_a": user("viewer@leeds.test", las["LAA"], role=OrgRole.VIEWER),
        "processor": user("centre@dscro.test", oversight=OversightRole.PROCESSOR),
        "analyst": user("analyst@research.test", rec),
        "weak_analyst": user("a@weak.test", weak),
        "stranger": user("a@none.test", other),
    }


def login(client, u):
    client.force_login(u)
    return client


def upload(client, w, path, who="la_a"):
    login(client, w[who])
    with open(path, "rb") as f:
        resp = client.post(
            "/cld/upload/",
            {
                "organisation": w["las"]["LAA"].pk,
                "period": w["period"].pk,
                "spec_version": "release-1",
                "file": f,
            },
        )
    assert resp.status_code == 302, resp.content[:500]
    return Submission.objects.latest("pk")


def test_suppression():
    assert [suppress(n) for n in (0, 1, 7, 8, 12, 13, 102)] == [
        "0",
        "*",
        "*",
        "10",
        "10",
        "15",
        "100",
    ]
    assert suppress(3, below=3, round_to=1) == "3"


def test_upload_check_and_report_scoped_to_the_authority(client, world):
    login(client, world["la_a"])
    assert client.get("/cld/upload/").status_code == 200
    sub = upload(client, world, world["extract"])
    assert sub.original_name.encode() in client.get("/cld/").content
    assert sub.state == Submission.State.ACCEPTED and sub.rows == 300
    page = client.get(f"/cld/submissions/{sub.pk}/")
    assert page.status_code == 200 and b"Accepted" in page.content
    login(client, world["la_b"])
    assert client.get(f"/cld/submissions/{sub.pk}/").status_code == 404
    assert client.get(f"/cld/submissions/{sub.pk}/errors.csv").status_code == 404
    assert sub not in list(Submission.objects.none())
    api = client.get("/api/v1/cld/submissions")
    assert api.status_code == 200 and api.json() == []
    login(client, world["viewer_a"])
    assert client.get("/cld/upload/").status_code == 403  # viewers read, they do not send


def test_rejected_file_is_not_kept(client, world, extracts):
    bad = extracts / "web-bad.csv"
    generate(bad, rows=200, seed=32, la_code="E08000035", error_rate=0.3)
    sub = upload(client, world, bad)
    assert sub.state == Submission.State.REJECTED and sub.stored_path == ""
    assert not any((world["extract"].parent).glob("zone/submissions/*/upload.csv"))
    assert sub.report["summary"] and sub.report["errors"]
    page = client.get(f"/cld/submissions/{sub.pk}/")
    assert b"Findings by rule" in page.content
    csv_resp = client.get(f"/cld/submissions/{sub.pk}/errors.csv")
    assert csv_resp.status_code == 200 and b"row,field,rule,severity,message" in b"".join(
        csv_resp.streaming_content
    )


def test_wrong_authority_in_file_is_rejected(client, world, extracts):
    other = extracts / "web-b.csv"
    generate(other, rows=50, seed=33, la_code="E08000036")
    sub = upload(client, world, other)
    assert sub.state == Submission.State.REJECTED
    assert sub.report["errors"][0]["rule"] == "SUBMISSION_MISMATCH"


def test_timetable(client, world):
    from datetime import datetime

    sub = upload(client, world, world["extract"])
    assert b"Late" in client.get("/cld/timetable/").content  # sent today, after the due date
    Submission.objects.filter(pk=sub.pk).update(submitted_at=datetime(2025, 4, 20, tzinfo=UTC))
    assert b"On time" in client.get("/cld/timetable/").content
    login(client, world["la_b"])
    assert b"Missing" in client.get("/cld/timetable/").content
    login(client, world["analyst"])
    assert client.get("/cld/timetable/").status_code == 403


def _processed_and_agreements(client, world):
    sub = upload(client, world, world["extract"])
    login(client, world["processor"])
    assert client.post(f"/cld/submissions/{sub.pk}/process/").status_code == 302
    sub.refresh_from_db()
    assert sub.state == Submission.State.PROCESSED, sub.state_message
    dsas = {}
    for name, org in (("DSA-1", world["rec"]), ("DSA-2", world["weak"])):
        dsas[name] = services.create_agreement(
            user=world["processor"],
            recipient=org,
            local_authorities=[world["las"]["LAA"]],
            period_start=date(2024, 4, 1),
            period_end=date(2025, 3, 31),
            purpose="Evaluation",
            expires_on=date(2027, 3, 31),
            reference=name,
        )
    return sub, dsas


def test_processing_release_and_download(client, world):
    from dspt.cld.models import Participation

    Participation.objects.create(
        local_authority=world["las"]["LAA"],
        early_adopter=True,
        notice_served_on=date(2024, 1, 10),
        onboarding={"contact_named": "2024-01-12"},
    )
    sub, dsas = _processed_and_agreements(client, world)
    centre = client.get("/cld/centre/")
    assert (
        centre.status_code == 200 and b"2024-01-12" in centre.content and b"Leeds" in centre.content
    )
    # The authority gets its trace results; another authority does not.
    login(client, world["la_a"])
    assert client.get(f"/cld/submissions/{sub.pk}/trace-results.csv").status_code == 200
    assert client.get("/cld/centre/").status_code == 403
    login(client, world["la_b"])
    assert client.get(f"/cld/submissions/{sub.pk}/trace-results.csv").status_code == 404

    login(client, world["processor"])
    form = client.get(f"/cld/centre/releases/new/?agreement={dsas['DSA-1'].pk}")
    assert form.status_code == 200 and f'value="{sub.pk}" checked'.encode() in form.content
    client.post(
        "/cld/centre/releases/",
        {"agreement": dsas["DSA-1"].pk, "submissions": [sub.pk], "tables": [TABLE]},
    )
    rel = Release.objects.get(recipient=world["rec"])
    assert not rel.refused and rel.rows == 300
    assert [t["name"] for t in rel.tables] == [TABLE]

    login(client, world["analyst"])
    assert b"Research" not in b"" and client.get("/cld/releases/").status_code == 200
    resp = client.get(f"/cld/releases/{rel.pk}/extract/")
    assert resp.status_code == 200
    data = b"".join(resp.streaming_content)
    released = pq.read_table(pa.BufferReader(data)).to_pylist()
    master = {
        r["event_reference"]: r
        for r in pq.read_table(sub.output_path + "/part-00000.parquet").to_pylist()
    }
    rkey = derive_recipient_key(KEY, "8RE01")
    for r in released[:20]:
        assert r["person_pseudo"] == pseudonym(rkey, master[r["event_reference"]]["person_pseudo"])
    agg = b"".join(client.get(f"/cld/releases/{rel.pk}/{TABLE}/").streaming_content).decode()
    assert agg.startswith("period_end,la_code,event_type,service_type,events,people")
    assert all(
        cell == "*" or (int(cell) % 5 == 0 and int(cell) >= 10)
        for line in agg.splitlines()[1:]
        for cell in line.split(",")[4:]
    )
    assert AuditEvent.objects.filter(action="cld.downloaded").count() == 2

    # Someone without an agreement sees nothing of it.
    login(client, world["stranger"])
    assert client.get(f"/cld/releases/{rel.pk}/extract/").status_code == 404


def test_recipient_below_standards_met_is_refused(client, world):
    sub, dsas = _processed_and_agreements(client, world)
    rel = services.release(
        submissions=[sub], dsa=dsas["DSA-2"], user=world["processor"], on=date(2025, 5, 1)
    )
    assert rel.refused and "Standards Met or better is required" in rel.refused_reason
    assert not rel.file_path
    assert AuditEvent.objects.filter(action="cld.release_refused").exists()
    login(client, world["weak_analyst"])
    assert client.get(f"/cld/releases/{rel.pk}/extract/").status_code == 404


def test_download_refused_when_agreement_or_status_lapses(client, world, settings):
    sub, dsas = _processed_and_agreements(client, world)
    rel = services.release(
        submissions=[sub], dsa=dsas["DSA-1"], user=world["processor"], on=date(2025, 5, 1)
    )
    assert not rel.refused
    services.set_agreement_active(dsas["DSA-1"], False, user=world["processor"])
    login(client, world["analyst"])
    resp = client.get(f"/cld/releases/{rel.pk}/extract/")
    assert resp.status_code == 403 and b"not active" in resp.content
    services.set_agreement_active(dsas["DSA-1"], True, user=world["processor"])
    settings.DSPT_TODAY = "2026-08-01"  # the 2024-25 publication lapsed at the 2025-26 deadline
    resp = client.get(f"/cld/releases/{rel.pk}/extract/")
    assert resp.status_code == 403 and b"Standards Met or better" in resp.content
    refusals = AuditEvent.objects.filter(action="cld.download_refused")
    assert refusals.count() == 2 and all(e.detail["reason"] for e in refusals)


def test_only_the_processor_releases(world):
    with pytest.raises(services.CldError):
        services.create_agreement(
            user=world["la_a"],
            recipient=world["rec"],
            local_authorities=[],
            period_start=date(2024, 4, 1),
            period_end=date(2025, 3, 31),
            purpose="x",
            expires_on=date(2026, 1, 1),
            reference="X",
        )


def test_timetable_is_seeded_by_command():
    from django.core.management import call_command

    call_command("cld", "timetable", "--first-end", "2025-03-31", "--quarters", "3")
    periods = list(
        TimetablePeriod.objects.order_by("period_end").values_list(
            "period_start", "period_end", "due_date"
        )
    )
    assert periods == [
        (date(2024, 4, 1), date(2025, 3, 31), date(2025, 4, 30)),
        (date(2024, 7, 1), date(2025, 6, 30), date(2025, 7, 30)),
        (date(2024, 10, 1), date(2025, 9, 30), date(2025, 10, 30)),
    ]
    call_command("cld", "timetable", "--first-end", "2025-03-31", "--quarters", "3")
    assert TimetablePeriod.objects.count() == 3


def test_api_upload_and_poll_with_a_token(client, world):
    from dspt.accounts.models import ApiToken, hash_token

    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(
        organisation=world["las"]["LAA"],
        user=world["la_a"],
        name="t",
        prefix=raw[:8],
        token_hash=hash_token(raw),
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    with open(world["extract"], "rb") as f:
        resp = client.post(
            "/api/v1/cld/submissions",
            {"organisation": "LAA", "period_id": world["period"].pk, "file": f},
            **auth,
        )
    assert resp.status_code == 202, resp.content
    detail = client.get(f"/api/v1/cld/submissions/{resp.json()['id']}", **auth).json()
    assert detail["state"] == "accepted" and detail["report"]["accepted"] is True
    with open(world["extract"], "rb") as f:
        other = client.post("/api/v1/cld/submissions", {"organisation": "LAB", "file": f}, **auth)
    assert other.status_code == 403
