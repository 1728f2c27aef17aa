"""Workbooks written byte by byte: the zip container and the sheet XML, for inputs no spreadsheet writer makes.

``write_zip`` can declare a member's size to be anything (a zip bomb's lie); ``raw_xlsx`` puts one
hand-written sheet into the minimal parts an .xlsx needs.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from tests.support.rosters import ROSTER_HEADER_ROW, roster_row

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
PARTS = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
    '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<?xml version="1.0"?><workbook {NS} xmlns:r="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships"><sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def sheet_xml(rows: str, dimension: str = "A1") -> str:
    return (
        f'<?xml version="1.0"?><worksheet {NS}><dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    )


def text_row(r: int, values: list[str]) -> str:
    cells = "".join(f'<c r="{chr(65 + j)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for j, v in enumerate(values) if v)
    return f'<row r="{r}">{cells}</row>'


def deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def write_zip(path: Path, members: dict[str, bytes | tuple[bytes, int]] | list[tuple[str, bytes]]) -> Path:
    """A zip written byte by byte. A member given as (raw deflate stream, size) declares that size
    in both headers, whatever the stream expands to: the lie a zip bomb tells."""
    local, central = b"", b""
    pairs = list(members.items()) if isinstance(members, dict) else members
    for name, content in pairs:
        if isinstance(content, bytes):
            stream, declared, crc = deflate(content), len(content), zlib.crc32(content)
        else:
            (stream, declared), crc = content, 0
        encoded = name.encode()
        fields = (crc, len(stream), declared, len(encoded))
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, *fields, 0, 0, 0, 0, 0, len(local)
        )
        central += encoded
        local += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, *fields, 0) + encoded + stream
    count = len(pairs)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(central), len(local), 0)
    path.write_bytes(local + central + end)
    return path


def raw_xlsx(
    path: Path, sheet: str | bytes | tuple[bytes, int], extra: dict[str, bytes | tuple[bytes, int]] | None = None
) -> Path:
    members: dict[str, bytes | tuple[bytes, int]] = {k: v.encode() for k, v in PARTS.items()}
    members["xl/worksheets/sheet1.xml"] = sheet.encode() if isinstance(sheet, str) else sheet
    members.update(extra or {})
    return write_zip(path, members)


def roster_xml(*extra_rows: str) -> str:
    rows = [text_row(1, list(ROSTER_HEADER_ROW)), text_row(2, [str(v) for v in roster_row(1)])]
    return sheet_xml("".join(rows) + "".join(extra_rows))
