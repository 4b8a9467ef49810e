"""Template generation and the upload reader/checker: round trips, refusals, properties."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from dspt.core.tests.hostile import xlsx_with_rows
from dspt.improvement_plans.checks import (
    CheckRules,
    PlanItem,
    check_rows,
    items_from_unmet,
    rows_from_cells,
)
from dspt.improvement_plans.columns import HEADERS, KEYS, neutralise, parse_date, unneutralise
from dspt.improvement_plans.template import plan_csv, plan_xlsx, prefilled_rows
from dspt.improvement_plans.upload import UploadRefused, read_plan_file

from .conftest import UNMET

TODAY = date(2025, 8, 1)
RULES = CheckRules(today=TODAY, horizon_days=730, valid_until=date(2026, 6, 30))
ITEMS = items_from_unmet(UNMET, {"1.1.1": "Is there an IG policy?"})


def filled(rows: list[dict]) -> list[dict]:
    for r in rows:
        r.update(actions="Write the policy", owner="Jo Bloggs, SIRO", target_date="2026-03-31")
    return rows


def xlsx_of(rows: list[dict]) -> bytes:
    return plan_xlsx(rows, organisation_name="Org", edition="2024-25", today=TODAY)


def check_file(name: str, data: bytes):
    raw = read_plan_file(name, data)
    return check_rows(rows_from_cells(raw.rows), ITEMS, RULES)


class TestTemplate:
    def test_xlsx_prefilled_with_mandatory_and_partly_met_items(self):
        wb = load_workbook(io.BytesIO(xlsx_of(prefilled_rows(ITEMS))))
        assert wb.sheetnames == ["Plan", "Instructions"]
        ws = wb["Plan"]
        assert [c.value for c in ws[1]] == list(HEADERS)
        assert [ws.cell(row=r, column=1).value for r in (2, 3, 4)] == ["1.1.1", "3.2.1", "6.3.2"]
        assert ws.cell(row=2, column=2).value == "Is there an IG policy?"
        assert ws.cell(row=4, column=3).value == "Partly met"
        kinds = {dv.type for dv in ws.data_validations.dataValidation}
        assert kinds == {"list", "date"}

    def test_formula_like_text_is_neutralised_in_both_files(self):
        rows = prefilled_rows(ITEMS)
        rows[0]["actions"] = '=HYPERLINK("http://evil")'
        rows[1]["owner"] = "@SUM(A1)"
        rows[2]["gap"] = "-2+3"
        ws = load_workbook(io.BytesIO(xlsx_of(rows)))["Plan"]
        for row in ws.iter_rows(min_row=2):
            for c in row:
                assert c.data_type != "f"
                assert not (isinstance(c.value, str) and c.value[:1] in "=+-@")
        text = plan_csv(rows).decode("utf-8-sig")
        for rec in list(csv.reader(io.StringIO(text)))[1:]:
            assert all(not v.startswith(("=", "+", "-", "@")) for v in rec)

    def test_round_trip_of_our_own_files_keeps_neutralised_text(self):
        rows = filled(prefilled_rows(ITEMS)[:2])
        rows[0]["actions"] = "=not a formula, honestly"
        for name, data in (("p.xlsx", xlsx_of(rows)), ("p.csv", plan_csv(rows))):
            result = check_file(name, data)
            assert result.ok, [e.text for e in result.errors]
            assert result.rows[0]["actions"] == "=not a formula, honestly"
            assert result.rows[0]["target_date"] == "2026-03-31"
            assert result.rows[0]["question"] == "Is there an IG policy?"


class TestRowChecks:
    def test_blank_template_reports_every_missing_field_by_row(self):
        result = check_file("p.xlsx", xlsx_of(prefilled_rows(ITEMS)))
        texts = [e.text for e in result.errors]
        assert "Row 2 (item 1.1.1): no action owner." in texts
        assert "Row 3 (item 3.2.1): no actions required." in texts
        assert "Row 3 (item 3.2.1): no target completion date." in texts
        # The optional partly met row left alone is not an error.
        assert not any("6.3.2" in t for t in texts)

    def test_missing_mandatory_item(self):
        rows = filled(prefilled_rows(ITEMS)[:1])
        result = check_file("p.csv", plan_csv(rows))
        assert [e.text for e in result.errors] == [
            "Item 3.2.1: this mandatory item is not met and has no row. Add a row with actions, "
            "an action owner and a target completion date."
        ]

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("2025-07-31", "is in the past"),
            ("2027-09-01", "more than 2 years away"),
            ("next spring", "is not a date"),
            ("31/02/2026", "is not a date"),
        ],
    )
    def test_bad_dates(self, value, message):
        rows = filled(prefilled_rows(ITEMS)[:2])
        rows[1]["target_date"] = value
        result = check_file("p.csv", plan_csv(rows))
        assert len(result.errors) == 1
        assert result.errors[0].text.startswith("Row 3 (item 3.2.1): target completion date")
        assert message in result.errors[0].text

    def test_date_after_publication_lapses_is_a_warning(self):
        rows = filled(prefilled_rows(ITEMS)[:2])
        rows[0]["target_date"] = "01/09/2026"
        result = check_file("p.csv", plan_csv(rows))
        assert result.ok
        assert "after this publication stops being valid" in result.warnings[0].text

    def test_disruption_needs_which_and_unknown_items_are_refused(self):
        rows = filled(prefilled_rows(ITEMS)[:2])
        rows[0]["disruption"] = True
        rows.append({**rows[1], "item_id": "9.9.9"})
        texts = [e.text for e in check_file("p.csv", plan_csv(rows)).errors]
        assert any(t.startswith("Row 2 (item 1.1.1): say which disruption") for t in texts)
        assert any(t.startswith("Row 4 (item 9.9.9): this is not one of the items") for t in texts)

    def test_several_rows_per_item_are_kept(self):
        rows = filled(prefilled_rows(ITEMS)[:2])
        rows.append({**rows[0], "actions": "Train staff", "status": "done"})
        result = check_file("p.xlsx", xlsx_of(rows))
        assert result.ok
        assert [r["item_id"] for r in result.rows] == ["1.1.1", "3.2.1", "1.1.1"]
        assert result.rows[2]["status"] == "done"


def workbook_bytes(header, rows, sheet="Plan") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


class TestRefusals:
    def refused(self, name, data) -> str:
        with pytest.raises(UploadRefused) as exc:
            read_plan_file(name, data)
        return " ".join(exc.value.messages)

    def test_renamed_missing_and_extra_columns(self):
        header = list(HEADERS)
        header[6] = "Owner"
        msg = self.refused("p.xlsx", workbook_bytes(header, []))
        assert "Missing columns: “Action owner”" in msg
        assert "“Owner”" in msg
        msg = self.refused("p.csv", (",".join([*HEADERS, "Notes"]) + "\r\n").encode())
        assert "not in the template" in msg and "“Notes”" in msg
        msg = self.refused("p.csv", (",".join(HEADERS[:-1]) + "\r\n").encode())
        assert "Missing columns: “Evidence note”" in msg

    def test_formulas_refused(self):
        row = ["1.1.1", "", "", "", "=1+1", "", "Jo", "2026-01-01", "", "", "", "", ""]
        assert "formulas (cells E2)" in self.refused("p.xlsx", workbook_bytes(list(HEADERS), [row]))
        csv_data = (",".join(HEADERS) + "\r\n" + ",".join(row) + "\r\n").encode()
        assert "formulas: row 2 (Actions required)" in self.refused("p.csv", csv_data)

    def test_wrong_sheet_encoding_and_size(self, settings):
        assert "no “Plan” sheet" in self.refused("p.xlsx", workbook_bytes(list(HEADERS), [], "X"))
        latin = (",".join(HEADERS) + "\r\n1.1.1,Caf\xe9\r\n").encode("latin-1")
        assert "not in UTF-8" in self.refused("p.csv", latin)
        settings.DSPT_PLAN_MAX_UPLOAD_BYTES = 100
        assert "largest plan we accept" in self.refused("p.csv", b"x" * 101)

    def test_zip_bomb_refused_before_opening(self):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("xl/workbook.xml", "<workbook/>")
            zf.writestr("xl/worksheets/sheet1.xml", "0" * (30 * 1024 * 1024))
        assert len(buf.getvalue()) < 2 * 1024 * 1024
        assert "compressed far more than real documents are" in self.refused(
            "p.xlsx", buf.getvalue()
        )

    def test_a_sheet_declaring_the_largest_size_is_read_by_its_real_rows(self):
        row = ["1.1.1", "", "", "", "Write the policy", "", "Jo Bloggs", "2026-03-31"]
        cells = {1: dict(enumerate(HEADERS, 1)), 2: {c: v for c, v in enumerate(row, 1) if v}}
        data = xlsx_with_rows(cells, sheet_name="Plan")  # declares A1:XFD1048576
        assert len(data) < 4096
        raw = read_plan_file("p.xlsx", data)
        assert raw.rows == [(2, row)]

    def test_values_and_rows_past_the_limits_stop_the_reading(self):
        wide = {1: dict(enumerate(HEADERS, 1)), 2: {1: "1.1.1", 200: "x"}}
        msg = self.refused("p.xlsx", xlsx_with_rows(wide, sheet_name="Plan"))
        assert "has a value in cell GR2, beyond the 50 columns we read" in msg
        long = {1: dict(enumerate(HEADERS, 1))} | {n: {1: "1.1.1"} for n in range(2, 1100)}
        assert "more than 1000 rows" in self.refused(
            "p.xlsx", xlsx_with_rows(long, sheet_name="Plan")
        )

    def test_a_bomb_in_the_sheet_itself_is_refused(self):
        bomb = xlsx_with_rows({1: dict(enumerate(HEADERS, 1))}, sheet_name="Plan", padding_mb=30)
        assert "compressed far more than real documents are" in self.refused("p.xlsx", bomb)

    def test_not_a_workbook_and_damaged(self):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("word/document.xml", "<doc/>")
        assert "not an Excel workbook" in self.refused("p.docx", buf.getvalue())
        assert "damaged" in self.refused("p.xlsx", b"PK\x03\x04garbage")
        assert "not a spreadsheet we can read" in self.refused("p.xls", b"\xd0\xcf\x11\xe0")

    def test_macros_refused(self):
        data = workbook_bytes(list(HEADERS), [])
        buf = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
            for info in src.infolist():
                dst.writestr(info, src.read(info))
            dst.writestr("xl/vbaProject.bin", b"\x00" * 10)
        assert "macros" in self.refused("p.xlsm", buf.getvalue())


cell_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(cell_text, min_size=len(KEYS), max_size=len(KEYS)),
    days=st.integers(-400, 1200),
    fmt=st.sampled_from(["csv", "xlsx"]),
)
def test_property_any_text_round_trips_or_is_refused_by_row(texts, days, fmt):
    """Whatever a person types, an upload either passes with their words intact or gets row-
    numbered errors; never a crash, and never a formula in what we write back."""
    row = dict(zip(KEYS, texts, strict=True))
    row["item_id"] = "1.1.1"
    row["target_date"] = (TODAY + timedelta(days=days)).isoformat()
    row["disruption"] = None
    row["status"] = "open"
    rows = [row, filled([{"item_id": "3.2.1"}])[0]]
    data = plan_csv(rows) if fmt == "csv" else xlsx_of(rows)
    result = check_file(f"p.{fmt}", data)
    for e in result.errors:
        assert e.text.startswith("Row 2 (item 1.1.1): ")
    expect_ok = bool(row["actions"].strip() and row["owner"].strip()) and 0 <= days <= 730
    assert result.ok == expect_ok
    if result.ok:
        assert result.rows[0]["actions"] == row["actions"].strip()
        assert result.rows[0]["owner"] == row["owner"].strip()


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_property_dates_read_in_both_spellings(d):
    assert parse_date(d.isoformat()) == d
    assert parse_date(f"{d.day:02d}/{d.month:02d}/{d.year}") == d


@given(st.text(max_size=30))
def test_property_neutralised_text_never_starts_a_formula(s):
    out = neutralise(s)
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_plan_item_order_is_numeric():
    items = items_from_unmet(
        [
            {"item_id": i, "outcome": "unmet", "mandatory": True}
            for i in ("10.1.1", "2.1.1", "2.10.1")
        ]
    )
    assert [i.item_id for i in items] == ["2.1.1", "2.10.1", "10.1.1"]
    assert isinstance(items[0], PlanItem)


@given(st.text(max_size=30))
def test_property_unneutralise_inverts_neutralise(s):
    assert unneutralise(neutralise(s)) == s
