"""The ``skillcli`` entry point: the Typer app and the one place exceptions become exit codes.

Exit codes (see README): 0 ok, 1 findings/exceptions, 2 usage error or unreadable input,
3 internal inconsistency or unexpected error, 4 locked by another run. ``--debug`` anywhere on the
command line shows the traceback of an unexpected error; without it the user gets one line.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from skillcli.cli.check import check
from skillcli.cli.diff import diff
from skillcli.cli.explain import explain
from skillcli.cli.export_bank import export_bank, reissue
from skillcli.cli.ledger import ledger_app
from skillcli.cli.payout import payout
from skillcli.cli.publish import publish
from skillcli.cli.reconcile import reconcile
from skillcli.cli.report import report_app
from skillcli.cli.rules import rules_app
from skillcli.cli.simulate import simulate
from skillcli.cli.statement import statement
from skillcli.cli.template import template
from skillcli.cli.vouchers import vouchers_app

app = typer.Typer(
    name="skillcli",
    help="职业技能培训补贴：花名册校验与补贴发放 / Vocational-training subsidy checks and payouts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)
app.command(name="check")(check)
app.command(name="payout")(payout)
app.command(name="explain")(explain)
app.command(name="template")(template)
app.add_typer(rules_app, name="rules")
app.add_typer(ledger_app, name="ledger")
app.command(name="export-bank")(export_bank)
app.command(name="reissue")(reissue)
app.command(name="publish")(publish)
app.command(name="statement")(statement)
app.command(name="reconcile")(reconcile)
app.add_typer(report_app, name="report")
app.add_typer(vouchers_app, name="vouchers")
app.command(name="diff")(diff)
app.command(name="simulate")(simulate)


def _rules_option(value: Path | None) -> None:
    # Eager, and called on every invocation (also without --rules), so one in-process run never
    # inherits the folder of the previous one. Without --rules and with the rules package not yet
    # loaded there is nothing to reset: `check` starts without importing it.
    if value is None and "skillcli.rules.locate" not in sys.modules:
        return
    from skillcli.rules.locate import RULES_OPTION

    RULES_OPTION[:] = [value] if value is not None else []


def _version(value: bool) -> None:
    """``--version``: the version and the SHA-256 of the rules in effect (and of the bundled copy, if
    another folder is in effect), on stdout. Not eager, so a ``--rules`` anywhere is already applied."""
    if not value:
        return
    from skillcli.rules.locate import RulesSource, bundled_rules, rules_digest, rules_source
    from skillcli.version import __version__

    lines = [f"skillcli {__version__}"]
    sources = [rules_source()]
    bundled = bundled_rules()
    if bundled is not None and bundled != sources[0].path:
        sources.append(RulesSource(bundled, "bundled"))
    for source in sources:
        digest, count = rules_digest(source.path) if source.path.is_dir() else ("-", 0)
        lines.append(f"rules sha256:{digest} ({count} files; {source.origin}: {source.path})")
    sys.stdout.write("\n".join(lines) + "\n")
    raise typer.Exit(0)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="出错时显示完整调用栈 / show tracebacks"),
    log_file: str = typer.Option(
        "", "--log-file", help="把终端输出（已脱敏）追加到日志文件 / append the (masked) terminal output to a log file"
    ),
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            is_eager=True,
            callback=_rules_option,
            help="规则目录（默认随程序安装的规则；也可用环境变量 SKILLCLI_RULES）/ rules folder, default: the installed rules",
        ),
    ] = None,
    version: bool = typer.Option(
        False, "--version", callback=_version, help="显示版本与规则的 SHA-256 / show the version and the rules' SHA-256"
    ),
) -> None:
    """职业技能培训补贴：花名册校验与补贴发放 / Vocational-training subsidy checks and payouts."""
    from skillcli.cli import render

    render.LOG_FILE[:] = [log_file] if log_file else []


def _lang(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return "zh"


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit with its code; translate every exception into one line on stderr.

    Typer runs in standalone mode, so usage errors print their usage line and exit 2 and
    ``typer.Exit`` becomes ``SystemExit``; everything else that escapes a command lands here.
    """
    from skillcli.cli.render import survive_code_pages
    from skillcli.errors import SkillcliError
    from skillcli.text import shown

    survive_code_pages()
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    lang = _lang(args)
    try:
        app(args=args, prog_name="skillcli")
    except SkillcliError as exc:
        if debug:
            raise
        _fail(shown(exc.message(lang)))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("已中止 / interrupted\n")
        sys.exit(130)
    except Exception as exc:
        if debug:
            raise
        environment = _environment_failure(exc)
        if environment is not None:
            code, line = environment
            _fail(shown(line))
            sys.exit(code)
        _fail(
            f"内部错误 / internal error: {type(exc).__name__}: {shown(str(exc))[:200]} "
            "(--debug 查看详情 / --debug for details)"
        )
        sys.exit(3)


def _environment_failure(exc: Exception) -> tuple[int, str] | None:
    """Failures of the machine, not of skillcli: exit 2 (4 for a lock wait) with one line.

    Exit 3 is kept for what only a bug can cause (control totals that do not balance); a full
    disk, a read-only folder or a database that went away must not look like one.
    """
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        reason = exc.strerror or type(exc).__name__
        return 2, f"文件系统错误{where}：{reason} / file system error{where}: {reason}"
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError):
        from skillcli.ledger.store import is_lock_wait

        if is_lock_wait(exc):
            return 4, "台账正被另一个进程写入，请稍后重试 / the ledger is locked by another run; try again"
        return (
            2,
            "台账无法访问或已损坏（--debug 查看详情）/ the ledger cannot be reached or is damaged (--debug for details)",
        )
    return None


def _fail(line: str) -> None:
    """The one line of a failed run: on stderr and, with --log-file, in the log as well."""
    from skillcli.cli import render

    sys.stderr.write(line + "\n")
    if render.LOG_FILE:
        try:
            with open(render.LOG_FILE[0], "a", encoding="utf-8") as log:
                log.write(line + "\n")
        except OSError:
            pass  # the log is a copy: failing to append to it must not hide the error itself
