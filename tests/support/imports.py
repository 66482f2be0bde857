"""The import graph of a source tree, read with `ast` (nothing is imported).

Every import counts, wherever it is written (and so does the package `__init__`
an import runs on the way): at module level, inside a
function, or under `if TYPE_CHECKING:`. A cycle hidden in a function body is
still a cycle a reader has to hold in their head.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

Graph = dict[str, set[str]]


def module_names(root: Path, package: str) -> dict[str, Path]:
    """`package.sub.mod` -> its file, for every module under `root / package`."""
    names: dict[str, Path] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def import_graph(root: Path, package: str) -> Graph:
    """Edges from each module to the modules of `package` it imports."""
    names = module_names(root, package)
    graph: Graph = {name: set() for name in names}
    for name, path in names.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            for target in _targets(node, name, is_package, names):
                graph[name].update(_with_packages(target, name, names))
    return graph


def _with_packages(target: str, importer: str, names: dict[str, Path]) -> set[str]:
    """`target` and the packages whose `__init__` importing it runs first: importing
    `a.b.c` from outside `a.b` runs `a.b/__init__.py`, and whatever that imports."""
    parts = target.split(".")
    found = {target}
    for end in range(2, len(parts)):
        package = ".".join(parts[:end])
        if package in names and not importer.startswith(package + "."):
            found.add(package)
    found.discard(importer)
    return found


def _targets(node: ast.AST, name: str, is_package: bool, names: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = _absolute(node, name, is_package)
    found = []
    for alias in node.names:
        # `from pkg import mod` imports the submodule; `from pkg import name` the package.
        submodule = f"{base}.{alias.name}"
        target = submodule if submodule in names else base
        if target in names:
            found.append(target)
    return found


def _absolute(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    parts = name.split(".")
    if not is_package:
        parts.pop()
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join([*parts, node.module] if node.module else parts)


def cycles(graph: Graph) -> list[list[str]]:
    """One concrete cycle (a -> b -> ... -> a) for each strongly connected component."""
    found = []
    for component in _components(graph):
        if len(component) > 1:
            found.append(_cycle_in(graph, component))
    return found


def _components(graph: Graph) -> Iterator[set[str]]:
    """Tarjan's strongly connected components, iterative (no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = len(index)
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph[succ]))))
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    yield component


def _cycle_in(graph: Graph, component: set[str]) -> list[str]:
    """A shortest path from the component's first module back to itself."""
    start = min(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for succ in sorted(graph[node] & component):
                if succ == start:
                    return [*paths[node], start]
                if succ not in paths:
                    paths[succ] = [*paths[node], succ]
                    following.append(succ)
        frontier = following
    raise AssertionError(f"{sorted(component)} is not strongly connected")
