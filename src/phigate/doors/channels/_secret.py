"""Secret references in the `channels:` and `console:` sections, resolved when used.

The same rules as the rest of phigate.yaml (`${ENV_VAR}`, `file:/path`, or a literal),
repeated here because these settings modules must not import phigate.config.
"""

from __future__ import annotations

import os
from pathlib import Path

from phigate.core.errors import ConfigError


def reveal(ref: str) -> str:
    if ref.startswith("${") and ref.endswith("}"):
        value = os.environ.get(ref[2:-1])
        if value is None:
            raise ConfigError(f"secret {ref}: environment variable {ref[2:-1]} is not set")
        return value
    if ref.startswith("file:"):
        path = Path(ref.removeprefix("file:")).expanduser()
        try:
            return path.read_text().strip()
        except OSError as exc:
            raise ConfigError(f"secret {ref}: cannot read {path}: {exc.strerror}") from exc
    return ref
