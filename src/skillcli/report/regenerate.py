"""A committed run's payout outputs rebuilt from the ledger (``skillcli ledger show RUN_ID --out DIR``).

A run whose ledger commit succeeded but whose outputs were never renamed into place (a ``kill -9``
between the two, a full disk) would otherwise have lost its payout workbook for good: a rerun
finds every claim already paid. The ledger stores each line with its payee, amounts, rule, clause
and source row, so payouts.xlsx (汇总, 明细, 说明) and payouts.csv are written again from what it
holds — the same columns and the same payouts.csv bytes as the original. What the ledger does not
store (the 计算 column, the exceptions and ineligible rows) is named in the 说明 sheet and the
manifest rather than guessed; rerunning ``payout`` on the inputs (their hashes are listed) shows it.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from skillcli.errors import InconsistencyError
from skillcli.io.writer import OutputSet, Workbook
from skillcli.ledger.store import Ledger
from skillcli.money import format_yuan
from skillcli.payout.lines import LEVEL_NAMES
from skillcli.report.exceptions import write_lang_csv
from skillcli.report.payout import (
    PAYOUT_CSV_SAFE,
    beijing_time,
    detail_table,
    payout_csv_frame,
    run_time,
    sha256_file,
)
from skillcli.version import __version__

RUN_KIND_ZH = {"payout": "发放", "advance": "预拨", "void": "作废", "voucher": "培训券核销", "reissue": "补发"}
NOT_STORED = (
    ("明细「计算」列（计算过程未存入台账）", "the 明细 计算 column (the calculation is not stored in the ledger)"),
    (
        "异常、不符合条件两张工作表，以及 exceptions.csv、ineligible.csv（台账只记录发放行）",
        "the 异常 and 不符合条件 sheets, exceptions.csv and ineligible.csv (the ledger records paid lines only)",
    ),
)


def write_regenerated(outputs: OutputSet, store: Ledger, run_id: str, lang: str = "zh") -> dict[str, Any]:
    """Stage payouts.xlsx, payouts.csv and manifest.json of ``run_id`` in ``outputs``; return the
    manifest. payouts.csv is in ``lang``: the run's own payouts.csv again, byte for byte, when
    ``lang`` is the one its payout was run with."""
    run = store.run(run_id)
    stored = store.run_lines(run_id)
    lines = [
        {**r, "level": LEVEL_NAMES.get(r["level"] or "", ""), "formula": "", "source": r["source"] or ""}
        for r in (stored.iter_rows(named=True) if stored.height else [])
    ]
    total = sum(int(r["amount_fen"]) for r in lines)
    if total != int(run["total_fen"]) or len(lines) != int(run["line_count"]):
        raise InconsistencyError(
            f"台账批次 {run_id} 的明细合计与批次记录不符", f"ledger run {run_id}: its lines do not add up to the run"
        )
    inputs = json.loads(run["inputs"] or "[]")
    book = Workbook(outputs.path("payouts.xlsx"), streaming=True)
    try:
        book.key_values(
            "汇总",
            f"职业培训补贴发放汇总 {run['period']}（由台账重新生成）",
            [
                ("台账批次", run_id, "text"),
                ("类型", RUN_KIND_ZH.get(run["kind"], run["kind"]), "text"),
                ("政策", run["policy_id"], "text"),
                ("付款明细行数", len(lines), "int"),
                ("本次发放合计", total, "money"),
                ("应发合计", sum(int(r["entitlement_fen"]) for r in lines), "money"),
            ],
        )
        frame = (
            pl.DataFrame(lines, infer_schema_length=None).with_columns(pl.col("formula").cast(pl.String))
            if lines
            else None
        )
        if frame is not None:
            # The ledger stores the source row as file:sheet!row; the sheet shows it as payouts.xlsx does.
            source = pl.col("source").str.replace(r"^(.*):([^:!]*)!(\d+)$", "${1}「${2}」第 ${3} 行")
            # An advance run's money columns say so (the share is not stored with the run).
            columns, detail = detail_table(frame, source, "zh", "" if run["kind"] == "advance" else None)
            book.table("明细", columns, detail)
        about: list[tuple[str, Any, Any]] = [
            ("本文件", "由台账重新生成，非原始输出", "text"),
            ("台账", store.name, "text"),
            ("台账批次", run_id, "text"),
            ("写入台账时间", beijing_time(run["created_at"]), "text"),
            ("批次月份", run["period"], "text"),
            ("规则文件校验码", run["policy_sha256"], "text"),
            ("写入时的 skillcli 版本", run["tool_version"], "text"),
            ("skillcli 版本", __version__, "text"),
            ("生成时间", beijing_time(run_time()), "text"),
        ]
        about += [("输入文件", f"{item['path']}（SHA-256 {item['sha256']}）", "text") for item in inputs]
        about += [("台账未存、未重新生成", zh, "text") for zh, _ in NOT_STORED]
        # The workbook is Chinese only, like payouts.xlsx by default; ``lang`` is payouts.csv's, so
        # that the run's own CSV comes back byte for byte.
        book.key_values("说明", "说明", about)
    finally:
        book.close()
    payouts_csv = outputs.path("payouts.csv")
    if frame is not None:
        write_lang_csv(payouts_csv, payout_csv_frame(frame), lang, safe_columns=PAYOUT_CSV_SAFE)
    manifest = {
        "tool": "skillcli",
        "version": __version__,
        "generated_at": run_time().isoformat(),
        "regenerated_from_ledger": True,
        "ledger": store.name,
        "run": {
            "run_id": run_id,
            "kind": run["kind"],
            "period": run["period"],
            "policy_id": run["policy_id"],
            "policy_sha256": run["policy_sha256"],
            "committed_at": run["created_at"],
            "inputs": inputs,
        },
        "counts": {"lines": len(lines)},
        "totals_fen": {"total_fen": total},
        "total_yuan": format_yuan(total),
        "outputs": {"payouts.csv": sha256_file(payouts_csv)},
        "not_stored": [en for _, en in NOT_STORED],
    }
    outputs.path("manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest
