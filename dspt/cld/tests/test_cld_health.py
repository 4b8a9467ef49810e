# ruff: noqa: F811 - `world` is a fixture imported from test_cld_web
"""Health datasets: the same landing checks and the same pseudonyms as extracts, nothing kept
of a refused file, and who may load them."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dspt.audit.models import AuditEvent
from dspt.cld import services
from dspt.cld.generate_health import generate_admissions, nhs_numbers_in
from dspt.cld.health import load_health_spec
from dspt.cld.models import HealthDataset
from dspt.cld.pseudonymise import pseudonym

from .conftest import TEST_KEY_HEX
from .test_cld_web import world  # noqa: F401 - `world` is a fixture

pytestmark = pytest.mark.django_db
KEY = bytes.fromhex(TEST_KEY_HEX)
HEADER = "NHS_Number,Admission_Date,Discharge_Date,Admission_Method,Provider_Code"
GOOD = "9434765919"  # a valid NHS number


def load(w, data: bytes, name="admissions.csv") -> HealthDataset:
    return services.health_dataset_load(
        user=w["processor"], code="hospital_admissions", original_name=name, chunks=[data]
    )


def test_a_good_file_is_loaded_pseudonymised_and_the_file_as_sent_is_not_kept(world):
    text = f"{HEADER}\n{GOOD},2024-05-01,2024-05-03,21,RR8\n{GOOD},2024-06-01,,11,RAE\n"
    ds = load(world, text.encode())
    assert ds.state == HealthDataset.State.LOADED, ds.report
    assert (ds.rows, ds.people) == (2, 1) and not ds.stored_path
    assert not (Path(ds.output_path).parent / "upload.csv").exists()
    rows = pq.read_table(Path(ds.output_path) / "part-00000.parquet").to_pylist()
    assert rows[0] == {
        "nhs_number_pseudo": pseudonym(KEY, GOOD),  # as the social care pipeline makes it
        "admission_date": date(2024, 5, 1),
        "discharge_date": date(2024, 5, 3),
        "admission_method": "21",
        "provider_code": "RR8",
    }
    assert rows[1]["discharge_date"] is None
    assert GOOD.encode() not in b"".join(p.read_bytes() for p in Path(ds.output_path).iterdir())
    actions = list(AuditEvent.objects.filter(object_id=str(ds.pk)).values_list("action", flat=True))
    assert "cld.health_dataset_received" in actions and "cld.health_dataset_loaded" in actions


@pytest.mark.parametrize(
    ("data", "rule", "row"),
    [
        (b"", "EMPTY_FILE", 0),
        (b"NHS_Number,Admission_Date\n9434765919,2024-01-01\n", "HEADER", 0),
        (f"{HEADER}\n".encode(), "NO_DATA_ROWS", 0),
        (f"{HEADER}\n{GOOD},2024-05-01,2024-05-03,21,RR8,extra\n".encode(), "COLUMN_COUNT", 1),
        (f'{HEADER}\n{GOOD},2024-05-01,2024-05-03,21,"RR8\n'.encode(), "QUOTING", 1),
        (
            f"{HEADER}\n{GOOD},2024-05-01,,21,RR8\n9434765918,2024-05-01,,21,RR8\n".encode(),
            "NHS_NUMBER_CHECK_DIGIT",
            2,
        ),
        (f"{HEADER}\n{GOOD},2024-05-09,2024-05-03,21,RR8\n".encode(), "DATE_ORDER", 1),
        (f"{HEADER}\n{GOOD},2024-02-30,,21,RR8\n".encode(), "TYPE_DATE", 1),
        (f"{HEADER}\n{GOOD},2024-05-01,,99,RR8\n".encode(), "CODE_LIST", 1),
        (f"{HEADER}\n{GOOD},2024-05-01,,21,rr8!\n".encode(), "FORMAT", 1),
        (b"\x1f\x8b\x08\x00garbage", "GZIP", 0),
        (b"NHS_Number\x00", "ENCODING", 0),
    ],
)
def test_a_bad_file_is_refused_clearly_and_nothing_is_loaded(world, data, rule, row):
    ds = load(world, data)
    assert ds.state == HealthDataset.State.REJECTED
    assert rule in ds.report["summary"], ds.report
    finding = next(e for e in ds.report["errors"] if e["rule"] == rule)
    assert finding["row"] == row and finding["message"]
    assert GOOD not in str(ds.report)  # an identifier is never echoed
    assert not ds.output_path and not ds.stored_path
    folder = Path(world["extract"]).parent  # nothing half-loaded in the zone either
    zone = Path(services.zone("health", str(ds.pk)))
    assert not (zone / "output").exists() and not (zone / "upload.csv").exists(), folder


def test_windows_1252_and_gzip_land_as_extracts_do(world):
    text = f"{HEADER}\n{GOOD},2024-05-01,,21,RR8\n".encode("cp1252")
    ds = load(world, gzip.compress(text), name="admissions.csv.gz")
    assert ds.state == HealthDataset.State.LOADED and ds.report["gzipped"] is True


def test_a_missing_key_fails_the_load_without_keeping_the_file(world, monkeypatch):
    monkeypatch.delenv("DSPT_PSEUDONYM_KEY")
    ds = load(world, f"{HEADER}\n{GOOD},2024-05-01,,21,RR8\n".encode())
    assert ds.state == HealthDataset.State.FAILED and "No pseudonymisation key" in ds.state_message
    assert not ds.stored_path and not any(Path(services.zone("health", str(ds.pk))).iterdir())


def test_only_the_processing_centre_loads(client, world):
    for who in ("la_a", "analyst", "stranger"):
        with pytest.raises(services.CldError):
            services.health_dataset_load(
                user=world[who], code="hospital_admissions", original_name="a.csv", chunks=[b"x"]
            )
    with pytest.raises(services.CldError, match="no health dataset"):
        services.health_dataset_load(
            user=world["processor"], code="nope", original_name="a.csv", chunks=[b"x"]
        )
    assert not HealthDataset.objects.exists()


def test_the_generated_admissions_pass_and_mix_known_and_unknown_people(world, tmp_path):
    index = world["extract"].with_name("web-a-index.csv")
    people = nhs_numbers_in(index)
    path = tmp_path / "adm.csv"
    n = generate_admissions(path, people, start=date(2024, 4, 1), end=date(2025, 3, 31), seed=3)
    ds = load(world, path.read_bytes())
    assert ds.state == HealthDataset.State.LOADED and ds.rows == n
    mine = set(pq.read_table(Path(ds.output_path)).column("nhs_number_pseudo").to_pylist())
    known = {pseudonym(KEY, p) for p in people}
    assert mine & known and mine - known
    # Output scan: no NHS number (nor any ten-digit run) and no key material is kept.
    import re

    from dspt.cld.pseudonymise import pad_key

    keys = pad_key(KEY)
    for part in Path(ds.output_path).parent.rglob("*"):
        if not part.is_file():
            continue
        raw = part.read_bytes()
        text = raw
        if part.suffix == ".parquet":
            text = b"\n".join(
                str(v).encode() for c in pq.read_table(part).columns for v in c.to_pylist()
            )
        assert not re.search(rb"(?<![0-9a-f-])[0-9]{10}(?![0-9a-f])", text), part
        assert not any(p.encode() in text for p in people), part
        assert not any(k in raw for k in (KEY, TEST_KEY_HEX.encode(), keys.ipad, keys.opad))
    assert load_health_spec("hospital_admissions").header == HEADER.split(",")


def test_the_command_line_checks_and_pseudonymises_a_file(tmp_path, key_env, extracts):
    import io

    from django.core.management import call_command

    def run(*args):
        out, err = io.StringIO(), io.StringIO()
        with pytest.raises(SystemExit) as exc:
            call_command("cld", *[str(a) for a in args], stdout=out, stderr=err)
        return exc.value.code, out.getvalue(), err.getvalue()

    index = tmp_path / "index.csv"
    index.write_text("nhs_number,date_of_birth\n9434765919,1950-01-01\n")
    admissions = tmp_path / "adm.csv"
    call_command("cld", "generate-admissions", "--index", index, "--out", admissions, "--seed", 2)
    code, _, err = run("health", admissions, "--out", tmp_path / "out")
    assert code == 0 and "people" in err
    assert (tmp_path / "out" / "part-00000.parquet").is_file()
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n123,2024-01-01,,21,RR8\n")
    code, out, _ = run("health", bad, "--out", tmp_path / "bad-out")
    assert code == 1 and "NHS_NUMBER_FORMAT" in out and not (tmp_path / "bad-out").exists()
    code, _, err = run("health", admissions, "--out", tmp_path / "out")
    assert code == 2 and "already exists" in err
