"""`dspt import-dspt-status`: the DSPT export adds to publication history, idempotently."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from dspt.assessments.dspt_status_import import import_dspt_status
from dspt.assessments.models import Level, Publication
from dspt.organisations.importers.cqc import import_cqc
from dspt.organisations.importers.tables import FileRefused
from dspt.organisations.models import Organisation, OrgType
from dspt.organisations.tests.files import CQC_HEADER, cqc_row, write_csv
from dspt.statuses.selectors import status_of

pytestmark = pytest.mark.django_db

HEADER = [
    "Code",
    "Organisation Name",
    "Status",
    "Date Of Publication",
    "Primary Sector",
    "Integrated Care Board",
]
AS_OF = date(2024, 8, 1)


def export(tmp_path, rows, name="export.csv"):
    return write_csv(tmp_path / name, [HEADER, *rows])


def dumps():
    return (
        list(Organisation.objects.order_by("id").values()),
        list(Publication.objects.order_by("id").values()),
    )


ROWS = [
    [
        "VM001",
        "Meadowbank Care Home",
        "23/24 Standards Met",
        "15/05/2024",
        "Social Care",
        "NHS West Yorkshire Integrated Care Board",
    ],
    [
        "RXX",
        "Kestrel Vale Hospitals NHS Foundation Trust",
        "23/24 Standards Not Met",
        "28/06/2024",
        "NHS Trust",
        "NHS West Yorkshire ICB",
    ],
    ["VA002", "Ashdale Lodge", "23/24 Approaching Standards", "02/06/2024", "Social Care", ""],
    ["VE003", "Elmcroft House", "22/23 Standards Exceeded", "20/06/2023", "Social Care", ""],
    ["AB12", "Birchwood Care Group", "Not Published", "", "Social Care", ""],
]


def test_import_creates_organisations_and_publications(tmp_path):
    result = import_dspt_status(export(tmp_path, ROWS), as_of=AS_OF)
    assert result.bad_rows == []
    assert (result.organisations_created, result.publications_added, result.not_published) == (
        5,
        4,
        1,
    )
    home = Organisation.objects.get(ods_code="VM001")
    assert home.org_type == OrgType.SOCIAL_CARE and home.registered_on == date(2024, 5, 15)
    assert home.icb.name == "NHS West Yorkshire Integrated Care Board"
    trust = Organisation.objects.get(ods_code="RXX")
    assert trust.org_type == OrgType.NHS_TRUST and trust.icb_id == home.icb_id  # "… ICB" matches
    pub = trust.publications.get()
    assert (pub.edition, pub.level, pub.source) == ("2023-24", Level.NOT_MET, "import")
    head_office = Organisation.objects.get(ods_code="AB12")
    assert head_office.registered_on == AS_OF and not head_office.publications.exists()

    on = date(2024, 7, 31)
    assert status_of(home, on).label == "23/24 Standards Met"
    assert status_of(trust, on).status == "standards_not_met"
    assert status_of(Organisation.objects.get(ods_code="VA002"), on).status == (
        "approaching_standards"
    )
    # 22/23 publications lapse at the 23/24 deadline.
    elmcroft = Organisation.objects.get(ods_code="VE003")
    assert status_of(elmcroft, date(2024, 6, 30)).status == "standards_exceeded"
    assert status_of(elmcroft, on).status == "expired"
    assert status_of(head_office, AS_OF).status == "not_published"


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = export(tmp_path, ROWS)
    import_dspt_status(path, as_of=AS_OF)
    before = dumps()
    again = import_dspt_status(path, as_of=date(2024, 9, 1))
    assert dumps() == before
    assert (again.publications_added, again.publications_known, again.organisations_created) == (
        0,
        4,
        0,
    )


def test_each_export_adds_to_the_history(tmp_path):
    import_dspt_status(export(tmp_path, ROWS[:1]), as_of=AS_OF)
    later = [
        [
            "VM001",
            "Meadowbank Care Home",
            "24/25 Standards Exceeded",
            "10/06/2025",
            "Social Care",
            "",
        ]
    ]
    import_dspt_status(export(tmp_path, later, "later.csv"), as_of=date(2025, 7, 1))
    home = Organisation.objects.get(ods_code="VM001")
    assert list(home.publications.values_list("edition", flat=True)) == ["2023-24", "2024-25"]
    assert status_of(home, date(2025, 1, 1)).status == "standards_met"
    assert status_of(home, date(2025, 7, 1)).label == "24/25 Standards Exceeded"


def test_bad_rows_are_named_and_good_rows_kept(tmp_path):
    rows = [
        ROWS[0],
        ["VB1", "Bad Status Home", "Standards Fine", "01/05/2024", "Social Care", ""],
        ["VB2", "Bad Date Home", "23/24 Standards Met", "31/02/2024", "Social Care", ""],
        ["VB3", "Future Home", "23/24 Standards Met", "01/05/2030", "Social Care", ""],
        ["not a code!", "Odd", "23/24 Standards Met", "01/05/2024", "Social Care", ""],
        ["VB5", "No Date Home", "23/24 Standards Met", "", "Social Care", ""],
        ["VB6", "Odd Years", "23/25 Standards Met", "01/05/2024", "Social Care", ""],
    ]
    result = import_dspt_status(export(tmp_path, rows), as_of=AS_OF)
    assert result.bad_rows == [
        "row 3, Status: 'Standards Fine' is not a DSPT status such as '23/24 Standards Met'",
        "row 4, Date Of Publication: '31/02/2024' is not a date",
        "row 5, Date Of Publication: '01/05/2030' is in the future",
        "row 6, Code: 'NOT A CODE!' is not an ODS code",
        "row 7, Date Of Publication: is blank for a published status",
        "row 8, Status: '23/25 Standards Met' is not a DSPT status such as '23/24 Standards Met'",
    ]
    assert list(Organisation.objects.values_list("ods_code", flat=True)) == ["VM001"]


def test_values_that_look_like_formulas_are_stored_as_text(tmp_path):
    rows = [
        [
            "VQ1",
            '=HYPERLINK("http://x","y")',
            "23/24 Standards Met",
            "01/05/2024",
            "Social Care",
            "",
        ],
        ["VQ2", "+44 Care", "Not Published", "", "@Other", ""],
        ["VQ3", "-Minus Homes", "Not Published", "", "Social Care", ""],
    ]
    result = import_dspt_status(export(tmp_path, rows), as_of=AS_OF)
    assert result.bad_rows == []
    names = dict(Organisation.objects.values_list("ods_code", "name"))
    assert names == {
        "VQ1": '=HYPERLINK("http://x","y")',
        "VQ2": "+44 Care",
        "VQ3": "-Minus Homes",
    }
    assert Organisation.objects.get(ods_code="VQ2").org_type == OrgType.OTHER


def test_a_file_without_the_export_columns_is_refused(tmp_path):
    path = write_csv(tmp_path / "x.csv", [["Code", "Name"], ["VM001", "Meadowbank"]])
    with pytest.raises(FileRefused, match="missing required columns: Organisation Name, Status"):
        import_dspt_status(path)
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("cqc_first", [True, False])
def test_a_cqc_location_gets_its_status_from_the_dspt_import(tmp_path, cqc_first):
    directory = write_csv(tmp_path / "cqc.csv", [CQC_HEADER, cqc_row()])
    statuses = export(tmp_path, ROWS[:1])
    if cqc_first:
        import_cqc(directory)
        import_dspt_status(statuses, as_of=AS_OF)
    else:
        import_dspt_status(statuses, as_of=AS_OF)
        import_cqc(directory)
    location = Organisation.objects.get(ods_code="VM001")
    assert location.cqc_location_id == "1-100000001" and location.adult_social_care
    assert Organisation.objects.filter(ods_code="VM001").count() == 1
    assert location.name == "Meadowbank Care Home" and location.parent.is_cqc_provider
    assert status_of(location, date(2024, 7, 31)).label == "23/24 Standards Met"
    # Both imports again: still one organisation and one publication.
    import_cqc(directory)
    import_dspt_status(statuses, as_of=AS_OF)
    assert location.publications.count() == 1


def test_command_prints_a_summary(tmp_path):
    out, err = StringIO(), StringIO()
    call_command(
        "import_dspt_status",
        str(export(tmp_path, ROWS)),
        "--as-of",
        "2024-08-01",
        stdout=out,
        stderr=err,
    )
    assert "publications added: 4" in out.getvalue()
    assert err.getvalue() == ""


# Real exports' headings and values (issue 13): November 2023 and February 2022.
HEADER_2023 = [
    "Code",
    "Organisation Name",
    "Status",
    "Date Of Publication",
    "Primary Sector",
    "Integrated Care Board (where available, from ODS)",
]
HEADER_2022 = [
    "Code",
    "Organisation Name",
    "Latest Status",
    "Date Of Publication",
    "Primary Sector",
    "Commissioner (From ODS)",
]


def test_the_november_2023_export_fills_the_icb(tmp_path):
    path = write_csv(
        tmp_path / "nov2023.csv",
        [
            HEADER_2023,
            [
                "RXX",
                "Kestrel Vale Hospitals NHS Foundation Trust",
                "22/23 Standards Met",
                "28/06/2023",
                "NHS Trust",
                "NHS West Yorkshire Integrated Care Board",
            ],
            ["VM001", "Meadowbank", "Not Published", "", "Social Care", "QWO"],
        ],
    )
    result = import_dspt_status(path, as_of=date(2023, 11, 1))
    assert result.bad_rows == [] and result.notes == []
    assert Organisation.objects.get(ods_code="RXX").icb_id == "QWO"
    assert Organisation.objects.get(ods_code="VM001").icb_id == "QWO"


def test_the_february_2022_export_is_read_and_commissioners_that_are_not_icbs_reported(tmp_path):
    path = write_csv(
        tmp_path / "feb2022.csv",
        [
            HEADER_2022,
            [
                "RXX",
                "Kestrel Vale Hospitals NHS Foundation Trust",
                "23/24 Standards Met",
                "28/06/2023",
                "NHS Trust",
                "NHS LEEDS CCG",
            ],
            ["VM001", "Meadowbank", "Not Published", "", "Social Care", ""],
        ],
    )
    result = import_dspt_status(path, as_of=AS_OF)
    assert result.bad_rows == []
    assert (result.rows, result.publications_added, result.not_published) == (2, 1, 1)
    assert result.notes == [
        "Commissioner (From ODS) 'NHS LEEDS CCG' is not an ICB we know (1 row(s)); left blank."
    ]
    assert Organisation.objects.get(ods_code="RXX").icb_id is None


def test_primary_sector_values_from_the_export_are_mapped_and_unknown_ones_reported(tmp_path):
    rows = [
        ["QWO", "NHS West Yorkshire ICB", "CCG / Integrated Care Board (ICB)"],
        ["0DF", "North of England CSU", "Commissioning Support Unit (CSU)"],
        ["RXX", "Kestrel Vale Hospitals", "NHS Trust"],
        ["8AB12", "Orchard Dental Lab", "No Sector Identified"],
        ["8AB13", "Skyward Research", "Space Agency"],
    ]
    path = export(
        tmp_path,
        [[code, name, "Not Published", "", sector, ""] for code, name, sector in rows],
    )
    result = import_dspt_status(path, as_of=AS_OF)
    types = dict(Organisation.objects.values_list("ods_code", "org_type"))
    assert [types[code] for code, _, _ in rows] == [
        OrgType.ICB,
        OrgType.CSU,
        OrgType.NHS_TRUST,
        OrgType.OTHER,
        OrgType.OTHER,
    ]
    assert result.notes == [
        "Primary Sector 'Space Agency' is not one we know (1 row(s)); organisations created "
        "from those rows are typed Other."
    ]


def test_columns_the_import_does_not_read_are_named(tmp_path):
    path = write_csv(
        tmp_path / "wide.csv",
        [
            [*HEADER_2023, "Postcode", "Address Line 1"],
            ["VM001", "Meadowbank", "Not Published", "", "Social Care", "", "LS6 2AB", "1 Road"],
        ],
    )
    result = import_dspt_status(path, as_of=AS_OF)
    assert result.notes == [
        "2 column(s) not read by this import, ignored: 'Postcode', 'Address Line 1'."
    ]


def test_not_published_against_a_valid_publication_held_here_is_reported_not_applied(tmp_path):
    import_dspt_status(export(tmp_path, ROWS, "june.csv"), as_of=AS_OF)
    before = dumps()
    later = [
        ["VM001", "Meadowbank Care Home", "Not Published", "", "Social Care", ""],  # 23/24 valid
        ["VE003", "Elmcroft House", "Not Published", "", "Social Care", ""],  # 22/23: lapsed
    ]
    result = import_dspt_status(export(tmp_path, later, "august.csv"), as_of=AS_OF)
    assert result.not_published == 2 and result.not_published_but_valid_here == 1
    assert result.notes == [
        "row 2, VM001: the export says Not Published on 01/08/2024, but the publications held "
        "here give '23/24 Standards Met' (valid until 30/06/2025); nothing was changed."
    ]
    assert dumps()[1] == before[1]  # no publication added or removed
    assert status_of(Organisation.objects.get(ods_code="VM001"), AS_OF).status == "standards_met"
