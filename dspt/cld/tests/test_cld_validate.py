"""The validator: contract report shape, every bad-input case, row numbers, caps and actions."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from dspt.cld.spec import load_spec
from dspt.cld.validate import validate

from .conftest import write

R1 = load_spec("release-1")


def run(path: Path, tmp_path: Path, spec=R1, **kw):
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    result = validate(path, spec, work, **kw)
    if result.con is not None:
        result.con.close()
    return result.report


def cli(*args) -> tuple[int, dict]:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("cld", "validate", *[str(a) for a in args], stdout=out)
    return exc.value.code, json.loads(out.getvalue())


def rows_of(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def to_csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def test_release_1_header_is_the_contract():
    assert R1.header[:5] == [
        "LA_Code",
        "Reporting_Period_Start_Date",
        "Reporting_Period_End_Date",
        "NHS_Number",
        "LA_Person_Unique_Identifier",
    ]
    assert len(R1.header) == 48 and R1.header[-1] == "Planned_units_per_week"


def test_release_2_adds_fields():
    r2 = load_spec("release-2")
    assert set(r2.header) - set(R1.header) == {"Family_Name", "Given_Name", "Sexual_Orientation"}
    assert r2.field("LA_Person_Unique_Identifier").max_length == 36


def test_good_file_is_accepted_with_contract_shape(good_extract, tmp_path):
    code, report = cli(good_extract)
    assert code == 0
    assert report["accepted"] is True and report["rows"] == 3000
    assert report["errors"] == [] and report["warnings"] == [] and report["summary"] == {}
    assert {"accepted", "rows", "errors", "warnings", "summary"} <= set(report)


def test_release_2_file_is_accepted(good_extract_r2, tmp_path):
    assert run(good_extract_r2, tmp_path, load_spec("release-2")).accepted


def test_field_errors_have_row_field_rule_message(good_extract, tmp_path):
    rows = rows_of(good_extract)[:21]
    col = {n: i for i, n in enumerate(rows[0])}
    rows[3][col["Gender"]] = "X"  # data row 3
    rows[7][col["Event_Start_Date"]] = "2024-02-30"  # data row 7
    nhs = rows[10][col["NHS_Number"]] or "9434765919"
    rows[10][col["NHS_Number"]] = nhs[:9] + str((int(nhs[9]) + 1) % 10)
    rows[12][col["Event_Type"]] = "Service"
    rows[12][col["Service_Type"]] = ""
    report = run(write(tmp_path / "e.csv", to_csv(rows)), tmp_path)
    assert not report.accepted
    found = {(e["row"], e["field"], e["rule"]) for e in report.errors}
    assert (3, "Gender", "CODE_LIST") in found
    assert (7, "Event_Start_Date", "TYPE_DATE") in found
    assert (10, "NHS_Number", "NHS_NUMBER_CHECK_DIGIT") in found
    assert (12, "Service_Type", "SERVICE_NEEDS_TYPE") in found
    assert all(e["message"] for e in report.errors)
    assert "'X'" in next(e["message"] for e in report.errors if e["rule"] == "CODE_LIST")
    # Identifiers are never echoed back.
    assert nhs[:9] not in json.dumps(report.to_dict())


def test_end_before_start_and_outside_period(good_extract, tmp_path):
    rows = rows_of(good_extract)[:6]
    col = {n: i for i, n in enumerate(rows[0])}
    rows[1][col["Event_Start_Date"]], rows[1][col["Event_End_Date"]] = "2024-06-01", "2024-05-01"
    rows[1][col["Event_Outcome"]] = "Other"
    rows[2][col["Event_Start_Date"]], rows[2][col["Event_End_Date"]] = "2025-06-01", ""
    report = run(write(tmp_path / "d.csv", to_csv(rows)), tmp_path)
    assert report.summary["DATE_ORDER"] == 1
    assert report.summary["DATE_OUTSIDE_PERIOD"] == 1
    assert any(w["rule"] == "DATE_OUTSIDE_PERIOD" and w["row"] == 2 for w in report.warnings)


def test_duplicates_and_postcodes_warn_by_default(good_extract, tmp_path):
    rows = rows_of(good_extract)[:6]
    col = {n: i for i, n in enumerate(rows[0])}
    rows.append(list(rows[2]))
    rows[4][col["Postcode"]] = "NOT A PC"
    report = run(write(tmp_path / "w.csv", to_csv(rows)), tmp_path)
    assert report.accepted
    assert {w["rule"] for w in report.warnings} == {"DUPLICATE_EVENT", "POSTCODE_FORMAT"}
    assert next(w for w in report.warnings if w["rule"] == "DUPLICATE_EVENT")["row"] == 6


def test_rule_actions_are_configurable(good_extract, tmp_path):
    rows = rows_of(good_extract)[:4]
    rows[1][rows[0].index("Gender")] = "X"
    path = write(tmp_path / "a.csv", to_csv(rows))
    assert not run(path, tmp_path).accepted
    warned = run(path, tmp_path, R1.with_actions({"CODE_LIST": "warn"}))
    assert warned.accepted and warned.summary == {"CODE_LIST": 1}
    ignored = run(path, tmp_path, R1.with_actions({"CODE_LIST": "ignore"}))
    assert ignored.accepted and ignored.summary == {}


def test_examples_are_capped_and_error_csv_is_complete(good_extract, tmp_path):
    rows = rows_of(good_extract)[:301]
    for r in rows[1:]:
        r[rows[0].index("Gender")] = "X"
    errors_csv = tmp_path / "errors.csv"
    report = run(
        write(tmp_path / "many.csv", to_csv(rows)), tmp_path, examples=25, error_csv=errors_csv
    )
    assert report.summary["CODE_LIST"] == 300
    assert len(report.errors) == 25 and report.truncated
    assert [e["row"] for e in report.errors] == list(range(1, 26))
    full = rows_of(errors_csv)
    assert full[0] == ["row", "field", "rule", "severity", "message"] and len(full) == 301


# --- bad input: each gets a clear report, exit 1 (rejected) or 2 (unreadable) -------------------


def test_windows_1252_is_accepted(good_extract, tmp_path):
    rows = rows_of(good_extract)[:5]
    rows[1][rows[0].index("Event_Description")] = "Café visit – weekly"
    path = tmp_path / "w1252.csv"
    path.write_bytes(to_csv(rows).encode("cp1252"))
    report = run(path, tmp_path)
    assert report.accepted and report.source_encoding == "windows-1252"


def test_binary_and_utf16_are_unreadable(header_line, tmp_path):
    code, report = cli(write(tmp_path / "u16.csv", (header_line + "\n").encode("utf-16")))
    assert code == 2 and report["errors"][0]["rule"] == "ENCODING"
    code, report = cli(write(tmp_path / "bin.csv", bytes(range(256)) * 4))
    assert code == 2


def test_a_workbook_sent_instead_of_csv_is_named_as_one(header_line, tmp_path):
    """A real .xlsx (saved by openpyxl, renamed .csv) and the start of an .xls: refused as
    unreadable with a message saying what the file is and what to send instead."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(header_line.split(","))
    book.save(tmp_path / "extract.csv")
    (tmp_path / "old.csv").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    for name, what in [("extract.csv", "Excel workbook (.xlsx)"), ("old.csv", "(.xls)")]:
        code, report = cli(tmp_path / name)
        assert code == 2 and report["errors"][0]["rule"] == "ENCODING"
        message = report["errors"][0]["message"]
        assert what in message and "save it from the spreadsheet as CSV" in message, message


def test_a_zipped_csv_is_named_as_one(good_extract, tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "sent.csv", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(good_extract, "extract-2024.csv")
    code, report = cli(tmp_path / "sent.csv")
    assert code == 2 and report["errors"][0]["rule"] == "ENCODING"
    assert report["errors"][0]["message"] == (
        "The file is a ZIP archive (holding extract-2024.csv), not CSV text: send the CSV file "
        "itself, or compressed with gzip (.csv.gz)."
    )


def test_undecodable_bytes_are_unreadable(header_line, tmp_path):
    # 0x81 means nothing in UTF-8 (here) or in Windows-1252.
    code, report = cli(
        write(tmp_path / "x.csv", (header_line + "\n").encode() + b"E08000035,\x81\n")
    )
    assert code == 2 and "neither UTF-8 nor Windows-1252" in report["errors"][0]["message"]


def test_ragged_rows(good_extract, tmp_path):
    lines = good_extract.read_text().splitlines()[:6]
    lines[2] = lines[2] + ",extra"
    lines[4] = ",".join(lines[4].split(",")[:10])
    code, report = cli(write(tmp_path / "r.csv", "\n".join(lines) + "\n"))
    assert code == 1
    assert {(e["row"], e["rule"]) for e in report["errors"]} >= {
        (2, "COLUMN_COUNT"),
        (4, "COLUMN_COUNT"),
    }
    assert report["rows"] == 5


def test_unbalanced_quotes(good_extract, tmp_path):
    lines = good_extract.read_text().splitlines()[:5]
    lines[3] = lines[3].replace("E08000035", '"E08000035', 1)
    code, report = cli(write(tmp_path / "q.csv", "\n".join(lines) + "\n"))
    assert code == 1 and report["summary"].get("QUOTING") == 1


@pytest.mark.parametrize(
    "change,expected",
    [
        (lambda h: h.replace("NHS_Number", "NHS Number"), "NHS_Number is missing"),
        (lambda h: h.replace("Gender,", ""), "Gender is missing"),
        (lambda h: "", "no header"),
    ],
)
def test_missing_or_renamed_header(good_extract, tmp_path, change, expected):
    lines = good_extract.read_text().splitlines()[:4]
    lines[0] = change(lines[0])
    code, report = cli(write(tmp_path / "h.csv", "\n".join(lines) + "\n"))
    assert code == 1
    assert any(expected in e["message"] for e in report["errors"])


@pytest.mark.parametrize(
    ("sep", "name"), [(";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")]
)
def test_a_file_with_another_separator_is_told_so_once(good_extract, tmp_path, sep, name):
    """Saved with another separator (Excel in some languages uses semicolons), every line reads
    as one column: one finding says why, rather than 48 saying each column is missing."""
    lines = [line.replace(",", sep) for line in good_extract.read_text().splitlines()[:4]]
    code, report = cli(write(tmp_path / "s.csv", "\n".join(lines) + "\n"))
    assert code == 1
    assert [e["message"] for e in report["errors"]] == [
        f"The header's columns are separated by {name}, not commas: save the file as "
        "comma-separated values (CSV)"
    ]


def test_a_column_named_in_other_capitals_is_named_once(good_extract, tmp_path):
    lines = good_extract.read_text().splitlines()[:4]
    lines[0] = lines[0].replace("LA_Code", "la_code").replace("Gender,", "GENDER,")
    code, report = cli(write(tmp_path / "c.csv", "\n".join(lines) + "\n"))
    assert code == 1
    assert sorted(e["message"] for e in report["errors"]) == [
        "Column 'GENDER' should be written Gender (column names are case-sensitive)",
        "Column 'la_code' should be written LA_Code (column names are case-sensitive)",
    ]


def test_giant_field(good_extract, tmp_path, settings):
    settings.DSPT_CLD_MAX_LINE_BYTES = 64 * 1024
    lines = good_extract.read_text().splitlines()[:4]
    cells = lines[2].split(",")
    cells[26] = "A" * 200_000
    lines[2] = ",".join(cells)
    code, report = cli(write(tmp_path / "g.csv", "\n".join(lines) + "\n"))
    assert code == 1
    assert report["summary"]["LINE_TOO_LONG"] == 1 and report["errors"][0]["row"] == 2


def test_gzip_is_read(good_extract, tmp_path):
    path = tmp_path / "good.csv.gz"
    path.write_bytes(gzip.compress(good_extract.read_bytes()))
    report = run(path, tmp_path)
    assert report.accepted and report.gzipped and report.rows == 3000


def test_truncated_gzip(good_extract, tmp_path):
    data = gzip.compress(good_extract.read_bytes())
    code, report = cli(write(tmp_path / "t.csv.gz", data[: len(data) // 2]))
    assert code == 2 and report["errors"][0]["rule"] == "GZIP"
    assert "truncated" in report["errors"][0]["message"]


def test_corrupt_gzip(good_extract, tmp_path):
    data = bytearray(gzip.compress(good_extract.read_bytes()))
    data[200:260] = b"\xff" * 60
    code, report = cli(write(tmp_path / "c.csv.gz", bytes(data)))
    assert code == 2 and report["errors"][0]["rule"] == "GZIP"


def test_gzip_bomb_is_refused_without_expanding_it(header_line, tmp_path, settings):
    settings.DSPT_CLD_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    bomb = gzip.compress((header_line + "\n").encode() + b"0" * (50 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100_000
    work = tmp_path / "work"
    code, report = cli(write(tmp_path / "bomb.csv.gz", bomb))
    assert code == 2 and "limit" in report["errors"][0]["message"]
    assert not work.exists() or not any(work.iterdir())


def test_a_plain_file_over_the_limit_is_refused(good_extract, tmp_path, settings):
    data = good_extract.read_bytes()
    settings.DSPT_CLD_MAX_UNCOMPRESSED_BYTES = len(data) - 1
    code, report = cli(write(tmp_path / "big.csv", data))
    assert code == 2 and report["errors"][0]["rule"] == "FILE_TOO_LARGE"
    assert f"over the {len(data) - 1:,}-byte limit" in report["errors"][0]["message"]
    # Under the limit as sent, over it once converted from Windows-1252 to UTF-8 (é: 1 → 2 bytes).
    accented = data.replace(b"Beech Court", "Béech Court".encode("cp1252"))
    assert accented != data
    settings.DSPT_CLD_MAX_UNCOMPRESSED_BYTES = len(accented)
    code, report = cli(write(tmp_path / "grows.csv", accented))
    assert code == 2 and report["errors"][0]["rule"] == "FILE_TOO_LARGE"
    assert "expands beyond" in report["errors"][0]["message"]
    settings.DSPT_CLD_MAX_UNCOMPRESSED_BYTES = len(data)
    assert cli(write(tmp_path / "fits.csv", data))[0] == 0


def test_empty_file(tmp_path):
    code, report = cli(write(tmp_path / "empty.csv", b""))
    assert code == 2 and report["errors"][0]["rule"] == "EMPTY_FILE"


def test_generated_errors_are_rejected(extracts, tmp_path):
    from dspt.cld.generate import generate

    path = extracts / "bad.csv"
    generate(path, rows=2000, seed=5, error_rate=0.05)
    code, report = cli(path, "--errors-csv", tmp_path / "e.csv")
    assert code == 1
    assert {"CODE_LIST", "TYPE_DATE", "DATE_ORDER", "MAX_LENGTH", "SERVICE_NEEDS_TYPE"} <= set(
        report["summary"]
    )
    assert sum(report["summary"].values()) == report["error_count"] + report["warning_count"]


@pytest.mark.slow
def test_findings_name_the_row_and_value_actually_sent_in_a_large_file(tmp_path):
    """Every finding's row number points at the row whose value it quotes, and every duplicate
    it names repeats an earlier row — on a file big enough for the engine to read in parallel.
    (A staging table's physical order once differed from the file's at this size: findings
    quoted values from other rows, while every small-file test passed.)"""
    from dspt.cld.generate import generate

    extract = tmp_path / "big.csv"
    generate(extract, rows=40_000, seed=3, error_rate=0.02)
    errors_csv = tmp_path / "errors.csv"
    report = run(extract, tmp_path, error_csv=errors_csv)
    assert report.rows == 40_000 and not report.accepted
    header, *data = rows_of(extract)
    col = {name: i for i, name in enumerate(header)}
    with open(errors_csv, encoding="utf-8", newline="") as f:
        findings = list(csv.DictReader(f))
    quoted = [f for f in findings if "(found '" in f["message"]]
    assert len(quoted) > 100
    for f in quoted:
        sent = data[int(f["row"]) - 1][col[f["field"]]]
        found = f["message"].rsplit("(found '", 1)[1][:-2]
        assert found == sent.strip()[:40], f
    key = ("LA_Person_Unique_Identifier", "Event_Type", "Event_Reference", "Event_Start_Date")
    duplicates = [f for f in findings if f["rule"] == "DUPLICATE_EVENT"]
    assert duplicates
    for f in duplicates:
        row = int(f["row"])
        this = tuple(data[row - 1][col[k]] for k in key)
        assert any(tuple(r[col[k]] for k in key) == this for r in data[: row - 1]), f
