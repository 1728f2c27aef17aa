"""The root command builds only the invoked command (issue 16), and ``--help`` still lists them all.

``skillcli --help`` prints the one-line helps from ``COMMANDS`` in skillcli/cli/app.py instead of
building every command; these tests keep that table in step with the commands themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from typer._click.utils import make_default_short_help

from skillcli.cli.app import COMMANDS, load_command


@pytest.mark.parametrize("name", list(COMMANDS))
def test_table__help_line_is_the_commands_own(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    assert COMMANDS[name][2] == command.get_short_help_str(limit=10**6)


def test_help__lists_every_command_with_its_shortened_help(run_cli: Callable[..., Any]) -> None:
    result = run_cli("--help")
    assert result.code == 0
    listed = result.stdout.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listed if line.strip()] == list(COMMANDS)
    # Each line carries what click would show for the built command, shortened to the same width.
    for name, line in zip(COMMANDS, listed, strict=False):
        shown = line.strip()[len(name) :].strip()
        assert shown == make_default_short_help(load_command(name).get_short_help_str(limit=10**6), len(shown))
    assert any(line.endswith("...") for line in listed)  # the shortening was exercised


def test_group_help__still_lists_its_own_subcommands(run_cli: Callable[..., Any]) -> None:
    result = run_cli("ledger", "--help")
    assert result.code == 0
    assert "Usage: skillcli ledger" in result.stdout
    assert "init" in result.stdout.split("Commands:", 1)[1]


def test_mistyped_command__suggests_the_close_one(run_cli: Callable[..., Any]) -> None:
    result = run_cli("chek")
    assert result.code == 2
    assert "错误：没有命令「chek」，是不是 'check'？" in result.stderr
    english = run_cli("chek", "--lang", "en")
    assert english.code == 2
    assert "No such command 'chek'. Did you mean 'check'?" in english.stderr


def test_unknown_command__exits_2_without_a_suggestion(run_cli: Callable[..., Any]) -> None:
    result = run_cli("frobnicate")
    assert result.code == 2
    assert "错误：没有命令「frobnicate」\n" in result.stderr
    assert "是不是" not in result.stderr
    english = run_cli("frobnicate", "--lang", "en")
    assert "No such command 'frobnicate'." in english.stderr
    assert "Did you mean" not in english.stderr
