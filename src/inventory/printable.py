"""User text on a terminal: every control character made visible, never obeyed.

Names, handles and notes may hold escape sequences (`\x1b[2J`), bidirectional overrides
or other controls; everything that shows user text (the UI, `check`'s report, `history`)
passes it through `visible` first.
"""

from __future__ import annotations

_NAMED = {"\x1b": "␛", "\x7f": "␡", "\t": "→", "\r": "␍"}


def _visible_char(char: str, keep_newlines: bool) -> str:
    code = ord(char)
    if char == "\n":
        return "\n" if keep_newlines else "↵"
    if char in _NAMED:
        return _NAMED[char]
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control picture" for C0 characters
    if (
        0x80 <= code < 0xA0
        or code in (0x2028, 0x2029)
        or 0x202A <= code <= 0x202E
        or (0x2066 <= code <= 0x2069)
    ):
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char


def visible(value: object, *, keep_newlines: bool = False) -> str:
    """`value` as text with every control character replaced by a visible stand-in."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return "".join(_visible_char(char, keep_newlines) for char in text)
