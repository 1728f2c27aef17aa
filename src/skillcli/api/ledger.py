"""The payment ledger (补贴资金发放台账): create and migrate it, read its state and runs, void a
run, regenerate a run's files and decide a run again from its archived inputs (replay)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillcli.api._common import ready_ledger

if TYPE_CHECKING:
    from skillcli.ledger.store import Ledger
    from skillcli.replay import Replay


@dataclass(frozen=True, slots=True)
class InitResult:
    """The ledger created or brought up to date (``applied``: the migrations run, as version and
    description), and what was written to ./skillcli.toml: ``config`` is the file written (None
    when no path was given, or when the URL holds a password, ``password_withheld``), ``shadowed``
    a settings file further up that this folder no longer reads."""

    ledger: str
    applied: tuple[tuple[int, str], ...]
    config: Path | None = None
    password_withheld: bool = False
    shadowed: Path | None = None


def ledger_init(path: str | None = None, *, ledger: str | None = None, cwd: Path | None = None) -> InitResult:
    """Create the ledger ``path`` (else ``ledger``, $SKILLCLI_LEDGER or skillcli.toml's) and migrate
    it; with ``path``, name it as ``ledger = "PATH"`` in ``cwd``/skillcli.toml, keeping the rest."""
    from skillcli.config import CONFIG_NAME, find_config, set_top_level
    from skillcli.ledger.store import Ledger

    store = Ledger.open(path or ledger)
    if store.missing:
        # A new SQLite ledger may go in a folder of its own (台账/ledger.sqlite): make it.
        Path(store.url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    applied = tuple(store.migrate())
    if path is None:
        return InitResult(store.name, applied)
    if "://" in path and "@" in path.split("://", 1)[1] and ":" in path.split("://", 1)[1].split("@", 1)[0]:
        # A password does not belong in a settings file that is copied and shared; the environment
        # variable keeps it out of the folder.
        return InitResult(store.name, applied, password_withheld=True)
    target = (cwd or Path.cwd()) / CONFIG_NAME
    shadowed = find_config()
    set_top_level(target, "ledger", path)
    moved = shadowed if shadowed is not None and shadowed.resolve() != target.resolve() else None
    return InitResult(store.name, applied, target, shadowed=moved)


def ledger_migrate(ledger: str | None = None) -> InitResult:
    """Apply the pending schema migrations of an existing ledger (a missing one is an error)."""
    from skillcli.ledger.store import Ledger

    store = Ledger.open(ledger)
    if store.version() == 0:
        store.ensure_ready()  # a missing or empty ledger: says to run ledger init
    return InitResult(store.name, tuple(store.migrate()))


def ledger_status(ledger: str | None = None) -> dict[str, Any]:
    """The ledger's name, whether it exists, its schema version and, when it does, runs, lines and
    net total in fen; a missing ledger is never created."""
    from skillcli.ledger.store import Ledger

    return Ledger.open(ledger).status()


def ledger_runs(ledger: Ledger | str | None = None) -> list[dict[str, Any]]:
    """The committed runs, oldest first, each as the ledger records it."""
    return ready_ledger(ledger).runs()


@dataclass(frozen=True, slots=True)
class VoidResult:
    """A run reversed by ``void_id``, and what the bank had been sent and had paid of it (counts and fen)."""

    run_id: str
    void_id: str
    exposure: dict[str, int]


def ledger_void(run_id: str, reason: str, *, force: bool = False, ledger: Ledger | str | None = None) -> VoidResult:
    """Reverse a run with negative lines under an audit record. A run already exported to the bank
    needs ``force``; what the bank paid is then reported as 已付待追回 (to recover)."""
    from skillcli.errors import UsageError
    from skillcli.report.funds import bank_exposure

    if not reason.strip():
        raise UsageError("作废必须写明原因", "a void needs a reason")
    store = ready_ledger(ledger)
    store.run(run_id)  # an unknown run is a usage error before anything else
    seen = bank_exposure(store, run_id)
    if seen["exported_count"] and not force:
        said = exposure_text(seen)
        raise UsageError(
            f"批次 {run_id} {said[0]}；确需作废请加 --force（已付款项将列为已付待追回）",
            f"run {run_id}: {said[1]}; add --force to void it anyway (what was paid is reported as to recover)",
        )
    return VoidResult(run_id, store.void(run_id, reason.strip()), dict(seen))


def exposure_text(seen: dict[str, int]) -> tuple[str, str]:
    """What the bank was sent and paid of a run, in words (zh, en)."""
    from skillcli.money import format_yuan

    return (
        f"已导出代发 {seen['exported_count']} 笔 {format_yuan(seen['exported_fen'], grouping=True)} 元，"
        f"银行已确认支付 {seen['paid_count']} 笔 {format_yuan(seen['paid_fen'], grouping=True)} 元",
        f"{seen['exported_count']} bank lines exported ({format_yuan(seen['exported_fen'], grouping=True)} yuan),"
        f" {seen['paid_count']} confirmed paid by the bank ({format_yuan(seen['paid_fen'], grouping=True)} yuan)",
    )


@dataclass(frozen=True, slots=True)
class ShowResult:
    """One committed run as recorded, and the manifest of its regenerated files (None without ``out``)."""

    run: dict[str, Any]
    manifest: dict[str, Any] | None


def ledger_show(
    run_id: str, *, out: Path | None = None, ledger: Ledger | str | None = None, lang: str = "zh"
) -> ShowResult:
    """One run; with ``out``, its payouts.xlsx, payouts.csv (in ``lang``) and manifest.json
    regenerated from the ledger (for a run whose outputs were lost after its commit)."""
    from skillcli.io.writer import OutputSet
    from skillcli.report.regenerate import write_regenerated

    store = ready_ledger(ledger)
    run = store.run(run_id)
    manifest = None
    if out is not None:
        with OutputSet(out, store.files) as outputs:
            manifest = write_regenerated(outputs, store, run_id, lang)
            outputs.commit()
    return ShowResult(run, manifest)


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """A committed run decided again: ``replay.differences`` is empty when every line is identical to the fen."""

    run_id: str
    replay: Replay

    @property
    def identical(self) -> bool:
        return not self.replay.differences


def ledger_replay(run_id: str, *, ledger: Ledger | str | None = None) -> ReplayResult:
    """Decide a committed run again from the batch archived with it, with its recorded policy and
    parameters and the ledger as it stood before it, and compare the lines to the fen."""
    from skillcli.replay import replay

    return ReplayResult(run_id, replay(ready_ledger(ledger), run_id))
