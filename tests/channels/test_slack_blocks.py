"""Every value an agent, a caller or an IdP chose is inert text in Slack's mrkdwn."""

from __future__ import annotations

from typing import Any

from phigate.doors.channels._slack_blocks import approval_blocks, headline

HOSTILE = "x <!channel> <@U123> <https://evil.example|ok> &"


def _view(state: str = "pending") -> dict[str, Any]:
    """A reviewer's view in which every field not written by phigate is hostile."""
    return {
        "id": "a1",
        "url": "https://phigate.example/approvals/a1",
        "state": state,
        "time_left": "9m",
        "on_behalf_of": HOSTILE,
        "approvals_so_far": 0,
        "required": 1,
        "eligible_groups": [HOSTILE],
        "votes_text": f"0 of 1 from {HOSTILE}",
        "votes": [{"voter": HOSTILE, "vote": "deny", "channel": "slack"}],
        "action": {
            "requested_by": {"subject": HOSTILE, "kind": "agent"},
            "risk": "write",
            "connection": HOSTILE,
            "reasons": [HOSTILE],
            "tables": [HOSTILE],
            "masking": "default",
            "reveal": [HOSTILE],
            "review": {
                "warnings": [HOSTILE],
                "marked": {"statement": [[HOSTILE, False]], "reason": [["r", False]]},
            },
        },
    }


def _mrkdwn(blocks: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        texts = [block.get("text"), *block.get("fields", []), *block.get("elements", [])]
        out.extend(t["text"] for t in texts if isinstance(t, dict) and t.get("type") == "mrkdwn")
    return out


def test_no_field_carries_markup_it_did_not_write() -> None:
    for state in ("pending", "denied"):
        view = _view(state)
        shown = [headline(view), *_mrkdwn(approval_blocks(view, console_only=False))]
        link = f"<{view['url']}|Open in phigate>"
        for text in shown:
            rest = text.replace(link, "")
            assert "<" not in rest and ">" not in rest, text
            assert "& " not in rest, text
        assert sum(t.count("&lt;!channel&gt;") for t in shown) >= 8, shown
