"""The public look-up: API records, search, CSV export and pages. Nothing private ever leaks."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dspt.assessments.models import Level

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pinned_today(settings):
    settings.DSPT_TODAY = "2026-11-23"


def test_health_needs_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/api/v1/health")
    assert response.json() == {"ok": True}


def test_record_has_contract_fields_and_nothing_private(client, make_org, publish):
    org = make_org("VABC1", "Example Care Home", registered_on=date(2024, 1, 1))
    publish(
        org,
        edition="2025-26",
        on=date(2026, 5, 2),
        level=Level.NOT_MET,
        unmet_items=[{"item_id": "1.1.1", "outcome": "unmet", "mandatory": True}],
    )
    publish(org, edition="2026-27", on=date(2026, 10, 2), level=Level.MET)
    body = client.get("/api/v1/organisations/vabc1").json()
    assert body == {
        "ods_code": "VABC1",
        "name": "Example Care Home",
        "sector": "Social Care",
        "postcode": "LS1 4AP",
        "status": "standards_met",
        "status_label": "26/27 Standards Met",
        "edition": "2026-27",
        "published_on": "2026-10-02",
        "valid_until": "2028-06-30",
        "compliant": True,
        "covered_by": None,
        "unlocks": ["nhsmail", "nhs_data_sharing"],
    }
    assert "1.1.1" not in json.dumps(body)


def test_status_as_of_a_past_date(client, make_org, publish):
    org = make_org("VABC2")
    publish(org, edition="2022-23", on=date(2023, 6, 1), level=Level.MET)

    def on(day):
        return client.get(f"/api/v1/organisations/VABC2?as_of={day}").json()

    assert on("2023-05-31")["status"] == "not_registered"
    assert on("2024-06-30")["status"] == "standards_met"
    expired = on("2024-07-01")
    assert expired["status"] == "expired" and expired["compliant"] is False


def test_unknown_code_is_404_and_bad_date_is_422(client, make_org):
    make_org("VABC3")
    assert client.get("/api/v1/organisations/NOPE1").status_code == 404
    assert client.get("/api/v1/organisations/VABC3?as_of=31-02-2024").status_code == 422


def test_site_covered_by_head_office(client, make_org, publish):
    head = make_org("AB12", "Head Office", registered_on=date(2024, 1, 1))
    site = make_org("VSITE", "Site One", parent=head)
    pub = publish(head, edition="2026-27", on=date(2026, 9, 10), level=Level.MET)
    pub.covers.add(site)
    body = client.get("/api/v1/organisations/VSITE").json()
    assert body["status"] == "standards_met" and body["covered_by"] == "AB12"


def test_search_by_name_code_and_postcode(client, make_org):
    make_org("VAAA1", "Meadowbank Care Home", postcode="LS6 2AB")
    make_org("VBBB2", "Hollyfield Home Care", postcode="LS11 9XY")
    make_org(None, "No Code Provider").__class__.objects.filter(name="No Code Provider").update(
        ods_code=None
    )

    def codes(q):
        return [r["ods_code"] for r in client.get(f"/api/v1/organisations?q={q}").json()["results"]]

    assert codes("meadow") == ["VAAA1"]
    assert codes("vbbb2") == ["VBBB2"]
    assert codes("ls119xy") == ["VBBB2"]
    assert client.get("/api/v1/organisations?q=provider").json()["count"] == 0
    page = client.get("/api/v1/organisations?q=care&page_size=1&page=2").json()
    assert page["count"] == 2 and len(page["results"]) == 1
    assert client.get("/api/v1/organisations?q=care&page_size=1000").status_code == 422


def test_csv_export_columns_and_formula_neutralised(client, make_org, publish):
    org = make_org("VCSV1", '=HYPERLINK("http://evil")', registered_on=date(2020, 1, 1))
    publish(org, edition="2022-23", on=date(2023, 6, 1), level=Level.MET)
    make_org("VCSV2", "Plain Care", registered_on=date(2020, 1, 1))
    response = client.get("/api/v1/statuses.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "Code",
        "Organisation Name",
        "Status",
        "Date Of Publication",
        "Primary Sector",
        "Integrated Care Board",
    ]
    assert rows[1] == [
        "VCSV1",
        '\'=HYPERLINK("http://evil")',
        "22/23 Standards Met",
        "01/06/2023",
        "Social Care",
        "West Yorkshire ICB",
    ]
    assert rows[2][:4] == ["VCSV2", "Plain Care", "Not Published", ""]


def test_csv_export_streams_in_pieces_and_answers_head(client, make_org, publish, monkeypatch):
    """The 5 MB national file starts at once: it is streamed a few thousand rows per query (here
    two per piece), and HEAD answers with its headers and no body."""
    from dspt.statuses import exports

    orgs = [make_org(f"VSTR{i}", f"Home {i}", registered_on=date(2020, 1, 1)) for i in range(5)]
    publish(orgs[3], edition="2026-27", on=date(2026, 9, 1), level=Level.MET)
    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)
    response = client.get("/api/v1/statuses.csv")
    assert response.status_code == 200 and response.streaming
    pieces = [p.decode() for p in response.streaming_content]
    assert len(pieces) == 4  # the header, then 2 + 2 + 1 organisations
    rows = list(csv.reader(io.StringIO("".join(pieces))))
    assert [r[0] for r in rows] == ["Code"] + [f"VSTR{i}" for i in range(5)]
    assert rows[4][2] == "26/27 Standards Met"
    head = client.head("/api/v1/statuses.csv")
    assert head.status_code == 200
    assert head["Content-Type"] == "text/csv; charset=utf-8"
    assert head["Content-Disposition"] == 'attachment; filename="dspt-statuses.csv"'
    assert b"".join(head.streaming_content) == b""


def test_public_pages(client, make_org, publish):
    org = make_org("VPAGE", "Riverside Lodge", registered_on=date(2024, 1, 1))
    publish(org, edition="2026-27", on=date(2026, 9, 1), level=Level.APPROACHING)
    home = client.get("/?q=riverside").content.decode()
    assert "Riverside Lodge" in home and "26/27 Approaching Standards" in home
    page = client.get("/status/vpage/").content.decode()
    assert "26/27 Approaching Standards" in page and "An NHSmail account" in page
    assert "30 June 2028" in page
    past = client.get("/status/VPAGE/?as_of=2026-08-01").content.decode()
    assert "Not Published" in past
    assert client.get("/status/NOPE/").status_code == 404


def test_status_command(make_org, publish, capsys):
    org = make_org("VCMD1", registered_on=date(2024, 1, 1))
    publish(org, edition="2023-24", on=date(2024, 3, 1), level=Level.EXCEEDED)
    call_command("status", "VCMD1", "--as-of", "2024-04-01")
    out = json.loads(capsys.readouterr().out)
    assert (
        out["status"] == "standards_exceeded" and out["status_label"] == "23/24 Standards Exceeded"
    )
    with pytest.raises(CommandError, match="No organisation"):
        call_command("status", "NOPE")


def test_search_matches_word_prefixes_in_name_order(client, make_org):
    make_org("VW001", "St. Mary's Care-Home")
    make_org("VW002", "Marylebone House")
    make_org("VW003", "Rosemary Court")

    def names(q):
        return [r["name"] for r in client.get(f"/api/v1/organisations?q={q}").json()["results"]]

    assert names("mary") == ["Marylebone House", "St. Mary's Care-Home"]
    assert names("mary care") == ["St. Mary's Care-Home"]
    assert names("court rose") == ["Rosemary Court"]
    assert names("LS1") == ["Marylebone House", "Rosemary Court", "St. Mary's Care-Home"]
    # An exact ODS code comes first even when names also match.
    make_org("MARY1", "Zeta Mary Lodge", org_type="other")
    assert names("mary1")[0] == "Zeta Mary Lodge"


def test_search_sees_a_new_organisation_at_once(client, make_org):
    make_org("VNEW1", "First Home")
    assert client.get("/api/v1/organisations?q=second").json()["count"] == 0
    make_org("VNEW2", "Second Home")
    assert client.get("/api/v1/organisations?q=second").json()["count"] == 1


def test_fast_public_path_agrees_with_the_selectors(make_org, publish):
    from dspt.statuses.public import public_records
    from dspt.statuses.selectors import status_of, status_record

    head = make_org("AGRE", "Agree Group", registered_on=date(2021, 1, 1))
    sites = [make_org(f"VAG{i}", f"Agree Site {i}", parent=head) for i in range(3)]
    lone = make_org("VAGL", "Lone Home", registered_on=date(2022, 5, 1))
    p1 = publish(head, edition="2023-24", on=date(2024, 6, 1), level=Level.MET)
    p1.covers.add(sites[0], sites[1])
    p2 = publish(
        head,
        edition="2024-25",
        on=date(2025, 6, 20),
        level=Level.EXCEEDED,
        cyber_essentials_plus_expires_on=date(2025, 12, 31),
    )
    p2.covers.add(sites[0])
    publish(sites[1], edition="2024-25", on=date(2025, 3, 1), level=Level.APPROACHING)
    publish(
        lone,
        edition="2023-24",
        on=date(2024, 2, 1),
        level=Level.NOT_MET,
        plan_approved_on=date(2024, 4, 1),
    )
    orgs = [head, *sites, lone]
    for day in [
        date(2024, 1, 1),
        date(2024, 3, 1),
        date(2024, 7, 1),
        date(2025, 7, 1),
        date(2026, 1, 1),
        date(2026, 7, 1),
        date(2027, 7, 1),
    ]:
        fast = public_records([o.id for o in orgs], on=day)
        slow = [status_record(o, status_of(o, day)) for o in orgs]
        assert fast == slow, day
    assert (
        public_records(["VAG0", "NOPE"], by="ods_code", on=date(2025, 7, 1))[0]["covered_by"]
        == "AGRE"
    )


def test_the_fast_record_equals_the_selectors_record_on_any_day(world_for_records):
    from dspt.organisations.models import Organisation
    from dspt.statuses.public import public_records
    from dspt.statuses.selectors import status_of, status_record

    orgs = list(Organisation.objects.filter(ods_code__isnull=False))
    assert len(orgs) >= 5
    for day in (date(2020, 1, 1), date(2024, 7, 15), date(2025, 7, 15), date(2031, 1, 1)):
        fast = public_records([o.id for o in orgs], on=day)
        assert fast == [status_record(o, status_of(o, day)) for o in orgs], day


@pytest.fixture
def world_for_records(db):
    from dspt.monitoring.tests.world import build_world

    return build_world()
