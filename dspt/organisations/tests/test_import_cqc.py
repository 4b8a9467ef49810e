"""`dspt import-cqc`: CQC's care directory in CSV, XLSX and ODS, good rows kept, bad rows named."""

import zipfile
from datetime import date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from dspt.core.tests.hostile import xlsx_with_rows
from dspt.organisations.importers.cqc import import_cqc
from dspt.organisations.importers.tables import FileRefused
from dspt.organisations.models import ClientGroup, CqcRating, Organisation, ServiceType
from dspt.organisations.tests.files import (
    CQC_HEADER,
    PREAMBLE,
    F,
    cqc_row,
    write_csv,
    write_ods,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


def dump() -> list[dict]:
    return list(Organisation.objects.order_by("id").values())


def second_location() -> dict:
    return {
        "Location ID": "1-100000002",
        "Location Name": "Hollyfield Home Care",
        "Location ODS Code": "VH002",
        "Care home?": "N",
        "Care homes beds": "",
        "Location Local Authority": "Bristol, City of",
        "Location Region": "South West",
        "Location Postal Code": "bs1  4dj",
        "Location Latest Overall Rating": "",
        "Service type - Care home service without nursing": "",
        "Service type - Domiciliary care service": "Y",
        "Service type - Hospice services": "Y",
        "Service user band - Dementia": "",
        "Provider ID": "1-200000002",
        "Provider Name": "Hollyfield Care Services Ltd",
    }


def test_csv_with_preamble_creates_providers_and_locations(tmp_path):
    path = write_csv(
        tmp_path / "directory.csv",
        [*PREAMBLE, CQC_HEADER, cqc_row(), cqc_row(second_location())],
    )
    result = import_cqc(path)

    assert (result.locations_created, result.providers_created, result.bad_rows) == (2, 2, [])
    home = Organisation.objects.get(cqc_location_id="1-100000001")
    assert home.ods_code == "VM001"
    assert home.parent.name == "Meadowbank Care Ltd" and home.parent.is_cqc_provider
    assert home.local_authority_id == "E08000035"  # Leeds, matched by name
    assert home.region_id == "E12000003" and home.icb_id == home.local_authority.icb_id
    assert home.care_home and home.beds == 40 and home.adult_social_care and not home.dormant
    assert home.cqc_registered_on == date(2015, 4, 1)
    assert home.service_types == [ServiceType.CARE_HOME]
    assert home.client_groups == sorted([ClientGroup.DEMENTIA, ClientGroup.OLDER_PEOPLE])
    assert home.cqc_rating == "Good" and home.postcode == "LS6 2AB"
    dom = Organisation.objects.get(cqc_location_id="1-100000002")
    assert dom.local_authority_id == "E06000023"  # "Bristol, City of"
    assert dom.postcode == "BS1 4DJ" and not dom.care_home and dom.beds == 0
    # An unnamed service type counts as "other"; unknown user bands are ignored, both noted once.
    assert dom.service_types == sorted([ServiceType.DOMICILIARY, ServiceType.OTHER])
    assert dom.cqc_rating == "Not yet rated"
    assert any("Hospice services" in n for n in result.notes)
    assert any("Mental Health Act" in n for n in result.notes)


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = write_csv(tmp_path / "d.csv", [CQC_HEADER, cqc_row(), cqc_row(second_location())])
    import_cqc(path)
    before = dump()
    again = import_cqc(path)
    assert dump() == before
    assert (again.locations_created, again.locations_updated, again.locations_unchanged) == (
        0,
        0,
        2,
    )
    assert (again.providers_created, again.providers_updated) == (0, 0)


def test_a_newer_file_updates_and_reports_missing_locations(tmp_path):
    import_cqc(write_csv(tmp_path / "a.csv", [CQC_HEADER, cqc_row(), cqc_row(second_location())]))
    newer = write_csv(
        tmp_path / "b.csv",
        [CQC_HEADER, cqc_row({"Location Latest Overall Rating": "Requires improvement"})],
    )
    result = import_cqc(newer)
    assert (result.locations_updated, result.missing_from_file, result.marked_dormant) == (1, 1, 0)
    assert Organisation.objects.get(cqc_location_id="1-100000001").cqc_rating == (
        "Requires improvement"
    )
    assert not Organisation.objects.get(cqc_location_id="1-100000002").dormant

    result = import_cqc(newer, mark_missing_dormant=True)
    assert result.marked_dormant == 1
    assert Organisation.objects.get(cqc_location_id="1-100000002").dormant


def test_bad_rows_are_named_and_good_rows_kept(tmp_path):
    rows = [
        *PREAMBLE,
        CQC_HEADER,
        cqc_row(),
        cqc_row(
            {
                "Location ID": "1-100000003",
                "Location ODS Code": "VB003",
                "Location HSCA start date": "31/02/2020",
            }
        ),
        cqc_row(
            {
                "Location ID": "1-100000004",
                "Location ODS Code": "VB004",
                "Location Local Authority": "Atlantis",
                "Care homes beds": "lots",
            }
        ),
        cqc_row({"Location ID": "1-100000005", "Location ODS Code": "VM001"}),
    ]
    result = import_cqc(write_csv(tmp_path / "d.csv", rows))
    # The header is on line 4 after three preamble lines, so data starts on line 5.
    assert "row 6, Location HSCA start date: '31/02/2020' is not a date" in result.bad_rows
    assert (
        "row 7, Location Local Authority: 'Atlantis' is not an English local authority we know"
        in (result.bad_rows)
    )
    assert "row 7, Care homes beds: 'lots' is not a whole number" in result.bad_rows
    assert "row 8, Location ODS Code: 'VM001' appears twice (first at row 5)" in result.bad_rows
    assert list(
        Organisation.objects.filter(is_cqc_provider=False).values_list("ods_code", flat=True)
    ) == ["VM001"]


def test_other_directorates_are_skipped_and_counted(tmp_path):
    rows = [
        CQC_HEADER,
        cqc_row(),
        cqc_row(
            {
                "Location ID": "1-9",
                "Location ODS Code": "RX1",
                "Location Inspection Directorate": "Hospitals",
            }
        ),
    ]
    result = import_cqc(write_csv(tmp_path / "d.csv", rows))
    assert (result.rows, result.other_directorates, result.locations_created) == (2, 1, 1)
    assert not Organisation.objects.filter(cqc_location_id="1-9").exists()


def test_windows_1252_csv_is_read(tmp_path):
    rows = [CQC_HEADER, cqc_row({"Location Name": "Brontë House – St John’s"})]
    import_cqc(write_csv(tmp_path / "d.csv", rows, encoding="cp1252"))
    assert (
        Organisation.objects.get(cqc_location_id="1-100000001").name == "Brontë House – St John’s"
    )


def test_xlsx_with_spreadsheet_dates_and_a_formula_cell(tmp_path):
    rows = [
        *PREAMBLE,
        CQC_HEADER,
        cqc_row({"Location HSCA start date": datetime(2016, 7, 1), "Care homes beds": 35}),
        cqc_row({**second_location(), "Care homes beds": F("=10*4"), "Care home?": "Y"}),
        cqc_row(
            {
                "Location ID": "1-100000006",
                "Location ODS Code": "VS006",
                "Location HSCA start date": 42736,  # a day number: 1 January 2017
            }
        ),
    ]
    result = import_cqc(write_xlsx(tmp_path / "d.xlsx", rows))
    assert result.file_kind == "xlsx"
    assert result.bad_rows == [
        "row 6, Care homes beds: holds a formula (formula =10*4); enter the value itself"
    ]
    home = Organisation.objects.get(cqc_location_id="1-100000001")
    assert (home.cqc_registered_on, home.beds) == (date(2016, 7, 1), 35)
    assert Organisation.objects.get(cqc_location_id="1-100000006").cqc_registered_on == date(
        2017, 1, 1
    )
    assert not Organisation.objects.filter(cqc_location_id="1-100000002").exists()


def test_ods_with_dates_padding_and_a_formula_cell(tmp_path):
    rows = [
        *PREAMBLE,
        CQC_HEADER,
        cqc_row({"Location HSCA start date": date(2012, 10, 1), "Care homes beds": 62}),
        cqc_row({**second_location(), "Location Latitude": F("=1+1")}),
    ]
    result = import_cqc(write_ods(tmp_path / "d.ods", rows))
    assert result.file_kind == "ods"
    assert result.bad_rows == [
        "row 6, Location Latitude: holds a formula (formula of:=1+1); enter the value itself"
    ]
    home = Organisation.objects.get(cqc_location_id="1-100000001")
    assert (home.cqc_registered_on, home.beds, home.postcode) == (date(2012, 10, 1), 62, "LS6 2AB")
    assert import_cqc(tmp_path / "d.ods").locations_unchanged == 1


def test_a_file_with_wrong_columns_is_refused_and_nothing_imported(tmp_path):
    header = [h for h in CQC_HEADER if h not in ("Provider ID", "Care home?")]
    row = cqc_row()
    row = [v for h, v in zip(CQC_HEADER, row, strict=True) if h in header]
    before = Organisation.objects.count()
    with pytest.raises(FileRefused, match="missing required columns: Care home\\?, Provider ID"):
        import_cqc(write_csv(tmp_path / "d.csv", [header, row]))
    assert Organisation.objects.count() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("d.csv", "\ufeffname,age\nBob,3\n".encode("utf-16"), "not a text CSV"),
        ("d.xlsx", b"just some text, not a spreadsheet", "named like a spreadsheet"),
        ("d.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old-style Excel"),
        ("d.csv", b"Code,Name\nA,B\n", "No header row with a 'Location ID' column"),
    ],
)
def test_files_that_are_not_a_care_directory_are_refused(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileRefused, match=message):
        import_cqc(path)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(FileRefused, match="compressed far more than real documents are"):
        import_cqc(path)
    with (
        override_settings(DSPT_IMPORT_MAX_UNCOMPRESSED=1024 * 1024),
        pytest.raises(FileRefused, match="would unpack to more than 1 MB"),
    ):
        import_cqc(path)


def test_a_sheet_declaring_the_largest_size_is_read_by_its_real_rows(tmp_path):
    cells = {1: dict(enumerate(CQC_HEADER, 1)), 2: {c: v for c, v in enumerate(cqc_row(), 1) if v}}
    path = tmp_path / "d.xlsx"
    path.write_bytes(xlsx_with_rows(cells))  # declares A1:XFD1048576
    result = import_cqc(path)
    assert (result.file_kind, result.locations_created, result.bad_rows) == ("xlsx", 1, [])


def test_a_value_past_the_last_column_read_is_refused(tmp_path):
    cells = {1: dict(enumerate(CQC_HEADER, 1)), 2: {1: "1-100000001", 16384: "x"}}
    path = tmp_path / "d.xlsx"
    path.write_bytes(xlsx_with_rows(cells))
    with pytest.raises(FileRefused, match="value in cell XFD2, beyond the 1,024 columns we read"):
        import_cqc(path)
    assert not Organisation.objects.filter(cqc_location_id="1-100000001").exists()


def test_command_prints_counts_and_refuses_with_a_message(tmp_path):
    path = write_csv(tmp_path / "d.csv", [CQC_HEADER, cqc_row(), cqc_row({"Location ID": "x y"})])
    out, err = StringIO(), StringIO()
    call_command("import_cqc", str(path), stdout=out, stderr=err)
    assert "locations created: 1" in out.getvalue()
    assert "row 3, Location ID: 'x y' is not a CQC location ID" in err.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text("nothing,here\n1,2\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_cqc", str(bad), stdout=out, stderr=err)


def test_optional_contact_columns_fill_contact_details_used_to_verify_claims(tmp_path):
    header = [*CQC_HEADER, "Location Email Address", "Location Telephone Number"]
    rows = [
        [*cqc_row(), "Manager@Meadowbank.example", "0113 496 0000"],
        [*cqc_row(second_location()), "not an email", ""],
    ]
    result = import_cqc(write_csv(tmp_path / "with_contacts.csv", [header, *rows]))
    home = Organisation.objects.get(cqc_location_id="1-100000001")
    assert (home.contact_email, home.contact_phone) == (
        "manager@meadowbank.example",
        "0113 496 0000",
    )
    assert result.bad_rows == [
        "row 3, Location Email Address: 'not an email' is not an email address"
    ]
    # A later file without the columns (CQC's own file) leaves the held details alone.
    import_cqc(write_csv(tmp_path / "plain.csv", [CQC_HEADER, cqc_row()]))
    home.refresh_from_db()
    assert home.contact_email == "manager@meadowbank.example"


# Real files (issue 13): ratings CQC gives, abolished authorities, the README sheet and preamble.


def _location(n: int, changes: dict) -> list:
    return cqc_row(
        {
            "Location ID": f"1-90000000{n}",
            "Location ODS Code": f"VR00{n}",
            "Provider ID": f"1-80000000{n}",
            **changes,
        }
    )


def test_ratings_cqc_gives_are_kept(tmp_path):
    path = write_csv(
        tmp_path / "ratings.csv",
        [
            CQC_HEADER,
            _location(1, {"Location Latest Overall Rating": "Insufficient evidence to rate"}),
            _location(2, {"Location Latest Overall Rating": "Not Rated"}),
            _location(3, {"Location Latest Overall Rating": "Not yet rated"}),
        ],
    )
    result = import_cqc(path)
    assert result.bad_rows == [] and result.locations_created == 3
    ratings = dict(Organisation.objects.values_list("ods_code", "cqc_rating"))
    assert (ratings["VR001"], ratings["VR002"], ratings["VR003"]) == (
        CqcRating.INSUFFICIENT_EVIDENCE,
        CqcRating.NOT_RATED,
        CqcRating.NOT_YET_RATED,
    )
    assert CqcRating(ratings["VR001"]).label == "Insufficient evidence to rate"


def test_abolished_authorities_are_placed_in_their_successors_by_postcode_district(tmp_path):
    path = write_csv(
        tmp_path / "old_names.csv",
        [
            CQC_HEADER,
            _location(
                1, {"Location Local Authority": "Cumbria", "Location Postal Code": "CA28 7QJ"}
            ),
            _location(
                2, {"Location Local Authority": "Cumbria", "Location Postal Code": "LA9 4DQ"}
            ),
            _location(
                3, {"Location Local Authority": "Cumbria", "Location Postal Code": "CA4 8AA"}
            ),
            _location(
                4,
                {"Location Local Authority": "Northamptonshire", "Location Postal Code": "NN1 1AA"},
            ),
            _location(
                5,
                {
                    "Location Local Authority": "Northamptonshire",
                    "Location Postal Code": "NN16 0AA",
                },
            ),
        ],
    )
    result = import_cqc(path)
    placed = dict(
        Organisation.objects.filter(ods_code__startswith="VR").values_list(
            "ods_code", "local_authority__name"
        )
    )
    assert placed == {
        "VR001": "Cumberland",
        "VR002": "Westmorland and Furness",
        "VR004": "West Northamptonshire",
        "VR005": "North Northamptonshire",
    }
    assert result.bad_rows == [
        "row 4, Location Local Authority: 'Cumbria' was replaced on 1 April 2023 by Cumberland "
        "and Westmorland and Furness, and postcode district 'CA4' is not wholly in one of them "
        "(dspt/organisations/data/la_successors.csv); the location cannot be placed"
    ]
    assert [n for n in result.notes if n.startswith("Location Local Authority")] == [
        "Location Local Authority 'Cumbria' (replaced on 1 April 2023), by postcode district: "
        "row(s) 2 placed in Cumberland; row(s) 3 placed in Westmorland and Furness; row(s) 4 "
        "could not be placed (bad rows).",
        "Location Local Authority 'Northamptonshire' (replaced on 1 April 2021), by postcode "
        "district: row(s) 5 placed in West Northamptonshire; row(s) 6 placed in North "
        "Northamptonshire.",
    ]


README_SHEET = [
    ["Care directory with filters"],
    ["This file lists active locations registered with CQC."],
    ["Column", "Meaning"],
    ["Location ID", "CQC's identifier for the location"],
]
SIX_PREAMBLE_ROWS = [
    ["Care Quality Commission"],
    ["HSCA Active Locations"],
    ["Source: CQC database as at 1 November 2026"],
    ["Filters: none"],
    [],
    ["Contains public sector information licensed under the Open Government Licence v3.0"],
]
UNREAD = [
    "Location Street Address",
    "Regulated activity - Accommodation for persons who require nursing or personal care",
    "Regulated activity - Personal care",
    "Regulated activity - Treatment of disease, disorder or injury",
]


@pytest.mark.parametrize("writer", [write_xlsx, write_ods], ids=["xlsx", "ods"])
def test_a_readme_sheet_then_the_data_sheet_after_six_preamble_rows(tmp_path, writer):
    header = [*CQC_HEADER, *UNREAD]
    data = [
        *SIX_PREAMBLE_ROWS,
        header,
        cqc_row() + ["1 Meadow Road", "Y", "", ""],
        cqc_row(second_location()) + ["2 Holly Lane", "", "Y", ""],
    ]
    path = writer(
        tmp_path / f"HSCA_Active_Locations.{writer.__name__[-4:].lstrip('_')}",
        [],
        sheets={"README": README_SHEET, "HSCA_Active_Locations": data},
    )
    result = import_cqc(path)
    assert result.bad_rows == [] and result.locations_created == 2
    assert result.notes[0] == (
        "4 column(s) not read by this import, ignored: 'Location Street Address', "
        "'Regulated activity - …' (3 columns)."
    )
