"""The shipped sample inventory (`sample_db/acme.json`), found in a checkout or a wheel."""

from __future__ import annotations

from pathlib import Path

from inventory.document import import_document, parse_document
from inventory.history import action
from inventory.store import open_store

_PACKAGE = Path(__file__).resolve().parent


def sample_document_path() -> Path:
    """The sample document: inside the installed package, else the checkout's sample_db/."""
    for candidate in (
        _PACKAGE / "sample_db" / "acme.json",
        _PACKAGE.parents[1] / "sample_db" / "acme.json",
    ):
        if candidate.exists():
            return candidate
    raise FileNotFoundError("the sample inventory (sample_db/acme.json) is not installed")


def build_sample(path: Path) -> None:
    """Create a new database at `path` holding the sample inventory."""
    document = parse_document(sample_document_path().read_text(encoding="utf-8"))
    with (
        open_store(path, create=True, source="demo") as store,
        action(store, f"the import of {sample_document_path().name}"),
    ):
        import_document(store, document, replace=True)
