"""ODS organisation records give CQC providers their head office codes and link orphan sites,
in both layouts; conflicts are reported and left alone; closed records are ignored; a second
import changes nothing."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from dspt.assessments.publishing import coverable_sites
from dspt.audit.models import AuditEvent
from dspt.organisations.importers.ods import import_ods
from dspt.organisations.models import Organisation

pytestmark = pytest.mark.django_db
ON = date(2026, 11, 23)


def _standard(code, name, parent="", close=""):
    """One record in the ODS standard layout (no header; 27 columns)."""
    cells = [""] * 27
    cells[0], cells[1], cells[9], cells[10], cells[11], cells[14] = (
        code, name, "LS1 4AP", "20150401", close, parent,
    )  # fmt: skip
    return ",".join(f'"{c}"' for c in cells)


@pytest.fixture
def world(make_org):
    def provider(name):
        org = make_org(name=name, is_cqc_provider=True, cqc_provider_id=f"1-{name[:3]}")
        Organisation.objects.filter(pk=org.pk).update(ods_code=None)
        org.refresh_from_db()
        return org

    oak, elm, ash = provider("Oak Care Ltd"), provider("Elm Homes"), provider("Ash Living")
    sites = {
        "VOAK1": make_org("VOAK1", parent=oak),
        "VOAK2": make_org("VOAK2", parent=oak),
        "VELM1": make_org("VELM1", parent=elm),
        "VELM2": make_org("VELM2", parent=elm),
        "VASH1": make_org("VASH1", parent=ash),
        "VLONE": make_org("VLONE"),  # a site with no head office here
    }
    # The DSPT status import already made a record for Ash Living's head office code.
    held = make_org("AASH", name="Ash Living (from the DSPT export)")
    lone_hq = make_org("CLON", name="Lone Star Care")
    return {"oak": oak, "elm": elm, "ash": ash, "held": held, "lone_hq": lone_hq, **sites}


ODS_FILE = "\n".join(
    [
        _standard("VOAK1", "OAK HOUSE", "AOAK"),
        _standard("VOAK2", "OAK VIEW", "AOAK"),
        _standard("VOAK9", "OAK CLOSED", "AOTHER", close="20240131"),  # closed: ignored
        _standard("VELM1", "ELM ONE", "AEL1"),
        _standard("VELM2", "ELM TWO", "AEL2"),  # Elm's sites disagree
        _standard("VASH1", "ASH ONE", "AASH"),  # the code is held by another record
        _standard("VLONE", "LONE SITE", "CLON"),
        _standard("VNONE", "NOT HERE", "ANON"),  # a site we do not hold
        _standard("AOAK", "OAK CARE LTD"),  # a head office record: no parent
        _standard("V-BAD", "BROKEN", "AOAK"),
    ]
)


def test_head_offices_get_their_codes_and_orphan_sites_their_head_office(world, tmp_path):
    path = tmp_path / "ecarehomesite.csv"
    path.write_text(ODS_FILE + "\n")
    result = import_ods(path, as_of=ON)
    oak, elm, ash = (Organisation.objects.get(pk=world[k].pk) for k in ("oak", "elm", "ash"))
    assert oak.ods_code == "AOAK"
    assert elm.ods_code is None and ash.ods_code is None
    assert Organisation.objects.get(ods_code="VLONE").parent == world["lone_hq"]
    assert (result.rows, result.head_offices_coded, result.sites_linked) == (10, 1, 1)
    assert result.closed_skipped == 1
    assert result.bad_rows == ["row 10, Organisation Code: 'V-BAD' is not an ODS code"]
    assert any("Elm Homes: its sites name 2 head offices" in n for n in result.notes)
    assert any(
        "AASH already belongs to Ash Living (from the DSPT export)" in n for n in result.notes
    )
    # The head office can now be found by its code and cover its own sites.
    assert {s.ods_code for s in coverable_sites(oak)} == {"VOAK1", "VOAK2"}
    assert AuditEvent.objects.filter(action="organisations.import_ods").count() == 1
    # Again: nothing changes.
    before = list(Organisation.objects.order_by("pk").values_list("ods_code", "parent_id"))
    again = import_ods(path, as_of=ON)
    assert (again.head_offices_coded, again.sites_linked) == (0, 0)
    assert list(Organisation.objects.order_by("pk").values_list("ods_code", "parent_id")) == before


def test_a_file_with_a_header_row_is_read_by_column_name(world, tmp_path):
    path = tmp_path / "ods-export.csv"
    path.write_text(
        "Name,Organisation Code,Parent Organisation Code,Close Date\n"
        "Oak House,VOAK1,AOAK,\n"
        "Oak View,voak2,aoak,\n"
    )
    result = import_ods(path, as_of=ON)
    assert result.head_offices_coded == 1 and not result.bad_rows
    assert Organisation.objects.get(pk=world["oak"].pk).ods_code == "AOAK"


def test_a_site_already_under_a_coded_head_office_is_left_alone(world, tmp_path):
    Organisation.objects.filter(pk=world["oak"].pk).update(ods_code="AOAK")
    path = tmp_path / "moved.csv"
    path.write_text(_standard("VOAK1", "OAK HOUSE", "CLON") + "\n")
    result = import_ods(path, as_of=ON)
    assert Organisation.objects.get(ods_code="VOAK1").parent_id == world["oak"].pk
    assert result.notes == ["VOAK1 is under AOAK here but CLON in ODS; left as it is."]


def test_the_command_reports_and_refuses_what_it_cannot_read(world, tmp_path, capsys):
    path = tmp_path / "sites.csv"
    path.write_text(ODS_FILE + "\n")
    call_command("import_ods", str(path), as_of="2026-11-23")
    out, err = capsys.readouterr()
    assert "head offices coded: 1" in out and "sites linked: 1" in out
    assert "skipped row 10" in err
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_ods", str(empty))
    headed = tmp_path / "wrong.csv"
    headed.write_text("Organisation Code,Name\nVOAK1,Oak\n")
    with pytest.raises(CommandError, match="missing required columns: Parent Organisation Code"):
        call_command("import_ods", str(headed))


def _etr(code, name):
    """One record in ODS's etr (NHS trusts) layout: 27 columns, column 15 empty."""
    cells = [""] * 27
    cells[:12] = [code, name, "Y63", "QWO", "ST JAMES'S UNIVERSITY HOSPITAL", "BECKETT STREET",
                  "", "LEEDS", "WEST YORKSHIRE", "LS9 7TF", "19980401", ""]  # fmt: skip
    cells[17] = "0113 243 3144"
    return ",".join(f'"{c}"' for c in cells)


def test_an_etr_file_names_no_parents_and_the_summary_says_nothing_could_be_linked(world, tmp_path):
    path = tmp_path / "etr.csv"
    path.write_text(
        _etr("RXX", "KESTREL VALE HOSPITALS NHS TRUST") + "\n" + _etr("VLONE", "X") + "\n"
    )
    result = import_ods(path, as_of=ON)
    assert (result.head_offices_coded, result.sites_linked, result.rows_without_parent) == (0, 0, 2)
    assert Organisation.objects.get(ods_code="VLONE").parent is None
    assert result.notes == [
        "No row names a parent organisation (column 15 is empty in every row), so no head "
        "office could be linked. ODS files of organisations rather than sites (such as etr for "
        "trusts or eccg for commissioners) leave it empty; use a sites file that names each "
        "site's parent (such as the care home or trust sites file), or a file with a header row "
        "and a 'Parent Organisation Code' column."
    ]


def test_the_summary_says_what_was_linked_and_what_could_not_be(world, tmp_path):
    path = tmp_path / "ecarehomesite.csv"
    path.write_text(ODS_FILE + "\n")
    notes = import_ods(path, as_of=ON).notes
    assert (
        "1 row(s) name no parent organisation (column 15 is empty): those records were not linked to a head office."
        in notes
    )
    assert "Head offices given their ODS code: Oak Care Ltd → AOAK." in notes
    assert "Sites linked to their head office: VLONE → CLON." in notes
    assert "1 site code(s) in the file are not held here; ignored: VNONE." in notes
    Organisation.objects.filter(ods_code="VLONE").update(parent=None)
    headed = tmp_path / "headed.csv"
    headed.write_text(
        "Organisation Code,Name,Parent Organisation Code,Postcode\nVLONE,Lone Site,CNOPE,LS1 4AP\n"
    )
    result = import_ods(headed, as_of=ON)
    assert result.sites_not_linked == 1
    assert result.notes == [
        "1 column(s) not read by this import, ignored: 'Postcode'.",
        "1 site(s) with no head office here name a parent code no organisation here holds, so "
        "were not linked: VLONE (names CNOPE).",
    ]
