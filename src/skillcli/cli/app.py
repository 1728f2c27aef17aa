"""The ``skillcli`` entry point: the Typer app and the one place exceptions become exit codes.

Exit codes (see README): 0 ok, 1 findings/exceptions, 2 usage error or unreadable input,
3 internal inconsistency or unexpected error, 4 locked by another run. ``--debug`` anywhere on the
command line shows the traceback of an unexpected error; without it the user gets one line.
"""

from __future__ import annotations

import gc
import importlib
import sys
from difflib import get_close_matches
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from typer import _click
from typer.core import TyperArgument, TyperGroup, TyperOption

# Every command: its name, the module and attribute that define it (a command function or a Typer
# group), and its one-line help as ``skillcli --help`` lists it. Only the invoked command's module
# is imported and only its parameters are built: typer builds each parameter through inspect and
# typing (and pydantic at parse time), which for all commands cost more than a 100-row check itself.
# ``--help`` lists this table instead of loading every command; tests/test_cli_startup.py keeps the
# help texts in step with the commands' own. Commands come first, then groups, as typer orders them.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "check": (
        "skillcli.cli.check",
        "check",
        "校验花名册/考勤/证书，列出每个问题所在的单元格 / Validate rosters and list every problem.",
    ),
    "payout": (
        "skillcli.cli.payout",
        "payout",
        "按政策计算补贴：谁、多少、付给谁，其余为什么不发 / Decide who is paid how much, and why not the others.",
    ),
    "explain": (
        "skillcli.cli.explain",
        "explain",
        "逐条解释某人的补贴计算（条件、取值、公式、条款）/ Explain one person's payout rule by rule.",
    ),
    "template": (
        "skillcli.cli.template",
        "template",
        "生成培训机构填报用的空白模板（花名册、考勤、证书、填表说明）/ Write a blank workbook to fill in.",
    ),
    "export-bank": (
        "skillcli.cli.export_bank",
        "export_bank",
        "生成代发文件：每个收款方一行，按收款方类型分表 / Write the bank disbursement file of a run.",
    ),
    "reissue": (
        "skillcli.cli.export_bank",
        "reissue",
        "补发：银行回盘失败且尚未补发的代发行，用各收款方最新账号 / Pay a run's failed bank lines again.",
    ),
    "publish": (
        "skillcli.cli.publish",
        "publish",
        "生成拟发放名单公示（身份证号码脱敏，按补贴项目分组合计，A4 打印）/ Write the public notice of a run.",
    ),
    "statement": (
        "skillcli.cli.statement",
        "statement",
        "收款方对账单：付款行、批次、银行结果与余额 / A payee's statement: lines, runs, bank results, balance.",
    ),
    "reconcile": (
        "skillcli.cli.reconcile",
        "reconcile",
        "回盘对账：已支付、失败待补发、金额不符、回盘有台账无、台账有回盘无、处理中 / Reconcile a bank return.",
    ),
    "diff": (
        "skillcli.cli.diff",
        "diff",
        "比较两次报送：新增、删除、修改的行，以及对补贴的影响 / Compare two submissions of a batch.",
    ),
    "simulate": (
        "skillcli.cli.simulate",
        "simulate",
        "模拟测算：改参数或政策后重算全年已登记批次 / Re-decide a year's committed runs with changed parameters.",
    ),
    "rules": ("skillcli.cli.rules", "rules_app", "政策规则文件：列出、查看、检查、测试 / Policy rule files."),
    "ledger": ("skillcli.cli.ledger", "ledger_app", "补贴发放台账 / The payment ledger."),
    "report": ("skillcli.cli.report", "report_app", "补贴资金使用情况报表 / Fund reports from the ledger."),
    "vouchers": (
        "skillcli.cli.vouchers",
        "vouchers_app",
        "电子培训券：发券、核销、状态 / Training vouchers: issue, redeem, status.",
    ),
}


def load_command(name: str) -> _click.Command:
    """Build the click command ``name`` exactly as typer builds it for the whole app, alone.

    A throw-away Typer with the root's settings holds just this one command (or group), so typer's
    own code turns it into the same click object it would be inside the full group.
    """
    module_name, attribute, _ = COMMANDS[name]
    target = getattr(importlib.import_module(module_name), attribute)
    single = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
    if isinstance(target, typer.Typer):
        single.add_typer(target, name=name)
    else:
        single.command(name=name)(target)
    command = typer.main.get_group(single).commands[name]
    plain_metavars(command)
    _resume_collector()
    return command


# Start-up creates some 60 000 objects that live as long as the process (modules, classes, typer's
# and pydantic's schemas, Polars' and Pandera's API), and with the collector running the whole time
# they were walked again and again while they were made (140 collections), then once more at exit:
# 0.15-0.2 s of a 100-row check's 0.6 s (issue 16, measured on the 2-core machine). The skillcli
# process therefore imports its command with the collector paused, then freezes what start-up made
# (``gc.freeze``: never walked again) and collects as usual from there, so that a long run's cyclic
# garbage is still freed. A caller that runs ``main`` in its own process (the tests) is left alone.
_COLLECTOR = {"paused": False}


def _pause_collector() -> None:
    if gc.isenabled():
        gc.disable()
        _COLLECTOR["paused"] = True


def _resume_collector() -> None:
    if _COLLECTOR["paused"]:
        _COLLECTOR["paused"] = False
        gc.freeze()
        gc.enable()


class PlainArgument(TyperArgument):
    """An argument as the usage line and the help show it: ``FILES...``, never typer's ``{files}...``
    (braces a clerk would type) nor a Python type such as ``<list[Path]>``."""

    def _usage_display_name(self) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name + ("..." if self.nargs != 1 else "")

    def _rich_display_name(self) -> str:
        return self.display_name_raw + ("..." if self.nargs != 1 else "")

    def display_type_rich(self, ctx: _click.Context) -> str | None:
        return None


# An option's placeholder when the option declares none: by the type of its value, never a Python type.
_TYPE_METAVARS = {"int": "N", "float": "NUMBER", "Path": "PATH", "str": "TEXT"}


def plain_metavars(command: _click.Command) -> None:
    """Give every argument and option of ``command`` (and of its subcommands) a placeholder as a
    person reads it: an argument its name in capitals, an option its declared metavar or one by type."""
    for param in command.params:
        if isinstance(param, TyperArgument):
            param.metavar = param.metavar or (param.name or "").upper()
            param.__class__ = PlainArgument
        elif isinstance(param, TyperOption) and not param.is_flag and param.metavar is None:
            bare = param.bare_type()
            param.metavar = _TYPE_METAVARS.get(bare.removeprefix("list[").removesuffix("]"), "TEXT")
    for sub in getattr(command, "commands", {}).values():
        plain_metavars(sub)


# The terminal language of this run, set by ``main`` from the command line before click parses it:
# click's own usage errors (No such option, Missing argument …) are then shown in that language.
LANG = ["zh"]

# Click's usage messages, as (pattern on the English text, Chinese). Anything else keeps its English
# text behind a Chinese lead, so that no message is lost.
_USAGE_ZH: tuple[tuple[str, str], ...] = (
    (r"^No such option: (\S+) \(Possible options: (.+)\)$", r"没有选项 \1（相近的选项：\2）"),
    (r"^No such option: (\S+)$", r"没有选项 \1"),
    (r"^No such command '(.+)'\. Did you mean (.+)\?$", r"没有命令「\1」，是不是 \2？"),
    (r"^No such command '(.+)'\.$", r"没有命令「\1」"),
    (r"^Missing argument '(.+)'\.$", r"缺少参数 \1"),
    (r"^Missing option '(.+)'\.$", r"缺少选项 \1"),
    (r"^Missing parameter: (.+)$", r"缺少参数 \1"),
    (r"^Got unexpected extra arguments?(?:\(s\))? \((.+)\)$", r"多余的参数：\1"),
    (r"^Option '(.+)' requires an argument\.$", r"选项 \1 后面需要一个值"),
    (r"^Option '(.+)' does not take a value\.$", r"选项 \1 不带值"),
    (r"^Invalid value for '(.+)': Input should be a valid integer.*$", r"选项 \1 的值须为整数"),
    (r"^Invalid value for '(.+)': zh \| en, not '(.*)'$", r"选项 \1 只能是 zh 或 en，不能是「\2」"),
    (r"^Invalid value for '(.+)': (.+)$", r"选项 \1 的值无效：\2"),
    (r"^Invalid value: (.+)$", r"值无效：\1"),
)


def usage_zh(message: str) -> str:
    """Click's usage message in Chinese (the option names and values as typed)."""
    import re

    for pattern, replacement in _USAGE_ZH:
        if re.match(pattern, message):
            return re.sub(pattern, replacement, message)
    return f"用法错误：{message}"


def _localised(exc: _click.exceptions.UsageError) -> None:
    """Show ``exc`` in this run's language when click prints it: one error line after the usage and
    the hint, exit code 2 as before. The help that ``no_args_is_help`` prints is left as it is."""
    if LANG[0] == "en" or isinstance(exc, _click.exceptions.NoArgsIsHelpError):
        return

    def show(file: IO[Any] | None = None) -> None:
        out = sys.stderr if file is None else file
        if exc.ctx is not None:
            out.write(f"{exc.ctx.get_usage()}\n")
            out.write(f"用 '{exc.ctx.command_path} --help' 查看帮助。\n\n")
        out.write(f"错误：{usage_zh(exc.format_message())}\n")

    exc.show = show  # type: ignore[method-assign]


class LazyGroup(TyperGroup):
    """The root group: commands are built on first use, from ``COMMANDS``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_metavars(self)

    def make_context(
        self, info_name: str | None, args: list[str], parent: _click.Context | None = None, **extra: Any
    ) -> _click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except _click.exceptions.UsageError as exc:
            _localised(exc)
            raise

    def invoke(self, ctx: _click.Context) -> Any:
        # A command's own options are parsed here, when the group builds the command's context.
        try:
            return super().invoke(ctx)
        except _click.exceptions.UsageError as exc:
            _localised(exc)
            raise

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = load_command(cmd_name)
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return list(COMMANDS)

    def format_commands(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        # The same layout as TyperGroup.format_commands, from the table instead of built commands.
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, make_default_short_help(help_line, limit)) for name, (_, _, help_line) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(
        self, ctx: _click.Context, args: list[str]
    ) -> tuple[str | None, _click.Command | None, list[str]]:
        # TyperGroup suggests close names from the commands built so far, which here are none.
        try:
            return self._click_resolve_command(ctx, args)
        except _click.exceptions.UsageError as exc:
            matches = get_close_matches(args[0], list(COMMANDS)) if args else []
            if matches:
                exc.message = exc.message.rstrip(".") + ". Did you mean " + ", ".join(map(repr, matches)) + "?"
            raise


def make_default_short_help(help_line: str, limit: int) -> str:
    """Click's shortening of a help text to ``limit`` characters (what ``--help`` shows per command)."""
    from typer._click.utils import make_default_short_help as shorten

    return shorten(help_line, limit)


app = typer.Typer(
    name="skillcli",
    cls=LazyGroup,
    help="职业技能培训补贴：花名册校验与补贴发放 / Vocational-training subsidy checks and payouts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


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

    if argv is None:  # the skillcli process itself (its console script, python -m skillcli)
        _pause_collector()
    survive_code_pages()
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    lang = _lang(args)
    LANG[0] = lang
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
    finally:
        _resume_collector()  # for a run that loaded no command (--help, a usage error)


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
