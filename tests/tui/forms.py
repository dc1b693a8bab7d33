"""How each form and dialog is opened from the first screen of the sample (shared by the
reach tests and the form snapshots)."""

from __future__ import annotations

FORMS: dict[str, tuple[str, ...]] = {
    "channel": ("e",),
    "new channel": ("n",),
    "person": ("3", "e"),
    "department": ("4", "e"),
    "consultant": ("5", "e"),
    "policy": ("6", "e"),
    "lookalike": ("8", "e"),
    "built-in rule": ("7", "e"),
    "custom rule": ("7", "n"),
    "organization": ("O",),
    "offboarding": ("3", "o"),
    "waive": ("2", "w"),
    "export": ("x",),
    "import": ("ctrl+o",),
    "delete": ("d",),
}
