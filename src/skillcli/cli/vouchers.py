"""``skillcli vouchers programs|issue|redeem|status``: electronic training vouchers (电子培训券)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skillcli.cli import options as opt

vouchers_app = typer.Typer(
    help="电子培训券：发券、核销、状态 / Training vouchers: issue, redeem, status.", no_args_is_help=True
)
ProgramOpt = Annotated[str, typer.Option("--program", help="培训券项目 id（见 vouchers programs）/ voucher programme")]
DateOpt = Annotated[str | None, typer.Option("--date", help="日期 YYYY-MM-DD（默认今天）/ date, default today")]
OutDir = Annotated[Path, typer.Option("--out", help="输出目录 / output directory")]


@vouchers_app.command("programs")
def programs(param: opt.Params = None, json_out: opt.Json = False, lang: opt.Lang = "zh") -> None:
    """列出培训券项目：券类别、面值、年龄段、有效期、核销条件与参数 / List the voucher programmes."""
    from skillcli.api import vouchers_programs
    from skillcli.api.payloads import programs_payload
    from skillcli.cli.render import Screen, print_json
    from skillcli.cli.vouchers_render import show_program
    from skillcli.rules.load import parse_overrides

    found = vouchers_programs(parse_overrides(param or []))
    if json_out:
        print_json(programs_payload(found))
        return
    screen = Screen(lang=lang)
    for p in found:
        show_program(screen, p)


@vouchers_app.command("issue")
@opt.read_limit_options
def issue(
    files: opt.Files,
    program: ProgramOpt,
    out: OutDir,
    date: DateOpt = None,
    param: opt.Params = None,
    ledger: opt.LedgerOpt = None,
    json_out: opt.Json = False,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
    quiet: opt.Quiet = False,
    limit: opt.Limit = 20,
    column_map: opt.ColumnMapOpt = None,
    *,
    limits: opt.ReadLimits,
) -> None:
    """按名单发券：每人每个可领的券类别一张，已持有未使用的不重发 / Issue vouchers to the people of a roster.

    Writes issued.xlsx, issued.csv and not-issued.csv, and records the vouchers in the ledger in one
    transaction. Exit codes: 0 issued (or nothing new), 1 some rows have errors and got no voucher,
    2 usage error or unreadable input, 4 output directory or ledger locked.
    """
    from skillcli.api import vouchers_issue
    from skillcli.api.payloads import issue_payload
    from skillcli.cli.columns import clerk_columns
    from skillcli.cli.render import Screen, batch_summary, print_json
    from skillcli.cli.vouchers_render import issue_summary
    from skillcli.rules.load import parse_overrides

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet, results=not json_out)
    with screen.progress(len(files), screen.t("读取", "reading")) as tick:
        result = vouchers_issue(
            files,
            program,
            out,
            day=date,
            overrides=parse_overrides(param or []),
            ledger=ledger,
            max_file_mb=limits.file_mb,
            limits=limits.expand,
            progress=tick,
            columns=clerk_columns(column_map),
            lang=lang,
        )
    batch_summary(screen, result.batch, limit)
    issue_summary(screen, result, limit)
    screen.line(
        screen.t(
            f"已写出 {out}/issued.xlsx、issued.csv、not-issued.csv",
            f"wrote {out}/issued.xlsx, issued.csv, not-issued.csv",
        )
    )
    if json_out:
        print_json(issue_payload(result, screen.mask))
    raise typer.Exit(1 if result.blocked else 0)


@vouchers_app.command("redeem")
def redeem(
    completions: Annotated[Path, typer.Argument(help="结业核销表 (.xlsx/.xls/.csv) / completions sheet")],
    out: OutDir,
    date: DateOpt = None,
    program: Annotated[
        str | None, typer.Option("--program", help="只核销该项目的券（默认按文件中的券）/ programme to redeem")
    ] = None,
    param: opt.Params = None,
    commit: Annotated[
        bool, typer.Option("--commit", help="写入台账（否则为试算，只读台账）/ record in the ledger")
    ] = False,
    ledger: opt.LedgerOpt = None,
    json_out: opt.Json = False,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
    quiet: opt.Quiet = False,
    limit: opt.Limit = 20,
) -> None:
    """核销培训券并生成对培训机构的付款 / Redeem vouchers from a completions sheet and pay the institutions.

    Without --commit the run is a dry run that reads the ledger but writes nothing to it. With
    --commit the payments are a ledger run of kind "voucher" that export-bank and reconcile handle
    like any payout run. Exit codes: 0 all redeemed, 1 with exceptions, 2 usage error or unreadable
    file, 3 rows do not balance, 4 output directory locked or another run redeemed these vouchers first.
    """
    from skillcli.api import vouchers_redeem
    from skillcli.api.payloads import redeem_payload
    from skillcli.cli.render import Screen, print_json
    from skillcli.cli.vouchers_render import redeem_summary
    from skillcli.rules.load import parse_overrides

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet, results=not json_out)
    result = vouchers_redeem(
        completions,
        out,
        day=date,
        program=program,
        overrides=parse_overrides(param or []),
        commit=commit,
        ledger=ledger,
        lang=lang,
    )
    redeem_summary(screen, result, limit)
    screen.line(
        screen.t(
            f"已写出 {out}/redeemed.xlsx、redeemed.csv、exceptions.csv",
            f"wrote {out}/redeemed.xlsx, redeemed.csv, exceptions.csv",
        )
    )
    if json_out:
        print_json(redeem_payload(result, screen.mask))
    raise typer.Exit(1 if result.exceptions.height else 0)


@vouchers_app.command("status")
def status(
    program: Annotated[str | None, typer.Option("--program", help="只看该项目 / one programme")] = None,
    date: DateOpt = None,
    ledger: opt.LedgerOpt = None,
    json_out: opt.Json = False,
    lang: opt.Lang = "zh",
) -> None:
    """已发、已核销、已过期、未使用，按券类别与年龄段，核销率 / Issued, redeemed, expired, open and the rate."""
    from skillcli.api import vouchers_status
    from skillcli.api.payloads import status_payload
    from skillcli.cli.render import Screen, print_json
    from skillcli.cli.vouchers_render import show_summary

    screen = Screen(lang=lang)
    result = vouchers_status(program=program, day=date, ledger=ledger)
    summary = result.summary
    if json_out:
        print_json(status_payload(result))
        return
    show_summary(screen, summary, screen.t(f"培训券状态（截至 {summary.as_of}）", f"Vouchers as of {summary.as_of}"))
