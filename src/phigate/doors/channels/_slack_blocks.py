"""Block Kit for an approval: the masked summary, votes, time left, and the buttons.

Button values carry only the approval id; everything else is looked up again when
the click comes back, so a forged payload cannot change what is decided.
"""

from __future__ import annotations

from typing import Any

from phigate.doors.channels._summary import vote_line
from phigate.reviewing.essentials import must_read, unseen

APPROVE = "phigate_approve"
DENY = "phigate_deny"
OPEN = "phigate_open"
DENY_MODAL = "phigate_deny_reason"
MAX_SQL = 2500  # a section's text is limited to 3000 characters


def _text(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def escape(text: object) -> str:
    """Any text phigate did not write itself, made inert in mrkdwn.

    Slack reads `<!channel>`, `<@U…>` and `<url|text>` in mrkdwn and in a message's
    notification text; escaping `&`, `<` and `>` (Slack's own rule) leaves them as
    text. Table and column names, principals, votes, reasons, connection and group
    names all pass here, whoever chose them (an agent's quoted identifier, an IdP's
    subject), so no field is left to remember it.
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fact(label: str, value: str) -> str:
    """A field: phigate's bold label over a value that is escaped, whatever it holds."""
    return f"*{label}*\n{escape(value)}"


def headline(view: dict[str, Any]) -> str:
    """One line, escaped: it is also the notification text Slack parses for mentions."""
    action = view["action"]
    who = action["requested_by"]["subject"]
    behalf = f" for {view['on_behalf_of']}" if view.get("on_behalf_of") else ""
    return escape(f"{who}{behalf} asks to run a {action['risk']} action on {action['connection']}")


def approval_blocks(view: dict[str, Any], *, console_only: bool) -> list[dict[str, Any]]:
    action = view["action"]
    review = action["review"]
    principal = action["requested_by"]
    facts = [
        _fact("Requested by", f"{principal['subject']} ({principal['kind']})"),
        _fact("On behalf of", view.get("on_behalf_of") or "—"),
        _fact("Risk", f"{action['risk']}: {'; '.join(action['reasons']) or 'no reasons'}"),
        _fact("Tables", ", ".join(action["tables"]) or "—"),
        _fact("Masking", f"{action['masking']}{_reveal(action['reveal'])}"),
        _fact("Votes", view["votes_text"]),
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Approval requested"[:150]}},
        {"type": "section", "text": _text(headline(view))},
        {"type": "section", "fields": [_text(f) for f in facts]},
        *_warning_blocks(review["warnings"]),
        _statement_block(view),
        {
            "type": "context",
            "elements": [_text(f"{_state_line(view)} · <{_link(view['url'])}|Open in phigate>")],
        },
    ]
    too_long = unseen(view, MAX_SQL, "Slack")
    if view["state"] == "pending":
        if too_long:
            blocks.append({"type": "section", "text": _text(f":mag: {escape(too_long)}")})
        blocks.append(_buttons(view, console_only or too_long is not None))
    return blocks


def _link(url: str) -> str:
    """The console URL (phigate's own setting) inside `<…|…>`: no `|` or `>` ends it early."""
    return url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


def _reveal(kinds: list[str]) -> str:
    return f" (reveal requested: {', '.join(kinds)})" if kinds else ""


def _statement_block(view: dict[str, Any]) -> dict[str, Any]:
    """What a reviewer must read (`reviewing.essentials`): the statement, its bound
    values, what it asks to see unmasked and the reason, as rich text: Slack reads no
    markup in it (a statement holding ``` or *bold* cannot reshape the message) and
    each escape is set in bold, as the console marks it."""
    (_label, statement), *rest = must_read(view)
    elements: list[dict[str, Any]] = [
        {"type": "rich_text_preformatted", "elements": _runs(statement, MAX_SQL)}
    ]
    for label, segments in rest:
        heading = {"type": "text", "text": f"{label}: ", "style": {"bold": True}}
        elements.append({"type": "rich_text_section", "elements": [heading, *_runs(segments)]})
    return {"type": "rich_text", "elements": elements}


def _runs(segments: list[list[Any]], limit: int = MAX_SQL) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    for part, escape in segments:
        if limit <= 0:
            runs.append({"type": "text", "text": "\n… (truncated; the console shows it all)"})
            break
        text, limit = str(part)[:limit], limit - len(str(part))
        if text:
            runs.append(
                {"type": "text", "text": text, **({"style": {"bold": True}} if escape else {})}
            )
    return runs


def _warning_blocks(warnings: list[str]) -> list[dict[str, Any]]:
    """Shown above the statement, where a reviewer looks before deciding."""
    if not warnings:
        return []
    lines = "\n".join(f"• {escape(w)}" for w in warnings)
    return [{"type": "section", "text": _text(f":warning: *Check before approving*\n{lines}")}]


def _state_line(view: dict[str, Any]) -> str:
    if view["state"] == "pending":
        return f"time left {view['time_left']}"
    votes = escape(", ".join(vote_line(v) for v in view["votes"]))
    return f"*{escape(view['state'].upper())}*" + (f" ({votes})" if votes else "")


def _buttons(view: dict[str, Any], console_only: bool) -> dict[str, Any]:
    if console_only:
        open_button = {
            "type": "button",
            "action_id": OPEN,
            "url": view["url"],
            "text": {"type": "plain_text", "text": "Review in the phigate console"},
        }
        return {"type": "actions", "elements": [open_button]}
    return {
        "type": "actions",
        "block_id": "phigate_vote",
        "elements": [
            {
                "type": "button",
                "action_id": APPROVE,
                "style": "primary",
                "value": view["id"],
                "text": {"type": "plain_text", "text": "Approve"},
            },
            {
                "type": "button",
                "action_id": DENY,
                "style": "danger",
                "value": view["id"],
                "text": {"type": "plain_text", "text": "Deny…"},
            },
        ],
    }


def deny_modal(approval_id: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": DENY_MODAL,
        "private_metadata": approval_id,
        "title": {"type": "plain_text", "text": "Deny the request"},
        "submit": {"type": "plain_text", "text": "Deny"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "label": {"type": "plain_text", "text": "Why? (recorded in the audit log)"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "reason",
                    "multiline": True,
                    "min_length": 3,
                    "max_length": 2000,
                },
            }
        ],
    }
