"""The guarded spreadsheet reader and archive guard (dspt.core.spreadsheets, dspt.core.archives)."""

import io
import time
import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook

from dspt.core.archives import ArchiveLimits, ArchiveRefused, guarded_archive
from dspt.core.spreadsheets import (
    NEW_SHEET,
    Formula,
    SheetLimits,
    SpreadsheetRefused,
    open_spreadsheet,
)
from dspt.core.tests.hostile import docx_bytes, xlsx_with_rows, zip_bomb

LIMITS = SheetLimits(ArchiveLimits(max_uncompressed=100 << 20, max_ratio=100), 100, 20)


def rows_of(data: bytes, limits: SheetLimits = LIMITS, **kw) -> list:
    return list(open_spreadsheet(data, limits, **kw).rows())


def ods(content_rows: str, mimetype: bytes = b"application/vnd.oasis.opendocument.spreadsheet"):
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        f'<office:spreadsheet><table:table table:name="S">{content_rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", mimetype)
        zf.writestr("content.xml", content)
    return buf.getvalue()


def ods_cell(text: str, repeat: int = 1) -> str:
    return (
        f'<table:table-cell table:number-columns-repeated="{repeat}" office:value-type="string">'
        f"<text:p>{text}</text:p></table:table-cell>"
    )


def test_the_declared_size_is_not_trusted_and_nothing_is_padded():
    started = time.monotonic()
    rows = rows_of(xlsx_with_rows({1: {1: "a"}, 3: {2: "b"}}))  # A1:XFD1048576, far corner
    assert rows == [(NEW_SHEET, ["Sheet1"]), (1, ["a"]), (3, [None, "b"])]
    assert time.monotonic() - started < 5


def test_reading_stops_at_the_first_row_past_the_limit():
    reader = open_spreadsheet(xlsx_with_rows([f"r{n}" for n in range(1, 200)]), LIMITS).rows()
    got = []
    with pytest.raises(SpreadsheetRefused, match="more than 100 rows with values"):
        for row in reader:
            got.append(row)
    assert len(got) == 1 + 100  # the sheet marker and the rows up to the limit


def test_a_value_past_the_last_column_is_refused_an_empty_cell_is_not():
    assert rows_of(xlsx_with_rows({1: {1: "a", 500: None}})) == [(0, ["Sheet1"]), (1, ["a"])]
    with pytest.raises(SpreadsheetRefused, match="value in cell U1, beyond the 20 columns"):
        rows_of(xlsx_with_rows({1: {21: "x"}}))


def test_cells_beyond_the_format_are_refused_as_damage():
    with pytest.raises(SpreadsheetRefused, match="damaged: it has a row 2,000,000"):
        rows_of(xlsx_with_rows({2_000_000: {1: "a"}}, far_corner=False))


def zip_rewrite(data: bytes, part: str, body: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, body if info.filename == part else src.read(info))
    return out.getvalue()


def test_formulas_are_never_run_and_dates_values_come_through():
    wb = Workbook()
    wb.active.append(["text", 3, 2.5, True, datetime(2024, 1, 2), "=B1*2"])
    buf = io.BytesIO()
    wb.save(buf)
    (_, (n, values)) = rows_of(buf.getvalue())
    assert n == 1 and values[:5] == ["text", 3, 2.5, True, datetime(2024, 1, 2)]
    assert isinstance(values[5], Formula) and values[5] == "=B1*2"
    # With data_only the value last saved is given (openpyxl saved none here).
    assert rows_of(buf.getvalue(), data_only=True)[1] == (1, values[:5])


def test_entity_expansion_in_the_sheet_is_refused():
    data = xlsx_with_rows({1: {1: "a"}}, far_corner=False)
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    with pytest.raises(SpreadsheetRefused, match="damaged"):
        rows_of(zip_rewrite(data, "xl/worksheets/sheet1.xml", laughs))


def test_zip_bombs_and_oversized_archives_are_refused_before_reading():
    real = xlsx_with_rows(["a"], far_corner=False)
    with pytest.raises(SpreadsheetRefused, match="compressed far more than real documents"):
        open_spreadsheet(zip_bomb(real, megabytes=5), LIMITS)
    with pytest.raises(SpreadsheetRefused, match="compressed far more than real documents"):
        open_spreadsheet(xlsx_with_rows(["a"], padding_mb=5), LIMITS)
    small = SheetLimits(ArchiveLimits(max_uncompressed=1 << 20, max_ratio=100), 100, 20)
    with pytest.raises(SpreadsheetRefused, match="would unpack to more than 1 MB"):
        open_spreadsheet(xlsx_with_rows(["a" * (2 << 20)], far_corner=False), small)
    few_parts = ArchiveLimits(max_uncompressed=1 << 20, max_ratio=100, max_parts=3)
    with pytest.raises(ArchiveRefused, match="has 5 parts inside it; the most we open is 3"):
        guarded_archive(real, few_parts)


def test_password_protected_damaged_and_other_archives_are_refused():
    locked = bytearray(xlsx_with_rows(["a"], far_corner=False))
    # Set the "encrypted" flag of the first part, in its local header and in the directory.
    locked[6] |= 0x1
    locked[locked.find(b"PK\x01\x02") + 8] |= 0x1
    with pytest.raises(ArchiveRefused, match="password-protected"):
        guarded_archive(bytes(locked), LIMITS.archive)
    with pytest.raises(ArchiveRefused, match="damaged and cannot be opened"):
        guarded_archive(b"PK\x03\x04 not really", LIMITS.archive)
    with pytest.raises(SpreadsheetRefused, match="not an .xlsx or .ods spreadsheet"):
        open_spreadsheet(docx_bytes(), LIMITS)


def test_ods_repeated_rows_and_cells_are_counted_not_built():
    blank_edge = '<table:table-cell table:number-columns-repeated="16000"/>'
    data = ods(
        f"<table:table-row>{ods_cell('a')}{blank_edge}</table:table-row>"
        '<table:table-row table:number-rows-repeated="1048000"><table:table-cell/></table:table-row>'
        f"<table:table-row>{ods_cell('b')}</table:table-row>"
    )
    assert rows_of(data) == [(0, ["S"]), (1, ["a"]), (1048002, ["b"])]


def test_ods_repeats_that_carry_values_count_against_the_limits():
    wide = ods(f"<table:table-row>{ods_cell('x', repeat=16000)}</table:table-row>")
    with pytest.raises(SpreadsheetRefused, match="beyond the 20 columns"):
        rows_of(wide)
    tall = ods(
        f'<table:table-row table:number-rows-repeated="1000000">{ods_cell("x")}</table:table-row>'
    )
    with pytest.raises(SpreadsheetRefused, match="more than 100 rows with values"):
        rows_of(tall)
    with pytest.raises(SpreadsheetRefused, match="not an .xlsx or .ods"):
        open_spreadsheet(ods("", mimetype=b"application/vnd.oasis.opendocument.text"), LIMITS)
