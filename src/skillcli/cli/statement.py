"""``skillcli statement``: one payee's 对账单 from the ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skillcli.cli import options as opt


def statement(
    payee_id: Annotated[str, typer.Argument(help="统一社会信用代码或身份证号码 / the payee's code or ID number")],
    *,
    out: Annotated[Path, typer.Option("--out", help="对账单 .xlsx / output workbook")],
    year: Annotated[int | None, typer.Option("--year", help="年度（默认全部）/ year (default: all)")] = None,
    ledger: opt.LedgerOpt = None,
    json_out: opt.Json = False,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
    quiet: opt.Quiet = False,
) -> None:
    """收款方对账单：付款行、批次、银行结果与余额 / A payee's statement: lines, runs, bank results, balance.

    Exit codes: 0 written, 2 usage error (no lines for this payee in that year), 4 locked.
    """
    from skillcli.api import statement as payee_statement
    from skillcli.api.payloads import statement_payload
    from skillcli.cli.render import Screen, print_json
    from skillcli.money import format_yuan
    from skillcli.text import mask_id

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet, results=not json_out)
    t = screen.t
    result = payee_statement(payee_id, out, ledger=ledger, year=year)
    st = result.statement
    # A person's ID is masked; a body's 统一社会信用代码 is public, as the statement file shows it.
    shown = st.payee_id if show_ids or st.payee_type != "person" else mask_id(st.payee_id)
    balance = result.balance
    labels = [
        ("entitled_fen", "应发合计", "entitled"),
        ("exported_fen", "已导出代发", "exported"),
        ("paid_fen", "银行已付", "paid by the bank"),
        ("failed_fen", "失败待补发", "failed, to reissue"),
        ("pending_fen", "银行处理中", "pending at the bank"),
        ("awaiting_fen", "已导出、银行尚未回盘", "exported, no return yet"),
        ("outstanding_fen", "未付余额", "outstanding"),
    ]
    screen.table(
        t(f"对账单 {st.payee_name or ''} {shown}", f"Statement {st.payee_name or ''} {shown}"),
        [t("项目", "item"), t("金额(元)", "yuan")],
        [[t(zh, en), format_yuan(balance[key], grouping=True)] for key, zh, en in labels],
        justify=["left", "right"],
    )
    screen.line(t(f"已写出 {out}", f"wrote {out}"))
    if json_out:
        print_json(statement_payload(result))
