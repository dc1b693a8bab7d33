"""The layering of src/inventory, read from its import statements (lazy ones included):
no module imports itself back through others, and none imports from a layer above."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "inventory"

# Lower layers first; a module may import only from its own layer or those before it.
LAYERS = [
    # vocabulary and data that import nothing of the inventory: the recommendations and
    # built-in rules the schema seeds, the flag records every layer passes around
    {"settings", "dates", "printable", "json_text", "files", "validation", "progress"},
    {"builtin_rule_parts", "builtin_rules", "superseded_rules", "flags", "facts_views"},
    {"models", "kinds", "store", "schema"},
    {"history", "record_rows", "records", "listing", "record_listing", "preview", "baseline"},
    {"rules"},
    {"document", "spreadsheet", "sheets", "export", "lookback", "sample", "undo", "overview"},
    {"offboarding"},
    {"importing"},
    # the UI, bottom up: text, state and messages; widgets; views and screens; what the app does
    # when asked (record actions, evaluation, transfers, unexpected errors); the app
    {"tui.text", "tui.errors", "tui.state", "tui.messages", "tui.actions", "tui.gc_pause"},
    {"tui.widgets"},
    {"tui.views.base"},
    {"tui.views", "tui.screens"},
    {
        "tui.record_actions",
        "tui.evaluation",
        "tui.transfers",
        "tui.unexpected",
        "tui.waiver_actions",
        "tui.rule_actions",
        "tui.palette",
    },
    {"cli", "completion", "tui", "tui.app", "__main__"},
]


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """module -> the inventory modules it imports anywhere (top level or in a function)."""
    modules = {_module(path): path for path in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:  # annotations only: never imported at run time
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                    base = f"{base}.{node.module}" if node.module else base
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                if target in modules and target != name:
                    found.add(target)
        graph[name] = found
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _layer(module: str) -> int:
    """The layer of the longest dotted prefix of `module` named in LAYERS."""
    parts = module.removeprefix("inventory.").split(".")
    for length in range(len(parts), 0, -1):
        prefix = ".".join(parts[:length])
        for number, layer in enumerate(LAYERS):
            if prefix in layer:
                return number
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def test_no_import_cycles_lazy_imports_included() -> None:
    graph = _imports()
    assert len(graph) > 30
    cycle = _cycle({k: {t for t in v if not k.startswith(t + ".")} for k, v in graph.items()})
    assert cycle is None, " -> ".join(cycle or [])


def test_no_module_imports_from_a_layer_above() -> None:
    upward = [
        f"{module} -> {target}"
        for module, targets in _imports().items()
        if module != "inventory"
        for target in targets
        if target != "inventory" and _layer(target) > _layer(module)
    ]
    assert not upward, upward


def test_the_checks_see_a_cycle_and_an_upward_import() -> None:
    assert _cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert _layer("inventory.rules.evaluate") > _layer("inventory.schema")
    assert _layer("inventory.tui.app") > _layer("inventory.tui.record_actions")
    assert _layer("inventory.tui.views.flags") > _layer("inventory.tui.views.base")


def test_the_rules_package_is_one_layer_and_the_schema_seeds_from_below_it() -> None:
    """No module of rules/ is placed apart from its package: what the schema's migrations
    seed (builtin_rules) and the flag records (flags) live below the schema, outside it."""
    graph = _imports()
    rules = {name for name in graph if name.startswith("inventory.rules.")}
    assert len(rules) > 5
    assert {_layer(name) for name in rules} == {_layer("inventory.rules")}
    assert "inventory.builtin_rules" in graph["inventory.schema"]
    schema = _layer("inventory.schema")
    assert _layer("inventory.builtin_rules") < schema < _layer("inventory.rules")


MAX_LINES = 700


def _too_long(root: Path, limit: int) -> list[str]:
    return sorted(
        f"{path.relative_to(root)}: {count} lines"
        for path in root.rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > limit
    )


def test_no_module_is_over_700_lines() -> None:
    """A module past 700 lines holds more than one concept: split it before it grows."""
    too_long = _too_long(SRC, MAX_LINES)
    assert not too_long, too_long


def test_the_length_check_sees_a_long_module(tmp_path: Path) -> None:
    (tmp_path / "long.py").write_text("x = 1\n" * (MAX_LINES + 1), encoding="utf-8")
    (tmp_path / "short.py").write_text("x = 1\n" * MAX_LINES, encoding="utf-8")
    assert _too_long(tmp_path, MAX_LINES) == [f"long.py: {MAX_LINES + 1} lines"]
