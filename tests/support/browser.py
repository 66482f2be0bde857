"""Debian's Chromium for browser tests: where it is, how to start it here, and what to
do when it is missing (skip with a clear message; in CI, fail)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# A closed network: without these, Chromium keeps trying to reach Google's hosts.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# `make screenshots` sets this to docs/screenshots; otherwise tests write to a temporary
# folder, so a test run never changes the docs' tracked pictures.
SCREENSHOTS_ENV = "PHIGATE_SCREENSHOTS_DIR"


def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = os.environ.get(SCREENSHOTS_ENV)
    path = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def require_chromium(*, module: bool = False) -> None:
    """Skip when Chromium is missing; in CI a missing browser is a failure."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(
            "CI is set but /usr/bin/chromium is missing: apt-get install chromium", pytrace=False
        )
    pytest.skip(
        "Debian's chromium is not installed (apt-get install -y chromium); browser tests skipped",
        allow_module_level=module,
    )
