"""Hostile files for the upload tests, built part by part (no spreadsheet library involved).

- `xlsx_with_rows` is a real, tiny .xlsx whose sheet declares whatever dimension it is given
  (by default the largest sheet there is, A1:XFD1048576, with a formatted cell in that corner)
  over a few real rows.
- `zip_bomb` adds to a real document or spreadsheet a part that unpacks a thousand times bigger
  than it is stored.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
)


def _column(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cells_xml(rows: dict[int, dict[int, str | None]]) -> str:
    """<row> elements for {row number: {column number: text}}, as inline strings (None: an
    empty cell that only carries formatting)."""
    out = []
    for r, cells in sorted(rows.items()):
        out.append(f'<row r="{r}">')
        for c, text in sorted(cells.items()):
            if text is None:
                out.append(f'<c r="{_column(c)}{r}" s="0"/>')
                continue
            out.append(f'<c r="{_column(c)}{r}" t="inlineStr"><is><t>{escape(text)}</t></is></c>')
        out.append("</row>")
    return "".join(out)


def xlsx_with_rows(
    rows: dict[int, dict[int, str | None]] | list[str],
    *,
    dimension: str = "A1:XFD1048576",
    far_corner: bool = True,
    sheet_name: str = "Sheet1",
    extra_parts: dict[str, bytes] | None = None,
    padding_mb: int = 0,
) -> bytes:
    """A minimal .xlsx: one sheet with these cells (a list is one value per row in column A).

    By default it has the shape of the file in issue 13: the sheet declares the largest size there
    is (A1:XFD1048576) and has an empty, formatted cell in that far corner, so a reader that
    fills in rows and cells up to the declared size builds a million rows of 16,384 cells.
    `padding_mb` puts that many megabytes of blank space inside the sheet's XML (allowed by XML,
    compressed about 1000:1): a bomb in the part the reader has to parse."""
    if isinstance(rows, list):
        rows = {n: {1: v} for n, v in enumerate(rows, start=1)}
    if far_corner:
        rows = {**rows, 1_048_576: {16_384: None}}
    xml = _SHEET.format(dimension=dimension, rows=cells_xml(rows) + " " * (padding_mb << 20))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK.format(name=escape(sheet_name)))
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", xml)
        for name, data in (extra_parts or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def zip_bomb(real: bytes, *, megabytes: int = 50, part: str = "xl/media/padding.bin") -> bytes:
    """`real` (a zip-based file) with one more part of `megabytes` MB of zeros (stored ~1000:1)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(real)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        info = zipfile.ZipInfo(part)
        info.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(info, "w", force_zip64=True) as f:
            chunk = bytes(1024 * 1024)
            for _ in range(megabytes):
                f.write(chunk)
    return out.getvalue()


def docx_bytes(text: str = "Evidence") -> bytes:
    """A minimal Word document (.docx) with one paragraph."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        zf.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p></w:body></w:document>",
        )
    return buf.getvalue()
