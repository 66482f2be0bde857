"""Round 24c: a promises-only attack on identities, approvals and reviewers (OIDC
tokens, API tokens, separation of duties, approvals bound to their action, the
console, chat callbacks, the audit log).

Each finding is a strict xfail through a real door (`@finding`); attacks that held are
ordinary tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from phigate.cli import main
from tests.conftest import Harness, demo_config, make_harness
from tests.console.conftest import LiveGateway, live  # noqa: F401 (the fixture)
from tests.support.oidc_provider import OidcProvider, oidc_provider


def _oidc_identity(idp: OidcProvider, **extra: Any) -> dict[str, Any]:
    return {
        "auditor_groups": ["auditors"],
        "oidc": {"issuer": idp.issuer, "audience": idp.audience, **extra},
    }


async def _close(h: Harness) -> None:
    await h.client.aclose()
    await h.gateway.close()


# ── 1. an OIDC agent acting for an OIDC agent ──────────────────────────────────
async def test_an_agent_known_only_to_the_idp_cannot_be_acted_for(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """docs/oidc.md: "The party acted for must be a human"; promise 7, an agent acts
    only for a human, and the person behind an agent never approves its request. With
    `kind_claim`, the IdP states `planner-bot` is an agent acting for dana
    (`obo: dana`). A sub-agent it hands its token to exchanges it (RFC 8693): `sub:
    planner-bot`, `act.sub: sub-bot`. Sign-in refuses that only when planner-bot
    holds agent API tokens or a rule names it as an agent
    (`TokenStore.refuse_acting_for_non_human`, `Settings.non_human_subjects`); the
    approval's chain (`approvals/service.py _behind_in`) is read from API tokens
    only. So sub-bot acts for planner-bot, which acts for dana, and dana (a data
    owner) approves sub-bot's write, which then runs."""
    with oidc_provider() as idp:
        identity = _oidc_identity(idp, kind_claim="kind", on_behalf_of_claim="obo")
        h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides={"identity": identity}))
        try:
            planner = idp.issue(
                sub="planner-bot", groups=["agents"], extra_claims={"kind": "agent", "obo": "dana"}
            )
            seen = await h.client.get(
                "/v1/approvals", headers={"Authorization": f"Bearer {planner}"}
            )
            assert seen.status_code == 200, seen.text  # planner-bot: an agent acting for dana
            h.tokens["sub-bot"] = idp.issue(
                sub="planner-bot", extra_claims={"act": {"sub": "sub-bot", "groups": ["agents"]}}
            )
            h.tokens["dana-oidc"] = idp.issue(sub="dana", groups=["data-owners"])
            asked = await h.submit("sub-bot", "UPDATE claims SET status = 'paid' WHERE id = 72")
            if asked.status_code == 401:
                return  # refused at sign-in: the promise held
            assert asked.status_code == 202, asked.text
            approval_id = asked.json()["approval"]["id"]
            voted = await h.client.post(
                f"/v1/approvals/{approval_id}/approve", headers=h.auth("dana-oidc"), json={}
            )
            state = h.gateway.approval(approval_id).state
        finally:
            await _close(h)
    assert voted.status_code == 403 and state == "pending", (
        f"dana, behind planner-bot, approved the write of the agent acting for it: "
        f"vote {voted.status_code}, approval {state}"
    )


# ── 2. the terminal's list cuts a statement without saying so ─────────────────
def test_the_terminal_list_never_shows_a_cut_statement_as_whole(
    live: LiveGateway,  # noqa: F811 (the fixture imported above)
) -> None:
    """Promise 3: reviewers see exactly what runs, on every surface, the CLI included.
    `phigate approvals list` prints each request's statement as
    `review["statement"][:60]` (cli/approvals.py `_flagged`): no ellipsis, no mark. A
    write whose first 60 characters are a complete, harmless-looking statement
    (`UPDATE claims SET status = 'denied' WHERE id IN (71, 72, 73)`) and whose rest
    widens it to every row (` OR id > 0`) is listed as the harmless statement, and
    `phigate approvals approve <id>` takes the vote from the list alone (the console's
    inbox marks its cut with `...`)."""
    write = "UPDATE claims SET status = 'denied' WHERE id IN (71, 72, 73) OR id > 0"
    approval_id = live.submit("claims-bot", write).json()["approval"]["id"]
    result = CliRunner(env={"COLUMNS": "250"}).invoke(
        main, ["approvals", "--url", live.url, "--token", live.tokens["alice"], "list"]
    )
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if approval_id in line)
    assert "OR id > 0" in row or "…" in row or "..." in row, row
