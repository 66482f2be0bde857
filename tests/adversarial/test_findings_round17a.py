"""Round 17a of the promises-only attack: the people side of what changed this
session (the subject allowlist after the dotted-i fix; chat warnings grouped by kind
and must-read; the Teams vote kept per posted card).

Open findings are strict xfails (`finding`): the mark comes off when the finding is
fixed. Attacks that held are ordinary tests.
"""

from __future__ import annotations

import pytest

from phigate.core.errors import InvalidRequestError
from phigate.identity.principal import PrincipalKind
from tests.adversarial.harness import finding
from tests.conftest import Harness
from tests.support.state import token_store


async def _approves_for(harness: Harness, person: str, spelling: str, claim: int) -> bool:
    """Whether a data-owner identity made out to `spelling` approves a write of an
    agent that acts for `person` (a refusal to make the identity counts as the promise
    holding: the spelling is not one person's name)."""
    agent_token, _ = token_store(harness.gateway).create(
        subject=f"{person}-bot-{claim}",
        kind=PrincipalKind.AGENT,
        groups=("agents",),
        on_behalf_of=person,
    )
    asked = await harness.client.post(
        "/v1/actions",
        headers={"Authorization": f"Bearer {agent_token}"},
        json={"connection": "ehr", "sql": f"UPDATE claims SET status = 'paid' WHERE id = {claim}"},
    )
    assert asked.status_code == 202, asked.text
    assert asked.json()["approval"]["eligible_groups"] == ["data-owners"]
    approval_id = asked.json()["approval"]["id"]
    try:
        token_text, _ = token_store(harness.gateway).create(
            subject=spelling, kind=PrincipalKind.HUMAN, groups=("data-owners",)
        )
    except (ValueError, InvalidRequestError):
        return False
    voted = await harness.client.post(
        f"/v1/approvals/{approval_id}/approve",
        headers={"Authorization": f"Bearer {token_text}"},
        json={"comment": "ok"},
    )
    return voted.status_code == 200 or harness.gateway.approval(approval_id).state != "pending"


async def test_held_the_person_herself_cannot_approve(harness: Harness) -> None:
    """The control of finding 1: `joël` may not approve a write of an agent acting
    for her; the test's agent and rule do reach a vote."""
    assert not await _approves_for(harness, "jo\u00ebl", "JO\u00cbL", 3)


# Names written wholly in Cyrillic, every letter drawn as the Latin one: `ј о ӏ с һ і`
# are in Unicode's confusables data (so `јоеӏ` alone is refused), but the precomposed
# Cyrillic letters with marks `ё` (U+0451, drawn as `ë`) and `ї` (U+0457, drawn as `ï`)
# are not, and neither are the Cyrillic combining marks (U+0483 TITLO, U+0487 POKRYTIE).
CYRILLIC_WITH_MARKS = [
    ("jo\u00ebl", "\u0458\u043e\u0451\u04cf"),  # ј о ё ӏ  reads joël
    ("lo\u00efc", "\u04cf\u043e\u0457\u0441"),  # ӏ о ї с  reads loïc
    ("chlo\u00eb", "\u0441\u04bb\u04cf\u043e\u0451"),  # с һ ӏ о ё  reads chloë
    ("a\u00efsha", "\u0430\u0457\u0455\u04bb\u0430"),  # а ї ѕ һ а  reads aïsha
]


@finding(1, "a wholly Cyrillic name with a precomposed ё/ї passes the look-alike check")
@pytest.mark.parametrize(("person", "spelling"), CYRILLIC_WITH_MARKS)
async def test_a_cyrillic_name_with_diaeresis_is_not_a_second_person(
    harness: Harness, person: str, spelling: str
) -> None:
    """docs/configuration.md: a subject "written wholly in another script whose every
    letter is a Latin look-alike" is refused. `_reads_as_latin` (identity/subjects.py)
    asks that every letter be in Unicode's confusables data; `ё` and `ї` are not (the
    data lists `е` and `і`, not their precomposed forms with a diaeresis), so the one
    letter with marks lets the whole word through: a data-owner `јоёӏ` approves the
    write of the agent acting for `joël`."""
    assert not await _approves_for(harness, person, spelling, 4)
