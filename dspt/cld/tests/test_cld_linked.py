# ruff: noqa: F811 - `world` and `three` are fixtures imported from the release tests
"""Linked releases: social care records with the health events of the same people, re-keyed per
recipient, only under an agreement covering both datasets and the authorities; the linkage
rate; every download re-checked; and no identifier in anything released."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dspt.accounts.models import OrgRole
from dspt.audit.models import AuditEvent
from dspt.cld import services
from dspt.cld import synthetic_vocab as vocab
from dspt.cld.generate_health import generate_admissions, nhs_numbers_in
from dspt.cld.models import HealthDataset, Release
from dspt.cld.pseudonymise import derive_recipient_key, pad_key, pseudonym

from .conftest import TEST_KEY_HEX, all_files
from .test_cld_releases import _agreement, three  # noqa: F401 - `three` is a fixture
from .test_cld_web import login, user, world  # noqa: F401 - `world` is a fixture

pytestmark = pytest.mark.django_db
KEY = bytes.fromhex(TEST_KEY_HEX)
ON = date(2025, 5, 1)
CODE = "hospital_admissions"
NHS_LIKE = re.compile(rb"(?<![0-9a-f-])[0-9]{10}(?![0-9a-f])")
POSTCODE = re.compile(rb"\b[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}\b")


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _index(three, name: str) -> Path:
    return Path(three["extract"]).with_name(name)


@pytest.fixture
def linked(three, tmp_path):
    """`three` plus a loaded hospital admissions file for Leeds's and Wakefield's people (and
    others), and agreements with and without the health dataset."""
    people = nhs_numbers_in(_index(three, "web-a-index.csv"))
    people += nhs_numbers_in(_index(three, "rel-b1-index.csv"))
    path = tmp_path / "admissions.csv"
    generate_admissions(path, people, start=date(2024, 1, 1), end=date(2025, 9, 30), seed=5)
    ds = services.health_dataset_load(
        user=three["processor"],
        code=CODE,
        original_name="admissions.csv",
        chunks=[path.read_bytes()],
    )
    assert ds.state == HealthDataset.State.LOADED, ds.report
    las = [three["las"]["LAA"], three["las"]["LAB"]]
    both = _agreement(three, "DSA-LINK", three["rec"], las)
    both.datasets = ["cld", CODE]
    both.save()
    return {**three, "health": ds, "people": people, "admissions": path, "both": both}


def _release(w, subs, dsa, ds=None):
    return services.release(
        submissions=subs, dsa=dsa, tables=[], user=w["processor"], on=ON, health_dataset=ds
    )


def _column(path, name) -> list:
    return pq.read_table(str(path), columns=[name]).column(0).to_pylist()


def test_a_linked_release_carries_the_same_peoples_events_rekeyed(linked):
    a1, b1 = linked["a1"], linked["b1"]
    rel = _release(linked, [a1, b1], linked["both"], linked["health"])
    assert not rel.refused, rel.refused_reason
    assert Path(rel.health_path).is_file() and rel.health_rows > 0
    events = pq.read_table(rel.health_path).to_pylist()
    assert len(events) == rel.health_rows
    assert set(events[0]) == {
        "nhs_number_pseudo",
        "admission_date",
        "discharge_date",
        "admission_method",
        "provider_code",
    }
    # Each event's person is in the released extract, under the recipient's pseudonym, and the
    # event falls in the reporting period (both extracts: April 2024 to March 2025).
    released = {p for p in _column(rel.file_path, "nhs_number_pseudo") if p}
    assert {e["nhs_number_pseudo"] for e in events} <= released
    assert all(date(2024, 4, 1) <= e["admission_date"] <= date(2025, 3, 31) for e in events)

    # The figures, worked out again from the files as sent and the processor's key.
    k = derive_recipient_key(KEY, "8RE01")
    admissions = _rows(linked["admissions"])
    in_period = [a for a in admissions if "2024-04-01" <= a["Admission_Date"] <= "2025-03-31"]
    masters = {}
    for sub in (a1, b1):
        for part in Path(sub.output_path).glob("*.parquet"):
            for r in pq.read_table(
                part, columns=["person_pseudo", "nhs_number_pseudo"]
            ).to_pylist():
                masters.setdefault(r["person_pseudo"], r["nhs_number_pseudo"])
    by_nhs = {pseudonym(KEY, a["NHS_Number"]) for a in in_period}
    matched = [a for a in in_period if pseudonym(KEY, a["NHS_Number"]) in set(masters.values())]
    assert {pseudonym(k, pseudonym(KEY, a["NHS_Number"])) for a in matched} == {
        e["nhs_number_pseudo"] for e in events
    }
    linked_people = sum(1 for n in masters.values() if n in by_nhs)
    assert rel.linkage == {
        "social_care_people": len(masters),
        "social_care_people_linked": linked_people,
        "health_rows_in_period": len(in_period),
        "health_rows_matched": len(matched),
        "people_rate": round(linked_people / len(masters), 4),
        "rows_rate": round(len(matched) / len(in_period), 4),
    }
    assert 0 < linked_people < len(masters) and 0 < len(matched) < len(in_period)
    audit = AuditEvent.objects.get(action="cld.released", object_id=str(rel.pk))
    assert audit.detail["health_code"] == CODE and audit.detail["linkage"] == rel.linkage

    # Another recipient gets other pseudonyms: it cannot join its events with these.
    other = _agreement(linked, "DSA-LINK-2", linked["rec2"], [linked["las"]["LAA"]])
    other.datasets = ["cld", CODE]
    other.save()
    rel2 = _release(linked, [a1], other, linked["health"])
    assert not rel2.refused
    assert not set(_column(rel2.health_path, "nhs_number_pseudo")) & set(
        _column(rel.health_path, "nhs_number_pseudo")
    )


def test_a_linked_release_under_an_agreement_without_the_health_dataset_is_refused(
    linked, settings
):
    rel = _release(linked, [linked["a1"]], linked["all"], linked["health"])
    assert rel.refused and rel.health_dataset == linked["health"]
    assert "Agreement DSA-ALL does not cover hospital admissions (hospital_admissions)" in (
        rel.refused_reason
    )
    assert not rel.file_path and not rel.health_path
    assert not (Path(settings.DSPT_CLD_STORAGE) / "releases" / str(rel.pk)).exists()
    audit = AuditEvent.objects.get(action="cld.release_refused", object_id=str(rel.pk))
    assert audit.detail["health_code"] == CODE
    # The same extract without the health data may go under it.
    assert not _release(linked, [linked["a1"]], linked["all"]).refused


def test_a_linked_release_outside_the_agreements_authorities_is_refused(linked):
    leeds = _agreement(linked, "DSA-LEEDS-LINK", linked["rec"], [linked["las"]["LAA"]])
    leeds.datasets = ["cld", CODE]
    leeds.save()
    rel = _release(linked, [linked["a1"], linked["b1"]], leeds, linked["health"])
    assert rel.refused
    assert "Agreement DSA-LEEDS-LINK does not cover Wakefield Council." in rel.refused_reason
    assert Release.objects.filter(refused_reason="").count() == 0


def test_a_health_dataset_not_loaded_is_refused(linked):
    bad = services.health_dataset_load(
        user=linked["processor"], code=CODE, original_name="x.csv", chunks=[b"nonsense\n"]
    )
    assert bad.state == HealthDataset.State.REJECTED
    rel = _release(linked, [linked["a1"]], linked["both"], bad)
    assert rel.refused and f"Health dataset {bad.pk} (Hospital admissions) is not loaded." in (
        rel.refused_reason
    )


def test_the_recipients_status_lapsing_before_download_refuses_it(client, linked, settings):
    rel = _release(linked, [linked["a1"]], linked["both"], linked["health"])
    assert not rel.refused
    login(client, linked["analyst"])
    page = client.get(f"/cld/releases/{rel.pk}/")
    assert b"health_events" in page.content and b"Linkage" in page.content
    assert client.get(f"/cld/releases/{rel.pk}/health_events/").status_code == 200
    assert b"Hospital admissions of the same people" in client.get("/cld/releases/").content
    settings.DSPT_TODAY = "2026-08-01"  # the 2024-25 publication lapsed at the 2025-26 deadline
    for what in ("health_events", "extract"):
        resp = client.get(f"/cld/releases/{rel.pk}/{what}/")
        assert resp.status_code == 403 and b"Download refused" in resp.content
        assert b"Standards Met or better is required" in resp.content
    resp = client.get(f"/api/v1/cld/releases/{rel.pk}/files/health_events")
    assert resp.status_code == 403 and "Standards Met or better" in resp.json()["detail"]
    refused = AuditEvent.objects.filter(action="cld.download_refused", object_id=str(rel.pk))
    assert {e.detail["file"] for e in refused} == {"health_events", "extract"}


def test_a_download_rechecks_the_agreements_datasets(client, linked):
    rel = _release(linked, [linked["a1"]], linked["both"], linked["health"])
    linked["both"].datasets = ["cld"]
    linked["both"].save()
    login(client, linked["analyst"])
    resp = client.get(f"/cld/releases/{rel.pk}/health_events/")
    assert resp.status_code == 403 and b"does not cover hospital admissions" in resp.content


def test_who_sees_and_downloads_a_linked_release(client, linked):
    rel = _release(linked, [linked["a1"]], linked["both"], linked["health"])
    viewer = user("viewer@research.test", linked["rec"], role=OrgRole.VIEWER)
    address = f"/cld/releases/{rel.pk}/health_events/"
    expected = {
        "processor": 200,
        "analyst": 200,
        "weak_analyst": 404,
        "stranger": 404,
        "la_a": 404,
        "viewer_a": 404,
    }
    for who, code in expected.items():
        login(client, linked[who])
        assert client.get(address).status_code == code, who
        api = client.get(f"/api/v1/cld/releases/{rel.pk}/files/health_events")
        assert api.status_code == code, who
    login(client, viewer)
    assert client.get(address).status_code == 403
    unlinked = _release(linked, [linked["a1"]], linked["all"])
    login(client, linked["analyst"])
    assert client.get(f"/cld/releases/{unlinked.pk}/health_events/").status_code == 404


def test_no_direct_identifier_or_key_in_a_linked_release(linked):
    rel = _release(linked, [linked["a1"], linked["b1"]], linked["both"], linked["health"])
    rel = services.release(
        submissions=[linked["a1"], linked["b1"]],
        dsa=linked["both"],
        user=linked["processor"],
        on=ON,
        health_dataset=linked["health"],
    )  # with the default aggregate tables too
    assert not rel.refused and rel.tables
    index = []
    for name in ("web-a-index.csv", "rel-b1-index.csv"):
        index += _rows(_index(linked, name))
    nhs = {r["nhs_number"].encode() for r in index} | {n.encode() for n in linked["people"]}
    dobs = {r["date_of_birth"].encode() for r in index}
    postcodes = {r["postcode"].encode() for r in index}
    names = {n.encode() for n in vocab.FAMILY + vocab.GIVEN_FEMALE + vocab.GIVEN_MALE if len(n) > 3}
    keys = pad_key(KEY)
    recipient = derive_recipient_key(KEY, "8RE01")
    secrets = [
        KEY,
        TEST_KEY_HEX.encode(),
        keys.ipad,
        keys.opad,
        recipient,
        recipient.hex().encode(),
    ]
    files = all_files(Path(rel.file_path).parent)
    assert {f.name for f in files} >= {"extract.parquet", "health_events.parquet"}
    for path in files:
        raw = path.read_bytes()
        data = raw
        if path.suffix == ".parquet":
            data = b"\n".join(
                str(v).encode() for col in pq.read_table(path).columns for v in col.to_pylist()
            )
        assert not NHS_LIKE.search(data), path
        assert not any(n in data for n in nhs), path
        assert not POSTCODE.search(data) and not any(p in data for p in postcodes), path
        words = set(re.findall(rb"[0-9]{4}-[0-9]{2}-[0-9]{2}", data))
        assert not words & dobs, path
        assert not any(re.search(rb"\b" + re.escape(n) + rb"\b", data) for n in names), path
        assert not any(s in raw for s in secrets), path
