"""The Hypothesis profiles of tests/conftest.py: a red CI run replays, the work tree stays clean."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from tests.support.hypothesis_profiles import choose_profile, hypothesis_home

REPO = Path(__file__).parents[1]


def test_ci_chooses_the_pinned_profile() -> None:
    assert choose_profile({"CI": "1"}) == "ci"
    assert choose_profile({}) == "dev"
    assert choose_profile({"CI": "1", "HYPOTHESIS_PROFILE": "dev"}) == "dev"
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.print_blob and ci.database is None
    assert settings.default.print_blob  # whichever profile this run loaded


def test_the_example_database_lives_outside_the_work_tree() -> None:
    database = settings.get_profile("dev").database
    assert isinstance(database, DirectoryBasedExampleDatabase)
    assert not Path(database.path).resolve().is_relative_to(REPO)
    assert not hypothesis_home({"XDG_CACHE_HOME": "/x"}).is_relative_to(REPO)


def _examples_of_one_run() -> list[bytes]:
    seen: list[bytes] = []

    @settings(settings.get_profile("ci"), max_examples=25)
    @given(st.binary(max_size=40))
    def record(data: bytes) -> None:
        seen.append(data)

    record()
    return seen


def test_the_ci_profile_tries_the_same_examples_on_every_run() -> None:
    assert _examples_of_one_run() == _examples_of_one_run()
