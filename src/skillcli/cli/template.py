"""``skillcli template``: the blank workbook an institution fills in for one policy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skillcli.cli import options as opt


def template(
    policy: opt.PolicyId,
    out: Annotated[Path, typer.Option("--out", help="输出文件 FILE.xlsx / the workbook to write")],
    lang: opt.Lang = "zh",
    quiet: opt.Quiet = False,
) -> None:
    """生成培训机构填报用的空白模板（花名册、考勤、证书、填表说明）/ Write a blank workbook to fill in.

    Headers are the ones skillcli reads, enumerations and levels have dropdowns, ID columns are text.
    Exit codes: 0 written, 2 unknown policy or a bad file name.
    """
    from skillcli.api import template as write_template
    from skillcli.cli.render import Screen

    screen = Screen(lang=lang, quiet=quiet)
    result = write_template(policy, out)
    sheets = result.sheets
    counts = "、".join(f"{s.name} {len(s.columns)} 列" for s in sheets)
    screen.line(
        screen.t(
            f"已写出 {out}（{result.policy_id}：{counts}）",
            f"wrote {out} ({result.policy_id}: "
            + ", ".join(f"{s.name} {len(s.columns)} columns" for s in sheets)
            + ")",
        )
    )
