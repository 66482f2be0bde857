"""The shape of the code, checked: no import cycles in phigate, and the settings
models `phigate.config` composes are leaves that load no implementation."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.imports import Graph, cycles, import_graph

SRC = Path(__file__).parents[1] / "src"
# What `phigate.config` may load besides settings modules and import-free package
# __init__s: values the models are made of, and the checks they run at load time.
_SETTINGS_MAY_USE = {
    "phigate.core.errors",  # ConfigError
    "phigate.core.risk",  # RiskClass
    "phigate.core.limits",  # LimitsSettings, with the result budget it configures
    "phigate.identity.principal",  # PrincipalKind
    "phigate.identity.subjects",  # normal_subject: rules and aliases name people alike
    "phigate.identity.name_letters",  # the characters a subject may hold
    "phigate.identity.look_alikes",  # the reading rule normal_subject refuses twins by
    "phigate.identity._jwks",  # the signing algorithms OIDC settings may name
    "phigate.masking.entities",  # the entity type names profiles list
    "phigate.audit.checkpoint",  # trusted_key_id: a trusted key must parse
    "phigate.core.clock",  # the replicas' shared clock checkpoints are dated by
    "phigate.core.ignorable",  # the invisible characters subjects refuse
    "phigate.core.digits",  # YAML sequence indexes in error locations, read as ASCII
    "phigate.audit._canonical",  # (what checkpoint signs over)
}


def test_phigate_has_no_import_cycles() -> None:
    found = cycles(import_graph(SRC, "phigate"))
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_the_cycle_check_sees_cycles_hidden_in_functions_and_type_checking(
    tmp_path: Path,
) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from pkg import b\n")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .c import C\n"
    )
    (package / "c.py").write_text("import pkg.a\n")
    (package / "d.py").write_text("from pkg import a\n")
    assert cycles(import_graph(tmp_path, "pkg")) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]


def test_relative_imports_and_submodule_imports_are_resolved(
    tmp_path: Path,
) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from pkg.a import A\n")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("from . import a\n")
    assert cycles(import_graph(tmp_path, "pkg")) == [["pkg.a", "pkg.b", "pkg.a"]]


def test_a_cycle_through_a_package_init_is_a_cycle(tmp_path: Path) -> None:
    """`from pkg.sub.leaf import X` runs `pkg/sub/__init__.py` first; if that imports
    the importer back, the leaf was no leaf."""
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "sub" / "__init__.py").write_text("from pkg.sub.heavy import H\n")
    (tmp_path / "pkg" / "sub" / "leaf.py").write_text("X = 1\n")
    (tmp_path / "pkg" / "sub" / "heavy.py").write_text("from pkg.config import C\n")
    (tmp_path / "pkg" / "config.py").write_text("from pkg.sub.leaf import X\n")
    assert cycles(import_graph(tmp_path, "pkg")) == [
        ["pkg.config", "pkg.sub", "pkg.sub.heavy", "pkg.config"]
    ]


def _reached(graph: Graph, start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for target in graph[todo.pop()] - seen:
            seen.add(target)
            todo.append(target)
    return seen


def _is_settings(module: str) -> bool:
    return module.rsplit(".", 1)[-1].endswith("settings")


def test_config_composes_settings_leaves_and_loads_no_implementation() -> None:
    """No front door, channel, connector, masking engine, store or gateway comes in
    with phigate.config: everything it reaches (package __init__s run on the way
    included) is a settings module, a package whose __init__ imports only such
    modules, or one of the few values the models are made of."""
    graph = import_graph(SRC, "phigate")
    packages = {m for m in graph if (SRC / m.replace(".", "/") / "__init__.py").exists()}
    reached = _reached(graph, "phigate.config") - {"phigate.config"}
    unexpected = {
        m for m in reached if not _is_settings(m) and m not in packages | _SETTINGS_MAY_USE
    }
    assert not unexpected, f"phigate.config loads implementation: {sorted(unexpected)}"
    for module in reached:
        if _is_settings(module):
            assert "phigate.config" not in _reached(graph, module), module


# The module that builds the stores and hands them to the services (and, at
# construction, to a connector that keeps state: `StatefulConnector`). The rest of
# the assembly (bootstrap, the heartbeat, checkpoints, the console's sessions, the
# demo) asks the front by name: `record_event_in`, `replica_registry`, `token_kinds`.
_ASSEMBLY = {
    "phigate/pipeline/gateway.py",
}

# The stores only the pipeline's services and the assembly hold. The front has no
# public attribute for them, and nothing else names the private one.
_STORES = ("actions", "approvals", "audit", "tokens", "connectors")
_ROOT = SRC.parent


def _store_reaches(root: Path) -> list[str]:
    reach = re.compile(rf"gateway\._?({'|'.join(_STORES)})\b")
    found = []
    paths = [p for d in ("src", "tests", "bench") for p in sorted((root / d).rglob("*.py"))]
    for path in paths:
        name = path.relative_to(root).as_posix()
        if name.removeprefix("src/") in _ASSEMBLY or name.startswith("src/phigate/pipeline/"):
            continue
        if name == "tests/test_architecture.py":
            continue
        found += [f"{name}: {m.group(0)}" for m in reach.finditer(path.read_text())]
    return found


def test_the_stores_are_reached_only_by_the_pipeline_and_the_assembly() -> None:
    """Doors, channels, reviewer views, tests and benchmarks ask the Gateway front for
    what they need (`gateway.approval(id)`), never `gateway.approvals.get` nor
    `gateway._approvals`: the stores belong to the services in `phigate.pipeline`,
    which may change how they keep them. A test that must see or change state opens
    it over the state database itself (`tests.support.state`)."""
    found = _store_reaches(_ROOT)
    assert not found, "reaching into a store of the gateway:\n" + "\n".join(found)


# The top level of phigate: packages, and the one module that composes the settings.
_TOP_LEVEL_MODULES = {"__init__.py", "__main__.py", "config.py"}


def test_the_top_level_holds_packages_and_config_only() -> None:
    """A new module goes into the layer it belongs to (core, pipeline, doors, ops, or a
    component package; docs/architecture.md, Layout), not beside them."""
    top = SRC / "phigate"
    loose = sorted(p.name for p in top.glob("*.py") if p.name not in _TOP_LEVEL_MODULES)
    assert not loose, f"modules at the top level of phigate: {loose}"
    packages = [p for p in top.iterdir() if p.is_dir() and p.name != "__pycache__"]
    assert all((p / "__init__.py").is_file() for p in packages), packages


def test_the_front_keeps_no_store_in_a_public_attribute() -> None:
    source = (SRC / "phigate" / "pipeline" / "gateway.py").read_text()
    public = re.findall(rf"self\.({'|'.join(_STORES)})\s*=", source)
    assert not public, f"public store attributes on the Gateway: {public}"


def test_the_store_check_sees_both_spellings(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "src" / "phigate" / "doors").mkdir(parents=True)
    (tmp_path / "tests" / "test_x.py").write_text(
        "a = h.gateway.approvals.list()\nb = self._gateway._audit\nc = gateway.approval(1)\n"
    )
    (tmp_path / "src" / "phigate" / "doors" / "door.py").write_text(
        "for c in gateway.connectors.values(): pass\n"
    )
    assert _store_reaches(tmp_path) == [
        "src/phigate/doors/door.py: gateway.connectors",
        "tests/test_x.py: gateway.approvals",
        "tests/test_x.py: gateway._audit",
    ]
