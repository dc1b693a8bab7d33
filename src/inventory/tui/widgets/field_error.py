"""The error line under a field: it takes no room while there is nothing to say."""

from __future__ import annotations

from typing import Any

from textual.visual import VisualType
from textual.widgets import Label


class FieldError(Label):
    """Why a field can't be used, under it; hidden while empty, so a dialog or form has
    no blank line where no error is (at 80x24 every line counts). Never markup."""

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        classes = " ".join(filter(None, ["field-error", kwargs.pop("classes", "")]))
        super().__init__(text, markup=False, classes=classes, **kwargs)
        self.display = bool(text)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(content, layout=layout)
        self.display = bool(str(content))
