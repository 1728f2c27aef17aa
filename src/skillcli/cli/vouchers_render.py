"""What the voucher commands show on screen: a programme, the vouchers issued, the redemptions and
the state of the vouchers (also part of the fund reports)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

    from skillcli.api.vouchers import VoucherIssueResult, VoucherRedeemResult
    from skillcli.cli.render import Screen
    from skillcli.vouchers.program import Program
    from skillcli.vouchers.status import VoucherSummary


def show_program(screen: Screen, p: Program) -> None:
    """A programme: its categories, age groups and parameters."""
    from skillcli.money import format_yuan

    t = screen.t
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
        [[g.id, f"{g.min_age}–{g.max_age if g.max_age is not None else ''}", g.offer, g.clause] for g in p.age_groups],
    )
    screen.table(
        t("参数", "Parameters"),
        [t("名称", "name"), t("值", "value"), t("假设", "assumption"), t("条款", "clause"), t("说明", "doc")],
        [
            [q.name, str(q.value) + (" *" if q.overridden else ""), "是" if q.assumption else "", q.clause, q.doc]
            for q in p.parameters.values()
        ],
    )


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


def issue_summary(screen: Screen, result: VoucherIssueResult, limit: int) -> None:
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


def redeem_summary(screen: Screen, result: VoucherRedeemResult, limit: int) -> None:
    from skillcli.money import format_yuan

    t = screen.t
    redemption = result.redemption
    institutions = result.by_institution
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
    elif result.committed:
        screen.line(t("没有可核销的培训券，台账未写入", "nothing to redeem; the ledger is unchanged"))
    else:
        screen.line(t("试算：未写入台账（加 --commit 登记核销）", "dry run: nothing recorded (add --commit to record)"))


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
