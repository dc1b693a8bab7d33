"""One reader of typed dates: the document, every date option and the waive dialog agree."""

from __future__ import annotations

from datetime import date

import pytest

from inventory.dates import parse_date
from inventory.models import Policy
from tests.conftest import SAMPLE, run_cli

NOT_DATES = ["20261126", "2026-W48-4", "2026-330", "2026-11-26T00:00", "26-11-2026", "٢٠٢٦-١١-٢٦"]


def test_only_yyyy_mm_dd_is_a_date() -> None:
    assert parse_date(" 2026-11-26 ") == date(2026, 11, 26)
    for text in NOT_DATES:
        with pytest.raises(ValueError, match="not a date in the form YYYY-MM-DD"):
            parse_date(text)
    with pytest.raises(ValueError, match="not a valid date"):
        parse_date("2026-02-30")


@pytest.mark.parametrize("text", NOT_DATES)
def test_documents_and_options_refuse_the_same_texts(text: str, tmp_path) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        Policy.model_validate({"version": "1", "title": "t", "next_review_on": text})
    db = tmp_path / "d.db"
    assert run_cli("import", db, SAMPLE).exit_code == 0
    for args in (
        ["check", db, "--as-of", text],
        ["waive", db, "R101", "facebook/AcmeBologna", "--reason", "x", "--until", text],
        ["demo", "--as-of", text],
    ):
        result = run_cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "YYYY-MM-DD" in result.output
