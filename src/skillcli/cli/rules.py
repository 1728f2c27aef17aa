"""``skillcli rules list|show|check|test``: the policies as data, inspected and tested."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skillcli.cli import options as opt

rules_app = typer.Typer(help="政策规则文件：列出、查看、检查、测试 / Policy rule files.", no_args_is_help=True)
RulesDir = Annotated[
    Path | None,
    typer.Option(
        "--rules", "--rules-dir", help="规则目录（默认随程序安装的规则）/ rules folder, default: the installed rules"
    ),
]


@rules_app.command("list")
def list_rules(rules_dir: RulesDir = None, lang: opt.Lang = "zh") -> None:
    """列出可用政策 / List the policies."""
    from skillcli.cli.render import Screen
    from skillcli.rules.load import load_policy, require_policies

    screen = Screen(lang=lang)
    rows = []
    for path in require_policies(rules_dir).values():
        policy = load_policy(path)
        rows.append(
            [
                policy.id,
                policy.title,
                policy.region,
                f"{policy.effective_from}～{policy.effective_to or ''}",
                len(policy.rules),
                path.name,
            ]
        )
    screen.table(
        screen.t("政策", "Policies"),
        [
            "id",
            screen.t("名称", "title"),
            screen.t("地区", "region"),
            screen.t("有效期", "effective"),
            screen.t("规则数", "rules"),
            screen.t("文件", "file"),
        ],
        rows,
    )


@rules_app.command("show")
def show(
    policy_id: Annotated[str, typer.Argument(help="政策 id")],
    rules_dir: RulesDir = None,
    param: opt.Params = None,
    lang: opt.Lang = "zh",
) -> None:
    """显示政策的参数、规则与条款 / Show a policy's parameters, rules and clauses."""
    from skillcli.cli.render import Screen, show_policy
    from skillcli.rules.load import find_policy, load_policy, parse_overrides

    show_policy(Screen(lang=lang), load_policy(find_policy(policy_id, rules_dir), parse_overrides(param or [])))


@rules_app.command("check")
def check_rules(
    path: Annotated[Path | None, typer.Argument(help="规则文件或目录 / file or folder")] = None, lang: opt.Lang = "zh"
) -> None:
    """检查规则文件（未知字段、缺条款、等级表缺级、有效期、过期）/ Lint rule files. Exit 1 on errors.

    A folder's vouchers/ subfolder (training-voucher programmes) is checked too.
    """
    import datetime as dt

    from skillcli.cli.render import Screen
    from skillcli.rules.lint import lint_paths
    from skillcli.rules.load import policy_paths
    from skillcli.rules.locate import nothing_found, rules_source
    from skillcli.vouchers.program import SUBFOLDER, lint_program_paths, program_paths

    screen = Screen(lang=lang)
    target = path or rules_source().path
    if target.is_dir():
        paths = sorted(policy_paths(target).values())
        programs = sorted(program_paths(target).values())
        if path is None and not paths + programs:
            raise nothing_found("规则文件", "rules files", rules_source())
    elif target.parent.name == SUBFOLDER:
        paths, programs = [], [target]
    else:
        paths, programs = [target], []
    messages = lint_paths(paths, dt.date.today()) + lint_program_paths(programs, dt.date.today())
    paths = paths + programs
    screen.table(
        screen.t("规则检查", "Rules lint"),
        [screen.t("文件", "file"), screen.t("级别", "severity"), screen.t("说明", "message")],
        [[m.file, m.severity, screen.t(m.message_zh, m.message_en)] for m in messages],
    )
    errors = sum(m.severity == "error" for m in messages)
    screen.line(
        screen.t(
            f"{len(paths)} 个文件，错误 {errors}，警告 {len(messages) - errors}",
            f"{len(paths)} files, {errors} errors, {len(messages) - errors} warnings",
        )
    )
    raise typer.Exit(1 if errors else 0)


@rules_app.command("test")
def test_rules(
    policy_id: Annotated[str | None, typer.Argument(help="只测一个政策 / one policy only")] = None,
    rules_dir: RulesDir = None,
    lang: opt.Lang = "zh",
) -> None:
    """运行每个政策旁的测试用例并检查覆盖 / Run each policy's cases and check coverage. Exit 1 on failure."""
    from skillcli.api.cases import run_cases
    from skillcli.cli.render import Screen
    from skillcli.rules.load import find_policy, require_policies

    screen = Screen(lang=lang)
    paths = [find_policy(policy_id, rules_dir)] if policy_id else list(require_policies(rules_dir).values())
    failed = 0
    rows: list[list[str]] = []
    blind_rows: list[list[str]] = []
    for path in paths:
        policy, results, gaps = run_cases(path)
        for result in results:
            shown = "ok" if result.ok else "FAIL"
            if result.ok and result.readings:
                shown = screen.t("ok（按口径）", "ok (by reading)")
            (blind_rows if result.blind else rows).append(
                [policy.id, result.case, shown, "; ".join(result.problems + result.readings)]
            )
            failed += not result.ok
        for gap in gaps:
            rows.append([policy.id, "—", "FAIL", gap])
            failed += 1
    headers = [
        screen.t("政策", "policy"),
        screen.t("用例", "case"),
        screen.t("结果", "result"),
        screen.t("问题", "problems"),
    ]
    screen.table(screen.t("规则用例", "Rule cases"), headers, rows)
    if blind_rows:
        # Blind cases are written from the document alone; they are reported on their own so that a
        # disagreement with an independent reading is seen as such.
        screen.table(
            screen.t("盲测用例（依原文独立编写）", "Blind cases (written from the document alone)"), headers, blind_rows
        )
    total = len(rows) + len(blind_rows)
    screen.line(
        screen.t(
            f"{total - failed} 通过，{failed} 失败（其中盲测 {len(blind_rows)} 个）",
            f"{total - failed} passed, {failed} failed ({len(blind_rows)} blind cases)",
        )
    )
    raise typer.Exit(1 if failed else 0)
