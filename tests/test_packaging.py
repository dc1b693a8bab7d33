"""The wheel ships the styles and the sample; domain modules don't need Textual."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("uv") is None, reason="needs uv to build the wheel")
def test_wheel_contains_styles_and_sample(tmp_path: Path) -> None:
    subprocess.run(
        ["uv", "build", "--wheel", "--out-dir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("inventory-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    styles = [n for n in names if n.startswith("inventory/styles/") and n.endswith(".tcss")]
    assert styles, names
    assert {Path(n).name for n in styles} == {p.name for p in (ROOT / "styles").glob("*.tcss")}
    assert "inventory/sample_db/acme.json" in names
    assert any(n.endswith(".schema.json") for n in names)


def test_domain_modules_do_not_import_textual() -> None:
    code = (
        "import sys\n"
        "import inventory.models, inventory.store, inventory.records, inventory.document\n"
        "import inventory.history, inventory.cli\n"
        "import importlib.util\n"
        "for name in ('inventory.rules.evaluate', 'inventory.export', 'inventory.listing'):\n"
        "    if importlib.util.find_spec(name):\n"
        "        __import__(name)\n"
        "assert 'textual' not in sys.modules, 'textual was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
