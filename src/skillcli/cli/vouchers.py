"""``skillcli vouchers programs|issue|redeem|status``: electronic training vouchers (电子培训券)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from skillcli.cli import options as opt

if TYPE_CHECKING:
    import polars as pl

    from skillcli.cli.render import Screen
    from skillcli.vouchers.status import VoucherSummary

vouchers_app = typer.Typer(
    help="电子培训券：发券、核销、状态 / Training vouchers: issue, redeem, status.", no_args_is_help=True
)
ProgramOpt = Annotated[str, typer.Option("--program", help="培训券项目 id（见 vouchers programs）/ voucher programme")]
DateOpt = Annotated[str | None, typer.Option("--date", help="日期 YYYY-MM-DD（默认今天）/ date, default today")]
OutDir = Annotated[Path, typer.Option("--out", help="输出目录 / output directory")]


@vouchers_app.command("programs")
def programs(param: opt.Params = None, json_out: opt.Json = False, lang: opt.Lang = "zh") -> None:
    """列出培训券项目：券类别、面值、年龄段、有效期、核销条件与参数 / List the voucher programmes."""
    from skillcli.cli.render import Screen, print_json
    from skillcli.money import format_yuan
    from skillcli.rules.load import parse_overrides
    from skillcli.vouchers.program import load_programs, no_programs

    screen = Screen(lang=lang)
    t = screen.t
    found = load_programs(overrides=parse_overrides(param or []))
    if not found:
        raise no_programs()
    if json_out:
        print_json({"programs": [_program_payload(p) for p in found.values()]})
        return
    for p in found.values():
        screen.line(f"{p.id}  {p.title}（{p.region}，{p.effective_from}～{p.effective_to or ''}，券号前缀 {p.prefix}）")
        screen.table(
            t("券类别", "Categories"),
            [
                t("编号", "id"),
                t("券类别", "category"),
                t("面值(元)", "face"),
                t("年龄段", "age groups"),
                t("人员类别", "person categories"),
                t("条款", "clause"),
            ],
            [
                [
                    c.id,
                    c.name,
                    format_yuan(c.face_fen),
                    "、".join(c.age_groups),
                    "、".join(c.person_categories) if c.person_categories else t("不限", "any"),
                    c.clause,
                ]
                for c in p.categories
            ],
        )
        screen.table(
            t("年龄段（发券日周岁）", "Age groups (whole years on the issue date)"),
            [t("年龄段", "group"), t("年龄", "ages"), t("培训方向", "training offered"), t("条款", "clause")],
            [
                [g.id, f"{g.min_age}–{g.max_age if g.max_age is not None else ''}", g.offer, g.clause]
                for g in p.age_groups
            ],
        )
        screen.table(
            t("参数", "Parameters"),
            [t("名称", "name"), t("值", "value"), t("假设", "assumption"), t("条款", "clause"), t("说明", "doc")],
            [
                [q.name, str(q.value) + (" *" if q.overridden else ""), "是" if q.assumption else "", q.clause, q.doc]
                for q in p.parameters.values()
            ],
        )


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
    *,
    limits: opt.ReadLimits,
) -> None:
    """按名单发券：每人每个可领的券类别一张，已持有未使用的不重发 / Issue vouchers to the people of a roster.

    Writes issued.xlsx, issued.csv and not-issued.csv, and records the vouchers in the ledger in one
    transaction. Exit codes: 0 issued (or nothing new), 1 some rows have errors and got no voucher,
    2 usage error or unreadable input, 4 output directory or ledger locked.
    """
    from skillcli.cli.ledger import open_ledger
    from skillcli.cli.render import Screen, batch_summary, print_json
    from skillcli.rules.load import parse_overrides
    from skillcli.vouchers.pipeline import issue as issue_vouchers
    from skillcli.vouchers.pipeline import parse_day
    from skillcli.vouchers.program import find_program, load_program

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet)
    day = parse_day(date)
    chosen = load_program(find_program(program), parse_overrides(param or []))
    store = open_ledger(ledger, commit=True)
    assert store is not None
    with screen.progress(len(files), screen.t("读取", "reading")) as tick:
        result = issue_vouchers(files, chosen, day, store, out, max_file_mb=limits.file_mb, limits=limits.expand, progress=tick)
    batch_summary(screen, result.batch, limit)
    _issue_summary(screen, result, limit)
    screen.line(
        screen.t(
            f"已写出 {out}/issued.xlsx、issued.csv、not-issued.csv",
            f"wrote {out}/issued.xlsx, issued.csv, not-issued.csv",
        )
    )
    if json_out:
        print_json(_issue_payload(screen, result, store.name))
    raise typer.Exit(1 if result.plan.blocked else 0)


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
    from skillcli.cli.ledger import open_ledger
    from skillcli.cli.render import Screen, print_json
    from skillcli.rules.load import parse_overrides
    from skillcli.vouchers.pipeline import parse_day
    from skillcli.vouchers.pipeline import redeem as redeem_file

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet)
    day = parse_day(date)
    store = open_ledger(ledger, commit=commit)
    result = redeem_file(
        completions, day, store, out, program_id=program, overrides=parse_overrides(param or []), commit=commit
    )
    _redeem_summary(screen, result, limit, commit)
    screen.line(
        screen.t(
            f"已写出 {out}/redeemed.xlsx、redeemed.csv、exceptions.csv",
            f"wrote {out}/redeemed.xlsx, redeemed.csv, exceptions.csv",
        )
    )
    if json_out:
        print_json(_redeem_payload(screen, result, store.name if store else None))
    raise typer.Exit(1 if result.redemption.exceptions.height else 0)


@vouchers_app.command("status")
def status(
    program: Annotated[str | None, typer.Option("--program", help="只看该项目 / one programme")] = None,
    date: DateOpt = None,
    ledger: opt.LedgerOpt = None,
    json_out: opt.Json = False,
    lang: opt.Lang = "zh",
) -> None:
    """已发、已核销、已过期、未使用，按券类别与年龄段，核销率 / Issued, redeemed, expired, open and the rate."""
    from skillcli.cli.render import Screen, print_json
    from skillcli.ledger.store import Ledger
    from skillcli.ledger.vouchers import vouchers
    from skillcli.vouchers.pipeline import parse_day
    from skillcli.vouchers.status import payload, summarise

    screen = Screen(lang=lang)
    store = Ledger.ready(ledger)
    summary = summarise(vouchers(store, program_id=program), parse_day(date))
    if json_out:
        print_json({"program": program, "ledger": store.name, **payload(summary)})
        return
    show_summary(screen, summary, screen.t(f"培训券状态（截至 {summary.as_of}）", f"Vouchers as of {summary.as_of}"))


# -- rendering -------------------------------------------------------------------------------------
def _program_payload(p: Any) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": p.title,
        "region": p.region,
        "document": p.document,
        "effective": [str(p.effective_from), str(p.effective_to) if p.effective_to else None],
        "prefix": p.prefix,
        "validity_days": p.validity_days,
        "min_attendance": str(p.min_attendance),
        "require_pass": p.require_pass,
        "categories": [
            {
                "id": c.id,
                "name": c.name,
                "face_fen": c.face_fen,
                "age_groups": list(c.age_groups),
                "person_categories": list(c.person_categories) if c.person_categories else None,
                "clause": c.clause,
            }
            for c in p.categories
        ],
        "age_groups": [
            {"id": g.id, "min": g.min_age, "max": g.max_age, "offer": g.offer, "clause": g.clause} for g in p.age_groups
        ],
        "parameters": {
            q.name: {
                "value": str(q.value) if not isinstance(q.value, (bool, int, list)) else q.value,
                "assumption": q.assumption,
                "overridden": q.overridden,
            }
            for q in p.parameters.values()
        },
    }


def _masked(screen: Screen, row: dict[str, Any]) -> dict[str, Any]:
    """A record for --json with every ID-like number in its texts masked (unless --show-ids)."""
    return {k: screen.mask(v) if isinstance(v, str) else v for k, v in row.items()}


def _reason_table(screen: Screen, title: tuple[str, str], frame: pl.DataFrame, limit: int) -> None:
    if not frame.height:
        return
    t = screen.t
    shown = frame.head(limit)
    screen.table(
        t(
            f"{title[0]}（前 {shown.height} 条，共 {frame.height} 条）",
            f"{title[1]} (first {shown.height} of {frame.height})",
        ),
        [t("行", "row"), t("身份证号码", "ID"), t("券类别", "category"), t("代码", "code"), t("说明", "message")],
        [
            [
                r["row"],
                r["person_id"] or "",
                r["category"] or "",
                r["code"],
                r["message_zh"] if screen.lang == "zh" else r["message_en"],
            ]
            for r in shown.iter_rows(named=True)
        ],
        justify=["right", "left", "left", "left", "left"],
    )


def _issue_summary(screen: Screen, result: Any, limit: int) -> None:
    import polars as pl

    from skillcli.money import format_yuan

    t = screen.t
    plan = result.plan
    issued = plan.issued
    if issued.height:
        counts = (
            issued.group_by("category_id", "category")
            .agg(pl.len().alias("n"), pl.col("face_fen").sum().alias("fen"))
            .sort("category_id")
        )
        screen.table(
            t("发券（按券类别）", "Issued by category"),
            [t("编号", "id"), t("券类别", "category"), t("张数", "vouchers"), t("面值合计(元)", "face total")],
            [
                [r["category_id"], r["category"], r["n"], format_yuan(r["fen"], grouping=True)]
                for r in counts.iter_rows(named=True)
            ],
            justify=["left", "left", "right", "right"],
        )
    _reason_table(screen, ("未发券原因", "Not issued"), plan.not_issued, limit)
    if result.batch_id:
        screen.line(
            t(
                f"发券 {issued.height} 张，面值合计 {format_yuan(plan.face_fen, grouping=True)} 元；已写入台账，发放批次 {result.batch_id}",
                f"issued {issued.height} vouchers worth {format_yuan(plan.face_fen, grouping=True)} yuan; ledger batch {result.batch_id}",
            ),
            style="bold",
        )
    else:
        screen.line(
            t(
                "没有新发的培训券（已持有未使用券的人员不重复发放），台账未写入",
                "no new vouchers were issued (open vouchers are not issued again); the ledger is unchanged",
            ),
            style="bold",
        )


def _issue_payload(screen: Screen, result: Any, ledger: str) -> dict[str, Any]:
    plan = result.plan
    return {
        "program": plan.program.id,
        "issue_date": plan.issue_date.isoformat(),
        "ledger": ledger,
        "batch_id": result.batch_id,
        "rows": plan.rows,
        "counts": {"issued": plan.issued.height, "not_issued": plan.not_issued.height, "blocked": plan.blocked},
        "face_fen": plan.face_fen,
        "issued": [
            _masked(
                screen, r | {"issue_date": r["issue_date"].isoformat(), "expiry_date": r["expiry_date"].isoformat()}
            )
            for r in plan.issued.iter_rows(named=True)
        ],
        "not_issued": [_masked(screen, r) for r in plan.not_issued.iter_rows(named=True)],
        "findings": [_masked(screen, r) for r in result.batch.findings.iter_rows(named=True)],
    }


def _redeem_summary(screen: Screen, result: Any, limit: int, commit: bool) -> None:
    from skillcli.money import format_yuan
    from skillcli.vouchers.output import by_institution

    t = screen.t
    redemption = result.redemption
    institutions = by_institution(redemption)
    if institutions.height:
        screen.table(
            t("付款（按培训机构）", "Payments by institution"),
            [
                t("机构", "institution"),
                t("统一社会信用代码", "credit code"),
                t("张数", "vouchers"),
                t("金额(元)", "yuan"),
            ],
            [
                [r["institution"] or "", r["institution_uscc"], r["vouchers"], format_yuan(r["fen"], grouping=True)]
                for r in institutions.iter_rows(named=True)
            ],
            justify=["left", "left", "right", "right"],
        )
    _reason_table(screen, ("核销异常", "Exceptions"), redemption.exceptions, limit)
    screen.line(
        t(
            f"文件 {redemption.rows} 行：核销 {redemption.lines.height}，异常 {redemption.exception_rows}；"
            f"付款合计 {format_yuan(redemption.total_fen, grouping=True)} 元",
            f"{redemption.rows} rows: redeemed {redemption.lines.height}, exceptions {redemption.exception_rows}; "
            f"payments {format_yuan(redemption.total_fen, grouping=True)} yuan",
        ),
        style="bold",
    )
    if result.run_id:
        screen.line(
            t(
                f"已写入台账：批次 {result.run_id}（可 export-bank）",
                f"committed: run {result.run_id} (ready for export-bank)",
            )
        )
    elif commit:
        screen.line(t("没有可核销的培训券，台账未写入", "nothing to redeem; the ledger is unchanged"))
    else:
        screen.line(t("试算：未写入台账（加 --commit 登记核销）", "dry run: nothing recorded (add --commit to record)"))


def _redeem_payload(screen: Screen, result: Any, ledger: str | None) -> dict[str, Any]:
    from skillcli.vouchers.output import by_institution

    redemption = result.redemption
    return {
        "program": redemption.program.id if redemption.program else None,
        "redeem_date": redemption.redeem_date.isoformat(),
        "ledger": ledger,
        "run_id": result.run_id,
        "rows": redemption.rows,
        "counts": {"redeemed": redemption.lines.height, "exception_rows": redemption.exception_rows},
        "total_fen": redemption.total_fen,
        "redeemed": [
            {
                "row": r["_row"],
                "voucher_no": r["voucher_no"],
                "person_id": screen.mask(r["v_person"]),
                "category_id": r["v_category_id"],
                "category": r["v_category"],
                "age_group": r["v_age_group"],
                "institution_id": r["institution_uscc"],
                "institution": r["institution"],
                "end_date": r["end_date"].isoformat(),
                "attendance": r["__attendance"],
                "amount_fen": r["amount_fen"],
            }
            for r in redemption.lines.iter_rows(named=True)
        ],
        "by_institution": by_institution(redemption).to_dicts(),
        "exceptions": [_masked(screen, r) for r in redemption.exceptions.iter_rows(named=True)],
    }


def show_summary(screen: Screen, summary: VoucherSummary, title: str) -> None:
    """Totals, then by category and by age group: issued, redeemed, expired, open, rate, money."""
    from skillcli.money import format_yuan
    from skillcli.vouchers.status import rate_text

    t = screen.t
    headers = [
        t("已发", "issued"),
        t("已核销", "redeemed"),
        t("已过期", "expired"),
        t("未使用", "open"),
        t("核销率", "rate"),
        t("面值(元)", "face"),
        t("已付(元)", "paid"),
    ]

    def cells(r: dict[str, Any]) -> list[Any]:
        return [
            r["issued"],
            r["redeemed"],
            r["expired"],
            r["open"],
            rate_text(r["rate"]),
            format_yuan(r["face_fen"], grouping=True),
            format_yuan(r["paid_fen"], grouping=True),
        ]

    right = ["right"] * len(headers)
    screen.table(title, ["", *headers], [[t("合计", "total"), *cells(summary.totals)]], justify=["left", *right])
    screen.table(
        t("按券类别", "By category"),
        [t("券类别", "category"), *headers],
        [[f"{r['category_id']} {r['category']}", *cells(r)] for r in summary.by_category],
        justify=["left", *right],
    )
    screen.table(
        t("按年龄段", "By age group"),
        [t("年龄段", "age group"), *headers],
        [[r["age_group"], *cells(r)] for r in summary.by_age_group],
        justify=["left", *right],
    )
