"""The `inventory` command line: thin wrappers over the domain modules, one module per
group of commands, assembled here.

Each command imports the domain modules it needs when it runs: the UI's start-up is
measured against other tools, and pydantic alone costs 0.15 s to import."""

from inventory.cli.changes import history_command, redo_command, undo_command
from inventory.cli.checking import check_command, export_command
from inventory.cli.group import completion_command, main
from inventory.cli.offboard import offboard_command
from inventory.cli.rules import rules_command, waive_command, waivers_command
from inventory.cli.transfer import dump_command, import_command
from inventory.cli.ui import demo, ui
from inventory.completion import install_completers

for _command in (
    ui,
    demo,
    import_command,
    history_command,
    undo_command,
    redo_command,
    dump_command,
    check_command,
    export_command,
    rules_command,
    waive_command,
    offboard_command,
    waivers_command,
    completion_command,
):
    main.add_command(_command)
install_completers(main)

__all__ = ["main"]
