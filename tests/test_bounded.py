"""Inputs built to exhaust memory or to split the readers: each ends in one line and exit 2, fast.

The bombs are generated at test time (they are tiny on disk but expand to gigabytes) and run in a
subprocess whose address space is capped at 2 GiB with ``resource.setrlimit(RLIMIT_AS)``: a reader
that tried to allocate what the file asks for would die there instead of exiting 2.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from tests.support.cli import PERIOD, Result
from tests.support.rawzip import NS, PARTS, raw_xlsx, roster_xml, sheet_xml, text_row, write_zip
from tests.support.rosters import ROSTER_HEADER_ROW, roster_row

GIB = 1 << 30
def run_capped(*args: object, timeout: float = 60) -> Result:
    """``skillcli`` in a subprocess limited to 2 GiB of address space; returns within ``timeout``."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * GIB, 2 * GIB))

    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "skillcli", *map(str, args)],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=cap,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert time.monotonic() - started < timeout
    return Result(done.returncode, done.stdout, done.stderr)


def refused(result: Result, *fragments: str) -> str:
    """Exit 2 with exactly one line on stderr, holding every fragment; no traceback."""
    assert result.code == 2, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    assert all(f in lines[0] for f in fragments), lines[0]
    return lines[0]


# -- bombs, each run under 2 GiB ---------------------------------------------------------------------
def test_bounded__one_cell_at_xfd1048576_is_refused_by_its_extent(tmp_path: Path) -> None:
    bomb = raw_xlsx(tmp_path / "xfd.xlsx", roster_xml('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    assert bomb.stat().st_size < 2_500
    line = refused(run_capped("check", bomb, "--period", PERIOD), "--max-cells", "16,384")
    assert "1,048,576" in line
    # The same sheet with the limit raised past its extent is read: the refusal was the limit's.
    gr = raw_xlsx(tmp_path / "gr.xlsx", roster_xml('<row r="3000"><c r="GR3000"><v>1</v></c></row>'))
    assert run_capped("check", gr, "--period", PERIOD, "--max-cells", "1000000").code in (0, 1)
    refused(run_capped("check", gr, "--period", PERIOD, "--max-cells", "500000"), "--max-cells")


def test_bounded__formatting_that_reaches_far_is_not_data(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    # Borders drawn to the last row and column: empty cells, which the reader does not allocate.
    styled = "".join(f'<row r="{r}"><c r="A{r}" s="1"/><c r="XFD{r}" s="1"/></row>' for r in range(3, 2000))
    path = raw_xlsx(tmp_path / "styled.xlsx", roster_xml(styled, '<row r="1048576"><c r="XFD1048576" s="1"/></row>'))
    result = run_cli("check", path, "--period", PERIOD, "--json")
    assert result.code == 0, result.stderr
    assert result.json["counts"]["rows"]["roster"] == 1


def test_bounded__a_member_that_expands_beyond_its_header_is_counted_not_trusted(tmp_path: Path) -> None:
    # 1.1 GiB of sheet XML in about a megabyte, declared as 1 000 bytes in both zip headers.
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = roster_xml().encode()[: -len(b"</sheetData></worksheet>")]
    start = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    # After a full flush the compressor starts afresh, so 16 MiB of spaces compress to the same
    # bytes every time: the block is made once and repeated.
    block = packer.compress(b" " * (16 << 20)) + packer.flush(zlib.Z_FULL_FLUSH)
    stream = start + block * 70 + packer.flush()
    bomb = raw_xlsx(tmp_path / "expands.xlsx", (stream, 1000))
    assert bomb.stat().st_size < 2_000_000
    refused(run_capped("check", bomb, "--period", PERIOD), "xl/worksheets/sheet1.xml", "--max-expanded-mb")


def test_bounded__a_big_shared_string_table_is_refused(tmp_path: Path) -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    item = b"<si><t>" + "张三".encode() * 50 + b"</t></si>"
    body = item * (1 << 16)  # 20 MB per round, 15 rounds: 300 MB of strings
    strings = (
        packer.compress(f'<?xml version="1.0"?><sst {NS}>'.encode())
        + b"".join(packer.compress(body) for _ in range(15))
        + packer.compress(b"</sst>")
        + packer.flush()
    )
    bomb = raw_xlsx(tmp_path / "strings.xlsx", roster_xml(), {"xl/sharedStrings.xml": (strings, 1 << 20)})
    refused(run_capped("check", bomb, "--period", PERIOD), "sharedStrings", "--max-strings-mb")
    # Below the raised limit the same workbook reads (the strings are not used by any cell).
    small = raw_xlsx(tmp_path / "fine.xlsx", roster_xml(), {"xl/sharedStrings.xml": (strings, 1 << 20)})
    result = run_capped("check", small, "--period", PERIOD, "--max-strings-mb", "400")
    assert result.code == 0, result.stderr[-2000:]


def test_bounded__ten_million_identical_parquet_rows_are_refused_by_the_row_cap(tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    pl.select(pl.repeat("张三", 10_000_000).alias("姓名")).write_parquet(path, compression="zstd")
    assert path.stat().st_size < 1_000_000
    refused(run_capped("check", path, "--period", PERIOD), "2,000,000", "--max-rows")


def test_bounded__csv_rows_and_width_are_bounded(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    path = tmp_path / "花名册.csv"
    path.write_text(",".join(ROSTER_HEADER_ROW) + "\n" + "张三,\n" * 3000, encoding="utf-8")
    refused(run_cli("check", path, "--period", PERIOD, "--max-rows", "1000"), "1,000", "--max-rows")
    wide = tmp_path / "wide.csv"
    wide.write_text("," * 2_000_000 + "\n" + "a\n" * 10, encoding="utf-8")
    refused(run_cli("check", wide, "--period", PERIOD), "--max-cells")


def test_bounded__a_limit_must_be_positive(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    path = tmp_path / "花名册.csv"
    path.write_text("姓名\n张三\n", encoding="utf-8")
    refused(run_cli("check", path, "--period", PERIOD, "--max-cells", "0"), "--max-cells")


# -- not regular files: never opened --------------------------------------------------------------------
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_bounded__a_device_is_refused_unread(device: str) -> None:
    refused(run_capped("check", device, "--period", PERIOD, timeout=20), "不是普通文件")


def test_bounded__a_fifo_without_a_writer_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "roster.csv"
    os.mkfifo(fifo)
    refused(
        run_capped("payout", fifo, "--policy", "suzhou-2019", "--period", PERIOD, "--out", tmp_path / "o", timeout=20),
        "不是普通文件",
    )
    assert not (tmp_path / "o").exists()


def test_bounded__a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        refused(run_capped("check", path, "--period", PERIOD, "--lang", "en", timeout=20), "not a regular file")
    finally:
        server.close()


# -- one parser or none ------------------------------------------------------------------------------------
DOCTYPE = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'


@pytest.mark.parametrize(
    "part",
    [
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/worksheets/sheet1.xml",
        "xl/sharedStrings.xml",
    ],
)
def test_bounded__a_doctype_in_any_xml_part_refuses_the_file(
    part: str, tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    members = {
        **PARTS,
        "xl/worksheets/sheet1.xml": roster_xml(),
        "xl/sharedStrings.xml": f'<?xml version="1.0"?><sst {NS}/>',
    }
    members[part] = members[part].replace('<?xml version="1.0"?>', '<?xml version="1.0"?>' + DOCTYPE)
    path = write_zip(tmp_path / "doctype.xlsx", {k: v.encode() for k, v in members.items()})
    paid = run_cli("payout", path, "--policy", "suzhou-2019", "--period", PERIOD, "--out", tmp_path / "o")
    refused(paid, part, "DOCTYPE")
    assert not (tmp_path / "o").exists()


def test_bounded__a_sheet_the_structure_scan_cannot_map_is_refused(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    # The relationship points nowhere the scan can find, but the reader falls back on its own:
    # checking that sheet without its formulas and hidden rows is what must not happen.
    rels = PARTS["xl/_rels/workbook.xml.rels"].replace('Id="rId1"', 'Id="rId9"')
    members = {**PARTS, "xl/_rels/workbook.xml.rels": rels, "xl/worksheets/sheet1.xml": roster_xml()}
    path = write_zip(tmp_path / "unmapped.xlsx", {k: v.encode() for k, v in members.items()})
    result = run_cli("check", path, "--period", PERIOD)
    assert result.code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_bounded__two_members_of_one_name_are_refused(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    # Readers disagree on which copy counts (the first or the last): a hidden formula could hide in one.
    members = [(k, v.encode()) for k, v in PARTS.items()]
    first = [*members, ("xl/worksheets/sheet1.xml", roster_xml().encode())]
    assert run_cli("check", write_zip(tmp_path / "once.xlsx", first), "--period", PERIOD).code == 0
    twice = [*first, ("xl/worksheets/sheet1.xml", roster_xml(text_row(3, ["=1+1"])).encode())]
    refused(run_cli("check", write_zip(tmp_path / "twice.xlsx", twice), "--period", PERIOD), "同名成员")


def test_bounded__a_sheet_at_the_default_cell_limit_is_checked_under_2_gib(tmp_path: Path) -> None:
    from skillcli.io.limits import Limits

    # 312 000 rows × 16 columns of text: just under the default --max-cells, the biggest sheet a run
    # accepts without a flag, checked whole inside the 2 GiB address-space cap.
    header = [*ROSTER_HEADER_ROW, *(f"备注{i}" for i in range(16 - len(ROSTER_HEADER_ROW)))]
    rows = Limits().cells // len(header) - 1
    body = [str(v) for v in roster_row(1)] + ["x"] * (len(header) - len(ROSTER_HEADER_ROW))
    xml = sheet_xml(text_row(1, header) + "".join(text_row(r, body) for r in range(2, rows + 2)))
    path = raw_xlsx(tmp_path / "at_limit.xlsx", xml)
    result = run_capped("check", path, "--period", PERIOD, "--limit", "1", timeout=300)
    assert result.code == 1, result.stderr[-2000:]  # every row after the first repeats one person
    assert "Traceback" not in result.stderr and "panicked" not in result.stderr


def ods(path: Path, rows: str) -> Path:
    office = "urn:oasis:names:tc:opendocument:xmlns"
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{office}:office:1.0" '
        f'xmlns:table="{office}:table:1.0" xmlns:text="{office}:text:1.0" office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="花名册">{rows}</table:table></office:spreadsheet>'
        "</office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
        'spreadsheet"/></manifest:manifest>'
    )
    return write_zip(
        path,
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": content.encode(),
            "META-INF/manifest.xml": manifest.encode(),
        },
    )


def ods_row(values: list[str], repeat: str = "") -> str:
    cells = "".join(
        f'<table:table-cell office:value-type="string"{repeat}><text:p>{v}</text:p></table:table-cell>' for v in values
    )
    return f"<table:table-row>{cells}</table:table-row>"


def test_bounded__an_ods_is_read_and_its_cell_bomb_refused(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    roster = ods(tmp_path / "roster.ods", ods_row(list(ROSTER_HEADER_ROW)) + ods_row([str(v) for v in roster_row(1)]))
    result = run_cli("check", roster, "--period", PERIOD, "--json")
    assert result.code == 0, result.stderr
    assert result.json["counts"]["rows"]["roster"] == 1
    # One row repeated a million times, of one text cell repeated a thousand times: 1.4 KB on disk.
    row = ods_row(["x"], ' table:number-columns-repeated="1000"')
    repeated = row.replace("<table:table-row>", '<table:table-row table:number-rows-repeated="1000000">')
    bomb = ods(tmp_path / "bomb.ods", ods_row(list(ROSTER_HEADER_ROW)) + repeated)
    assert bomb.stat().st_size < 5_000
    refused(run_capped("check", bomb, "--period", PERIOD), "Cell limit")


def test_bounded__cells_without_references_are_counted(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    # Cells written without r= take their places in order: no reference shows how far they reach,
    # so their number is the bound.
    bare = "".join(f"<row>{'<c><v>1</v></c>' * 100}</row>" for _ in range(600))
    path = raw_xlsx(tmp_path / "bare.xlsx", roster_xml(bare))
    refused(run_cli("check", path, "--period", PERIOD, "--max-cells", "50000"), "--max-cells", "60,0")
    assert run_cli("check", path, "--period", PERIOD, "--max-cells", "70000").code in (0, 1)


def test_bounded__a_doctype_after_megabytes_of_comments_is_found(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    padding = "<!--" + " " * (6 << 20) + "-->"
    rels = PARTS["xl/_rels/workbook.xml.rels"].replace("?>", "?>" + padding + DOCTYPE, 1)
    members = {**PARTS, "xl/_rels/workbook.xml.rels": rels, "xl/worksheets/sheet1.xml": roster_xml()}
    path = write_zip(tmp_path / "late.xlsx", {k: v.encode() for k, v in members.items()})
    refused(run_cli("check", path, "--period", PERIOD), "DOCTYPE")


def test_bounded__a_workbook_part_that_expands_is_refused_before_parsing(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    # workbook.xml is parsed as a tree; 100 MB of it, declared as 1 000 bytes, never reaches the parser.
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    workbook = PARTS["xl/workbook.xml"].encode()
    stream = packer.compress(workbook[:-11] + b" " * (100 << 20) + workbook[-11:]) + packer.flush()
    members: dict[str, bytes | tuple[bytes, int]] = {k: v.encode() for k, v in PARTS.items()}
    members.update({"xl/workbook.xml": (stream, 1000), "xl/worksheets/sheet1.xml": roster_xml().encode()})
    refused(run_cli("check", write_zip(tmp_path / "wb.xlsx", members), "--period", PERIOD), "xl/workbook.xml", "64 MB")


def test_bounded__diff_and_vouchers_issue_take_the_same_limits(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    path = tmp_path / "花名册.csv"
    path.write_text(",".join(ROSTER_HEADER_ROW) + "\n" + "张三,\n" * 3000, encoding="utf-8")
    refused(run_cli("diff", path, path, "--max-rows", "1000"), "--max-rows")
    assert run_cli("ledger", "init", "--ledger", tmp_path / "ledger.sqlite").code == 0
    issued = run_cli(
        "vouchers",
        "issue",
        path,
        "--program",
        "luliang-2021",
        "--date",
        "2021-06-02",
        "--out",
        tmp_path / "v",
        "--ledger",
        tmp_path / "ledger.sqlite",
        "--max-rows",
        "1000",
    )
    refused(issued, "--max-rows")
