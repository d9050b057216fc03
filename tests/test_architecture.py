"""The layers point only down and no module imports itself back: read from the source with ``ast``
(nothing is imported or executed), every import counted, also those inside functions.

ARCHITECTURE.md draws the layers; :data:`LAYERS` is the same picture as data. A module may import
a module of a lower layer, or of its own component; never one above it, nor a peer component of its
own layer (acquisition and parsing do not know each other). The replica is a development tool:
the library (everything below it) never imports it; only the CLI, the demo and tests may."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

from gongkai.config import REPO_ROOT

ROOTS = ("gongkai", "scrapers", "replica", "expectations", "dags")

# (rank, component, module prefixes); the longest matching prefix decides. Lower rank = lower layer.
LAYERS: list[tuple[int, str, tuple[str, ...]]] = [
    (
        0,
        "foundation",
        ("gongkai", "gongkai.config", "gongkai.errors", "gongkai.reference", "gongkai.staging"),
    ),
    (0, "foundation", ("gongkai.home_lock", "gongkai.database", "gongkai.orchestration.resources")),
    (10, "acquisition", ("scrapers",)),
    (10, "parsing", ("gongkai.parsing",)),
    (20, "warehouse build", ("gongkai.build",)),
    (30, "gate", ("expectations", "gongkai.validate", "gongkai.parquet_export")),
    (40, "publish", ("gongkai.publish", "gongkai.serving_pg")),
    (50, "orchestration", ("gongkai.orchestration", "gongkai.pipeline")),
    (55, "development tools", ("replica", "gongkai.fixtures_loader")),
    (60, "cli and demo", ("gongkai.cli", "gongkai.commands", "gongkai.demo")),
    (70, "dags", ("dags",)),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    out = {}
    for root in ROOTS:
        for path in sorted((REPO_ROOT / root).rglob("*.py")):
            out[module_name(path)] = path
    return out


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module ``name`` refers to (a module, else its closest package), or None."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules imported anywhere in ``path`` (module level, functions, TYPE_CHECKING)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        names: Iterable[str] = ()
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import mod` imports pkg.mod when it is a module, else a name of pkg
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        for name in names:
            target = _resolve(name, modules)
            if target and target != module:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {m: imports_of(m, p, modules) for m, p in modules.items()}


def layer_of(module: str) -> tuple[int, str]:
    best: tuple[int, tuple[int, str]] | None = None
    for rank, component, prefixes in LAYERS:
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), (rank, component))
    if best is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS (and ARCHITECTURE.md)")
    return best[1]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def violations(graph: dict[str, set[str]]) -> list[str]:
    out = []
    for module, targets in sorted(graph.items()):
        rank, component = layer_of(module)
        for target in sorted(targets):
            t_rank, t_component = layer_of(target)
            if t_component == component or t_rank < rank:
                continue
            out.append(f"{module} ({component}) imports {target} ({t_component})")
    return out


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_no_import_cycle_between_modules(graph: dict[str, set[str]]) -> None:
    assert cycles(graph) == []


def test_every_import_points_down_the_layers(graph: dict[str, set[str]]) -> None:
    assert violations(graph) == []


def test_the_library_never_imports_the_replica(graph: dict[str, set[str]]) -> None:
    replica_users = sorted(m for m, targets in graph.items() for t in targets if t.split(".")[0] == "replica")
    assert all(layer_of(m)[0] >= 55 for m in replica_users), replica_users


def test_the_checker_sees_cycles_and_upward_imports() -> None:
    """The checks themselves can fail: a made-up graph with a cycle and an upward import."""
    bad = {
        "gongkai.config": {"gongkai.build"},
        "gongkai.build": {"gongkai.config"},
        "scrapers.run": {"gongkai.parsing.step", "replica.server"},
        "gongkai.parsing.step": set(),
        "replica.server": set(),
    }
    assert cycles(bad) == [["gongkai.build", "gongkai.config"]]
    assert violations(bad) == [
        "gongkai.config (foundation) imports gongkai.build (warehouse build)",
        "scrapers.run (acquisition) imports gongkai.parsing.step (parsing)",
        "scrapers.run (acquisition) imports replica.server (development tools)",
    ]
    modules = project_modules()
    assert imports_of("gongkai.parsing.crosswalk", modules["gongkai.parsing.crosswalk"], modules) == {
        "gongkai.reference"
    }
