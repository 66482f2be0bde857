"""Documented means tested: every setting and every CLI command appears in the docs."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from pydantic import BaseModel

from phigate.cli import main
from phigate.config import Settings

ROOT = Path(__file__).parents[1]
DOCS = "\n".join(p.read_text() for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


def _models(annotation: object) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from _models(arg)
    if isinstance(annotation, types.UnionType):
        for arg in annotation.__args__:
            yield from _models(arg)


def setting_keys(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> Iterator[str]:
    seen = seen if seen is not None else set()
    if model in seen:
        return
    seen.add(model)
    for name, field in model.model_fields.items():
        yield name
        for sub in _models(field.annotation):
            yield from setting_keys(sub, seen)


def commands(group: click.Group, prefix: str = "phigate") -> Iterator[str]:
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        yield path
        if isinstance(command, click.Group):
            yield from commands(command, path)


@pytest.mark.parametrize("key", sorted(set(setting_keys(Settings)) - {"ref"}))
def test_every_setting_is_documented(key: str) -> None:
    assert f"`{key}`" in DOCS or f".{key}`" in DOCS or f"{key}:" in DOCS, (
        f"setting {key!r} is not in README.md or docs/*.md"
    )


@pytest.mark.parametrize("command", sorted(commands(main)))
def test_every_command_is_documented(command: str) -> None:
    assert command in DOCS, f"{command!r} is not in README.md or docs/*.md"
