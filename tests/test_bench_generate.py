"""bench/generate.py makes valid, deterministic, realistically imperfect inventories."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from conftest import ROOT, check_json

from inventory.document import parse_document


def load_generator():
    spec = importlib.util.spec_from_file_location("generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate_document


def test_generated_documents_are_valid_and_deterministic(make_db, tmp_path: Path) -> None:
    generate = load_generator()
    document = generate(2_000, seed=7)
    assert document == generate(2_000, seed=7)
    assert document != generate(2_000, seed=8)
    parsed = parse_document(json.dumps(document))
    assert len(parsed.channels) == 2_000
    assert len(parsed.people) == 500 and len(parsed.departments) == 6
    _, export = check_json(make_db(document))
    fired = {flag["rule"] for flag in export["flags"]}
    assert len(fired) >= 12
    assert export["summary"]["flags"] < 2_000
