"""A table that renders only the rows on screen, fetched a page at a time from a source.

Textual's DataTable keeps and measures every row (about 10 s for 100,000 rows); this one
uses the Line API (ScrollView + render_line, as Toolong does) and asks its `RowSource`
for the count and for pages of rows as they scroll into view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

PAGE_SIZE = 200
MAX_CACHED_PAGES = 16


class RowSource(Protocol):
    def count(self) -> int: ...

    def page(self, offset: int, limit: int) -> Sequence[Any]: ...


class ListSource:
    """Rows already in memory (small lists, or flags)."""

    def __init__(self, rows: Sequence[Any]):
        self.rows = rows

    def count(self) -> int:
        return len(self.rows)

    def page(self, offset: int, limit: int) -> Sequence[Any]:
        return self.rows[offset : offset + limit]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # preferred width
    min_width: int = 0  # 0: the column never shrinks
    justify: str = "left"
    sortable: bool = True


class VirtualTable(ScrollView, can_focus=True):
    """Rows drawn on demand; a cursor; a fixed header; sort by clicking a header."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Edit", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--sorted",
    }

    DEFAULT_CSS = """
    VirtualTable { height: 1fr; }
    VirtualTable > .virtual-table--header { text-style: bold; background: $panel; }
    VirtualTable > .virtual-table--cursor { background: $block-cursor-blurred-background; }
    VirtualTable:focus > .virtual-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    VirtualTable > .virtual-table--sorted { color: $accent; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    class CursorMoved(Message):
        def __init__(self, table: VirtualTable, row: Any | None) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> VirtualTable:
            return self.table

    class Selected(Message):
        def __init__(self, table: VirtualTable, row: Any) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> VirtualTable:
            return self.table

    class HeaderClicked(Message):
        def __init__(self, table: VirtualTable, column: str) -> None:
            super().__init__()
            self.table = table
            self.column = column

        @property
        def control(self) -> VirtualTable:
            return self.table

    columns: Sequence[Column] = ()

    def __init__(self, source: RowSource | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._source: RowSource = source or ListSource([])
        self._count = 0
        self._pages: dict[int, Sequence[Any]] = {}
        self._widths: list[int] = [c.width for c in self.columns]
        self.sort_column: str | None = None
        self.sort_descending = False

    # --- data ----------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return self._count

    def set_source(self, source: RowSource, cursor: int | None = None) -> None:
        """Show `source`'s rows; keep the cursor where it was unless told otherwise."""
        self._source = source
        self.reload(cursor)

    def reload(self, cursor: int | None = None) -> None:
        self._pages.clear()
        self._count = self._source.count()
        self._update_virtual_size()
        target = self.cursor if cursor is None else cursor
        self.cursor = max(0, min(target, self._count - 1))
        self.refresh()

    def row_at(self, index: int) -> Any | None:
        if not 0 <= index < self._count:
            return None
        number = index // PAGE_SIZE
        page = self._pages.get(number)
        if page is None:
            if len(self._pages) >= MAX_CACHED_PAGES:
                self._pages.pop(next(iter(self._pages)))
            page = self._source.page(number * PAGE_SIZE, PAGE_SIZE)
            self._pages[number] = page
        offset = index - number * PAGE_SIZE
        return page[offset] if offset < len(page) else None

    @property
    def current_row(self) -> Any | None:
        return self.row_at(self.cursor)

    def cells(self, row: Any) -> list[Text]:
        """The cells of one row (subclasses format their rows)."""
        return [Text(str(value)) for value in row]

    # --- layout --------------------------------------------------------------------------

    def _layout_columns(self, width: int) -> None:
        preferred = [c.width for c in self.columns]
        separators = max(0, len(self.columns) - 1)
        available = width - separators
        total = sum(preferred)
        if available >= total or not self.columns:
            widths = preferred[:]
            if self.columns and available > total:
                flexible = [i for i, c in enumerate(self.columns) if c.min_width]
                extra = available - total
                for n, i in enumerate(flexible):
                    share = extra // len(flexible) + (1 if n < extra % len(flexible) else 0)
                    widths[i] += share
        else:
            shrinkable = [c.width - (c.min_width or c.width) for c in self.columns]
            room = sum(shrinkable)
            excess = total - available
            if room and excess <= room:
                widths = []
                taken = 0
                for c, can in zip(self.columns, shrinkable, strict=True):
                    cut = can * excess // room
                    taken += cut
                    widths.append(c.width - cut)
                index = 0
                while taken < excess:
                    if widths[index] > (self.columns[index].min_width or widths[index]):
                        widths[index] -= 1
                        taken += 1
                    index = (index + 1) % len(widths)
            else:
                widths = [c.min_width or c.width for c in self.columns]
        self._widths = widths

    def _update_virtual_size(self) -> None:
        width = sum(self._widths) + max(0, len(self._widths) - 1)
        self.virtual_size = Size(width, self._count + 1)

    def on_resize(self, event: events.Resize) -> None:
        self._layout_columns(self.scrollable_content_region.width)
        self._update_virtual_size()
        self.refresh()

    # --- drawing -------------------------------------------------------------------------

    def _line(self, cells: list[Text], style: Style) -> Strip:
        line = Text(no_wrap=True, overflow="ellipsis")
        for index, (cell, width) in enumerate(zip(cells, self._widths, strict=False)):
            cell = cell.copy()
            cell.no_wrap = True
            column = self.columns[index]
            if cell.cell_len > width:
                cell.truncate(width, overflow="ellipsis")
            if column.justify == "right":
                cell.pad_left(width - cell.cell_len)
            else:
                cell.pad_right(width - cell.cell_len)
            if index:
                line.append(" ")
            line.append_text(cell)
        segments = list(line.render(self.app.console))
        total = sum(self._widths) + max(0, len(self._widths) - 1)
        strip = Strip(segments).extend_cell_length(total).apply_style(style)
        return strip

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            header = []
            for column, column_width in zip(self.columns, self._widths, strict=False):
                label = Text(column.label)
                if column.key == self.sort_column:
                    label.truncate(max(1, column_width - 2), overflow="ellipsis")
                    label.append(" ▼" if self.sort_descending else " ▲")
                header.append(label)
            style = base + self.get_component_rich_style("virtual-table--header")
            strip = self._line(header, style)
        else:
            index = scroll_y + y - 1
            row = self.row_at(index)
            if row is None:
                return Strip([Segment(" " * width, base)], width)
            style = base
            if index == self.cursor:
                style = base + self.get_component_rich_style("virtual-table--cursor")
            strip = self._line(self.cells(row), style)
        strip = strip.crop_extend(scroll_x, scroll_x + width, base)
        return strip

    # --- cursor --------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        visible_rows = max(1, self.scrollable_content_region.height - 1)
        if new < self.scroll_y:
            self.scroll_to(y=new, animate=False)
        elif new >= self.scroll_y + visible_rows:
            self.scroll_to(y=new - visible_rows + 1, animate=False)
        self.refresh()
        self.post_message(self.CursorMoved(self, self.row_at(new)))

    def _move(self, delta: int) -> None:
        if self._count:
            self.cursor = max(0, min(self._count - 1, self.cursor + delta))

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_page_up(self) -> None:
        self._move(-max(1, self.scrollable_content_region.height - 2))

    def action_page_down(self) -> None:
        self._move(max(1, self.scrollable_content_region.height - 2))

    def action_first(self) -> None:
        self._move(-self._count)

    def action_last(self) -> None:
        self._move(self._count)

    def action_select(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Selected(self, row))

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            x = event.x + int(self.scroll_x)
            start = 0
            for column, width in zip(self.columns, self._widths, strict=True):
                if start <= x < start + width + 1:
                    if column.sortable:
                        self.post_message(self.HeaderClicked(self, column.key))
                    return
                start += width + 1
            return
        index = int(self.scroll_y) + event.y - 1
        if 0 <= index < self._count:
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.cursor = index
