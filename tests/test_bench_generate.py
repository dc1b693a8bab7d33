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


def test_the_unhealthy_workload_breaks_more_channels_and_only_channels(make_db) -> None:
    generate = load_generator()
    healthy, messy = generate(2_000, seed=7), generate(2_000, seed=7, unhealthy=0.3)
    assert generate(2_000, seed=7, unhealthy=0) == healthy
    assert messy == generate(2_000, seed=7, unhealthy=0.3)
    assert {k: v for k, v in messy.items() if k != "channels"} == {
        k: v for k, v in healthy.items() if k != "channels"
    }
    changed = sum(a != b for a, b in zip(healthy["channels"], messy["channels"], strict=True))
    assert 0.25 * 2_000 < changed <= 0.35 * 2_000
    _, few = check_json(make_db(healthy))
    _, many = check_json(make_db(messy))
    assert many["summary"]["flags"] > 1.5 * few["summary"]["flags"]
