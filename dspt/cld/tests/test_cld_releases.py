"""Releases of several extracts: one combined, re-keyed file; all or nothing; only the latest
extract of a period; every download re-checked; who may see and download what."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dspt.accounts.models import OrgRole
from dspt.assessments.models import Publication
from dspt.audit.models import AuditEvent
from dspt.cld import services
from dspt.cld.generate import generate
from dspt.cld.models import Release, Submission, TimetablePeriod
from dspt.cld.pseudonymise import derive_recipient_key, pseudonym
from dspt.cld.release import rekey
from dspt.cld.services.releases import VIEWER_REASON
from dspt.organisations.models import Organisation, OrgType

from .conftest import TEST_KEY_HEX
from .test_cld_web import login, user, world  # noqa: F401 - `world` is a fixture

pytestmark = pytest.mark.django_db
KEY = bytes.fromhex(TEST_KEY_HEX)
EVENTS = "events_people_by_authority_event_service"
AGES = "people_by_authority_age_gender"
ON = date(2025, 5, 1)


def _send(client, w, path: Path, la: str, period: TimetablePeriod) -> Submission:
    login(client, w["la_a"] if la == "LAA" else w["la_b"])
    with open(path, "rb") as f:
        resp = client.post(
            "/cld/upload/",
            {
                "organisation": w["las"][la].pk,
                "period": period.pk,
                "spec_version": "release-1",
                "file": f,
            },
        )
    assert resp.status_code == 302, resp.content[:300]
    return Submission.objects.latest("pk")


def _process(client, w, sub: Submission) -> Submission:
    login(client, w["processor"])
    client.post(f"/cld/submissions/{sub.pk}/process/")
    sub.refresh_from_db()
    assert sub.state == Submission.State.PROCESSED, sub.state_message
    return sub


def _agreement(w, reference, recipient, las, end=date(2025, 6, 30)):
    return services.create_agreement(
        user=w["processor"],
        recipient=recipient,
        local_authorities=las,
        period_start=date(2024, 4, 1),
        period_end=end,
        purpose="Evaluation",
        expires_on=date(2027, 3, 31),
        reference=reference,
    )


@pytest.fixture
def three(client, world, extracts):  # noqa: F811 - the fixture imported above
    """Leeds for two periods (the same people), Wakefield for one, all processed."""
    p2 = TimetablePeriod.objects.create(
        period_start=date(2024, 7, 1), period_end=date(2025, 6, 30), due_date=date(2025, 7, 30)
    )
    a2_path, b1_path = extracts / "rel-a2.csv", extracts / "rel-b1.csv"
    if not a2_path.exists():
        generate(a2_path, rows=300, seed=31, la_code="E08000035", period_end=date(2025, 6, 30))
        generate(b1_path, rows=120, seed=52, la_code="E08000036")
    subs = {
        "a1": _send(client, world, world["extract"], "LAA", world["period"]),
        "b1": _send(client, world, b1_path, "LAB", world["period"]),
        "a2": _send(client, world, a2_path, "LAA", p2),
    }
    subs = {k: _process(client, world, s) for k, s in subs.items()}
    rec2 = Organisation.objects.create(
        ods_code="8RE04", name="Second Research", org_type=OrgType.OTHER
    )
    Publication.objects.create(
        organisation=rec2, edition="2024-25", published_on=date(2024, 9, 1), level="standards_met"
    )
    las = [world["las"]["LAA"], world["las"]["LAB"]]
    return {
        **world,
        **subs,
        "p2": p2,
        "rec2": rec2,
        "all": _agreement(world, "DSA-ALL", world["rec"], las),
        "all2": _agreement(world, "DSA-ALL-2", rec2, las),
    }


def _people(path) -> list[str]:
    return pq.read_table(str(path), columns=["person_pseudo"]).column(0).to_pylist()


def _release(w, subs, dsa, tables=(EVENTS, AGES)):
    return services.release(
        submissions=subs, dsa=dsa, tables=list(tables), user=w["processor"], on=ON
    )


def test_rekey_combines_outputs_with_different_columns(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    pq.write_table(
        pa.table({"person_pseudo": ["p1", "p2"], "nhs_number_pseudo": ["n1", None]}),
        a / "part-00000.parquet",
    )
    pq.write_table(  # a later release of the specification adds a column
        pa.table({"person_pseudo": ["p1"], "nhs_number_pseudo": ["n1"], "extra": ["x"]}),
        b / "part-00000.parquet",
    )
    assert rekey([a, b], tmp_path / "r1.parquet", KEY, "8RE01") == 3
    rows = pq.read_table(tmp_path / "r1.parquet").to_pylist()
    k1 = derive_recipient_key(KEY, "8RE01")
    assert sorted(r["person_pseudo"] for r in rows) == sorted(
        [pseudonym(k1, "p1"), pseudonym(k1, "p1"), pseudonym(k1, "p2")]
    )
    assert sorted(r["extra"] or "" for r in rows) == ["", "", "x"]
    assert sum(r["nhs_number_pseudo"] is None for r in rows) == 1
    rekey([a, b], tmp_path / "r2.parquet", KEY, "8RE04")
    assert not set(_people(tmp_path / "r1.parquet")) & set(_people(tmp_path / "r2.parquet"))


def test_one_release_combines_extracts_and_keys_each_person_once(client, three):
    a1, b1, a2 = three["a1"], three["b1"], three["a2"]
    masters = {
        k: _people(Path(three[k].output_path) / "part-00000.parquet") for k in ("a1", "b1", "a2")
    }
    shared = set(masters["a1"]) & set(masters["a2"])
    assert shared  # the same Leeds people in both periods
    rel = _release(three, [a1, b1, a2, a1], three["all"])  # a repeat counts once
    assert not rel.refused and rel.rows == a1.rows + b1.rows + a2.rows == 720
    assert sorted(s.pk for s in rel.submissions.all()) == sorted([a1.pk, b1.pk, a2.pk])
    assert [t["name"] for t in rel.tables] == [EVENTS, AGES]
    released = _people(rel.file_path)
    k1 = derive_recipient_key(KEY, "8RE01")
    for person in list(shared)[:10]:
        n = masters["a1"].count(person) + masters["a2"].count(person)
        assert released.count(pseudonym(k1, person)) == n
    assert set(released) == {pseudonym(k1, p) for m in ("a1", "b1", "a2") for p in masters[m]}
    codes = pq.read_table(rel.file_path, columns=["la_code"]).column(0).to_pylist()
    assert set(codes) == {"E08000035", "E08000036"}

    other = _release(three, [a1, b1, a2], three["all2"])
    assert not set(_people(other.file_path)) & set(released)  # another recipient cannot join

    lines = Path(rel.table(EVENTS)["path"]).read_text().splitlines()
    assert {(line.split(",")[0], line.split(",")[1]) for line in lines[1:]} == {
        ("2025-03-31", "E08000035"),
        ("2025-03-31", "E08000036"),
        ("2025-06-30", "E08000035"),
    }
    event = AuditEvent.objects.get(action="cld.released", object_id=str(rel.pk))
    assert event.detail["submissions"] == sorted([a1.pk, b1.pk, a2.pk])
    assert event.detail["tables"] == [EVENTS, AGES]


def test_release_is_all_or_nothing_and_names_the_extract(client, three, settings):
    a1, b1, a2 = three["a1"], three["b1"], three["a2"]
    leeds_only = _agreement(three, "DSA-LEEDS", three["rec"], [three["las"]["LAA"]])
    rel = _release(three, [a1, b1], leeds_only)
    assert rel.refused and not rel.file_path and not rel.tables
    assert rel.refused_reason == (
        f"Extract {b1.pk} (Wakefield Council, 01 Apr 2024 to 31 Mar 2025): "
        "Agreement DSA-LEEDS does not cover Wakefield Council."
    )
    assert not (Path(settings.DSPT_CLD_STORAGE) / "releases" / str(rel.pk)).exists()
    assert sorted(s.pk for s in rel.submissions.all()) == sorted([a1.pk, b1.pk])
    audit = AuditEvent.objects.get(action="cld.release_refused", object_id=str(rel.pk))
    assert audit.detail["submissions"] == sorted([a1.pk, b1.pk])

    first_period = _agreement(
        three, "DSA-P1", three["rec"], [three["las"]["LAA"]], end=date(2025, 3, 31)
    )
    rel = _release(three, [a1, a2], first_period)
    assert f"Extract {a2.pk} (Leeds Council, 01 Jul 2024 to 30 Jun 2025)" in rel.refused_reason
    assert "does not cover the period" in rel.refused_reason
    assert f"Extract {a1.pk} " not in rel.refused_reason

    Submission.objects.filter(pk=b1.pk).update(state=Submission.State.ACCEPTED)
    b1.refresh_from_db()
    weak = _agreement(three, "DSA-WEAK", three["weak"], list(three["las"].values()))
    rel = _release(three, [a1, b1], weak)
    assert "Standards Met or better is required" in rel.refused_reason
    assert f"Extract {b1.pk} (Wakefield Council" in rel.refused_reason
    assert "has not been processed" in rel.refused_reason
    assert Release.objects.filter(refused_reason="").count() == 0
    assert not list((Path(settings.DSPT_CLD_STORAGE) / "releases").glob("*/*"))


def test_tables_are_refused_when_rounding_is_turned_off(client, three, settings):
    # No secondary suppression: rounding is what keeps a suppressed count from being worked out
    # from a margin another table gives (suppression.py). Without it, no tables go.
    settings.DSPT_CLD_ROUND_TO = 1
    rel = _release(three, [three["a1"]], three["all"])
    assert rel.refused and "DSPT_CLD_ROUND_TO is 1" in rel.refused_reason
    assert not (Path(settings.DSPT_CLD_STORAGE) / "releases" / str(rel.pk)).exists()
    assert AuditEvent.objects.filter(action="cld.release_refused", object_id=str(rel.pk)).exists()
    # The extract alone may still go.
    rel = _release(three, [three["a1"]], three["all"], tables=())
    assert not rel.refused and rel.tables == [] and Path(rel.file_path).exists()
    settings.DSPT_CLD_ROUND_TO = 10
    rel = _release(three, [three["a1"]], three["all"])
    lines = Path(rel.table(EVENTS)["path"]).read_text().splitlines()[1:]
    counts = [line.rsplit(",", 1)[1] for line in lines]
    assert counts and all(c.strip() in {"*", "0"} or int(c) % 10 == 0 for c in counts)


def test_only_the_latest_extract_of_a_period_goes(client, three):
    a1 = three["a1"]
    again = _process(client, three, _send(client, three, three["extract"], "LAA", three["period"]))
    login(client, three["processor"])
    page = client.get(f"/cld/centre/releases/new/?agreement={three['all'].pk}").content.decode()
    assert f'value="{again.pk}" checked' in page and f'id="id_submissions_{a1.pk}"' not in page
    assert "only its latest processed extract is offered" in page
    rel = _release(three, [a1], three["all"])
    assert rel.refused_reason == (
        f"Extract {a1.pk} (Leeds Council, 01 Apr 2024 to 31 Mar 2025): "
        f"A later processed extract ({again.pk}) replaces it."
    )
    assert not _release(three, [again], three["all"]).refused
    resp = client.post(
        "/cld/centre/releases/",
        {"agreement": three["all"].pk, "submissions": [a1.pk], "tables": [EVENTS]},
    )
    assert resp.status_code == 400 and b"cannot be released under this agreement" in resp.content


def test_every_download_rechecks_every_extract(client, three):
    rel = _release(three, [three["a1"], three["b1"]], three["all"])
    login(client, three["analyst"])
    assert client.get(f"/cld/releases/{rel.pk}/{EVENTS}/").status_code == 200
    three["all"].local_authorities.remove(three["las"]["LAB"])
    resp = client.get(f"/cld/releases/{rel.pk}/extract/")
    assert resp.status_code == 403
    assert f"Extract {three['b1'].pk} (Wakefield Council".encode() in resp.content
    assert f"Extract {three['a1'].pk} ".encode() not in resp.content
    refusal = AuditEvent.objects.get(action="cld.download_refused")
    assert refusal.detail["file"] == "extract" and "Wakefield" in refusal.detail["reason"]
    three["all"].local_authorities.add(three["las"]["LAB"])
    assert client.get(f"/cld/releases/{rel.pk}/extract/").status_code == 200


def test_who_sees_and_downloads_what(client, three):
    rel = _release(three, [three["a1"], three["b1"]], three["all"], tables=[EVENTS])
    theirs = _release(three, [three["a1"]], three["all2"])
    refused = _release(three, [three["a1"]], _agreement(three, "W", three["weak"], []))
    rec_viewer = user("viewer@research.test", three["rec"], role=OrgRole.VIEWER)
    pages = [f"/cld/releases/{rel.pk}/", f"/cld/releases/{rel.pk}/extract/"]
    pages.append(f"/cld/releases/{rel.pk}/{EVENTS}/")
    expected = {
        "processor": (200, 200, 200),
        "analyst": (200, 200, 200),
        "weak_analyst": (404, 404, 404),  # another recipient
        "stranger": (404, 404, 404),  # an organisation with no agreement
        "la_a": (404, 404, 404),  # the authority whose data it is
        "viewer_a": (404, 404, 404),
    }
    for who, codes in expected.items():
        login(client, three[who])
        assert tuple(client.get(p).status_code for p in pages) == codes, who
    login(client, rec_viewer)  # sees the release, may not take the record-level data
    assert client.get(pages[0]).status_code == 200
    resp = client.get(pages[1])
    assert resp.status_code == 403 and b"viewers can see what was released" in resp.content
    assert VIEWER_REASON.endswith("viewers can see what was released.")
    assert AuditEvent.objects.filter(action="cld.download_refused", actor=rec_viewer).exists()
    client.logout()
    for p in pages:
        resp = client.get(p)
        assert resp.status_code == 302 and "/accounts/sign-in/" in resp["Location"]

    # Guessing addresses: another recipient's release, a refused one, a table not released, a
    # name that is not a table, and a path.
    login(client, three["analyst"])
    for p in (
        f"/cld/releases/{theirs.pk}/extract/",
        f"/cld/releases/{theirs.pk}/",
        f"/cld/releases/{refused.pk}/extract/",
        f"/cld/releases/{rel.pk}/{AGES}/",
        f"/cld/releases/{rel.pk}/aggregate/",
        f"/cld/releases/{rel.pk}/..%2F..%2Fextract/",
    ):
        assert client.get(p).status_code == 404, p
    login(client, three["processor"])
    assert client.get(f"/cld/releases/{refused.pk}/").status_code == 200
    assert client.get(f"/cld/releases/{refused.pk}/extract/").status_code == 404


def test_release_form(client, three):
    all_ = three["all"]
    login(client, three["analyst"])
    assert client.get("/cld/centre/releases/new/").status_code == 403
    assert client.post("/cld/centre/releases/", {"agreement": all_.pk}).status_code == 403
    login(client, three["processor"])
    page = client.get("/cld/centre/releases/new/").content.decode()
    assert "Show extracts" in page and "DSA-ALL: Research Unit, until 31 March 2027" in page
    page = client.get(f"/cld/centre/releases/new/?agreement={all_.pk}").content.decode()
    for key in ("a1", "b1", "a2"):
        assert f'value="{three[key].pk}" checked' in page
    assert f'value="{EVENTS}" checked' in page and f'value="{AGES}" >' in page
    assert "Wakefield Council" in page and "120" in page

    for data, message in (
        ({"agreement": all_.pk}, b"Choose at least one extract."),
        (
            {"agreement": all_.pk, "submissions": [three["a1"].pk], "tables": ["nope"]},
            b"There is no aggregate table nope.",
        ),
        ({"agreement": 999_999, "submissions": [three["a1"].pk]}, b"Choose an agreement"),
    ):
        resp = client.post("/cld/centre/releases/", data)
        assert resp.status_code == 400 and message in resp.content, data
    leeds_only = _agreement(three, "DSA-LEEDS", three["rec"], [three["las"]["LAA"]])
    resp = client.post(
        "/cld/centre/releases/",
        {"agreement": leeds_only.pk, "submissions": [three["b1"].pk]},
    )
    assert resp.status_code == 400 and b"cannot be released under this agreement" in resp.content
    assert not Release.objects.exists()

    resp = client.post(
        "/cld/centre/releases/",
        {"agreement": all_.pk, "submissions": [three["a1"].pk, three["b1"].pk], "tables": [AGES]},
        follow=True,
    )
    assert b"Released 420 rows from 2 extract(s) and 1 aggregate table(s)" in resp.content
    rel = Release.objects.get()
    assert [t["name"] for t in rel.tables] == [AGES]
