"""The house: imports run one way down the layers, and no module imports itself back through a circle.

Walks every import statement of the package (ast, including imports inside functions) and checks each against
the layer order written down in CONTRIBUTING.md and the README:

    base (errors, config, indicators, privacy, data, version) → sources → workspace → derive → scoring
         → analysis | allocation → pipeline → present → demo → reports → web → cli | api → the package root

A module may import its own layer and the layers below; peers on one rank (analysis and allocation; cli and api)
may not import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "wijkvitaliteit"

BASE = {"errors", "config", "indicators", "privacy", "data", "version"}  # one layer: shared by all
RANKS = {
    "base": 0,
    "sources": 1,
    "workspace": 2,
    "derive": 3,
    "scoring": 4,
    "analysis": 5,
    "allocation": 5,
    "pipeline": 6,
    "present": 7,
    "demo": 8,
    "reports": 9,
    "web": 10,
    "cli": 11,
    "api": 11,
    "__init__": 12,
    "__main__": 12,  # the package root re-exports the Python API; __main__ runs the CLI
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in (SRC / PACKAGE).rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _layer(module: str) -> str:
    parts = module.split(".")
    layer = "__init__" if len(parts) == 1 else parts[1]
    return "base" if layer in BASE else layer


def _imports(module: str, path: Path) -> list[tuple[str, int]]:
    """The package modules that ``module`` imports, with the line of each import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the module's package
                base = (
                    module.split(".")[: -node.level]
                    if path.name != "__init__.py"
                    else module.split(".")[: len(module.split(".")) - node.level + 1]
                )
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names = [(f"{target}.{a.name}" if f"{target}.{a.name}" in MODULES else target, node.lineno) for a in node.names]
        else:
            continue
        for name, line in names:
            if name == PACKAGE or name.startswith(PACKAGE + "."):
                while name not in MODULES and "." in name:
                    name = name.rsplit(".", 1)[0]
                found.append((name, line))
    return found


GRAPH = {m: _imports(m, p) for m, p in MODULES.items()}


def test_every_package_folder_has_a_layer():
    unknown = sorted({_layer(m) for m in MODULES} - set(RANKS))
    assert not unknown, f"give these a rank in tests/test_layers.py and CONTRIBUTING.md: {unknown}"


def upward(graph: dict[str, list[tuple[str, int]]]) -> list[str]:
    wrong = []
    for module, imports in graph.items():
        mine = _layer(module)
        for target, line in imports:
            theirs = _layer(target)
            if theirs == mine:
                continue
            if RANKS[theirs] >= RANKS[mine]:
                wrong.append(f"{module}:{line} ({mine}) imports {target} ({theirs})")
    return wrong


def circles(graph: dict[str, list[tuple[str, int]]]) -> list[list[str]]:
    """Tarjan's strongly connected components over the module graph: every component must be one module."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w, _ in graph.get(v, []):
            if w == v or w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_imports_run_down_the_layers():
    wrong = upward(GRAPH)
    assert not wrong, "imports that run back up the layers:\n" + "\n".join(wrong)


def test_no_import_circles():
    assert not circles(GRAPH), f"import circles: {circles(GRAPH)}"


def test_the_checks_catch_what_they_are_for():
    """Planted: an import from workspace up to web, one between peers, and a circle of two modules."""
    planted = {
        "wijkvitaliteit.workspace.store": [("wijkvitaliteit.web.app", 3)],
        "wijkvitaliteit.analysis.segregation": [("wijkvitaliteit.allocation.policy", 5)],
        "wijkvitaliteit.present.pages": [("wijkvitaliteit.present.explain", 1)],
        "wijkvitaliteit.present.explain": [("wijkvitaliteit.present.pages", 2)],
        "wijkvitaliteit.web.app": [("wijkvitaliteit.present.pages", 9)],
    }
    assert len(upward(planted)) == 2
    assert circles(planted) == [["wijkvitaliteit.present.explain", "wijkvitaliteit.present.pages"]]
    assert _imports("wijkvitaliteit.web.routes.pages", MODULES["wijkvitaliteit.web.routes.pages"])
