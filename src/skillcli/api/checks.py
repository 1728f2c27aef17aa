"""``check`` as a library call: read and validate a batch, and write the exception lists when asked.

``skillcli check`` is this function plus rendering. It loads no rule engine, no ledger and, unless an
out folder is given, no writer: a clerk checking a file waits for nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillcli.model import Severity
from skillcli.pipeline import DEFAULT_MAX_FILE_MB, Batch, Progress, load_batch, parse_period

if TYPE_CHECKING:
    import polars as pl

    from skillcli.io.limits import Limits
    from skillcli.schema.columns import ColumnMap
    from skillcli.schema.validate import Context


@dataclass(frozen=True, slots=True)
class CheckResult:
    """A checked batch and what was written about it."""

    batch: Batch
    out: Path | None = None  # the folder exceptions.xlsx and exceptions.csv were written to
    split_by: str | None = None  # institution | enterprise: one return workbook per recipient
    returns: tuple[str, ...] = ()  # the return workbooks written (``split_by``), file names in ``out``
    contact: bool = False  # whether the returns' covers name a contact (skillcli.toml [contact])

    @property
    def findings(self) -> pl.DataFrame:
        """Every problem found, one row each (``skillcli.pipeline.FINDING_COLUMNS``)."""
        return self.batch.findings

    @property
    def errors(self) -> int:
        return self.batch.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.batch.count(Severity.WARNING)


def check(
    files: Sequence[Path],
    *,
    period: str | None = None,
    out: Path | None = None,
    split_by: str | None = None,
    lang: str = "zh",
    today: dt.date | None = None,
    max_file_mb: int = DEFAULT_MAX_FILE_MB,
    limits: Limits | None = None,
    columns: ColumnMap | None = None,
    progress: Progress | None = None,
    loaded: Callable[[Batch], None] | None = None,
) -> CheckResult:
    """Read, locate and validate every sheet of ``files`` for the month ``period`` (YYYY-MM).

    With ``out``, write exceptions.xlsx (in ``lang``) and exceptions.csv there, and with ``split_by``
    (``institution`` or ``enterprise``) one return workbook per training institution or employer.
    ``loaded`` is called with the batch once it is read, before anything is written.
    """
    if split_by is not None:
        from skillcli.report.returns import check_split_by

        check_split_by(split_by, out)
    today = today or dt.date.today()
    batch = read_batch(files, parse_period(period, today), max_file_mb, limits, columns, progress, loaded)
    if out is None:
        return CheckResult(batch)
    returns, contact = _write(batch, files, out, split_by, lang, today)
    return CheckResult(batch, out, split_by, returns, contact)


def read_batch(
    files: Sequence[Path],
    ctx: Context,
    max_file_mb: int,
    limits: Limits | None,
    columns: ColumnMap | None,
    progress: Progress | None,
    loaded: Callable[[Batch], None] | None,
) -> Batch:
    """The batch every command decides on, read as ``check`` reads it; ``loaded`` is told at once."""
    batch = load_batch(list(files), ctx, max_file_mb=max_file_mb, limits=limits, progress=progress, columns=columns)
    if loaded is not None:
        loaded(batch)
    return batch


def _write(
    batch: Batch, files: Sequence[Path], out: Path, split_by: str | None, lang: str, today: dt.date
) -> tuple[tuple[str, ...], bool]:
    """exceptions.xlsx, exceptions.csv and the return workbooks, renamed into place together;
    returns the return workbooks' names and whether their covers name a contact."""
    # The writers (xlsxwriter, the temp-file machinery) only when there is something to write.
    from skillcli.io.writer import OutputSet
    from skillcli.report.exceptions import write_exceptions_csv, write_exceptions_xlsx, written_headers
    from skillcli.report.summary import summary_rows

    with OutputSet(out, list(files)) as outputs:
        write_exceptions_xlsx(
            batch.findings,
            batch.raw,
            outputs.path("exceptions.xlsx"),
            summary_rows(batch, lang),
            lang=lang,
            written=written_headers(batch.files),
        )
        write_exceptions_csv(batch.findings, outputs.path("exceptions.csv"), raw=batch.raw, lang=lang)
        returns: list[str] = []
        contact: Mapping[str, Any] = {}
        if split_by is not None:
            from skillcli.config import load_config
            from skillcli.report.returns import write_returns

            contact = load_config().table("contact")
            returns = [r.file_name for r in write_returns(batch, split_by, outputs, contact, today)]
        outputs.commit()
    return tuple(returns), bool(contact)
