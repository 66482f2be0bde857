"""Documented settings, operators and CLI options exist, and every one that exists is documented."""

from __future__ import annotations

import pathlib

from phigate.cli.masking import mask_command
from phigate.masking.settings import MaskingSettings, Operator, ProfileConfig

DOC = (pathlib.Path(__file__).parents[2] / "docs" / "masking.md").read_text(encoding="utf-8")


def test_settings_are_documented() -> None:
    fields = set(MaskingSettings.model_fields) | set(ProfileConfig.model_fields)
    missing = [name for name in fields if f"{name}:" not in DOC]
    assert not missing


def test_operators_and_builtin_profiles_are_documented() -> None:
    assert all(f"`{op.value}`" in DOC for op in Operator)
    assert all(f"`{name}`" in DOC for name in MaskingSettings().profiles)


def test_cli_options_are_documented() -> None:
    for param in mask_command.params:
        for opt in param.opts:
            assert opt in DOC, opt
