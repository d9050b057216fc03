"""The parsing package imports only downwards: no module imports one that (through others) imports it
back, the package ``__init__`` included (every import counts, also those inside functions)."""

from __future__ import annotations

import ast

from gongkai.config import REPO_ROOT

PACKAGE = REPO_ROOT / "gongkai" / "parsing"


def _module(name: str) -> str:
    return "gongkai.parsing" if name == "__init__" else f"gongkai.parsing.{name}"


def _edges() -> dict[str, set[str]]:
    modules = {_module(p.stem) for p in PACKAGE.glob("*.py")}
    edges: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gongkai.parsing"):
                found.add(node.module)  # "from gongkai.parsing import x" is an import of the package
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("gongkai.parsing"))
        edges[_module(path.stem)] = {m for m in found if m in modules} - {_module(path.stem)}
    return edges


def test_no_import_cycle_in_parsing():
    edges = _edges()
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            assert state.get(nxt) != 1, " → ".join([*path, node, nxt])
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    assert "gongkai.parsing.report" in edges["gongkai.parsing"]  # the package exposes parse_text
