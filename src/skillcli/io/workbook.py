"""Open any input file as a set of text grids, one per sheet, that keep Excel's row numbers.

Formats are told by their first bytes, not their names: a ".xlsx" that is really an old OLE2
".xls" is common, and an encrypted .xlsx is an OLE2 container too. Every cell comes back as text
(fastexcel with ``dtypes="string"``), so IDs and leading zeros stay exact; cell types, formulas
and error values come from ``xlsxmeta`` for .xlsx files.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import weakref
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING

from skillcli.errors import InputError
from skillcli.io.limits import (
    LimitError,
    Limits,
    inspect_members,
    inspect_sheet,
    member_blocks,
    require_regular_file,
    sheet_facts,
    structure_part,
    valued_extent,
)
from skillcli.io.xlsxmeta import CellMeta, scan_blocks, sheet_xml_paths
from skillcli.text import redact

if TYPE_CHECKING:
    import polars as pl

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
PARQUET_MAGIC = b"PAR1"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
_STRUCTURE = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")  # the parts that map sheet names to XML


@dataclass(slots=True)
class Grid:
    """One sheet as text. Frame row ``i`` is Excel row ``first_row + i``; frame column ``j`` is
    absolute column ``col_offset + j``. ``header`` is set when the format fixes the header itself
    (Parquet), in which case no header search is made."""

    sheet: str
    frame: pl.DataFrame
    first_row: int = 1
    col_offset: int = 0
    visible: bool = True
    header: list[str] | None = None


def sniff(data: bytes, path: Path) -> str:
    """The real format of a file's bytes: xlsx, xls, ods, csv or parquet. Raises InputError otherwise."""
    if not data:
        raise InputError(str(path), "文件为空（0 字节）", "the file is empty (0 bytes)")
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            raise InputError(str(path), "文件已损坏（zip 结构不完整）", "the file is corrupt (broken zip)") from None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "content.xml" in names:
            return "ods"
        raise InputError(str(path), "是压缩包但不是 Excel 工作簿", "a zip archive but not an Excel workbook")
    if data.startswith(OLE2_MAGIC):
        head = data[: 1 << 20]
        if _ENCRYPTED_MARK in head or b"EncryptedPackage" in head:
            raise InputError(str(path), "工作簿有密码保护，请另存为无密码文件", "the workbook is password-protected")
        return "xls"
    if data.startswith(PARQUET_MAGIC):
        return "parquet"
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        raise InputError(
            str(path), "扩展名是 Excel，但内容不是 Excel 文件", "named like Excel but is not an Excel file"
        )
    return "csv"


def read_input(path: Path, cap: int) -> bytes:
    """A regular file's bytes, read once and at most ``cap`` of them: every reader and the
    manifest's hash see these bytes, and a file that grew after it was measured is still bounded."""
    require_regular_file(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(cap + 1)
    except OSError as exc:
        raise InputError(str(path), f"打不开（{exc.strerror}）", f"cannot open ({exc.strerror})") from None
    if len(data) > cap:
        raise LimitError(str(path), "文件大小（字节）", "file size (bytes)", "expanded_mb", cap)
    return data


class Book:
    """An opened input file. ``grids()`` yields each sheet; ``meta(sheet)`` the cell facts."""

    def __init__(self, path: Path, limits: Limits | None = None) -> None:
        self.path = path
        self.limits = limits or Limits()
        # The file is read once and every reader works on these bytes, so the hash in the manifest
        # is of what the decision saw even if the file is replaced while the run goes on.
        self.data = read_input(path, self.limits.expanded_mb << 20)
        self.sha256 = hashlib.sha256(self.data).hexdigest()
        self.format = sniff(self.data, path)
        self.encoding = "utf-8"
        self._xml_paths: dict[str, str] = {}
        self._reader: object | None = None
        self._facts: dict[str, CellMeta] = {}  # sheet name → its cell facts (.xlsx)

    # -- sheets -------------------------------------------------------------------------------
    def grids(self) -> list[Grid]:
        """Every sheet, read."""
        return list(self.iter_grids())

    def sheet_count(self) -> int:
        return len(self._excel_sheet_names()) if self.format in ("xlsx", "xls", "ods") else 1

    def iter_grids(self) -> Iterator[Grid]:
        """Each sheet, in workbook order, as it is read.

        An .xlsx sheet is read by fastexcel in a second thread as soon as its XML has passed the
        limits (``_clear``), while this thread checks the next sheet's XML and then the caller
        validates the sheets read so far: fastexcel parses without holding the GIL, so on two cores
        the limits pass and the validation run beside the read instead of before and after it
        (issue 16). Nothing is handed to the caller before every sheet has passed, and no sheet is
        read before its own XML has.
        """
        if self.format == "csv":
            yield self._csv_grid()
            return
        if self.format == "parquet":
            yield self._parquet_grid()
            return
        names = self._excel_sheet_names()
        if self.format != "xlsx":
            for name in names:
                yield self._excel_grid(name)
            return
        from concurrent.futures import Future, ThreadPoolExecutor

        pending: list[Future[Grid]] = []
        # One reading thread: fastexcel's reader refuses a second caller while it reads
        # ("Already mutably borrowed"), so this thread never touches it until the reads are done.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="skillcli-read") as pool:
            try:
                for name in names:
                    self._clear(name)
                    pending.append(pool.submit(self._excel_grid, name))
                    self._facts[name] = sheet_facts(self.data, str(self.path), self._xml_paths[name], scan_blocks)
                # Sheets the workbook names that the reader does not list are held to the limits too.
                for name in [n for n in self._xml_paths if n not in names]:
                    self._clear(name)
                for future in pending:
                    yield future.result()
            finally:
                for future in pending:
                    future.cancel()

    def _excel_reader(self) -> object:
        import fastexcel

        if self._reader is None:
            self._check_members()
            # Bytes, not the path: calamine then picks its parser by content (an .xls saved as
            # ".xlsx" reads right) and reads what was hashed. It cannot tell an .ods from its bytes,
            # so an .ods is handed over as a private copy of those bytes under an .ods name.
            source: bytes | str = self.data
            if self.format == "ods":
                source = _private_copy(self, self.data, ".ods")
            try:
                self._reader = fastexcel.read_excel(source)
            except Exception as exc:  # fastexcel raises its own hierarchy; all mean "cannot read"
                raise InputError(
                    str(self.path), f"Excel 解析失败（{_short(exc)}）", f"Excel parser failed ({_short(exc)})"
                ) from None
        return self._reader

    def _check_members(self) -> None:
        """Refuse, before the reader opens the file, a zip whose members expand past the limits.

        The worksheets are checked one by one before each is read (``_clear``); here every other
        member (shared strings, styles …), which the reader parses when it opens the file, and
        the workbook's structure, which maps sheet names to their XML. Where that structure cannot
        be read as fastexcel reads it, the file is refused rather than checked by halves.
        """
        if self.format not in ("xlsx", "ods"):
            return
        display = str(self.path)
        if self.format == "xlsx":
            try:
                handle = io.BytesIO(self.data)
                with zipfile.ZipFile(handle) as archive:
                    parts = [structure_part(handle, archive.getinfo(name), display) for name in _STRUCTURE]
                self._xml_paths = sheet_xml_paths(*parts)
            except (KeyError, zipfile.BadZipFile, SyntaxError, ValueError) as exc:
                raise InputError(
                    display,
                    f"工作簿结构无法核对（{_short(exc)}），不予读取",
                    f"the workbook's structure cannot be verified ({_short(exc)}); it is not read",
                ) from None
        members = inspect_members(self.data, display, self.limits, set(self._xml_paths.values()))
        for name, part in self._xml_paths.items():
            if part not in members:
                raise InputError(display, f"工作表「{name}」的内容不存在", f"sheet '{name}' has no content part")

    def _clear(self, name: str) -> None:
        """Check one worksheet's XML against the limits, before it is read."""
        display = str(self.path)
        part = self._xml_paths.get(name)
        if part is None:
            raise _unknown_sheet(display, name)
        extent = inspect_sheet(self.data, display, self.limits, part)
        if extent.tags > self.limits.cells:
            raise LimitError(
                display,
                f"工作表「{name}」的单元格数 {extent.tags:,}",
                f"sheet '{name}' holds {extent.tags:,} cells, which",
                "cells",
                self.limits.cells,
            )
        if extent.cells <= self.limits.cells:
            return
        # Formatted empty cells cost the reader nothing: measure again by the valued cells.
        handle = io.BytesIO(self.data)
        with zipfile.ZipFile(handle) as archive:
            extent = valued_extent(member_blocks(handle, archive.getinfo(part), display))
        if extent.cells > self.limits.cells:
            raise LimitError(
                display,
                f"工作表「{name}」的范围 {extent.rows:,} 行 × {extent.columns:,} 列（单元格数）",
                f"sheet '{name}' spans {extent.rows:,} rows × {extent.columns:,} columns (cells)",
                "cells",
                self.limits.cells,
            )

    def _excel_sheet_names(self) -> list[str]:
        reader = self._excel_reader()
        return list(reader.sheet_names)  # type: ignore[attr-defined]

    def _excel_grid(self, name: str) -> Grid:
        import polars as pl

        reader = self._excel_reader()
        try:
            sheet = reader.load_sheet(  # type: ignore[attr-defined]
                name, header_row=None, dtypes="string", skip_rows=0
            )
            frame = sheet.to_polars()
            columns = sheet.available_columns()
        except Exception as exc:
            raise InputError(
                str(self.path),
                f"工作表「{name}」读取失败（{_short(exc)}）",
                f"sheet '{name}' failed to read ({_short(exc)})",
            ) from None
        offset = columns[0].absolute_index if columns else 0
        frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
        if frame.height == 0:
            frame = pl.DataFrame()
        return Grid(name, frame, 1, offset, sheet.visible == "visible")

    def _csv_grid(self) -> Grid:
        import polars as pl

        display = str(self.path)
        raw = self.data
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(
                display,
                "是 UTF-16 编码的文本（Excel「Unicode 文本」），请另存为「CSV UTF-8」",
                "UTF-16 text (Excel's 'Unicode text'); save it as 'CSV UTF-8'",
            )
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                raw = raw.decode("gb18030").encode("utf-8")
                self.encoding = "gb18030"
            except UnicodeDecodeError:
                raise InputError(
                    display, "既不是 UTF-8 也不是 GBK 编码的文本", "text is neither UTF-8 nor GBK"
                ) from None
        # The whole file, not its head: a NUL 5 KB in must not be read where one 3 KB in is refused.
        if b"\x00" in raw:
            raise InputError(display, "不是文本文件（含二进制内容）", "not a text file (binary content)")
        if len(raw) > self.limits.expanded_mb << 20:
            raise LimitError(
                display, "解码后的大小（字节）", "decoded size (bytes)", "expanded_mb", self.limits.expanded_mb << 20
            )
        lines = raw.count(b"\n") + 1
        if lines > self.limits.rows:
            raise LimitError(display, "行数", "rows", "rows", self.limits.rows)
        # Rows are ragged (a one-cell title line sits above the header) and polars sizes the frame
        # by the first line, cutting every longer line. Give it the widest line's field count: an
        # upper bound, since a quoted comma only adds an empty column.
        width = max(map(bytes.count, raw.splitlines(), repeat(b",")), default=0) + 1
        if width * lines > self.limits.cells:
            raise LimitError(
                display,
                f"范围 {lines:,} 行 × {width:,} 列（单元格数）",
                f"{lines:,} rows × {width:,} columns (cells)",
                "cells",
                self.limits.cells,
            )
        try:
            frame = pl.read_csv(
                raw,
                has_header=False,
                schema={f"c{i}": pl.String for i in range(width)},
                missing_columns="insert",
                truncate_ragged_lines=True,
                raise_if_empty=False,
            )
        except pl.exceptions.PolarsError as exc:
            raise InputError(display, f"CSV 解析失败（{_short(exc)}）", f"CSV parse failed ({_short(exc)})") from None
        frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
        return Grid(self.path.stem, frame)

    def _parquet_grid(self) -> Grid:
        import polars as pl
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        display = str(self.path)
        cap = self.limits.expanded_mb << 20
        batches = []
        rows = size = 0
        try:
            # Decoded batch by batch with a row cap: ten million identical rows compress to a few
            # hundred KB, and reading them whole is what must not happen.
            parquet = pq.ParquetFile(pa.BufferReader(self.data))
            # One thread: measured on a 1M-row roster, pyarrow's column threads took 0.85 s of CPU
            # (and more wall time on a busy machine) against 0.33 s for the same batches (issue 16).
            for batch in parquet.iter_batches(batch_size=65_536, use_threads=False):
                rows += batch.num_rows
                size += batch.nbytes
                if rows > self.limits.rows:
                    raise LimitError(display, "行数", "rows", "rows", self.limits.rows)
                if rows * batch.num_columns > self.limits.cells:
                    raise LimitError(display, "单元格数（行×列）", "cells (rows × columns)", "cells", self.limits.cells)
                if size > cap:
                    raise LimitError(display, "解码后的大小（字节）", "decoded size (bytes)", "expanded_mb", cap)
                batches.append(batch)
            table = pa.Table.from_batches(batches, schema=parquet.schema_arrow)
            frame = pl.from_arrow(table)
        except LimitError:
            raise
        except Exception as exc:
            raise InputError(
                display, f"Parquet 读取失败（{_short(exc)}）", f"Parquet read failed ({_short(exc)})"
            ) from None
        assert isinstance(frame, pl.DataFrame)
        header = list(frame.columns)
        frame = frame.select(pl.all().cast(pl.String)).rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
        # Row 1 holds the header, as it would in the spreadsheet the file was exported from.
        return Grid(self.path.stem, frame, first_row=2, header=header)

    # -- cell facts ---------------------------------------------------------------------------
    # The cell facts come from a pass over the sheet's XML made while fastexcel reads the sheet
    # (``iter_grids``): gathered in the limits pass instead, they delayed the read by 0.14 s of
    # CPU on the 100k roster sheet against 0.06 s for decompressing the XML a second time beside it.
    def meta(self, sheet: str) -> CellMeta:
        """Formulas, error values, hidden rows, merged ranges and long numbers of one sheet."""
        if self.format != "xlsx":
            return CellMeta()
        facts = self._facts.get(sheet)
        if facts is None:
            # The reader found a sheet the cell-facts scan did not: checking it without its
            # formulas, errors and hidden rows would pass what they should hold back.
            raise _unknown_sheet(str(self.path), sheet)
        return facts

    def numeric_rows(self, grid: Grid, columns: list[int]) -> dict[int, set[int]]:
        """Excel rows whose cell is a number too long to be exact, for each absolute column given.

        For .xlsx the background scan already found them; .xls/.ods are probed with fastexcel
        (every number cell; the checks then look at the length).
        """
        if not columns:
            return {}
        if self.format == "xlsx":
            long_numbers = self.meta(grid.sheet).long_numbers
            return {c: {row for row, col in long_numbers if col == c} for c in columns}
        if self.format in ("xls", "ods"):
            return self._numeric_rows_by_probe(grid, columns)
        return {c: set() for c in columns}

    def _numeric_rows_by_probe(self, grid: Grid, columns: list[int]) -> dict[int, set[int]]:
        # fastexcel reads a numeric cell as a boolean and a text cell as null when asked for a
        # boolean column, so a second read of just these columns tells the cell types apart.
        reader = self._excel_reader()
        found: dict[int, set[int]] = {}
        for column in columns:
            # Both use_columns and dtypes take the sheet's absolute column index, not the frame's.
            sheet = reader.load_sheet(  # type: ignore[attr-defined]
                grid.sheet, header_row=None, skip_rows=0, use_columns=[column], dtypes={column: "boolean"}
            )
            values = sheet.to_polars().to_series(0)
            found[column] = {i + grid.first_row for i in values.is_not_null().arg_true().to_list()}
        return found

    def release(self, sheet: str) -> None:
        """Drop a sheet's cell facts once its checks are done."""
        self._facts.pop(sheet, None)


def _unknown_sheet(display: str, sheet: str) -> InputError:
    return InputError(
        display,
        f"工作表「{sheet}」在工作簿结构中找不到，不予读取",
        f"sheet '{sheet}' is not in the workbook's structure; it is not read",
    )


def _private_copy(owner: object, data: bytes, suffix: str) -> str:
    """``data`` in a temporary file of ours, removed when ``owner`` is (closed first, so that a
    reader on Windows can open it by name)."""
    fd, name = tempfile.mkstemp(prefix=".skillcli~", suffix=suffix)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    weakref.finalize(owner, _remove, name)
    return name


def _remove(name: str) -> None:
    with contextlib.suppress(OSError):  # still open by the reader on Windows: the OS temp cleaner has it
        os.unlink(name)


def _short(exc: BaseException) -> str:
    """One line of a library's error, with any ID-like number masked (it may quote a cell)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return redact(text)[:160]
