"""The text report's line filling: its fast path returns exactly what textwrap would."""

from __future__ import annotations

import textwrap

from hypothesis import example, given, settings
from hypothesis import strategies as st

from inventory.flags import Flag
from inventory.printable import visible
from inventory.rules.report import WIDTH, _fill, _flag_lines


def _textwrap(text: str, first: str, rest: str) -> str:
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


_TEXT = st.lists(
    st.sampled_from(["a", "bb", "word", "x" * 30, "-", " ", "  ", "\t", "\n", "\xa0", "é", "\r"]),
    max_size=60,
).map("".join)
_INDENT = st.sampled_from(["", "   ", " " * 17, "  error    R101  ", "  R101     "])


@settings(max_examples=3000, deadline=None)
@given(text=_TEXT, first=_INDENT, rest=_INDENT)
def test_fill_is_textwrap_byte_for_byte(text: str, first: str, rest: str) -> None:
    assert _fill(text, first, rest) == _textwrap(text, first, rest)


def test_fill_at_the_width_boundary() -> None:
    first = " " * 17
    for length in (62, 63, 64, 65):
        for text in ("x" * length, "ab " * (length // 3) + "c", " " + "x" * length):
            assert _fill(text, first, first) == _textwrap(text, first, first)
    assert _fill("x" * 63, first, first) == first + "x" * 63  # exactly 80 columns: one line
    assert "\n" in _fill("a " * 32 + "b", first, first)  # 81 columns: wrapped
    # a second word ending at column 79, 80, 81 of the first or a later line
    for length in range(40, 64):
        for second in range(1, 40):
            text = f"{'x' * length} {'y' * second} {'z' * (length - 5)} w"
            assert _fill(text, first, "   ") == _textwrap(text, first, "   ")


def test_the_report_written_in_chunks_is_the_whole_report(monkeypatch) -> None:
    """`check` writes the text report chunk by chunk; the chunks add up to the same bytes
    whatever their size."""
    from datetime import date

    from inventory.flags import Evaluation, Flag
    from inventory.kinds import CHECKED_KINDS
    from inventory.rules import report

    evaluation = Evaluation(
        as_of=date(2026, 11, 26),
        organization="Acme",
        checked={kind.collection: 3 for kind in CHECKED_KINDS},
    )
    evaluation.flags = [
        Flag(
            f"R{n}01", n, "error", "Title", "word " * (i * 7), "channel", f"x/@{i}", f"N {i}", None
        )
        for n in range(1, 8)
        for i in range(5)
    ]
    whole = report.check_report(evaluation)
    for size in (1, 2, 3, 7, 10_000):
        monkeypatch.setattr(report, "REPORT_CHUNK_LINES", size)
        chunks = list(report.check_report_chunks(evaluation))
        assert "".join(chunks) == whole
        assert len(chunks) > 1 or size == 10_000


@settings(max_examples=2000, deadline=None)
@given(subject_id=_TEXT, name=_TEXT, message=_TEXT)
def test_a_flag_s_lines_are_its_visible_text_filled(
    subject_id: str, name: str, message: str
) -> None:
    """`_flag_lines` writes a plain flag without `visible` and `_fill` when they would
    change nothing: the same lines as theirs, whatever the text."""
    flag = Flag("R101", 1, "error", "Title", message, "channel", subject_id, name)
    lead = "  error    R101  "
    subject = visible(subject_id) + ("" if name == subject_id else f" ({visible(name)})")
    indent = " " * 17
    assert _flag_lines(flag, lead) == [
        _fill(subject, lead, indent),
        _fill(visible(message), indent, indent),
    ]


_PLAIN_OR_ANY = st.one_of(
    st.sampled_from(
        ["x/@a", "Acme 1", "No owner", "a b", "a ", " a", "x" * 64, "word " * 20 + "end"]
    ),
    _TEXT,
)


@settings(max_examples=200, deadline=None)
@example(rows=[("x/@a", "x/@a", "a "), ("x/@a", "Acme 1", "a")])
@example(rows=[("x/@a", "Acme 1", "a"), ("x/@a ", "x/@a ", "a")])
@example(rows=[("x/@a", "Acme 1", "word " * 20 + "end"), ("x/@b", "B", "a " * 40 + "b")])
@example(rows=[("x/@a", "Acme 1", "word " * 20 + "end"), ("x/@b", "B", "x" * 60 + "  " + "y" * 10)])
@given(
    rows=st.lists(st.tuples(_PLAIN_OR_ANY, _PLAIN_OR_ANY, _PLAIN_OR_ANY), min_size=1, max_size=6)
)
def test_a_block_of_flags_is_their_lines(rows: list[tuple[str, str, str]]) -> None:
    """The unwaived flags of one rule are written as one block when every one is plain:
    the block is the lines `visible` and `_fill` give each flag, whatever the texts."""
    from inventory.rules.report import _flag_blocks, _Leads

    flags = [
        Flag("R101", 1, "error", "Title", message, "channel", subject_id, name)
        for subject_id, name, message in rows
    ]
    lead, indent = "  error    R101  ", " " * 17
    expected = []
    for flag in flags:
        subject = visible(flag.subject_id)
        if flag.subject_name != flag.subject_id:
            subject += f" ({visible(flag.subject_name)})"
        expected += [_fill(subject, lead, indent), _fill(visible(flag.message), indent, indent)]
    assert "\n".join(_flag_blocks(flags, _Leads())) == "\n".join(expected)
