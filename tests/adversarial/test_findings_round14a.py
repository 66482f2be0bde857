"""Round 14a of the promises-only attack: one person, one name, against spellings
the look-alike rule of round 13 does not know.

Each finding is a strict xfail (`finding`): it turns red the moment it is fixed.
Attacks that held are ordinary tests.
"""

from __future__ import annotations

import pytest

from tests.adversarial.harness import finding
from tests.adversarial.test_findings_round13a import _approves_for_dana
from tests.conftest import Harness

# LATIN LETTER SMALL CAPITAL D, A, N, A: Latin script, so the mixed-script rule does
# not see them, and Unicode's confusables data lists no ASCII prototype for them;
# they read as `DANA`, which is dana under case folding.
SMALL_CAPITALS = "\u1d05\u1d00\u0274\u1d00"
# CHEROKEE LETTER A, GO, NAH, GO: one script (so not mixed) drawn as `DANA`; NFKC and
# case folding keep them upper case.
CHEROKEE = "\u13a0\u13aa\u13c1\u13aa"
# MUSICAL SYMBOL NULL NOTEHEAD (U+1D159): a Common-script symbol drawn blank, not a
# Default_Ignorable code point and not white space, so `dana` + it is not trimmed.
BLANK_SYMBOL = "dana\U0001d159"


@finding(1, "Latin small capitals ᴅᴀɴᴀ are a second dana")
async def test_small_capitals_do_not_make_dana_a_second_person(harness: Harness) -> None:
    """docs/oidc.md: no spelling of a name is a second person. `ᴅᴀɴᴀ` reads as DANA;
    identity/subjects.py `_passes_for_ascii` only refuses letters whose confusables
    prototype is ASCII, and small capitals have none."""
    assert not await _approves_for_dana(harness, SMALL_CAPITALS, 4)


@finding(2, "Cherokee ᎠᎪᏁᎪ (drawn as DANA) is a second dana")
async def test_cherokee_capitals_do_not_make_dana_a_second_person(harness: Harness) -> None:
    """A subject wholly in Cherokee whose letters are drawn as `DANA` passes
    `_reads_as_latin` (the greedy confusables check does not flag every letter)."""
    assert not await _approves_for_dana(harness, CHEROKEE, 5)


@finding(3, "dana + U+1D159 (a blank symbol) is a second dana")
async def test_a_blank_symbol_does_not_make_dana_a_second_person(harness: Harness) -> None:
    """`dana𝅙` shows as `dana` (the notehead draws nothing); it is neither white
    space (trimmed) nor default-ignorable (refused), so it is a person of its own."""
    assert not await _approves_for_dana(harness, BLANK_SYMBOL, 6)


@pytest.mark.parametrize(
    "subject",
    [
        "dana\u00a0",  # no-break space
        "dana\u1680",  # ogham space mark
        "dana\u3000",  # ideographic space
        "\U0001d41d\U0001d41a\U0001d427\U0001d41a",  # mathematical bold dana (NFKC)
        "\uff24\uff41\uff4e\uff41",  # full-width Dana
        "d\u0430na",  # Cyrillic a in a Latin name
    ],
)
async def test_held_other_spellings_are_dana_or_refused(harness: Harness, subject: str) -> None:
    """Held: white-space variants, NFKC compatibility letters and mixed scripts are
    dana herself or refused."""
    assert not await _approves_for_dana(harness, subject, 7)
