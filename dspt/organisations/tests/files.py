"""Write small files in the real formats (CSV, XLSX, ODS) for the importer tests."""

import csv
from datetime import date, datetime
from pathlib import Path

from dspt.organisations.importers.cqc_columns import REQUIRED


class F(str):
    """A formula to write into a spreadsheet cell (the value is the formula text)."""


CQC_HEADER = [
    *REQUIRED,
    "Service type - Care home service with nursing",
    "Service type - Care home service without nursing",
    "Service type - Domiciliary care service",
    "Service type - Hospice services",
    "Service user band - Older People",
    "Service user band - Dementia",
    "Service user band - People detained under the Mental Health Act",
]
PREAMBLE = [["Source: CQC database as at 1 October 2026"], ["Adult social care, all regions"], []]


def cqc_row(changes: dict | None = None) -> list:
    """One directory row with sensible defaults; `changes` overrides columns by header."""
    values = {
        "Location ID": "1-100000001",
        "Location HSCA start date": "01/04/2015",
        "Dormant (Y/N)": "N",
        "Care home?": "Y",
        "Location Name": "Meadowbank Care Home",
        "Location ODS Code": "VM001",
        "Care homes beds": "40",
        "Location Type/Sector": "Social Care Org",
        "Location Inspection Directorate": "Adult social care",
        "Location Primary Inspection Category": "Residential social care",
        "Location Latest Overall Rating": "Good",
        "Publication Date": "12/03/2024",
        "Location Region": "Yorkshire and The Humber",
        "Location Local Authority": "Leeds",
        "Location ONSPD CCG Code": "E38000225",
        "Location Postal Code": "LS6 2AB",
        "Location Latitude": "53.82",
        "Location Longitude": "-1.55",
        "Provider ID": "1-200000001",
        "Provider Name": "Meadowbank Care Ltd",
        "Service type - Care home service with nursing": "",
        "Service type - Care home service without nursing": "Y",
        "Service type - Domiciliary care service": "",
        "Service type - Hospice services": "",
        "Service user band - Older People": "Y",
        "Service user band - Dementia": "Y",
        "Service user band - People detained under the Mental Health Act": "",
    }
    values.update(changes or {})
    return [values[h] for h in CQC_HEADER]


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], sheets: dict[str, list[list]] | None = None) -> Path:
    """One sheet of `rows`, or (`sheets`) several named sheets in order."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, sheet_rows in (sheets or {"HSCA_Active_Locations": rows}).items():
        ws = wb.create_sheet(name)
        for row in sheet_rows:
            ws.append([None if v == "" else v for v in row])
        for r, row in enumerate(sheet_rows, start=1):
            for c, v in enumerate(row, start=1):
                if isinstance(v, F):
                    ws.cell(row=r, column=c).value = str(v)  # openpyxl stores "=..." as a formula
                elif isinstance(v, date | datetime):
                    ws.cell(row=r, column=c).number_format = "DD/MM/YYYY"
    wb.save(path)
    return path


def write_ods(path: Path, rows: list[list], sheets: dict[str, list[list]] | None = None) -> Path:
    """One sheet of `rows`, or (`sheets`) several named sheets in order."""
    from odf.opendocument import OpenDocumentSpreadsheet

    doc = OpenDocumentSpreadsheet()
    for name, sheet_rows in (sheets or {"HSCA_Active_Locations": rows}).items():
        doc.spreadsheet.addElement(_ods_table(name, sheet_rows))
    doc.save(str(path))
    return path


def _ods_table(name: str, rows: list[list]):
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    table = Table(name=name)
    for row in rows:
        tr = TableRow()
        for v in row:
            if isinstance(v, F):
                cell = TableCell(formula=f"of:{v}", valuetype="float", value=2)
                cell.addElement(P(text="2"))
            elif isinstance(v, date):
                cell = TableCell(valuetype="date", datevalue=v.isoformat())
                cell.addElement(P(text=v.strftime("%d/%m/%Y")))
            elif isinstance(v, int | float):
                cell = TableCell(valuetype="float", value=v)
                cell.addElement(P(text=str(v)))
            elif v in ("", None):
                cell = TableCell()
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(v)))
            tr.addElement(cell)
        # Real files pad every row out to the sheet's edge with repeated empty cells.
        tr.addElement(TableCell(numbercolumnsrepeated=1000))
        table.addElement(tr)
    table.addElement(TableRow(numberrowsrepeated=1048000))
    return table
