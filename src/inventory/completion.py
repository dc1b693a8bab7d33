"""Shell completion: click's own scripts, plus the inventory's channel ids, rule codes and
people where a command takes them, read from the database named on the command line (or
the default one).

Completion runs on every press of tab: it opens the database read-only, never creates
or changes a file, and any problem (no database yet, a damaged file) completes nothing.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import click
from click.shell_completion import (
    BashComplete,
    CompletionItem,
    add_completion_class,
    get_completion_class,
    split_arg_string,
)

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_INVENTORY_COMPLETE"
LIMIT = 500
"""At most this many suggestions: a shell showing 100,000 channel ids helps nobody."""

# (value, help) of each kind of argument; `v` is what is completed
SUBJECT_IDS = {
    "channel": "SELECT platform || '/' || handle AS v, name AS h FROM channels",
    "department": "SELECT name AS v, function AS h FROM departments",
    "consultant": "SELECT name AS v, kind AS h FROM consultants",
    "policy": "SELECT version AS v, title AS h FROM policies",
    "organization": "SELECT name AS v, NULL AS h FROM organization",
    "lookalike": "SELECT platform || '/' || handle AS v, url AS h FROM lookalikes",
}
RULES = "SELECT code AS v, title AS h FROM rules"
PEOPLE = "SELECT email AS v, name AS h FROM people"


class InventoryBashComplete(BashComplete):
    """Bash completion that completes ids containing `@` or `:` (`instagram/@acme_it`).

    Bash cuts the line into words at the characters of COMP_WORDBREAKS (`@` and `:`
    among them) before it calls the completion, so click's script would see `acme_` for
    `instagram/@acme_`. This one reads the line itself (COMP_LINE up to the cursor) and
    gives back each suggestion from where readline's word begins."""

    source_template = BashComplete.source_template.replace(
        "COMP_CWORD=$COMP_CWORD",
        'COMP_CWORD=$COMP_CWORD COMP_LINE="${COMP_LINE:0:COMP_POINT}" '
        'COMP_BREAKS="$COMP_WORDBREAKS"',
    )
    _cut = 0
    _escape = True

    def get_completion_args(self) -> tuple[list[str], str]:
        line = os.environ.get("COMP_LINE")
        if line is None:
            return super().get_completion_args()
        words = split_arg_string(line)
        incomplete = "" if not words or line[-1:].isspace() else words.pop()
        breaks = os.environ.get("COMP_BREAKS", "")
        cut = max((i for i, char in enumerate(incomplete) if char in breaks), default=-1)
        # readline's word starts after the last break character, except that `@` and `$`
        # (its "special prefixes") stay at the start of the word
        self._cut = cut if cut >= 0 and incomplete[cut] in "@$" else cut + 1
        # a word typed with quotes or backslashes reads differently from the line's end
        before = line[: len(line) - len(incomplete)]
        self._escape = line.endswith(incomplete) and (not before or before[-1].isspace())
        return words[1:], incomplete

    def format_completion(self, item: CompletionItem) -> str:
        if item.type == "plain" and self._escape:
            # bash inserts the reply as typed: a department such as "Customer Care" must
            # come back as Customer\ Care to stay one argument
            value = _SHELL_SPECIAL.sub(r"\\\g<0>", item.value[self._cut :])
            item = CompletionItem(value, type=item.type, help=item.help)
        return super().format_completion(item)


_SHELL_SPECIAL = re.compile(r"[\s'\"\\$`&;|<>()!*?\[\]#~{}]")


add_completion_class(InventoryBashComplete, "bash")


def completion_script(program: click.Command, shell: str) -> str:
    """The script that makes `shell` complete `inventory`'s commands and arguments."""
    completion = get_completion_class(shell)
    assert completion is not None, shell
    return completion(program, {}, "inventory", COMPLETE_VAR).source()


def _database(ctx: click.Context) -> Path | None:
    from inventory.settings import default_db

    named = ctx.params.get("db")
    if named is None and "db" in {param.name for param in ctx.command.params}:
        # an option still waiting for its value stops click's parse of the arguments:
        # DB, the first argument, is then among the words left over
        named = next((word for word in ctx.args if not word.startswith("-")), None)
    path = Path(named or default_db())
    return path if path.is_file() else None


def _query(ctx: click.Context, sql: str, params: list[object]) -> list[tuple]:
    """Rows of `sql` on the database, read-only; none when there is no usable database."""
    path = _database(ctx)
    if path is None:
        return []
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.5)
    except sqlite3.Error:
        return []
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.Error:
        return []
    finally:
        conn.close()


def _suggest(ctx: click.Context, sql: str, incomplete: str) -> list[CompletionItem]:
    """Rows (v, h) of `sql` whose value v starts with `incomplete`, h as their help."""
    rows = _query(
        ctx,
        f"SELECT v, h FROM ({sql}) WHERE substr(v, 1, length(?1)) = ?1 ORDER BY v LIMIT ?2",
        [incomplete, LIMIT],
    )
    return [CompletionItem(value, help=None if note is None else str(note)) for value, note in rows]


def complete_rules(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    return _suggest(ctx, RULES, incomplete)


def complete_people(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    return _suggest(ctx, PEOPLE, incomplete)


def complete_subjects(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """Subject ids of the rule given before (of its subject type), else channel ids."""
    found = _query(ctx, "SELECT subject_type FROM rules WHERE code = ?", [ctx.params.get("rule")])
    subject_type = found[0][0] if found else "channel"
    return _suggest(ctx, SUBJECT_IDS.get(subject_type, SUBJECT_IDS["channel"]), incomplete)


def complete_files(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    return [CompletionItem(incomplete, type="file")]


Completer = Callable[[click.Context, click.Parameter, str], list]

COMPLETERS: dict[str, Completer] = {
    "db": complete_files,
    "file": complete_files,
    "output": complete_files,
    "baseline_file": complete_files,
    "rule": complete_rules,
    "explain": complete_rules,
    "enable": complete_rules,
    "disable": complete_rules,
    "delete": complete_rules,
    "set_severity": complete_rules,
    "set_param": complete_rules,
    "subject_id": complete_subjects,
    "email": complete_people,
    "to": complete_people,
}
"""Which parameters (by name, in every command) complete what."""


def install_completers(group: click.Group) -> None:
    """Attach the completers to every command's parameters of those names.

    Done by name over the finished command tree, so a command added later gets its
    completion without repeating `shell_complete=` on each argument."""
    for command in group.commands.values():
        for param in command.params:
            completer = COMPLETERS.get(param.name or "")
            if completer is not None and not isinstance(param.type, click.Choice):
                param._custom_shell_complete = completer  # click's slot for shell_complete=
