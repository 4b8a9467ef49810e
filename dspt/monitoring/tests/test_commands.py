"""`dspt compliance`, `dspt roi` and the CSV/XLSX writers."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from dspt.monitoring.exports import csv_text, xlsx_bytes
from dspt.monitoring.roi import display_row, run

CONTRACT_EXAMPLE = {
    "providers": 27000,
    "average_cost": 9000,
    "programme_spend": 5000000,
    "baseline": "Without programme",
    "scenarios": [
        {"name": "Without programme", "breach_rate": 0.40, "material_rate": 0.48},
        {"name": "Low impact", "breach_rate": 0.33, "material_rate": 0.40},
    ],
}


def out(*args) -> str:
    buf = io.StringIO()
    call_command(*args, stdout=buf)
    return buf.getvalue()


def test_compliance_json_as_of(world):
    rows = json.loads(out("compliance", "--by", "provider_size", "--as-of", "2024-07-15"))
    assert [r["group"] for r in rows] == ["Large", "Medium", "Micro/Small"]
    assert rows[1] == {
        "group": "Medium",
        "locations": 6,
        "compliant": 4,
        "compliance_pct": pytest.approx(400 / 6),
        "approaching": 1,
        "met": 0,
        "exceeded": 3,
        "expired": 0,
        "not_compliant": 1,
        "not_published": 1,
        "not_registered": 0,
    }


def test_compliance_csv(world):
    text = out("compliance", "--by", "scope", "--as-of", "2024-07-15", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["group"] for r in rows] == ["Local", "National", "Regional"]
    assert rows[2]["locations"] == "7" and rows[2]["compliant"] == "4"
    assert text.splitlines()[0] == (
        "group,locations,compliant,compliance_pct,approaching,met,exceeded,expired,"
        "not_compliant,not_published,not_registered"
    )


def test_compliance_defaults_to_today(world, settings):
    settings.DSPT_TODAY = "2024-07-01"
    rows = json.loads(out("compliance", "--by", "care_home"))
    assert sum(r["expired"] for r in rows) == 1  # L2 lapsed on 1 July


def test_compliance_rejects_bad_input(world):
    with pytest.raises(CommandError, match="not a date"):
        out("compliance", "--by", "region", "--as-of", "15/07/2024")
    with pytest.raises(CommandError):
        out("compliance", "--by", "colour")
    with pytest.raises(CommandError, match="from 1 January 2000 to 31 December 2099"):
        out("compliance", "--by", "region", "--as-of", "1970-01-01")


def test_roi_contract_example_by_hand():
    rows = run(CONTRACT_EXAMPLE)
    base, low = rows
    # Without programme: 27,000 × 0.40 = 10,800; × 0.48 = 5,184; × £9,000 = £46,656,000
    assert base["providers_breached"] == pytest.approx(10800)
    assert base["providers_material"] == pytest.approx(5184)
    assert base["total_cost"] == pytest.approx(46656000)
    assert base["saving"] == 0
    assert base["net_saving"] == pytest.approx(-5000000)
    assert base["return_per_pound"] == pytest.approx(-1.0)
    # Low impact: 8,910 breached; 3,564 material; £32,076,000; saving £14,580,000;
    # net £9,580,000; return 1.916 per pound
    assert low["providers_breached"] == pytest.approx(8910)
    assert low["providers_material"] == pytest.approx(3564)
    assert low["total_cost"] == pytest.approx(32076000)
    assert low["saving"] == pytest.approx(14580000)
    assert low["net_saving"] == pytest.approx(9580000)
    assert low["return_per_pound"] == pytest.approx(1.916)
    assert list(low) == [
        "name",
        "providers_breached",
        "providers_material",
        "total_cost",
        "saving",
        "net_saving",
        "return_per_pound",
    ]


def test_roi_keeps_full_precision_and_rounds_only_for_display():
    data = dict(CONTRACT_EXAMPLE, providers=1001, average_cost=9000.5)
    low = run(data)[1]
    assert low["providers_breached"] == pytest.approx(330.33)  # not rounded
    assert low["providers_material"] == pytest.approx(132.132)
    assert display_row(low)["providers_breached"] == "330"
    assert display_row(run(CONTRACT_EXAMPLE)[1])["return_per_pound"] == "£1.92"
    assert display_row(run(CONTRACT_EXAMPLE)[0])["net_saving"] == "-£5,000,000"


def test_roi_command(tmp_path):
    f = tmp_path / "s.json"
    f.write_text(json.dumps(CONTRACT_EXAMPLE))
    rows = json.loads(out("roi", str(f)))
    assert [r["name"] for r in rows] == ["Without programme", "Low impact"]
    assert rows[1]["return_per_pound"] == pytest.approx(1.916)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"baseline": "Nope"}, "baseline"),
        ({"providers": "many"}, "'providers' must be a number"),
        ({"scenarios": [{"name": "A", "breach_rate": 1.5, "material_rate": 0.1}]}, "share"),
        ({"programme_spend": 0}, "more than 0"),
    ],
)
def test_roi_bad_input_is_explained(tmp_path, change, message):
    f = tmp_path / "s.json"
    f.write_text(json.dumps(dict(CONTRACT_EXAMPLE, **change)))
    with pytest.raises(CommandError, match=message):
        out("roi", str(f))


def test_roi_unreadable_file(tmp_path):
    f = tmp_path / "s.json"
    f.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        out("roi", str(f))
    with pytest.raises(CommandError, match="Cannot read"):
        out("roi", str(tmp_path / "missing.json"))


ROWS = [
    {"name": '=HYPERLINK("http://x")', "n": 3, "note": "+44", "other": "@cmd"},
    {"name": "-2+3", "n": 4, "note": "\tTab", "other": "fine - really"},
]


def test_csv_neutralises_formula_cells():
    rows = list(csv.reader(io.StringIO(csv_text(ROWS))))
    assert rows[1] == ['\'=HYPERLINK("http://x")', "3", "'+44", "'@cmd"]
    assert rows[2] == ["'-2+3", "4", "'\tTab", "fine - really"]


def test_xlsx_neutralises_formula_cells_and_keeps_numbers():
    wb = load_workbook(io.BytesIO(xlsx_bytes(ROWS, title="Compliance")))
    ws = wb["Compliance"]
    assert [c.value for c in ws[1]] == ["name", "n", "note", "other"]
    assert [c.value for c in ws[2]] == ['\'=HYPERLINK("http://x")', 3, "'+44", "'@cmd"]
    assert ws["A2"].data_type == "s"
    assert ws["B3"].value == 4
