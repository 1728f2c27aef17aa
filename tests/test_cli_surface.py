"""The command surface: every command answers ``--help``, and README.md's command table and the
program name the same commands (issue 14 item 5).

The commands are walked from the Typer app itself, so a command added later is covered without
editing this file; the README rows are parsed from the table under "## Commands".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from skillcli.cli.app import app

README = Path(__file__).resolve().parents[1] / "README.md"


def _walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    # Typer ships its own copy of click; a group is the command with subcommands. They are asked
    # for by name, as click does: the root group builds each command only when asked.
    yield path
    if hasattr(command, "commands"):
        ctx = typer.Context(command)
        for name in sorted(command.list_commands(ctx)):
            yield from _walk(command.get_command(ctx, name), (*path, name))


COMMANDS = [path for path in _walk(typer.main.get_command(app), ()) if path]
GROUPS = {path[:-1] for path in COMMANDS}


def _readme_commands() -> set[tuple[str, ...]]:
    """Each command path a row of the README's command table names: the words after ``skillcli``
    up to the first argument or option, with ``a|b`` alternatives and ``/`` lists expanded. A word
    after a command that is not a group is its argument (``reconcile undo BATCH``), not a command."""
    text = README.read_text(encoding="utf-8")
    table = text.split("## Commands", 1)[1].split("\n#", 1)[0]
    named: set[tuple[str, ...]] = set()
    for line in table.splitlines():
        if not line.startswith("| `skillcli"):
            continue
        first_cell = line.split(" | ", 1)[0]
        for usage in re.findall(r"`([^`]*)`", first_cell):
            words = usage.replace("\\|", "|").split()
            if not words or words[0] != "skillcli":
                # "`rules show ID`" after a "/": a command of the group the row began with.
                words = ["skillcli", *words] if words and words[0] in {p[0] for p in COMMANDS} else []
            if not words:
                continue
            path: list[list[str]] = [[]]
            for word in words[1:]:
                if not re.fullmatch(r"[a-z][a-z-]*(\|[a-z][a-z-]*)*", word) or tuple(path[0]) not in GROUPS:
                    break
                path = [[*p, alt] for p in path for alt in word.split("|")]
            named.update(tuple(p) for p in path if p)
    return named


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_every_command_answers_help(run_cli: Callable[..., Any], path: tuple[str, ...]) -> None:
    result = run_cli(*path, "--help")
    assert result.code == 0, result.stderr
    assert "Usage: skillcli " + " ".join(path) in result.stdout
    assert result.stderr == ""


def test_every_command_has_a_readme_row() -> None:
    named = _readme_commands()
    # A group's row may be its subcommands' rows: "ledger" is documented by "ledger init", … .
    documented = named | {p[:1] for p in named}
    missing = [" ".join(p) for p in COMMANDS if p not in documented]
    assert not missing, f"commands without a row in README.md's command table: {missing}"


def test_every_readme_row_names_a_real_command() -> None:
    real = set(COMMANDS)
    named = _readme_commands()
    assert len(named) > 20  # the parser found the table
    unknown = [" ".join(p) for p in sorted(named) if p not in real]
    assert not unknown, f"README.md's command table names commands that do not exist: {unknown}"


def test_the_readme_parser_reads_alternatives_and_lists() -> None:
    named = _readme_commands()
    # "`skillcli ledger migrate\|status\|runs`" and "`skillcli rules list` / `rules show ID`".
    assert {("ledger", "migrate"), ("ledger", "status"), ("ledger", "runs")} <= named
    assert {("rules", "list"), ("rules", "show")} <= named
    # "`skillcli reconcile undo BATCH`": undo is the argument of reconcile, which has no subcommands.
    assert ("reconcile",) in named and ("reconcile", "undo") not in named


# The commands that read rosters, each with its required arguments (the files need not exist:
# the limits are checked before anything is read).
READERS = {
    "check": ["check", "a.xlsx"],
    "payout": ["payout", "a.xlsx", "--policy", "suzhou-2019", "--period", "2021-06", "--out", "o"],
    "explain": ["explain", "1", "a.xlsx", "--policy", "suzhou-2019", "--period", "2021-06"],
    "diff": ["diff", "a.xlsx", "b.xlsx"],
    "vouchers issue": ["vouchers", "issue", "a.xlsx", "--program", "luliang-2021", "--out", "o"],
}
LIMIT_FLAGS = {
    "--max-file-mb": "500",
    "--max-expanded-mb": "1024",
    "--max-cells": "5000000",
    "--max-strings-mb": "256",
    "--max-rows": "2000000",
}


@pytest.mark.parametrize("command", READERS)
def test_the_input_limits_are_one_option_group_on_every_reader(run_cli: Callable[..., Any], command: str) -> None:
    shown = run_cli(*command.split(), "--help").stdout
    for flag, default in LIMIT_FLAGS.items():
        assert re.search(rf"{flag} N[^[]*\[default: {default}\]", shown), (command, flag)
    for flag in list(LIMIT_FLAGS)[1:]:
        result = run_cli(*READERS[command], flag, "0", "--lang", "en")
        assert result.code == 2 and result.stderr.strip() == f"{flag} must be positive", (command, result.stderr)
