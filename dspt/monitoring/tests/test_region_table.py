"""A region's table of every local authority by level × care home × edition (hand-built world)."""

from datetime import date

from dspt.monitoring.regional import cell_columns, region_table
from dspt.monitoring.tests.pages import csv_rows


def _cells(row):
    return {key: row[key] for key, _, _ in cell_columns() if row[key]}


def test_levels_by_care_home_and_edition(world):
    # 30 Jun 2024: 2023-24 is the current edition. Newcastle: L1 (care home) Met, L3-L5
    # (domiciliary) Exceeded through their head office; Sunderland: L2 (care home) on its
    # 2022-23 Met, the previous edition, on its last valid day.
    rows = {r["group"]: r for r in region_table("E12000001", date(2024, 6, 30))}
    assert list(rows) == ["Newcastle", "Sunderland", "All local authorities"]
    assert _cells(rows["Newcastle"]) == {"care_home_current_met": 1, "other_current_exceeded": 3}
    assert _cells(rows["Sunderland"]) == {"care_home_previous_met": 1}
    assert (rows["Newcastle"]["locations"], rows["Newcastle"]["compliant"]) == (5, 4)
    # 15 Jul 2024: 2024-25 is current, so 2023-24 publications are the previous edition's.
    rows = {r["group"]: r for r in region_table("E12000001", date(2024, 7, 15))}
    assert _cells(rows["Newcastle"]) == {"care_home_previous_met": 1, "other_previous_exceeded": 3}
    assert _cells(rows["Sunderland"]) == {}
    whole = rows["All local authorities"]
    assert (whole["locations"], whole["compliant"], whole["expired"]) == (8, 4, 1)


def test_page_download_and_default_region(client, people):
    client.force_login(people["commissioner"])  # Newcastle: its region is the default
    body = client.get("/monitoring/region-by-local-authority/?as_of=2024-07-15").content.decode()
    assert "North East: local authorities by level, care home and edition" in body
    r = client.get(
        "/monitoring/region-by-local-authority/?as_of=2024-07-15&region=E12000007&download=csv"
    )
    rows = csv_rows(r)
    assert [x["Local authority"] for x in rows] == ["Camden", "All local authorities"]
    assert rows[0]["Approaching, care homes, previous edition"] == "1"  # L8
    client.force_login(people["member"])
    assert client.get("/monitoring/region-by-local-authority/").status_code == 403
