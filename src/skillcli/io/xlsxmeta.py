"""What fastexcel cannot tell: cell types, formulas, error values, hidden rows and merged ranges.

fastexcel returns every cell as text, which is what we want for 18-digit IDs, but it cannot say
whether a cell was typed as a number (an ID typed as a number has lost its last digits), whether it
held a formula or an error value (#N/A becomes null silently), or which rows are hidden. One scan
of the sheet's XML answers these. The scans look for rare literals (``<f``, ``t="e"``,
``hidden=``) so the cost is one decompression plus a few fast searches, not a full XML parse.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from posixpath import join as posix_join
from posixpath import normpath
from xml.etree import ElementTree

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_REF_RE = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"')
_FORMULA_RE = re.compile(rb"<f(?:[ >/])")
_FORMULA_TEXT_RE = re.compile(rb"<f[^>]*?(?:/>|>(.*?)</f>)", re.S)
_ERROR_RE = re.compile(rb'\bt="e"')
_VALUE_RE = re.compile(rb"<v>(.*?)</v>", re.S)
_ROW_TAG_RE = re.compile(rb'<row r="(\d+)"')
_MERGE_RE = re.compile(rb'<mergeCell ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')
_ATTR_T_RE = re.compile(rb'\bt="([a-zA-Z]+)"')
_LONG_NUMBER_RE = re.compile(rb"<v>(?:\d{16,}|\d(?:\.\d+)?[Ee][+-]?\d+)</v>")


def col_letter(index: int) -> str:
    """0-based column index to Excel letters: 0 → A, 27 → AB."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """Excel letters to a 0-based column index."""
    value = 0
    for char in letters:
        value = value * 26 + ord(char) - 64
    return value - 1


@dataclass(slots=True)
class CellMeta:
    """Facts about one sheet's cells, keyed by (Excel row, 0-based absolute column)."""

    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    hidden_rows: set[int] = field(default_factory=set)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2 (rows 1-based)
    # Number cells holding more than 15 significant digits (or E-notation): an ID, account or
    # certificate number typed as a number, whose tail Excel has already lost.
    long_numbers: set[tuple[int, int]] = field(default_factory=set)


class XlsxSheetXml:
    """The raw XML of one worksheet, decompressed once and scanned on demand."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def _cell_before(self, pos: int) -> tuple[int, int, int] | None:
        start = self.data.rfind(b'<c r="', 0, pos)
        if start < 0:
            return None
        match = _REF_RE.match(self.data, start)
        if not match:
            return None
        return int(match.group(2)), col_index(match.group(1).decode()), start

    def _find_all(self, needle: bytes, start: int = 0) -> list[int]:
        """Positions of a literal: ``bytes.find`` runs at memchr speed, far faster than a regex
        with a look-around over a 100 MB sheet."""
        found = []
        pos = self.data.find(needle, start)
        while pos >= 0:
            found.append(pos)
            pos = self.data.find(needle, pos + 1)
        return found

    def meta(self) -> CellMeta:
        meta = CellMeta()
        data = self.data
        for pos in self._find_all(b"<f"):
            if data[pos + 2 : pos + 3] not in (b" ", b">", b"/"):
                continue
            cell = self._cell_before(pos)
            if cell is None:
                continue
            row, col, _ = cell
            text = _FORMULA_TEXT_RE.match(data, pos)
            body = text.group(1) if text and text.group(1) else b""
            meta.formulas[(row, col)] = "=" + _unescape(body.decode("utf-8", "replace"))
        for pos in self._find_all(b' t="e"'):
            cell = self._cell_before(pos)
            if cell is None:
                continue
            row, col, start = cell
            end = data.find(b"</c>", start)
            value = _VALUE_RE.search(data, start, end if end > 0 else len(data))
            meta.errors[(row, col)] = value.group(1).decode("utf-8", "replace") if value else "#ERROR"
        for pos in self._find_all(b'hidden="'):
            if data[pos + 8 : pos + 9] not in (b"1", b"t"):
                continue
            tag = data.rfind(b"<", 0, pos)
            match = _ROW_TAG_RE.match(data, tag)
            if match:
                meta.hidden_rows.add(int(match.group(1)))
        for m in _LONG_NUMBER_RE.finditer(data):
            cell = self._cell_before(m.start())
            if cell is None:
                continue
            row, col, start = cell
            kind = _ATTR_T_RE.search(data, start, data.find(b">", start))
            if kind is None or kind.group(1) == b"n":
                meta.long_numbers.add((row, col))
        tail = data.rfind(b"</sheetData>")
        for m in _MERGE_RE.finditer(data, max(tail, 0)):
            meta.merged.append(
                (int(m.group(2)), col_index(m.group(1).decode()), int(m.group(4)), col_index(m.group(3).decode()))
            )
        return meta


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def sheet_xml_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part inside an .xlsx, from workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_NS_PKG}Relationship")}
    paths: dict[str, str] = {}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        if not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else normpath(posix_join("xl", target))
        paths[sheet.get("name", "")] = path
    return paths
