"""The full-screen terminal UI: the only part of inventory that imports textual."""
