"""Bounds on what an input file may expand to, checked before the readers see it and while reading.

``--max-file-mb`` bounds the bytes on disk, but a 2 KB .xlsx can name a cell at XFD1048576 (the
reader would allocate a grid of 17 billion cells), a 19 MB zip can hold 4.6 GB of sheet XML and a
185 KB Parquet file can hold ten million rows. Each limit here is checked on what the file really
contains: zip members are decompressed from their raw bytes and counted (the sizes in the zip
headers are the attacker's to choose), a sheet's extent comes from its cells (not its
``<dimension>``), and Parquet/CSV rows are counted lazily before anything is materialised. With the
defaults a run stays under 2 GiB of memory (measured in tests/test_bounded.py).
"""

from __future__ import annotations

import functools
import io
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

from skillcli.errors import InputError

T = TypeVar("T")
BLOCK = 4 << 20  # decompressed bytes handed on at a time
_RAW_CHUNK = 1 << 20  # compressed bytes read at a time
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature … file name length, extra field length
_ROW_RE = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
# Cells in columns AA and beyond (two or three letters): only wide sheets have any, so finding
# them is cheap on an ordinary roster. Row numbers of seven digits (row 1 000 000 and below) are
# caught on the cell as well, in case a row tag lies about the rows its cells are in.
_WIDE_CELL_RE = re.compile(rb'<c\b[^>]*?\br="([A-Z]{2,3})\d')
_DEEP_CELL_RE = re.compile(rb'<c\b[^>]*?\br="[A-Z]{1,3}(\d{7,})"')
# The patterns above start with ``<c\b`` and cannot use the regex engine's fast literal search: each
# cost about 0.35 s of CPU per 100 MB of sheet XML, more than decompressing it. One hint pattern
# (``_hints``) starts with the literal ``r="`` instead and finds, in a single pass, the rare
# references that could widen the extent; each is then confirmed with the exact pattern from the
# start of its tag (``_confirmed``), so what counts is unchanged.
# A single-letter cell reference, read over the rest of a row once a hint has widened the extent.
_SINGLE_CELL_RE = re.compile(rb'\br="([A-Z])\d')
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
# A cell that holds something: its start tag is not self-closing and is not followed by its end.
_VALUED_CELL_RE = re.compile(rb'<c\b[^>/]*?\br="([A-Z]{1,3})(\d+)"[^>/]*>(?!</c>)')


@dataclass(frozen=True, slots=True)
class Limits:
    """What one input file may expand to. Each is raised by the command-line flag named in
    ``FLAGS``; the defaults keep a run under 2 GiB of memory."""

    expanded_mb: int = 1024  # each zip member, and a CSV or Parquet file decoded
    # A sheet's extent: rows × columns of the cells that hold a value. Measured under a 2 GiB
    # address-space cap (RLIMIT_AS, which counts thread stacks and allocator arenas, not only what
    # is resident): `check` on 4.8 million text cells ran (0.7 GiB resident); 7.2 million failed to
    # spawn a thread. A roster of about 330 000 rows × 15 columns fits the default.
    cells: int = 5_000_000
    strings_mb: int = 256  # an .xlsx's shared strings (xl/sharedStrings.xml)
    rows: int = 2_000_000  # a CSV or Parquet file's rows


FLAGS = {
    "expanded_mb": "--max-expanded-mb",
    "cells": "--max-cells",
    "strings_mb": "--max-strings-mb",
    "rows": "--max-rows",
}


class LimitError(InputError):
    """An input that expands beyond a limit: refused whole (exit 2), with the flag that raises it."""

    def __init__(self, path: str, what_zh: str, what_en: str, limit: str, value: int) -> None:
        flag = FLAGS[limit]
        super().__init__(
            path,
            f"{what_zh}超过上限 {value:,}（可用 {flag} 调高）",
            f"{what_en} exceeds the limit of {value:,} (raise it with {flag})",
        )
        self.limit = limit


def require_regular_file(path: Path) -> os.stat_result:
    """The file's status, when it is a regular file; a device, FIFO or socket is refused unopened.

    ``/dev/zero`` would be read until memory runs out and opening a FIFO without a writer blocks
    for ever, so the type is checked with ``os.stat`` before anything opens the path.
    """
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise InputError(str(path), "文件不存在", "no such file") from None
    except OSError as exc:
        raise InputError(str(path), f"打不开（{exc.strerror}）", f"cannot open ({exc.strerror})") from None
    if not stat.S_ISREG(status.st_mode):
        raise InputError(
            str(path),
            "不是普通文件（设备、管道或套接字），不予读取",
            "not a regular file (a device, FIFO or socket); it is not read",
        )
    return status


@dataclass(slots=True)
class Extent:
    """How far a worksheet's cells reach (1-based), from the cells themselves."""

    rows: int = 0
    columns: int = 0
    tags: int = 0  # cell elements, empty or not: cells written without an r= still count

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def member_blocks(handle: IO[bytes], info: zipfile.ZipInfo, path: str) -> Iterator[bytes]:
    """A zip member's content decompressed from its raw bytes, block by block.

    ``zipfile`` stops at the uncompressed size the header declares, and another reader may not,
    so the member is inflated here without looking at that size: what is counted is what any
    reader would get. Only the methods Excel writes (stored, deflate) are accepted.
    """
    if info.flag_bits & 0x1:
        raise InputError(path, f"压缩包成员 {info.filename} 已加密", f"zip member {info.filename} is encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise InputError(
            path,
            f"压缩包成员 {info.filename} 使用了 Excel 不用的压缩方式",
            f"zip member {info.filename} uses a compression method Excel never writes",
        )
    handle.seek(info.header_offset)
    fixed = handle.read(_LOCAL_HEADER.size)
    if len(fixed) < _LOCAL_HEADER.size or fixed[:4] != b"PK\x03\x04":
        raise InputError(path, "文件已损坏（zip 结构不完整）", "the file is corrupt (broken zip)")
    _, name_length, extra_length = _LOCAL_HEADER.unpack(fixed)
    handle.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    remaining = info.compress_size
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    try:
        while remaining > 0:
            raw = handle.read(min(_RAW_CHUNK, remaining))
            if not raw:
                break
            remaining -= len(raw)
            if inflater is None:
                yield raw
                continue
            data = inflater.decompress(raw, BLOCK)
            while True:
                if data:
                    yield data
                if not inflater.unconsumed_tail:
                    break
                data = inflater.decompress(inflater.unconsumed_tail, BLOCK)
    except zlib.error:
        raise InputError(path, "文件已损坏（压缩数据错误）", "the file is corrupt (bad compressed data)") from None


def doctype_refused(display: str, part: str) -> InputError:
    """An XML part with a DOCTYPE: one parser would expand its entities and the other not."""
    return InputError(
        display,
        f"{part} 含 DOCTYPE 声明（Excel 从不写入），不予读取",
        f"{part} holds a DOCTYPE (Excel never writes one); it is not read",
    )


STRUCTURE_CAP = 64 << 20  # workbook.xml and its relationships: kilobytes in any real workbook


def structure_part(handle: IO[bytes], info: zipfile.ZipInfo, display: str) -> bytes:
    """A small structural XML part, read through ``member_blocks`` (so its declared size is not
    trusted) and refused with a DOCTYPE before any XML parser sees it."""
    data = b""
    for block in member_blocks(handle, info, display):
        data += block
        if len(data) > STRUCTURE_CAP:
            raise InputError(
                display,
                f"{info.filename} 超过 {STRUCTURE_CAP >> 20} MB，不是正常的工作簿结构",
                f"{info.filename} is over {STRUCTURE_CAP >> 20} MB, not a workbook's structure",
            )
    if b"<!DOCTYPE" in data:
        raise doctype_refused(display, info.filename)
    return data


def inspect_members(data: bytes, display: str, limits: Limits, sheet_parts: set[str]) -> set[str]:
    """Every member but the worksheets in ``sheet_parts`` checked: its real size against the limits
    and no DOCTYPE; returns the names of all members. The worksheets are checked one by one
    (``inspect_sheet``), each just before it is read.

    Raises ``LimitError`` at the first member that expands too far (reading stops there). Two
    members of one name, or an XML part with a DOCTYPE, are refused: readers disagree on which copy
    counts and on whether to expand entities, and the checks must read what the reader reads.
    """
    handle = io.BytesIO(data)
    with zipfile.ZipFile(handle) as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        if len(set(names)) != len(names):
            raise InputError(display, "压缩包中有同名成员", "the zip holds two members of the same name")
        for info in infos:
            if info.is_dir() or info.filename in sheet_parts:
                continue
            for _ in _counted(member_blocks(handle, info, display), info.filename, display, limits, None):
                pass
    return set(names)


def inspect_sheet(data: bytes, display: str, limits: Limits, part: str) -> Extent:
    """One worksheet's real size against the limits (no DOCTYPE either) and its extent."""
    handle = io.BytesIO(data)
    with zipfile.ZipFile(handle) as archive:
        extent = Extent()
        for _ in _counted(member_blocks(handle, archive.getinfo(part), display), part, display, limits, extent):
            pass
        return extent


def sheet_facts(data: bytes, display: str, part: str, facts: Callable[[Iterator[bytes]], T]) -> T:
    """What ``facts`` makes of a worksheet's XML (``xlsxmeta.scan_blocks``), once ``inspect_sheet``
    has passed it: a second decompression (0.06 s of CPU for 95 MB), made while the reader reads the
    sheet, so that the reader starts after the limits pass alone (issue 16)."""
    handle = io.BytesIO(data)
    with zipfile.ZipFile(handle) as archive:
        return facts(member_blocks(handle, archive.getinfo(part), display))


def _counted(
    blocks: Iterator[bytes], name: str, display: str, limits: Limits, extent: Extent | None
) -> Iterator[bytes]:
    """A member's blocks, passed on once each has been checked: no DOCTYPE, the sizes within the
    limits, and (for a worksheet) the extent widened by the rows and columns it names."""
    member_cap = limits.expanded_mb << 20
    strings_cap = limits.strings_mb << 20
    is_strings = name.lower() == "xl/sharedstrings.xml"
    size = 0
    tail = b""
    for block in blocks:
        # Every block, not only the first: a DOCTYPE may follow megabytes of comments.
        window = tail + block
        if b"<!DOCTYPE" in window:
            raise doctype_refused(display, name)
        size += len(block)
        if is_strings and size > strings_cap:
            raise LimitError(
                display,
                "共享字符串（sharedStrings.xml，字节）",
                "shared strings (bytes)",
                "strings_mb",
                strings_cap,
            )
        if size > member_cap:
            raise LimitError(
                display,
                f"压缩包成员 {name} 解压后的大小（字节）",
                f"zip member {name} uncompressed (bytes)",
                "expanded_mb",
                member_cap,
            )
        if extent is not None:
            # A tag cut by the block boundary is found whole in the next window; cell tags
            # are counted in the block alone (a cut one is missed, never counted twice).
            _widen(extent, window)
            extent.tags += block.count(b"<c ") + block.count(b"<c>")
        tail = window[-256:]
        yield block


def _widen(extent: Extent, window: bytes) -> None:
    """Extend an extent by the rows and columns named in one window of sheet XML."""
    rows = _ROW_RE.findall(window)
    if rows:
        extent.rows = max(extent.rows, *map(int, rows))
    seen = min(extent.columns, 26)
    pattern = _hints(seen)
    hint = pattern.search(window)
    while hint is not None:
        letters, digits = hint.group(1), hint.group(2)
        if len(letters) > 1:
            for wide in _confirmed(_WIDE_CELL_RE, window, hint):
                extent.columns = max(extent.columns, _column_number(wide))
        elif letters[0] - 64 > extent.columns and (hint.start() == 0 or window[hint.start() - 1] not in _WORD_BYTES):
            # A single-letter column beyond the widest seen so far (``\br="([A-Z])\d``): on most
            # blocks there is none. The rest of its row is read at once: a sheet's first row would
            # otherwise widen the extent one column at a time, each width compiling its own hint
            # pattern (21 patterns, 0.03 s of CPU, for a 20-column roster's first block).
            row_end = window.find(b"</row>", hint.end())
            rest = _SINGLE_CELL_RE.findall(window, hint.end(), len(window) if row_end < 0 else row_end)
            extent.columns = max([letters[0], *(letter[0] for letter in rest)]) - 64
        if len(digits) >= 7:
            for deep in _confirmed(_DEEP_CELL_RE, window, hint):
                extent.rows = max(extent.rows, int(deep))
        if min(extent.columns, 26) != seen:
            # Wider now: single letters up to the new width are no longer hints (on the first
            # block of a sheet, every cell of its first row would be one otherwise).
            seen = min(extent.columns, 26)
            pattern = _hints(seen)
        hint = pattern.search(window, hint.end())


@functools.cache
def _hints(columns: int) -> re.Pattern[bytes]:
    """References naming two or three letters, a row of seven digits or more, or (below column Z)
    a single letter beyond the ``columns`` seen so far: (letters, digits)."""
    single = rb"|[" + bytes([65 + columns]) + rb"-Z]\d" if columns < 26 else b""
    return re.compile(rb'r="(?=[A-Z]{2,3}\d|[A-Z]{1,3}\d{7}' + single + rb")([A-Z]{1,3})(\d+)")


def _confirmed(pattern: re.Pattern[bytes], window: bytes, hint: re.Match[bytes]) -> list[bytes]:
    """What ``pattern.findall(window)`` finds for the cell tag of ``hint`` (a ``r="`` it contains).

    ``pattern`` is searched from the end of the tag before the hint (its ``[^>]*?`` cannot cross a
    ``>``, so its match starts after that point); a hint inside no cell tag finds nothing there or
    a genuine match further on, never a false one.
    """
    match = pattern.search(window, window.rfind(b">", 0, hint.start()) + 1)
    return [match.group(1)] if match is not None else []


def valued_extent(blocks: Iterator[bytes]) -> Extent:
    """The extent of the cells that hold a value, which is what the reader allocates for.

    Formatted but empty cells (``<c r="XFD9" s="1"/>``) take no room in the reader, so a sheet
    whose formatting reaches far is measured again by its valued cells before it is refused.
    """
    extent = Extent()
    tail = b""
    for block in blocks:
        window = tail + block
        for match in _VALUED_CELL_RE.finditer(window):
            extent.rows = max(extent.rows, int(match.group(2)))
            extent.columns = max(extent.columns, _column_number(match.group(1)))
        tail = window[-256:]
    return extent


def _column_number(letters: bytes) -> int:
    value = 0
    for char in letters:
        value = value * 26 + char - 64
    return value
