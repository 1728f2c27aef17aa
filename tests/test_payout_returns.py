"""``payout --out DIR --split-by enterprise|institution``: one return per sender, holding what the payout found.

Two employers send one file each; the second calls 结业日期 「结班日期」 (read with ``--map``). Each return
is read back with openpyxl: the check findings, the rows held (暂不发放), the persons not eligible
(不符合条件, with the clause), the paid count and total on the cover only, and the sender's own headers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from tests.support.ids import person_id, valid_uscc
from tests.support.rosters import (
    CERT_HEADER,
    ENTERPRISE_NAME,
    PAYOUT_HEADER,
    certificate,
    payout_row,
    uncatalogued_row,
)

SUZHOU = ("--policy", "suzhou-2019", "--period", "2021-06", "--param", "shortage_occupations=电工")
OTHER, OTHER_CODE = "乙精密机械有限公司", valid_uscc("91320506MA1NNNNN1")
RENAMED = [("结班日期" if h == "结业日期" else h) for h in PAYOUT_HEADER]


def _trained(n: int, name: str, **changes: Any) -> list[Any]:
    return payout_row(n, name, "技能提升", "车工", "三级/高级工", "2021-03-01", "2021-05-31", **changes)


def _batch(make_xlsx: Any) -> list[Path]:
    first = make_xlsx(
        {
            "花名册": [
                PAYOUT_HEADER,
                _trained(1, "张伟"),  # paid 2,000.00
                _trained(2, "王芳", pensioner="是"),  # E8: not eligible
                _trained(3, "吴敏", passed="不合格"),  # not eligible: did not pass
                # A7 waits for the 困难企业名单, which only the bureau can supply.
                payout_row(7, "孙燕", "在岗培训", "车工", "无等级", "2021-04-01", "2021-05-20"),
            ],
            "证书": [
                CERT_HEADER,
                certificate(1, "张伟", "S000032000001213000001", "车工", "三级/高级工", "2021-06-10"),
                certificate(7, "孙燕", "P2021-0007", "车工", "无等级", "2021-05-25", kind="培训合格证"),
            ],
        },
        name="甲.xlsx",
    )
    other = {"employer": OTHER, "employer_code": OTHER_CODE}  # in PAYOUT_HEADER order, as RENAMED is
    second = make_xlsx(
        {
            "花名册": [
                RENAMED,
                _trained(4, "李娜", **other),  # paid 2,000.00
                _trained(5, "赵强", **other, advance="5000"),  # held: the advance exceeds what is due
                payout_row(6, "钱军", "技能提升", "车工", "三级/高级工", "2021-03-01", "2021-07-15", **other),  # open
            ],
            "证书": [
                CERT_HEADER,
                certificate(4, "李娜", "S000032000001213000004", "车工", "三级/高级工", "2021-06-10"),
                certificate(5, "赵强", "S000032000001213000005", "车工", "三级/高级工", "2021-06-10"),
            ],
        },
        name="乙.xlsx",
    )
    return [first, second]


def _cells(sheet: Any) -> list[list[Any]]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_payout_split__each_sender_learns_what_was_held_and_who_is_not_eligible(
    make_xlsx: Any, run_cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    files = _batch(make_xlsx)
    result = run_cli("payout", *files, *SUZHOU, "--out", out, "--split-by", "enterprise", "--map", "结班日期=结业日期")
    assert result.code == 1, result.stderr
    # The result on stdout; on stderr only the note that no contact is configured.
    assert "已按单位写出 2 份退回清单" in result.stdout
    assert result.stderr.splitlines() == [
        "退回清单封面没有联系人：如需写明，请在 skillcli.toml 的 [contact] 表中填写联系人和电话"
    ]

    assert sorted(p.name for p in out.glob("退回_*.xlsx")) == sorted(
        [f"退回_{ENTERPRISE_NAME}.xlsx", f"退回_{OTHER}.xlsx"]
    )

    first = load_workbook(out / f"退回_{ENTERPRISE_NAME}.xlsx")
    cover = {row[0]: row[1] for row in _cells(first["封面"]) if row[0]}
    # The paid person only as a count and total; the not eligible counted beside the errors.
    assert cover["本次发放"] == "1 人，合计 2,000.00 元（已发放人员不在本清单中）"
    assert "不符合条件 3 条" in cover["问题数"]
    roster = _cells(first["花名册问题"])
    header = roster[0]
    by_row = {r[1]: r for r in roster[1:]}
    assert sorted(by_row) == [3, 4, 5]  # 张伟 (row 2) was paid: not in the return
    pensioner = by_row[3][2]
    assert pensioner.startswith("1. 不符合条件，本次不发放：") and "（S2c" in pensioner, pensioner
    assert "不符合条件，本次不发放：" in by_row[4][2]
    assert by_row[3][header.index("姓名")] == "王芳"
    # What only the bureau can supply is the bureau's to do: the sender is not sent to skillcli's options.
    waiting = by_row[5][2]
    assert "此项由人社部门取得困难企业名单后重新核定" in waiting, waiting
    assert "skillcli" not in waiting and "--param" not in waiting
    texts = "\n".join(str(c) for sheet in first.worksheets for row in _cells(sheet) for c in row if c is not None)
    # Nobody else's trainee, and not the paid one either, by ID.
    for n in (1, 4, 5, 6):
        assert person_id(n) not in texts, n
    # Printed as check's returns are: A4 landscape, the header row on every page.
    sheet = first["花名册问题"]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.print_title_rows == "$1:$1"

    second = load_workbook(out / f"退回_{OTHER}.xlsx")
    cover = {row[0]: row[1] for row in _cells(second["封面"]) if row[0]}
    assert cover["本次发放"] == "1 人，合计 2,000.00 元（已发放人员不在本清单中）"
    roster = _cells(second["花名册问题"])
    header = roster[0]
    by_row = {r[1]: r for r in roster[1:]}
    assert sorted(by_row) == [3, 4]
    held = by_row[3][2]
    assert held.startswith("1. 暂不发放：已预拨 5,000.00 元超过应发金额 2,000.00 元"), held
    # The sender's own header, in the column and in the messages: 结班日期, never the template's 结业日期.
    assert "结班日期" in header and "结业日期" not in header
    assert "「结班日期」2021-07-15 晚于本批次所属月份 2021-06" in by_row[4][2], by_row[4][2]
    assert "结业日期" not in "\n".join(r[2] for r in roster[1:])
    for n in (1, 2, 3, 4, 7):
        assert person_id(n) not in "\n".join(str(c) for row in roster for c in row if c is not None), n


def test_payout_split__needs_out_and_a_known_split(make_xlsx: Any, run_cli: Any, tmp_path: Path) -> None:
    files = _batch(make_xlsx)
    result = run_cli("payout", *files, *SUZHOU, "--out", tmp_path / "o", "--split-by", "city")
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "--split-by" in result.stderr
    assert not (tmp_path / "o").exists()


def test_check__the_clerks_exceptions_keep_the_template_header_with_the_senders_beside_it(
    make_xlsx: Any, run_cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run_cli("check", *_batch(make_xlsx), "--period", "2021-06", "--out", out, "--map", "结班日期=结业日期")
    assert result.code == 0, result.stdout + result.stderr  # warnings only
    roster = load_workbook(out / "exceptions.xlsx")["花名册问题"]
    header = [c.value for c in roster[1]]
    # Only 乙's sheet has a row here (its end date after the period), and it wrote 结班日期.
    assert "结业日期（原表：结班日期）" in header, header
    assert "姓名" in header and not any("原表" in str(h) for h in header if h != "结业日期（原表：结班日期）")


def test_payout_split__a_run_after_the_commit_sends_back_no_paid_row_and_no_doubled_header(
    make_xlsx: Any, run_cli: Any, tmp_path: Path, ledger_url: str
) -> None:
    """Reader 7: a payout run again after its commit sent each already-paid row back as a 警告 the sender
    cannot act on, and a sender's header around the template's (实际培训费用(元) around 培训费用) came out
    doubled in the messages: 「实际实际培训费用(元)(元)」."""
    # The rows keep PAYOUT_HEADER's order; only the fee column's header is the sender's own.
    header = [("实际培训费用(元)" if h == "培训费用" else h) for h in PAYOUT_HEADER]
    batch = make_xlsx(
        {
            "花名册": [
                header,
                _trained(1, "张伟"),  # paid 2,000.00 on the first run
                # A12 is capped by the actual fee, which is blank: held, naming the sender's fee column.
                payout_row(2, "王芳", "特种作业", "电工", "无等级", "2021-04-01", "2021-05-20"),
                uncatalogued_row(3, "梁燕"),  # not in the (empty) catalogue: the bureau's to supply (reader 7)
            ],
            "证书": [
                CERT_HEADER,
                certificate(1, "张伟", "S000032000001213000001", "车工", "三级/高级工", "2021-06-10"),
                certificate(2, "王芳", "T2021-0002", "电工", "无等级", "2021-05-25", kind="特种作业操作证"),
            ],
        },
        name="甲.xlsx",
    )
    assert run_cli("ledger", "init", "--ledger", ledger_url).code == 0
    args = ("payout", batch, *SUZHOU, "--ledger", ledger_url, "--split-by", "enterprise")
    first = run_cli(*args, "--out", tmp_path / "first", "--commit")
    assert "合计 2,000.00 元" in first.stdout, first.stdout + first.stderr
    again = run_cli(*args, "--out", tmp_path / "again")
    assert "已于台账" in again.stdout  # the clerk still sees that 张伟 was paid before

    for out in (tmp_path / "first", tmp_path / "again"):
        book = load_workbook(out / f"退回_{ENTERPRISE_NAME}.xlsx")
        roster = _cells(book["花名册问题"])
        by_row = {r[1]: r for r in roster[1:]}
        assert sorted(by_row) == [3, 4], (out.name, roster)  # 张伟 is paid, not a problem of the sender
        held = by_row[3][2]
        catalogue = by_row[4][2]
        assert "此项由人社部门取得当年的补贴目录（各职业及其补贴金额）后重新核定" in catalogue, catalogue
        assert "依据「就业技能培训补贴目录」" in catalogue and "skill_training_catalogue" not in catalogue
        assert "「实际培训费用(元)」为空" in held and "按实际培训费用封顶计算" in held, held
        texts = "\n".join(str(c) for sheet in book.worksheets for row in _cells(sheet) for c in row if c is not None)
        assert "实际实际" not in texts and "(元)(元)" not in texts and "已于台账" not in texts
