"""The batch summarised for the summary sheet of the exception workbook (its ``--json`` is built
in ``skillcli.api.payloads``)."""

from __future__ import annotations

from typing import Any

from skillcli.model import SKIP_LABELS, Severity
from skillcli.pipeline import Batch
from skillcli.version import __version__


def summary_rows(batch: Batch, lang: str | None = None) -> list[tuple[str, Any, Any]]:
    """Label/value pairs for the first sheet of exceptions.xlsx (the batch month in ``lang``)."""
    zh, en = batch.ctx.period_shown
    period = {"zh": zh, "en": en}.get(lang or "", zh if zh == en else f"{zh} / {en}")
    rows: list[tuple[str, Any, Any]] = [
        ("批次月份 / period", period, "text"),
        ("文件数 / files", len(batch.files), "int"),
    ]
    for kind, count in batch.rows.items():
        rows.append((f"{kind.label_zh}数据行 / {kind.value} rows", count, "int"))
    for name, count in batch.skipped.as_dict().items():
        if count:
            zh, en = SKIP_LABELS[name]
            rows.append((f"跳过：{zh} / skipped: {en}", count, "int"))
    rows += [
        ("错误 / errors", batch.count(Severity.ERROR), "int"),
        ("警告 / warnings", batch.count(Severity.WARNING), "int"),
        ("skillcli 版本 / version", __version__, "text"),
    ]
    for f in batch.files:
        rows.append(("输入文件 / input", f.path, "text"))
    return rows
