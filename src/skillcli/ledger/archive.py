"""A run's decided batch as archive parts (``run_inputs``), and back (issue 17).

A part is bytes with their SHA-256: the typed frame of each sheet kind and the findings as Parquet,
and ``meta`` as JSON (the batch's period and "today", its files and sheets with their headers, the
sheets missing a required column, and the run's advance share). That is everything ``decide`` reads
from a batch, so a replay decides exactly what the run decided without the original files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from skillcli.errors import InconsistencyError
from skillcli.model import SheetInfo, SheetKind, SkipCounts
from skillcli.pipeline import Batch, FileSummary
from skillcli.schema.validate import Context

FORMAT = 1


@dataclass(slots=True)
class Archived:
    """An archived batch as decided, with the advance share the run paid (None for a payout)."""

    batch: Batch
    advance_share: Decimal | None


def pack(batch: Batch, advance_share: Decimal | None) -> list[dict[str, Any]]:
    """The ``run_inputs`` rows (without ``run_id``) of a batch decided with ``advance_share``."""
    meta = {
        "format": FORMAT,
        "period_start": batch.ctx.period_start.isoformat(),
        "period_end": batch.ctx.period_end.isoformat(),
        "today": batch.ctx.today.isoformat(),
        "advance_share": None if advance_share is None else str(advance_share),
        "blocked_sheets": sorted([list(pair) for pair in batch.blocked_sheets]),
        "files": [
            {
                "path": f.path,
                "format": f.format,
                "encoding": f.encoding,
                "sheets": [_sheet_meta(s) for s in f.sheets],
            }
            for f in batch.files
        ],
    }
    parts = {"meta": json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8")}
    parts["findings"] = _parquet(batch.findings)
    for kind, frame in sorted(batch.frames.items(), key=lambda item: item[0].value):
        parts[f"frame:{kind.value}"] = _parquet(frame)
    return [{"part": name, "sha256": sha256(data), "data": data} for name, data in parts.items()]


def unpack(run_id: str, rows: list[dict[str, Any]]) -> Archived:
    """The archived batch of ``run_id``; a part whose bytes no longer match their SHA-256 is named."""
    parts: dict[str, bytes] = {}
    for row in rows:
        data = bytes(row["data"])
        if sha256(data) != row["sha256"]:
            raise InconsistencyError(
                f"批次 {run_id} 的存档输入 {row['part']} 已被改动：SHA-256 {sha256(data)[:12]}… ≠ 登记的 {row['sha256'][:12]}…",
                f"run {run_id}'s archived input {row['part']} was altered: SHA-256 {sha256(data)[:12]}… != recorded"
                f" {row['sha256'][:12]}…",
            )
        parts[row["part"]] = data
    meta = json.loads(parts["meta"].decode("utf-8"))
    ctx = Context(
        dt.date.fromisoformat(meta["period_start"]),
        dt.date.fromisoformat(meta["period_end"]),
        dt.date.fromisoformat(meta["today"]),
    )
    frames = {
        SheetKind(name.split(":", 1)[1]): pl.read_parquet(io.BytesIO(data))
        for name, data in parts.items()
        if name.startswith("frame:")
    }
    files = [
        FileSummary(f["path"], f["format"], [_sheet_info(s) for s in f["sheets"]], encoding=f["encoding"])
        for f in meta["files"]
    ]
    batch = Batch(
        ctx=ctx,
        files=files,
        frames=frames,
        raw={},
        findings=pl.read_parquet(io.BytesIO(parts["findings"])),
        blocked_sheets={(str(a), str(b)) for a, b in meta["blocked_sheets"]},
    )
    share = meta["advance_share"]
    return Archived(batch, None if share is None else Decimal(share))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd", statistics=False)
    return buffer.getvalue()


def _sheet_meta(sheet: SheetInfo) -> dict[str, Any]:
    return {
        "file": sheet.file,
        "sheet": sheet.sheet,
        "kind": sheet.kind.value if sheet.kind is not None else None,
        "header_row": sheet.header_row,
        "rows": sheet.rows,
        "skipped": {name: getattr(sheet.skipped, name) for name in SkipCounts.__slots__},
        "headers": dict(sheet.headers),
        "ignored_reason": sheet.ignored_reason,
    }


def _sheet_info(data: dict[str, Any]) -> SheetInfo:
    return SheetInfo(
        file=data["file"],
        sheet=data["sheet"],
        kind=SheetKind(data["kind"]) if data["kind"] is not None else None,
        header_row=data["header_row"],
        rows=data["rows"],
        skipped=SkipCounts(**data["skipped"]),
        headers=dict(data["headers"]),
        ignored_reason=data["ignored_reason"],
    )
