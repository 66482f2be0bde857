"""A test run must leave the work tree as it found it: no rewritten tracked files
(screenshots), no caches or state written next to the sources.

The run compares `git status --porcelain` at its start and end; a path that is
new in the list was changed by the run, and the run fails naming it.
`make screenshots` is the one command meant to change the tree, so it is exempt.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.browser import SCREENSHOTS_ENV

REPO = Path(__file__).parents[2]


def tree_status() -> set[str] | None:
    """Changed and untracked paths (not ignored); None outside a git work tree."""
    if os.environ.get(SCREENSHOTS_ENV):
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=all"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return set(done.stdout.splitlines())


def changed_by_the_run(before: set[str] | None) -> list[str]:
    after = tree_status()
    if before is None or after is None:
        return []
    return sorted(after - before)
