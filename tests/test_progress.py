"""The progress bar: drawn on a terminal after a delay, never when stderr is piped."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from inventory import progress
from tests.conftest import run_cli


def test_drawn_with_phase_and_count_when_enabled(monkeypatch, capsys) -> None:
    monkeypatch.setattr(progress, "DELAY", 0.0)
    with progress.progress_on_stderr("import x.csv", enabled=True) as bar:
        bar.step("checking rows", 10)
        bar.advance(4)
        time.sleep(0.6)
    err = capsys.readouterr().err
    assert "import x.csv: checking rows" in err
    assert "4/10" in err


def test_nothing_before_the_delay(monkeypatch, capsys) -> None:
    monkeypatch.setattr(progress, "DELAY", 5.0)
    with progress.progress_on_stderr("check", enabled=True) as bar:
        bar.step("evaluating the rules")
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("command", ["import", "dump", "export", "check"])
def test_nothing_when_piped(command: str, sample_db: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(progress, "DELAY", 0.0)
    sheet = tmp_path / "a.csv"
    sheet.write_text("Platform,Handle\nig,@a\n", encoding="utf-8")
    args = {
        "import": [sample_db, sheet],
        "dump": [sample_db, "-o", tmp_path / "d.xlsx"],
        "export": [sample_db, "-o", tmp_path / "f.csv"],
        "check": [sample_db],
    }[command]
    result = run_cli(command, *args)
    assert result.exit_code in (0, 1), result.output
    assert "━" not in result.output and "evaluating" not in result.output
