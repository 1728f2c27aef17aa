"""The bank side of a payment cycle: the payer block a district configures, and the upload sheets read back."""

from __future__ import annotations

from typing import Any

# skillcli.toml's [payer] table, as a district writes it (Chinese and English keys mixed).
PAYER = (
    "[payer]\n"
    '"付款单位" = "苏州市吴中区人力资源和社会保障局"\n'
    'account = "3205 0100 1234 5678 9012"\n'
    '"开户行" = "中国银行苏州吴中支行"\n'
    '"用途" = "职业技能培训补贴"\n'
)
UPLOAD_HEADER = ["序号", "收款账号", "收款账号名称", "收款账号开户行", "金额", "用途/摘要", "备注"]


def upload(book: Any, name: str) -> tuple[list[tuple[Any, ...]], list[Any], list[tuple[Any, ...]], tuple[Any, ...]]:
    """An upload sheet of an openpyxl workbook: (payer block rows, header, data rows, 合计 row)."""
    rows = [tuple(r) for r in book[name].iter_rows(values_only=True)]
    top = next(i for i, r in enumerate(rows) if r[0] == "序号")
    total = next(i for i, r in enumerate(rows) if r[0] == "合计")
    return rows[: top - 1], list(rows[top]), rows[top + 1 : total], rows[total]
