"""`inventory completion SHELL` and what the shell is offered on tab."""

from __future__ import annotations

import os
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import run_cli

from inventory.cli import main
from inventory.completion import complete_people


def complete(line: str, cwd: Path) -> list[str]:
    """What bash is offered for the last word of `line` (a trailing space: a new word)."""
    words = line.split()
    current = len(words) if line.endswith(" ") else len(words) - 1
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(
            main,
            [],
            prog_name="inventory",
            env={
                "_INVENTORY_COMPLETE": "bash_complete",
                "COMP_WORDS": line,
                "COMP_CWORD": str(current),
                "INVENTORY_DB": None,
            },
        )
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if line]


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "_INVENTORY_COMPLETE=bash_complete"),
        ("zsh", "_INVENTORY_COMPLETE=zsh_complete"),
        ("fish", "_INVENTORY_COMPLETE=fish_complete"),
    ],
)
def test_the_script_for_each_shell(shell: str, marker: str) -> None:
    result = run_cli("completion", shell)
    assert result.exit_code == 0
    assert marker in result.stdout


def test_an_unknown_shell_is_a_usage_error() -> None:
    result = run_cli("completion", "powershell")
    assert result.exit_code == 2
    assert "powershell" in result.output


def test_commands_complete(tmp_path: Path) -> None:
    offered = complete("inventory comp", tmp_path)
    assert offered == ["completion"]


def test_rule_codes_channel_ids_and_subjects(sample_db: Path) -> None:
    folder = sample_db.parent
    name = sample_db.name
    assert complete(f"inventory waive {name} R10", folder) == [
        "R101", "R102", "R103", "R104", "R105", "R106", "R107", "R108", "R109",
    ]  # fmt: skip
    # a lookalike rule completes lookalike ids
    assert complete(f"inventory waive {name} R110 instagram/", folder) == [
        "instagram/@acme_it_official"
    ]
    channels = complete(f"inventory waive {name} R101 instagram/@acme_m", folder)
    assert channels == ["instagram/@acme_milano"]
    # the subject ids follow the rule's subject type
    assert "Customer\\ Care" in complete(f"inventory waive {name} R201 ", folder)
    assert complete(f"inventory rules {name} --explain R50", folder) == [
        "R501", "R502", "R503", "R504",
    ]  # fmt: skip


def test_the_database_argument_completes_files(tmp_path: Path) -> None:
    (tmp_path / "acme.db").write_bytes(b"")
    result = CliRunner().invoke(
        main,
        [],
        prog_name="inventory",
        env={
            "_INVENTORY_COMPLETE": "bash_complete",
            "COMP_WORDS": "inventory check a",
            "COMP_CWORD": "2",
        },
    )
    assert result.stdout.splitlines() == ["file,a"]


def test_no_or_bad_database_offers_nothing_and_creates_nothing(tmp_path: Path) -> None:
    assert complete("inventory waive missing.db R1", tmp_path) == []
    assert not (tmp_path / "missing.db").exists()
    (tmp_path / "junk.db").write_text("not a database")
    assert complete("inventory waive junk.db R1", tmp_path) == []
    assert (tmp_path / "junk.db").read_text() == "not a database"


def test_people_complete_by_email(sample_db: Path) -> None:
    command = click.Command("offboard", params=[click.Argument(["db"]), click.Argument(["email"])])
    ctx = click.Context(command)
    ctx.params = {"db": str(sample_db)}
    offered = complete_people(ctx, command.params[1], "giulia")
    assert [item.value for item in offered] == ["giulia.rossi@acme.example"]
    assert offered[0].help == "Giulia Rossi"


def test_bash_completes_ids_with_at_signs_and_spaces(sample_db: Path) -> None:
    """Bash cuts `instagram/@acme_` at `@` before completing: the reply starts at `@`."""

    def bash(line: str) -> list[str]:
        env = {
            "_INVENTORY_COMPLETE": "bash_complete",
            "COMP_WORDS": line,
            "COMP_CWORD": "0",
            "COMP_LINE": line,
            "COMP_BREAKS": "\"'><=;|&(:@",
        }
        result = CliRunner().invoke(main, [], prog_name="inventory", env=env)
        return [row.split(",", 1)[1] for row in result.stdout.splitlines() if row]

    assert bash(f"inventory waive {sample_db} R101 instagram/@acme_mi") == ["@acme_milano"]
    assert bash(f"inventory waive {sample_db} R101 mastodon/@acme@") == ["@mastodon.example"]
    assert bash(f"inventory waive {sample_db} R201 Customer") == ["Customer\\ Care"]
    assert bash(f"inventory waive {sample_db} R201 'Customer") == ["Customer Care"]
