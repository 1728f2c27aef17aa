"""``skillcli statement``: one payee's 对账单 from the ledger."""

from __future__ import annotations

import datetime as dt
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
    import polars as pl

    from skillcli.cli.render import Screen, print_json
    from skillcli.errors import UsageError
    from skillcli.io.writer import OutputSet
    from skillcli.ledger.queries import bank_outcomes, live_lines, live_runs
    from skillcli.ledger.store import Ledger
    from skillcli.money import format_yuan
    from skillcli.report.statement import Statement, write_statement
    from skillcli.schema.parse import compact_upper
    from skillcli.text import mask_id

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet)
    t = screen.t
    wanted = str(pl.select(compact_upper(pl.lit(payee_id))).item() or "")
    shown = wanted if show_ids else mask_id(wanted)
    store = Ledger.ready(ledger)
    runs = [r for r in live_runs(store.runs()) if year is None or str(r["period"]).startswith(f"{year}-")]
    run_ids = [r["run_id"] for r in runs]
    lines = live_lines(store, run_ids).filter(pl.col("payee_id") == wanted)
    if lines.height == 0:
        where = f"{year} 年" if year else ""
        raise UsageError(
            f"台账中没有收款方 {shown} {where}的付款行", f"no lines for payee {shown}{f' in {year}' if year else ''}"
        )
    outcomes = bank_outcomes(store, sorted(set(lines.get_column("run_id").to_list()))).filter(
        pl.col("payee_id") == wanted
    )
    st = Statement(wanted, year, runs, lines, outcomes)
    with OutputSet(out.parent, store.files) as outputs:
        write_statement(outputs.path(out.name), st, dt.date.today())
        outputs.commit()
    balance = st.balance()
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
        print_json({"payee_name": st.payee_name, "year": year, "lines": lines.height, **balance})
