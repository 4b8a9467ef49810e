"""Watchlist API: a commissioner's own list only (session or personal token)."""

import io
import json

import pytest
from django.core.management import call_command

from dspt.accounts import services as account_services
from dspt.accounts import tokens
from dspt.core.tests.hostile import xlsx_with_rows
from dspt.monitoring.models import WatchlistEntry
from dspt.monitoring.tests.pages import csv_file, csv_rows, xlsx_file

API = "/api/v1/monitoring/watchlist"


@pytest.fixture(params=["session", "token"])
def caller(request, client, people, settings):
    """A function giving request headers for a person (signing them in for a session)."""
    settings.DSPT_TODAY = "2024-06-15"

    def as_(role):
        client.logout()
        if request.param == "token":
            _, raw = tokens.create_personal_token(user=people[role], name="t")
            return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        client.force_login(people[role])
        return {}

    return as_


def _put(client, ids, headers):
    return client.put(
        API, json.dumps({"identifiers": ids}), content_type="application/json", **headers
    )


def test_replace_list_changes_alerts_and_export(client, caller, people, settings):
    h = caller("commissioner")
    r = _put(client, ["V0002", "V0006", "1-000000001"], h)
    assert r.json() == {"added": 3, "kept": 0, "removed": 0}
    rows = client.get(API, **h).json()
    assert {r["ods_code"] for r in rows} == {"V0001", "V0002", "V0006"}
    assert client.get(f"{API}/changes", **h).json() == []
    settings.DSPT_TODAY = "2024-07-15"
    changed = client.get(f"{API}/changes", **h).json()
    assert [(c["ods_code"], c["change"]) for c in changed] == [("V0002", "Expired")]
    call_command("watchlist_alerts", "--today", "2024-07-15", stdout=io.StringIO())
    alerts = client.get(f"{API}/alerts", **h).json()
    assert [(a["location"], a["kind"]) for a in alerts] == [("V0002", "watchlist_expired")]
    assert client.post(f"{API}/seen", **h).json() == {"entries": 3}
    assert client.get(f"{API}/changes", **h).json() == []
    rows = csv_rows(client.get(f"{API}/export?format=csv", **h))
    assert {r["ODS code"] for r in rows} == {"V0001", "V0002", "V0006"}


def test_bad_identifiers_change_nothing(client, caller):
    h = caller("commissioner")
    _put(client, ["V0001"], h)
    r = _put(client, ["V0002", "1-999999999"], h)
    assert r.status_code == 422
    assert r.json()["problems"] == ["Row 2: no location has the CQC location ID 1-999999999."]
    assert list(WatchlistEntry.objects.values_list("location__ods_code", flat=True)) == ["V0001"]


def test_file_upload(client, caller):
    h = caller("commissioner")
    r = client.post(f"{API}/upload", {"file": csv_file("ODS code\nV0001\nAB02\n")}, **h)
    assert (
        r.status_code == 200 and r.json()["added"] == 6
    )  # V0001 and the five sites of head office AB02


def test_each_commissioner_sees_only_their_own_list(client, caller, people):
    h = caller("commissioner")
    _put(client, ["V0001", "V0002"], h)
    other = caller("other_commissioner")
    assert client.get(API, **other).json() == []
    _put(client, ["V0008"], other)
    assert WatchlistEntry.objects.filter(commissioner=people["council"]).count() == 2
    h = caller("commissioner")
    assert {r["ods_code"] for r in client.get(API, **h).json()} == {"V0001", "V0002"}


@pytest.mark.parametrize("role", ["lso_north", "programme", "reviewer", "member"])
def test_non_commissioners_are_refused(client, people, role):
    client.force_login(people[role])
    assert client.get(API).status_code == 403
    assert _put(client, ["V0001"], {}).status_code == 403
    assert client.get(f"{API}/export").status_code == 403
    assert not WatchlistEntry.objects.exists()


def test_organisation_token_is_refused(client, people, world):
    from dspt.accounts.models import Membership

    Membership.objects.create(user=people["commissioner"], organisation=world.orgs["L1"])
    _, raw = account_services.create_token(
        organisation=world.orgs["L1"], user=people["commissioner"], name="org"
    )
    assert client.get(API, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 403


def test_an_unreadable_csv_is_refused_and_the_list_kept(client, caller):
    h = caller("commissioner")
    _put(client, ["V0001"], h)
    r = client.post(f"{API}/upload", {"file": csv_file("ODS code\nV00\r02\n")}, **h)
    assert r.status_code == 422
    assert r.json()["problems"] == [
        "Line 2 has a line break inside a value that is not in quotes. Put that value in double "
        "quotes, or save the file again as CSV, and upload it again."
    ]
    assert list(WatchlistEntry.objects.values_list("location__ods_code", flat=True)) == ["V0001"]


def test_a_sheet_declaring_the_largest_size_is_read_by_its_real_rows(client, caller):
    """1.6 KB whose sheet says it is A1:XFD1048576: read in a moment, nothing padded to that."""
    h = caller("commissioner")
    data = xlsx_with_rows(["ODS code", "V0001", "V0002"])
    assert len(data) < 2048
    r = client.post(f"{API}/upload", {"file": xlsx_file(data)}, **h)
    assert r.status_code == 200 and r.json()["added"] == 2


def test_a_zip_bomb_is_refused_and_the_list_kept(client, caller):
    h = caller("commissioner")
    _put(client, ["V0001"], h)
    bomb = xlsx_with_rows(["ODS code", "V0002"], padding_mb=50)
    assert len(bomb) < 200 * 1024
    r = client.post(f"{API}/upload", {"file": xlsx_file(bomb)}, **h)
    assert r.status_code == 422
    (problem,) = r.json()["problems"]
    assert problem.startswith("The spreadsheet is compressed far more than real documents are")
    assert list(WatchlistEntry.objects.values_list("location__ods_code", flat=True)) == ["V0001"]


def test_watchlist_status_on_any_date_in_the_api(client, caller):
    h = caller("commissioner")
    _put(client, ["V0001", "V0002"], h)
    rows = {r["ods_code"]: r["status"] for r in client.get(f"{API}?as_of=2023-06-01", **h).json()}
    # 1 Jun 2023: L1 had not yet published; L2's 2022-23 Met (1 May 2023) held.
    assert rows == {"V0001": "not_published", "V0002": "standards_met"}
    assert client.get(f"{API}?as_of=1999-12-31", **h).status_code == 422
