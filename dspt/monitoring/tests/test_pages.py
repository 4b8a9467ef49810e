"""Programme pages: downloads, charts with their tables, CSP, maps, value for money, report."""

import io
import json

import pytest
from openpyxl import load_workbook

from dspt.monitoring.tests.pages import csv_rows, map_areas, square


def test_dashboard_table_and_chart(programme):
    r = programme.get("/monitoring/dashboard/?as_of=2024-07-15&by=provider_size")
    body = r.content.decode()
    assert "6 of 11" not in body  # wording is a share, not a fraction
    assert "54.5% of 11 active adult social care locations" in body
    assert '<th scope="row" class="nhsuk-table__header">Medium</th>' in body
    assert 'data-chart="chart-by"' in body and 'type="application/json"' in body
    # The chart's data block is JSON that plotly can draw.
    data = body.split('id="chart-by">')[1].split("</script>")[0]
    figure = json.loads(data)
    assert figure["data"][0]["y"] == ["Large", "Medium", "Micro/Small"]


def test_chart_pages_allow_inline_styles_only_there(programme):
    chart_page = programme.get("/monitoring/dashboard/?as_of=2024-07-15")
    csp = chart_page["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp
    # Scripts stay locked down: only inline styles are relaxed.
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    other = programme.get("/monitoring/value-for-money/")
    assert "unsafe-inline" not in other["Content-Security-Policy"]


def test_dashboard_downloads_csv_and_xlsx(programme):
    r = programme.get("/monitoring/dashboard/?as_of=2024-07-15&by=scope&download=csv")
    assert r["Content-Disposition"] == 'attachment; filename="compliance-by-scope-2024-07-15.csv"'
    rows = csv_rows(r)
    assert [(x["Group"], x["Locations"], x["Compliant"]) for x in rows] == [
        ("Local", "2", "1"),
        ("National", "2", "1"),
        ("Regional", "7", "4"),
    ]
    assert rows[2]["Compliant (%)"] == str(400 / 7)  # full precision in downloads
    r = programme.get("/monitoring/dashboard/?as_of=2024-07-15&by=scope&download=xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in ws[4]][:3] == ["Regional", 7, 4]


def test_bad_date_is_explained_not_crashing(programme):
    r = programme.get("/monitoring/dashboard/?as_of=15/07/2024")
    assert r.status_code == 200
    assert "is not a date" in r.content.decode()


def test_series_page_has_table_and_download(programme):
    r = programme.get("/monitoring/series/?as_of=2024-07-15")
    assert "Status by month, 48 months to 15 July 2024" in r.content.decode()
    rows = csv_rows(programme.get("/monitoring/series/?as_of=2024-07-15&download=csv"))
    assert len(rows) == 48
    assert rows[-1]["Previous edition publication"] == "7" and rows[-1]["Expired"] == "1"


def test_change_page_lists_areas_that_fell(programme):
    body = programme.get("/monitoring/change/?as_of=2025-07-15&by=region").content.decode()
    assert "Groups whose compliance is lower than a year before" in body
    assert "-66.7" in body


def test_map_from_a_boundary_file_keyed_by_ons_code(programme, settings, tmp_path):
    codes = ["E08000021", "E08000024", "E09000007", "E12000001"]
    features = [square(code, k, key="CTYUA23CD") for k, code in enumerate(codes)]
    (tmp_path / "las.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features})
    )
    settings.DSPT_BOUNDARIES_DIR = str(tmp_path)
    settings.DSPT_BOUNDARIES_CODE_PROPERTY = "CTYUA23CD"
    body = programme.get("/monitoring/map/local_authority/?as_of=2024-07-15").content.decode()
    by_name = map_areas(body)
    # The region's feature is not on the local authority map: three areas, one per LA.
    assert set(by_name) == {"Camden", "Newcastle", "Sunderland"}
    # Sunderland's locations were all non-compliant that day: red, and said so in words.
    assert by_name["Sunderland"] == ("#d5281b", "Sunderland: 0.0% compliant")
    assert "Compliance (%) by local authority as of 15 July 2024" in body  # the table beside it


def test_map_without_boundaries_still_shows_the_table(programme, settings, tmp_path):
    settings.DSPT_BOUNDARIES_DIR = str(tmp_path / "missing")
    body = programme.get("/monitoring/map/region/?as_of=2024-07-15").content.decode()
    assert "Map not shown" in body and "DSPT_BOUNDARIES_DIR" in body
    assert "Compliance (%) by region as of 15 July 2024" in body


def test_value_for_money_page_matches_the_model(programme):
    body = programme.get("/monitoring/value-for-money/").content.decode()
    # The documented example scenarios: Low impact saves £14,580,000; net £9,580,000; £1.92 per £1.
    assert "£14,580,000" in body and "£9,580,000" in body and "£1.92" in body
    q = (
        "providers=27000&average_cost=9000&programme_spend=5000000&baseline=Without+programme"
        "&name_1=Without+programme&breach_1=40&material_1=48&name_2=Low+impact&breach_2=33"
        "&material_2=40"
    )
    r = programme.get(f"/monitoring/value-for-money/?{q}&download=json")
    data = json.loads(r.content)
    assert data["scenarios"][1] == {"name": "Low impact", "breach_rate": 0.33, "material_rate": 0.4}
    r = programme.get(f"/monitoring/value-for-money/?{q}&download=csv")
    rows = csv_rows(r)
    assert float(rows[1]["Return per £1 of spend"]) == pytest.approx(1.916)


def test_value_for_money_bad_input(programme):
    r = programme.get(
        "/monitoring/value-for-money/?providers=lots&average_cost=1&"
        "programme_spend=1&baseline=A&name_1=A&breach_1=10&material_1=10"
    )
    assert r.status_code == 400
    assert "Enter the number of providers as a number." in r.content.decode()


def test_monthly_report_html_and_pdf(programme):
    body = programme.get("/monitoring/report/?as_of=2024-07-31").content.decode()
    assert "monthly report" in body and "Figures as of 31 July 2024" in body
    assert "6 of 11 active adult social care locations (54.5%) were compliant" in body
    r = programme.get("/monitoring/report.pdf?as_of=2024-07-31")
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


def test_targeting_lists_page(programme):
    body = programme.get("/monitoring/targeting/?as_of=2024-07-15").content.decode()
    assert "Medium Co" in body
    rows = csv_rows(
        programme.get("/monitoring/targeting/?as_of=2024-07-15&download=csv&table=small")
    )
    assert [r["Local authority"] for r in rows] == ["Newcastle", "Camden"]
