"""The shape of the code, checked: no import cycles in phigate."""

from __future__ import annotations

from pathlib import Path

from tests.support.imports import cycles, import_graph

SRC = Path(__file__).parents[1] / "src"


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
