"""Hypothesis profiles: a red property test can be replayed, and nothing lands in the work tree.

`ci` (chosen when CI is set): the same examples on every run (derandomize), so a
failure in CI fails again on a laptop with `CI=1`; no example database then.
`dev` (otherwise): random exploration, failures saved in a database under the
user's cache directory (never `.hypothesis/` in the work tree). Both print the
`@reproduce_failure` blob of a failing example. `HYPOTHESIS_PROFILE` overrides.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase


def hypothesis_home(environ: Mapping[str, str]) -> Path:
    cache = Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "phigate" / "hypothesis"


def choose_profile(environ: Mapping[str, str]) -> str:
    return environ.get("HYPOTHESIS_PROFILE") or ("ci" if environ.get("CI") else "dev")


def load_profiles(environ: Mapping[str, str] = os.environ) -> str:
    home = hypothesis_home(environ)
    set_hypothesis_home_dir(home)  # Hypothesis's own caches (unicode tables, …) too
    settings.register_profile("ci", derandomize=True, print_blob=True)
    settings.register_profile(
        "dev", print_blob=True, database=DirectoryBasedExampleDatabase(home / "examples")
    )
    name = choose_profile(environ)
    settings.load_profile(name)
    return name
