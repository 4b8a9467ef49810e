"""Commissioners' watchlists: upload, what changed, export, alerts."""

import io
import json
import os

import pytest
from django.core import mail
from django.core.management import call_command
from openpyxl import Workbook

from dspt.assessments.models import Level, Publication
from dspt.core.tests.hostile import xlsx_with_rows
from dspt.monitoring.models import WatchlistEntry
from dspt.monitoring.tests.pages import csv_file, csv_rows, xlsx_file
from dspt.notifications.models import Notification


def upload(client, f):
    return client.post("/monitoring/watchlist/upload/", {"file": f})


@pytest.fixture
def signed_in(client, people, settings):
    settings.DSPT_TODAY = "2024-06-15"
    client.force_login(people["commissioner"])
    return client


def test_upload_by_cqc_id_location_ods_and_provider_ods(signed_in, people, world):
    r = upload(signed_in, csv_file("CQC location ID\n1-000000001\nV0002\nAB02\n"))
    assert r.status_code == 302
    watched = set(
        WatchlistEntry.objects.filter(commissioner=people["council"]).values_list(
            "location__name", flat=True
        )
    )
    # AB02 is Medium Co's head office: all five of its active locations.
    assert watched == {f"Location L{n}" for n in (1, 2, 3, 4, 5, 6, 7)}
    e = WatchlistEntry.objects.get(location=world.orgs["L2"])
    assert (e.seen_status, e.seen_label) == ("standards_met", "22/23 Standards Met")


def test_bad_rows_are_reported_and_nothing_changes(signed_in, people):
    upload(signed_in, csv_file("ODS code\nV0001\n"))
    r = upload(signed_in, csv_file("ODS code\nV0002\n1-999999999\n=cmd\n"))
    assert r.status_code == 400
    body = r.content.decode()
    assert "Row 3: no location has the CQC location ID 1-999999999." in body
    assert "Row 4: &#39;=cmd&#39; is neither a CQC location ID nor an ODS code." in body
    assert list(WatchlistEntry.objects.values_list("location__ods_code", flat=True)) == ["V0001"]


def test_an_unreadable_csv_is_refused_and_the_list_kept(signed_in):
    upload(signed_in, csv_file("ODS code\nV0001\n"))
    r = upload(signed_in, csv_file("ODS code\nV00\r02\n"))
    assert r.status_code == 400
    assert "Line 2 has a line break inside a value that is not in quotes." in r.content.decode()
    assert list(WatchlistEntry.objects.values_list("location__ods_code", flat=True)) == ["V0001"]


def test_spreadsheet_limits_hold_while_reading(signed_in, settings):
    upload(signed_in, csv_file("ODS code\nV0001\n"))
    # The sheet declares A1:XFD1048576 and has a value far out to the right.
    wide = xlsx_with_rows({1: {1: "ODS code"}, 2: {1: "V0002", 16384: "x"}})
    r = upload(signed_in, xlsx_file(wide))
    assert r.status_code == 400
    assert "has a value in cell XFD2, beyond the 50 columns we read" in r.content.decode()
    # More rows with values than a watchlist may hold: reading stops at the limit.
    many = xlsx_with_rows(["ODS code"] + ["V0002"] * 20_001)
    r = upload(signed_in, xlsx_file(many))
    assert r.status_code == 400
    assert "The file has more than 20,000 rows." in r.content.decode()
    settings.DSPT_UPLOAD_MAX_UNCOMPRESSED = 1024 * 1024
    big = xlsx_with_rows(["ODS code", "V0002"], extra_parts={"xl/media/a.bin": os.urandom(2 << 20)})
    r = upload(signed_in, xlsx_file(big))
    assert r.status_code == 400
    assert "would unpack to more than 1 MB" in r.content.decode()
    assert list(WatchlistEntry.objects.values_list("location__ods_code", flat=True)) == ["V0001"]


def test_xlsx_upload_and_replacing_the_list(signed_in, people):
    upload(signed_in, csv_file("ODS code\nV0001\nV0008\n"))
    wb = Workbook()
    wb.active.append(["Name", "Location ODS Code"])
    wb.active.append(["x", "V0008"])
    wb.active.append(["y", "v0009"])  # lower case is accepted
    buf = io.BytesIO()
    wb.save(buf)
    assert upload(signed_in, xlsx_file(buf.getvalue())).status_code == 302
    assert sorted(WatchlistEntry.objects.values_list("location__ods_code", flat=True)) == [
        "V0008",
        "V0009",
    ]


def test_what_changed_since_last_seen_and_mark_seen(signed_in, settings):
    upload(signed_in, csv_file("ODS code\nV0002\nV0006\n"))
    settings.DSPT_TODAY = "2024-07-15"
    body = signed_in.get("/monitoring/watchlist/").content.decode()
    assert "1 changed since you last marked the list as seen" in body
    assert "<strong>Expired</strong>" in body  # L2's 2022-23 publication lapsed on 1 July
    signed_in.post("/monitoring/watchlist/seen/")
    body = signed_in.get("/monitoring/watchlist/").content.decode()
    assert "0 changed since" in body


def test_export_for_contract_monitoring(signed_in, world):
    world.orgs["L1"].name = "=Danger Care"
    world.orgs["L1"].save()
    upload(signed_in, csv_file("ODS code\nV0001\nV0003\n"))
    rows = csv_rows(signed_in.get("/monitoring/watchlist/?download=csv"))
    by_ods = {r["ODS code"]: r for r in rows}
    assert by_ods["V0001"]["Location"] == "'=Danger Care"
    assert by_ods["V0003"]["DSPT status"] == "23/24 Standards Exceeded"
    assert by_ods["V0003"]["Covered by head office"] == "AB02"
    assert by_ods["V0003"]["Valid until"] == "2025-06-30"
    assert by_ods["V0001"]["Compliant"] == "Yes"
    xlsx = signed_in.get("/monitoring/watchlist/?download=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.fixture
def run_alerts(django_capture_on_commit_callbacks):
    """Run `dspt watchlist-alerts` as cron would (emails go once each alert commits)."""

    def run(day: str) -> dict:
        buf = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("watchlist_alerts", "--today", day, stdout=buf)
        return json.loads(buf.getvalue())

    return run


def test_alerts_when_expired_or_fell_idempotent_per_day(signed_in, people, world, run_alerts):
    upload(signed_in, csv_file("ODS code\nV0001\nV0002\nV0003\nV0007\n"))
    # 15 July: L2 expired; L3 (np → exceeded) and L7 (np → not met) improved: no alert.
    assert run_alerts("2024-07-15") == {"checked": 4, "alerts": 1, "emails": 1}
    assert run_alerts("2024-07-15") == {"checked": 4, "alerts": 0, "emails": 0}
    note = Notification.objects.get()
    assert note.user == people["commissioner"] and note.kind == "watchlist_expired"
    assert "Location L2 (V0002): its DSPT publication has expired" in note.body
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["commissioner@example.org"]
    assert "Location L2" in mail.outbox[0].subject and note.emailed_at is not None
    # L1 republishes at Standards Not Met: its status falls.
    Publication.objects.create(
        organisation=world.orgs["L1"],
        edition="2024-25",
        published_on="2024-07-20",
        level=Level.NOT_MET,
    )
    assert run_alerts("2024-07-21")["alerts"] == 1
    fell = Notification.objects.get(kind="watchlist_fell")
    assert "fell from Standards Met to 24/25 Standards Not Met" in fell.body
    # The other commissioner watches nothing and hears nothing.
    assert not Notification.objects.filter(user=people["other_commissioner"]).exists()


def test_alerts_page_shows_own_alerts(signed_in, people, world, client, run_alerts):
    upload(signed_in, csv_file("ODS code\nV0002\n"))
    run_alerts("2024-07-15")
    assert signed_in.get("/monitoring/alerts/")["Location"] == "/notifications/"
    body = signed_in.get("/notifications/").content.decode()
    assert "its DSPT publication has expired" in body
    assert "Notifications (1 unread)" in body  # the one header badge
    signed_in.post("/notifications/read/")
    assert Notification.objects.get().read_at is not None
    client.force_login(people["other_commissioner"])
    assert "expired" not in client.get("/notifications/").content.decode()


def test_status_of_each_watched_location_on_any_date(signed_in, world):
    upload(signed_in, csv_file("ODS code\nV0001\nV0002\n"))
    # 1 Jun 2023, a contract date: L1 had not published (its 2023-24 Met came on 1 May 2024);
    # L2's 2022-23 Met (1 May 2023) held.
    body = signed_in.get("/monitoring/watchlist/?as_of=2023-06-01").content.decode()
    assert "status on 1 June 2023" in body and "Mark all as seen" not in body
    rows = csv_rows(signed_in.get("/monitoring/watchlist/?as_of=2023-06-01&download=csv"))
    got = {r["Location"]: r["DSPT status"] for r in rows}
    assert got == {"Location L1": "Not Published", "Location L2": "22/23 Standards Met"}
    # Today (15 Jun 2024): the page offers marking as seen again.
    assert "Mark all as seen" in signed_in.get("/monitoring/watchlist/").content.decode()
