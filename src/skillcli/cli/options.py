"""Options shared by several commands, as ``Annotated`` types."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from skillcli.io.limits import Limits

Files = Annotated[
    list[Path], typer.Argument(help="输入文件 (.xlsx/.xls/.csv/.parquet) / input files", show_default=False)
]
Period = Annotated[
    str | None,
    typer.Option("--period", metavar="YYYY-MM", help="批次月份 YYYY-MM（默认本月）/ batch month, default: current"),
]
Json = Annotated[bool, typer.Option("--json", help="完整结果以 JSON 输出到 stdout / full result as JSON on stdout")]
OutDir = Annotated[Path | None, typer.Option("--out", metavar="DIR", help="输出目录 / output directory")]


def _one_of_languages(value: str) -> str:
    if value not in ("zh", "en"):
        raise typer.BadParameter(f"zh | en, not '{value}'")
    return value


Lang = Annotated[
    str, typer.Option("--lang", metavar="zh|en", callback=_one_of_languages, help="终端语言 zh|en / terminal language")
]
ShowIds = Annotated[bool, typer.Option("--show-ids", help="终端显示完整身份证号 / show full ID numbers on screen")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="只输出错误 / print nothing but errors")]
MaxFileMb = Annotated[int, typer.Option("--max-file-mb", help="单个文件大小上限 (MB) / per-file size limit")]
MaxExpandedMb = Annotated[
    int,
    typer.Option(
        "--max-expanded-mb", help="解压/解码后大小上限 (MB，每个压缩包成员) / limit on what a file expands to"
    ),
]
MaxCells = Annotated[
    int, typer.Option("--max-cells", help="每个工作表的单元格范围上限（行×列）/ limit on a sheet's rows × columns")
]
MaxStringsMb = Annotated[
    int, typer.Option("--max-strings-mb", help="共享字符串上限 (MB) / limit on an .xlsx's shared strings")
]
MaxRows = Annotated[int, typer.Option("--max-rows", help="CSV/Parquet 行数上限 / limit on CSV and Parquet rows")]


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """The input limits of one command line: ``--max-file-mb`` (bytes on disk, a finding rather than
    a refusal) and the limits on what a file expands to (a refusal)."""

    file_mb: int
    expand: Limits


# The five limit options as (parameter name, type, default). The defaults are those of ``Limits``.
_LIMIT_PARAMETERS = (
    ("max_file_mb", MaxFileMb, 500),
    ("max_expanded_mb", MaxExpandedMb, 1024),
    ("max_cells", MaxCells, 5_000_000),
    ("max_strings_mb", MaxStringsMb, 256),
    ("max_rows", MaxRows, 2_000_000),
)


def read_limit_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the five input-limit options, declared here once.

    The command declares a parameter ``limits: ReadLimits`` (keyword-only, last) instead of the five
    options: Typer reads the wrapper's signature, which has the five options in its place, and the
    wrapper turns the values the user gave into one checked ``ReadLimits`` (a usage error when one
    is not positive). Typer supports no grouped parameter type, hence the rewritten signature.
    """
    signature = inspect.signature(command, eval_str=True)
    kept = [p for name, p in signature.parameters.items() if name != "limits"]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
        for name, annotation, default in _LIMIT_PARAMETERS
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        values = [kwargs.pop(name) for name, _, _ in _LIMIT_PARAMETERS]
        command(*args, limits=ReadLimits(values[0], read_limits(*values[1:])), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*kept, *added])  # type: ignore[attr-defined]
    return wrapper


def read_limits(expanded_mb: int, cells: int, strings_mb: int, rows: int) -> Limits:
    """The limits on what input may expand to, from the command's flags (all must be positive)."""
    from skillcli.errors import UsageError
    from skillcli.io.limits import FLAGS, Limits

    limits = Limits(expanded_mb, cells, strings_mb, rows)
    for name, flag in FLAGS.items():
        if getattr(limits, name) <= 0:
            raise UsageError(f"{flag} 必须大于 0", f"{flag} must be positive")
    return limits


SplitBy = Annotated[
    str | None,
    typer.Option(
        "--split-by",
        help="按培训机构或单位各写一份退回清单（需 --out）：institution | enterprise"
        " / one return workbook per institution or employer (needs --out)",
    ),
]
Limit = Annotated[int, typer.Option("--limit", help="终端最多列出多少条问题 / findings listed on screen")]
PolicyId = Annotated[str, typer.Option("--policy", metavar="ID", help="政策 id（见 skillcli rules list）/ policy id")]
Params = Annotated[
    list[str] | None,
    typer.Option("--param", metavar="NAME=VALUE", help="覆盖政策参数 name=value（可多次）/ override a parameter"),
]
LedgerOpt = Annotated[
    str | None,
    typer.Option(
        "--ledger",
        metavar="PATH|URL",
        help="台账：SQLite 文件路径或 postgresql:// URL（默认：$SKILLCLI_LEDGER，再 skillcli.toml 的 ledger）"
        " / ledger path or URL (else $SKILLCLI_LEDGER, else ledger in skillcli.toml)",
    ),
]
ColumnMapOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        metavar="HEADER=COLUMN",
        help="把不认识的表头当作已知列：表头=已知列名（可多次；亦可写在 skillcli.toml 的 [columns]）"
        " / read a header as a known column: header=column (repeatable; or [columns] in skillcli.toml)",
    ),
]
