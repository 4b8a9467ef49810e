"""process: keys, all-or-nothing output, no identifiers out, tracing outcomes, HMAC agreement."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import logging
import re
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from dspt.cld import synthetic_vocab as vocab
from dspt.cld.pipeline import process
from dspt.cld.pseudonymise import PseudonymKeyError, load_key, pad_key, pseudonym
from dspt.cld.spec import load_spec

from .conftest import TEST_KEY_HEX, all_files

KEY = bytes.fromhex(TEST_KEY_HEX)
# Ten digits standing alone (not inside a hex pseudonym or a CQC ID such as 1-1234567890).
NHS_LIKE = re.compile(rb"(?<![0-9a-f-])[0-9]{10}(?![0-9a-f])")
ISO_DATE = re.compile(rb"(19|20)[0-9]{2}-[01][0-9]-[0-3][0-9]")
POSTCODE = re.compile(rb"\b[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}\b")


def cli_process(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("cld", "process", *[str(a) for a in args], stdout=out, stderr=err)
    return exc.value.code, out.getvalue(), err.getvalue()


def read_output(out_dir: Path) -> list[dict]:
    return [r for p in sorted(out_dir.glob("*.parquet")) for r in pq.read_table(p).to_pylist()]


def test_hmac_in_sql_matches_python_hmac():
    keys = pad_key(KEY)
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE __keys AS SELECT ?::BLOB AS ipad, ?::BLOB AS opad", [keys.ipad, keys.opad]
    )
    con.execute("CREATE TABLE m AS SELECT unnest(['9434765919', 'E08000035:P1', 'é', '']) AS v")
    from dspt.cld.dialect import DUCKDB

    got = con.execute(f"SELECT v, {DUCKDB.hmac_hex('v')} FROM m CROSS JOIN __keys __k").fetchall()  # noqa: S608
    for value, digest in got:
        assert digest == hmac.new(KEY, value.encode(), hashlib.sha256).hexdigest()
    # Keys longer than the block are hashed first, as RFC 2104 says.
    long_key = bytes(range(100))
    assert pad_key(long_key).ipad == pad_key(hashlib.sha256(long_key).digest()).ipad


def test_key_sources(tmp_path):
    with pytest.raises(PseudonymKeyError):
        load_key({})
    with pytest.raises(PseudonymKeyError) as exc:
        load_key({"DSPT_PSEUDONYM_KEY": "not-hex-" + TEST_KEY_HEX})
    assert TEST_KEY_HEX not in str(exc.value)
    (tmp_path / "k").write_text(TEST_KEY_HEX + "\n")
    assert load_key({"DSPT_PSEUDONYM_KEY_FILE": str(tmp_path / "k")}) == KEY
    assert "redacted" in repr(pad_key(KEY))


def test_refuses_without_key(good_extract, tmp_path, monkeypatch):
    monkeypatch.delenv("DSPT_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("DSPT_PSEUDONYM_KEY_FILE", raising=False)
    code, _, err = cli_process(good_extract, "--out", tmp_path / "out")
    assert code == 2 and "DSPT_PSEUDONYM_KEY" in err
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def processed(good_extract, tmp_path_factory):
    root = tmp_path_factory.mktemp("processed")
    logs = io.StringIO()
    handler = logging.StreamHandler(logs)
    logging.getLogger().addHandler(handler)
    try:
        result = process(
            good_extract,
            root / "out",
            spec=load_spec("release-1"),
            key=KEY,
            trace_results=root / "zone" / "trace.csv",
        )
    finally:
        logging.getLogger().removeHandler(handler)
    return result, root, logs.getvalue()


def test_process_writes_contract_columns(processed, good_extract):
    result, root, _ = processed
    assert result.exit_code == 0 and result.rows_out == 3000
    rows = read_output(root / "out")
    assert len(rows) == 3000
    required = {
        "nhs_number_pseudo",
        "person_pseudo",
        "age_at_period_end",
        "birth_year_month",
        "lsoa_code",
        "trace_outcome",
        "event_type",
        "event_reference",
        "event_start_date",
    }
    assert required <= set(rows[0])
    forbidden = {
        "nhs_number",
        "la_person_unique_identifier",
        "date_of_birth",
        "postcode",
        "date_of_death",
        "family_name",
        "given_name",
    }
    assert not forbidden & set(rows[0])
    with open(good_extract, encoding="utf-8", newline="") as f:
        source = {r["Event_Reference"]: r for r in csv.DictReader(f)}
    for row in rows:
        src = source[row["event_reference"]]
        assert row["person_pseudo"] == pseudonym(
            KEY, f"{src['LA_Code']}:{src['LA_Person_Unique_Identifier']}"
        )
        if src["NHS_Number"]:
            assert row["nhs_number_pseudo"] == pseudonym(KEY, src["NHS_Number"])
        assert row["birth_year_month"] == src["Date_of_Birth"][:7]
        y, m, d = map(int, src["Date_of_Birth"].split("-"))
        assert row["age_at_period_end"] == 2025 - y - ((m, d) > (3, 31))
    outcomes = {r["trace_outcome"] for r in rows}
    assert {
        "matched_cross_check",
        "matched_exact",
        "matched_fuzzy",
        "not_found",
        "not_enough_data",
    } <= outcomes
    traced = [r for r in rows if r["trace_outcome"] in ("matched_exact", "matched_fuzzy")]
    assert traced and all(r["nhs_number_pseudo"] for r in traced)
    assert sum(r["lsoa_code"] is not None for r in rows) > 2900


def test_the_named_output_columns_are_the_ones_written(processed):
    # Release re-keys PSEUDONYM_COLUMNS and the aggregate tables check names against
    # output_columns(): both must describe what the plan actually writes.
    from dspt.cld.aggregates import output_columns
    from dspt.cld.plan import DERIVED_COLUMNS, PSEUDONYM_COLUMNS

    _, root, _ = processed
    written = set(pq.read_schema(next((root / "out").glob("*.parquet"))).names)
    assert set(DERIVED_COLUMNS) <= written
    assert {c for c in written if c.endswith("_pseudo")} == set(PSEUDONYM_COLUMNS)
    assert set(output_columns()) <= written


def test_no_identifiers_or_key_in_any_output(processed, good_extract):
    result, root, logs = processed
    with open(good_extract, encoding="utf-8", newline="") as f:
        people = list(csv.DictReader(f))
    names = {n.encode() for n in vocab.FAMILY + vocab.GIVEN_FEMALE + vocab.GIVEN_MALE if len(n) > 3}
    keys = pad_key(KEY)
    secrets = [
        KEY,
        TEST_KEY_HEX.encode(),
        TEST_KEY_HEX.upper().encode(),
        keys.ipad,
        keys.opad,
        keys.ipad.hex().encode(),
        keys.opad.hex().encode(),
    ]
    out_files = all_files(root / "out")
    assert out_files
    for path in out_files:
        data = path.read_bytes()
        if path.suffix == ".parquet":
            data = b"\n".join(
                str(v).encode() for col in pq.read_table(path).columns for v in col.to_pylist()
            )
        assert not NHS_LIKE.search(data), path
        assert not POSTCODE.search(data), path
        dobs = {p["Date_of_Birth"].encode() for p in people}
        assert not dobs & set(m.group(0) for m in ISO_DATE.finditer(data)), path
        assert not any(re.search(rb"\b" + re.escape(n) + rb"\b", data) for n in names), path
        assert not any(s in path.read_bytes() for s in secrets), path
    assert not any(s.decode("latin-1") in logs for s in secrets)
    assert TEST_KEY_HEX not in result.report.to_json()


def test_trace_results_go_to_the_processing_zone(processed):
    _, root, _ = processed
    with open(root / "zone" / "trace.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert set(rows[0]) == {
        "la_person_id",
        "supplied_nhs_number",
        "nhs_number",
        "trace_outcome",
        "trace_score",
    }
    # The work directory is gone: only the output and the zone remain.
    assert sorted(p.name for p in root.iterdir()) == ["out", "zone"]


def test_rejected_extract_leaves_nothing(extracts, tmp_path, key_env):
    from dspt.cld.generate import generate

    bad = extracts / "bad-process.csv"
    generate(bad, rows=500, seed=9, error_rate=0.2)
    code, out, _ = cli_process(bad, "--out", tmp_path / "out")
    assert code == 1 and '"accepted": false' in out
    assert list(tmp_path.iterdir()) == []


def test_unreadable_extract_leaves_nothing(tmp_path, key_env):
    (tmp_path / "in").mkdir()
    src = tmp_path / "in" / "x.csv.gz"
    src.write_bytes(b"\x1f\x8b\x08\x00garbage")
    for name in ("x-index.csv", "x-lsoa.csv"):
        (tmp_path / "in" / name.replace("x-", "x.csv-")).write_text("a\n")
    code, _, _ = cli_process(
        src,
        "--out",
        tmp_path / "out",
        "--index",
        tmp_path / "in" / "x.csv-index.csv",
        "--lookup",
        tmp_path / "in" / "x.csv-lsoa.csv",
    )
    assert code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_refuses_non_empty_destination(good_extract, tmp_path, key_env):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("x")
    code, _, err = cli_process(good_extract, "--out", tmp_path / "out")
    assert code == 2 and "not an empty directory" in err


def test_release_2_traces_with_names(good_extract_r2, tmp_path):
    result = process(good_extract_r2, tmp_path / "out", spec=load_spec("release-2"), key=KEY)
    assert result.exit_code == 0
    assert result.trace_outcomes.get("matched_fuzzy", 0) > 0
    rows = read_output(tmp_path / "out")
    assert "sexual_orientation" in rows[0] and "family_name" not in rows[0]
