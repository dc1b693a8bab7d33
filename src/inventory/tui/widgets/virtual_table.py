"""A table that renders only the rows on screen, fetched a page at a time from a source.

Textual's DataTable keeps and measures every row (about 10 s for 100,000 rows); this one
uses the Line API (ScrollView + render_line, as Toolong does) and asks its `RowSource`
for the count and for pages of rows as they scroll into view.

Columns are as wide as their header (sort arrow included) and the widest cell of the pages
read so far, up to a cap (`Column.width`); room left over goes first to the columns the
cap cut, then to the text columns. Short of room, the text columns shrink to their
`min_width`, then the table scrolls sideways with its first `frozen` columns (what
identifies a row: flags, platform, handle or name) kept in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from inventory.tui.actions import LIST
from inventory.tui.widgets.severity import SEVERITY_COMPONENTS

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
    width: int  # the cap: content wider than this is cut, unless there is room to spare
    # a text column (>0): takes spare width, and shrinks to this when room is short;
    # 0: the column keeps its width
    min_width: int = 0
    justify: str = "left"
    sortable: bool = True

    def header_width(self, sorted_by: bool = False) -> int:
        """The header's width, with the sort arrow (" ▲") when the list is sorted by it."""
        return Text(self.label).cell_len + (2 if sorted_by else 0)


def layout_widths(
    columns: Sequence[Column],
    natural: Sequence[int],
    available: int,
    frozen: int = 0,
    sort: str | None = None,
) -> list[int]:
    """Each column's width for `available` cells, from the widest cell of each (`natural`).

    Never narrower than the header (with its sort arrow when the list is sorted by it, as
    `sort` says): a header is never cut; when even the headers don't fit, the table scrolls
    sideways instead. The first `frozen` columns (they identify the row) never shrink.
    """
    headers = [c.header_width(c.key == sort) for c in columns]
    wanted = [max(h, n) for h, n in zip(headers, natural, strict=True)]
    widths = [min(w, max(c.width, h)) for c, w, h in zip(columns, wanted, headers, strict=True)]
    room = available - sum(widths) - max(0, len(columns) - 1)
    if room > 0:
        # first the cells the cap cut, in column order, then the text columns, evenly
        for index, want in enumerate(wanted):
            grow = min(room, want - widths[index])
            widths[index] += grow
            room -= grow
        text = [i for i, c in enumerate(columns) if c.min_width]
        for n, index in enumerate(text):
            widths[index] += room // len(text) + (1 if n < room % len(text) else 0)
    elif room < 0:
        floors = [
            max(h, min(c.min_width, w)) if c.min_width and i >= frozen else w
            for i, (c, w, h) in enumerate(zip(columns, widths, headers, strict=True))
        ]
        # the widest first, a cell at a time: short columns keep their whole content
        excess = -room
        while excess:
            candidates = [i for i, (w, f) in enumerate(zip(widths, floors, strict=True)) if w > f]
            if not candidates:
                break  # at their floors: the table scrolls sideways
            widest = max(candidates, key=lambda i: widths[i])
            widths[widest] -= 1
            excess -= 1
    return widths


class VirtualTable(ScrollView, can_focus=True):
    """Rows drawn on demand; a cursor; a fixed header; sort by clicking a header."""

    BINDINGS: ClassVar[list[BindingType]] = LIST.bindings()

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--sorted",
        *SEVERITY_COMPONENTS,  # the flag columns (styles/app.tcss)
    }

    DEFAULT_CSS = """
    VirtualTable { height: 1fr; scrollbar-gutter: stable; }
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
    #: how many leading columns stay in place when the table scrolls sideways
    frozen: int = 0
    #: `cells` depends on the row alone (not on state kept elsewhere): equal rows measure
    #: alike, so a reload measures only the rows that changed
    cells_of_row_alone: bool = False

    def __init__(self, source: RowSource | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._source: RowSource = source or ListSource([])
        self._count = 0
        self._pages: dict[int, Sequence[Any]] = {}
        # the pages before the last reload (`cells_of_row_alone`)
        self._measured: dict[int, Sequence[Any]] = {}
        # the widest cell of each column in the rows read so far; it only grows, so the
        # columns keep still while a filter is typed or the list is scrolled back
        self._natural: list[int] = [0 for _ in self.columns]
        self._widths: list[int] = [c.header_width() for c in self.columns]
        self._frozen_width = 0  # cells kept in place on the left (separator included)
        self.sort_column: str | None = None
        self.sort_descending = False
        self.laid_out = False  # the columns were fitted to a width: the rows can be drawn

    # --- data ----------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return self._count

    def set_source(self, source: RowSource, cursor: int | None = None) -> None:
        """Show `source`'s rows; keep the cursor where it was unless told otherwise."""
        self._source = source
        self.reload(cursor)

    def reload(self, cursor: int | None = None) -> None:
        self._measured, self._pages = self._pages, {}
        self._count = self._source.count()
        target = self.cursor if cursor is None else cursor
        target = max(0, min(target, self._count - 1))
        # the rows about to be shown are measured before the columns are laid out
        self.row_at(target)
        self.row_at(int(self.scroll_y))
        if not self.laid_out:  # the rows, for the scrollbar of the first layout
            self.virtual_size = Size(self.virtual_size.width, self._count + 1)
        self._layout_columns()
        self.cursor = target
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
            if self._measure(self._unmeasured(number, page)) and self.is_mounted:
                self.call_later(self._layout_columns)
        offset = index - number * PAGE_SIZE
        return page[offset] if offset < len(page) else None

    @property
    def current_row(self) -> Any | None:
        return self.row_at(self.cursor)

    def cells(self, row: Any) -> list[Text]:
        """The cells of one row (subclasses format their rows)."""
        return [Text(str(value)) for value in row]

    # --- layout --------------------------------------------------------------------------

    def _unmeasured(self, number: int, page: Sequence[Any]) -> Sequence[Any]:
        """The rows of page `number` not measured before: with `cells_of_row_alone`, a
        row equal to the one it replaces can't widen a column (a save or its new flags
        change one row of a page: 3 ms of cells per reload at 200 rows)."""
        before = self._measured.pop(number, ())
        if not self.cells_of_row_alone or not before:
            return page
        kept = len(before)
        return [row for index, row in enumerate(page) if index >= kept or row != before[index]]

    def _measure(self, rows: Sequence[Any]) -> bool:
        """Widen the columns' natural widths to fit `rows`; True when one grew."""
        natural = self._natural
        grew = False
        for row in rows:
            for index, cell in enumerate(self.cells(row)):
                if cell.cell_len > natural[index]:
                    natural[index] = cell.cell_len
                    grew = True
        return grew

    def _layout_columns(self) -> None:
        available = self.scrollable_content_region.width
        if available <= 0:
            return  # not laid out yet: on_resize comes
        self.laid_out = True
        frozen = self.frozen
        sort = self.sort_column
        widths = layout_widths(self.columns, self._natural, available, frozen, sort)
        frozen_width = sum(widths[:frozen]) + frozen
        if frozen_width > available * 2 // 3:
            # so narrow that what is frozen would hide the rest: nothing stays in place
            widths = layout_widths(self.columns, self._natural, available, sort=sort)
            frozen_width = 0
        if widths != self._widths or frozen_width != self._frozen_width:
            self._widths = widths
            self._frozen_width = frozen_width
            self.refresh()
        self._update_virtual_size()

    def _update_virtual_size(self) -> None:
        width = sum(self._widths) + max(0, len(self._widths) - 1)
        available = self.scrollable_content_region.width
        if width > available > 0:
            # room after the last column, so that scrolled all the way the first column
            # shown (after the frozen ones) starts whole: `right` moves by whole columns
            frozen = self._frozen_width
            starts = [x for x in self._column_starts() if x >= frozen]
            last = next((x for x in starts if width - x <= available - frozen), width)
            width = max(width, last - frozen + available)
        self.virtual_size = Size(width, self._count + 1)

    def on_resize(self, event: events.Resize) -> None:
        self._layout_columns()
        self.refresh()

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # Textual calls this as it lays the screen out, before it draws the frame: columns
        # fitted here are in the first frame with the list (on_resize comes a frame later)
        resized = super()._size_updated(size, virtual_size, container_size, layout)
        if not self.laid_out:
            self._layout_columns()
        # Textual sizes the horizontal thumb for the region with the stable gutter when it
        # arranges the scrollbars, and for the content without it only when the size
        # changed: a view shown again kept the wider window (a cell more of thumb at 80x24)
        if self.show_horizontal_scrollbar:
            self.horizontal_scrollbar.window_size = self.scrollable_content_region.width
        return resized

    def _column_starts(self) -> list[int]:
        starts, x = [], 0
        for width in self._widths:
            starts.append(x)
            x += width + 1
        return starts

    def action_scroll_right(self) -> None:
        """One column to the right (not one cell, as a container scrolls)."""
        frozen = self._frozen_width
        starts = [x - frozen for x in self._column_starts() if x >= frozen]
        later = [x for x in starts if x > self.scroll_x]
        target = later[0] if later else self.max_scroll_x
        self.scroll_to(x=min(target, self.max_scroll_x), animate=False)

    def action_scroll_left(self) -> None:
        frozen = self._frozen_width
        starts = [x - frozen for x in self._column_starts() if x >= frozen]
        earlier = [x for x in starts if x < self.scroll_x]
        self.scroll_to(x=earlier[-1] if earlier else 0, animate=False)

    # --- drawing -------------------------------------------------------------------------

    def _line(self, cells: list[Text], style: Style, header: bool = False) -> Strip:
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

    def _header_cells(self) -> list[Text]:
        header = []
        for column, width in zip(self.columns, self._widths, strict=False):
            label = Text(column.label)
            if column.key == self.sort_column:
                # the layout leaves room for the arrow; cut the label only past that
                label.truncate(max(1, width - 2), overflow="ellipsis")
                label.append(" ▼" if self.sort_descending else " ▲")
            header.append(label)
        return header

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not self.laid_out:  # the first frame comes before the width (on_resize)
            return Strip([Segment(" " * width, base)], width)
        if y == 0:
            style = base + self.get_component_rich_style("virtual-table--header")
            strip = self._line(self._header_cells(), style)
        else:
            index = scroll_y + y - 1
            row = self.row_at(index)
            if row is None:
                return Strip([Segment(" " * width, base)], width)
            style = base
            if index == self.cursor:
                style = base + self.get_component_rich_style("virtual-table--cursor")
            strip = self._line(self.cells(row), style)
        frozen = self._frozen_width
        if not frozen:
            return strip.crop_extend(scroll_x, scroll_x + width, base)
        # the frozen columns, then the rest from where it is scrolled to; once scrolled,
        # a bar where the frozen columns end says that columns are hidden under them
        kept = strip.crop(0, frozen - 1)
        gap = Strip([Segment("│" if scroll_x else " ", style)], 1)
        rest = strip.crop_extend(frozen + scroll_x, scroll_x + width, base)
        return Strip.join([kept, gap, rest])

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
            x = event.x if event.x < self._frozen_width else event.x + int(self.scroll_x)
            for column, start, width in zip(
                self.columns, self._column_starts(), self._widths, strict=True
            ):
                if start <= x < start + width + 1:
                    if column.sortable:
                        self.post_message(self.HeaderClicked(self, column.key))
                    return
            return
        index = int(self.scroll_y) + event.y - 1
        if 0 <= index < self._count:
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.cursor = index
