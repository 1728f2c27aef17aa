"""``skillcli check``: read and validate a batch, list every problem with the cell to fix."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import typer

from skillcli.cli import options as opt


@opt.read_limit_options
def check(
    files: opt.Files,
    period: opt.Period = None,
    json_out: opt.Json = False,
    out: opt.OutDir = None,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
    quiet: opt.Quiet = False,
    limit: opt.Limit = 20,
    column_map: opt.ColumnMapOpt = None,
    split_by: Annotated[
        str | None,
        typer.Option(
            "--split-by",
            help="按培训机构或单位各写一份退回清单（需 --out）：institution | enterprise"
            " / one return workbook per institution or employer (needs --out)",
        ),
    ] = None,
    *,
    limits: opt.ReadLimits,
) -> None:
    """校验花名册/考勤/证书，列出每个问题所在的单元格 / Validate rosters and list every problem.

    Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage error or unreadable file.
    """
    import datetime as dt

    from skillcli.api.payloads import batch_payload
    from skillcli.cli.columns import clerk_columns
    from skillcli.cli.render import Screen, batch_summary, print_json
    from skillcli.errors import UsageError
    from skillcli.model import Severity
    from skillcli.pipeline import load_batch, parse_period
    from skillcli.report.summary import summary_rows

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet)
    if split_by is not None:
        from skillcli.report.returns import SPLIT_BY

        if split_by not in SPLIT_BY:
            raise UsageError(
                f"--split-by 只能是 institution（培训机构）或 enterprise（单位），不是「{split_by}」",
                f"--split-by takes institution or enterprise, not '{split_by}'",
            )
        if out is None:
            raise UsageError("--split-by 需要同时给出 --out 目录", "--split-by needs --out DIR")
    columns = clerk_columns(column_map)
    ctx = parse_period(period, dt.date.today())
    with screen.progress(len(files), screen.t("读取", "reading")) as tick:
        batch = load_batch(files, ctx, max_file_mb=limits.file_mb, limits=limits.expand, progress=tick, columns=columns)
    batch_summary(screen, batch, limit, full_list=out / "exceptions.xlsx" if out is not None else None)
    if out is not None:
        # The writers (xlsxwriter, the temp-file machinery) only when there is something to write.
        from skillcli.io.writer import OutputSet
        from skillcli.report.exceptions import write_exceptions_csv, write_exceptions_xlsx

        with OutputSet(out, files) as outputs:
            write_exceptions_xlsx(
                batch.findings, batch.raw, outputs.path("exceptions.xlsx"), summary_rows(batch), lang=lang
            )
            write_exceptions_csv(batch.findings, outputs.path("exceptions.csv"))
            returns: list[Any] = []
            contact: Mapping[str, Any] = {}
            if split_by is not None:
                from skillcli.config import load_config
                from skillcli.report.returns import write_returns

                contact = load_config().table("contact")
                returns = write_returns(batch, split_by, outputs, contact, dt.date.today())
            outputs.commit()
        screen.line(
            screen.t(
                f"已写出 {out / 'exceptions.xlsx'} 和 exceptions.csv",
                f"wrote {out / 'exceptions.xlsx'} and exceptions.csv",
            )
        )
        if split_by is not None:
            screen.line(
                screen.t(
                    f"已按{SPLIT_BY[split_by][1]}写出 {len(returns)} 份退回清单（{out}/退回_*.xlsx）",
                    f"wrote {len(returns)} return workbooks, one per {split_by} ({out}/退回_*.xlsx)",
                )
            )
            if not contact:
                screen.line(
                    screen.t(
                        "退回清单封面没有联系人：如需写明，请在 skillcli.toml 的 [contact] 表中填写联系人和电话",
                        "the returns' covers name no contact: add one in the [contact] table of skillcli.toml",
                    )
                )
    if json_out:
        print_json(batch_payload(batch, screen.mask))
    errors, warnings = batch.count(Severity.ERROR), batch.count(Severity.WARNING)
    screen.line(
        screen.t(f"错误 {errors} 条，警告 {warnings} 条", f"{errors} errors, {warnings} warnings"),
        style="bold red" if errors else "bold green",
    )
    raise typer.Exit(1 if errors else 0)
