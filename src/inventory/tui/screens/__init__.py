"""Screens of the terminal UI: forms, dialogs and help."""
