"""Block Kit for an approval: the masked summary, votes, time left, and the buttons.

Button values carry only the approval id; everything else is looked up again when
the click comes back, so a forged payload cannot change what is decided.
"""

from __future__ import annotations

from typing import Any

from phigate.doors.channels._budget import cut, listing
from phigate.doors.channels._summary import vote_line
from phigate.reviewing.essentials import must_read, unseen, unwarned, warning_lines

APPROVE = "phigate_approve"
DENY = "phigate_deny"
OPEN = "phigate_open"
DENY_MODAL = "phigate_deny_reason"
MAX_SQL = 2500  # each must-read part, whole or no vote (essentials.py)
# Block Kit's limits (https://api.slack.com/reference/block-kit/blocks#section and
# …/composition-objects#text): a message over any of them is refused with
# `invalid_blocks`, so the request would never reach the channel.
SECTION_TEXT_MAX = 3000  # a section's `text`, and any mrkdwn text object
FIELD_MAX = 2000  # each text of a section's `fields`
FIELDS_MAX = 10  # texts in a section's `fields`
HEADER_MAX = 150  # a header's plain text
BLOCKS_MAX = 50  # blocks in one message
WARNING_MAX = 500  # one warning, so a single long one cannot crowd out the rest


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


def _escaped_len(text: str) -> int:
    return len(escape(text))


def _fact(label: str, value: str) -> str:
    """A field: phigate's bold label over a value that is escaped, whatever it holds,
    cut (with a marker) to what a field may hold."""
    room = FIELD_MAX - len(f"*{label}*\n")
    return f"*{label}*\n{escape(cut(value, room, _escaped_len))}"


def _list_fact(
    label: str, items: list[str], noun: str, *, sep: str = ", ", head: str = "", tail: str = ""
) -> str:
    """A field listing `items`, escaped: as many as fit, then "… N more `noun`"
    (`head` and `tail`, phigate's own short words, around them)."""
    start = f"*{label}*\n{escape(head)}"
    room = FIELD_MAX - len(start) - len(escape(tail))
    shown = listing([escape(i) for i in items], limit=room, noun=noun, sep=sep)
    return f"{start}{shown}{escape(tail)}"


def headline(view: dict[str, Any]) -> str:
    """One line, escaped: it is also the notification text Slack parses for mentions."""
    action = view["action"]
    who = action["requested_by"]["subject"]
    behalf = f" for {view['on_behalf_of']}" if view.get("on_behalf_of") else ""
    line = f"{who}{behalf} asks to run a {action['risk']} action on {action['connection']}"
    return escape(cut(line, SECTION_TEXT_MAX, _escaped_len))


def approval_blocks(view: dict[str, Any], *, console_only: bool) -> list[dict[str, Any]]:
    """The message, within Block Kit's limits: each field and list cut with a marker,
    the must-read parts whole or no vote; should the built message still break a
    limit, the smaller form that only sends the reviewer to the console."""
    blocks = _full_blocks(view, console_only=console_only)
    if over_limits(blocks):
        return _console_blocks(view)
    return blocks


def unshown(view: dict[str, Any]) -> str | None:
    """Why the message for `view` offers no vote (a part it cannot show whole), or
    None; a click is checked against this, so it agrees with what was posted."""
    too_long = _unseen(view)
    if too_long is None and over_limits(_full_blocks(view, console_only=False)):
        return "This request does not fit a Slack message: open it in the phigate console to vote."
    return too_long


def _full_blocks(view: dict[str, Any], *, console_only: bool) -> list[dict[str, Any]]:
    action = view["action"]
    review = action["review"]
    principal = action["requested_by"]
    reveal = f" (reveal requested: {', '.join(action['reveal'])})" if action["reveal"] else ""
    facts = [
        _fact("Requested by", f"{principal['subject']} ({principal['kind']})"),
        _fact("On behalf of", view.get("on_behalf_of") or "—"),
        _list_fact(
            "Risk",
            action["reasons"] or ["no reasons"],
            "reasons",
            sep="; ",
            head=f"{cut(action['risk'], 100)}: ",
        ),
        _list_fact("Tables", action["tables"] or ["—"], "tables"),
        _fact("Masking", f"{action['masking']}{reveal}"),
        _fact("Votes", view["votes_text"]),
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Approval requested"}},
        {"type": "section", "text": _text(headline(view))},
        {"type": "section", "fields": [_text(f) for f in facts]},
        *_warning_blocks(review["warnings"]),
        _statement_block(view),
        {"type": "context", "elements": [_text(_context_line(view))]},
    ]
    too_long = _unseen(view)
    if view["state"] == "pending":
        if too_long:
            blocks.append({"type": "section", "text": _text(f":mag: {escape(too_long)}")})
        blocks.append(_buttons(view, console_only or too_long is not None))
    return blocks


def _unseen(view: dict[str, Any]) -> str | None:
    """Why the full message may not offer a vote: a must-read part too long to show
    whole, or more kinds of warning than its warnings section holds."""
    too_long = unseen(view, MAX_SQL, "Slack")
    if too_long is None and not _warnings_fit(view["action"]["review"]["warnings"]):
        return unwarned("Slack")
    return too_long


def _console_blocks(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The smallest form: who asks, on whose behalf, and the way to the console,
    which shows everything; no vote, since the message shows too little to decide."""
    principal = view["action"]["requested_by"]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Approval requested"}},
        {"type": "section", "text": _text(headline(view))},
        {
            "type": "section",
            "fields": [
                _text(_fact("Requested by", f"{principal['subject']} ({principal['kind']})")),
                _text(_fact("On behalf of", view.get("on_behalf_of") or "—")),
            ],
        },
        {
            "type": "section",
            "text": _text(
                ":mag: This request does not fit a Slack message: "
                "open it in the phigate console, which shows all of it, to vote."
            ),
        },
        {"type": "context", "elements": [_text(_context_line(view))]},
    ]
    if view["state"] == "pending":
        blocks.append(_buttons(view, console_only=True))
    return blocks


def _context_line(view: dict[str, Any]) -> str:
    link = f" · <{_link(view['url'])}|Open in phigate>"
    return _state_line(view, SECTION_TEXT_MAX - len(link)) + link


def over_limits(blocks: list[dict[str, Any]]) -> list[str]:
    """Each of Block Kit's limits `blocks` break (empty when Slack accepts them)."""
    over = [f"{len(blocks)} blocks"] if len(blocks) > BLOCKS_MAX else []
    for block in blocks:
        texts = [block.get("text") or {}, *block.get("elements", [])]
        if block["type"] == "header" and len(block["text"]["text"]) > HEADER_MAX:
            over.append(f"header of {len(block['text']['text'])}")
        for text in texts:
            if text.get("type") == "mrkdwn" and len(text["text"]) > SECTION_TEXT_MAX:
                over.append(f"{block['type']} text of {len(text['text'])}")
        fields = block.get("fields", [])
        if len(fields) > FIELDS_MAX:
            over.append(f"{len(fields)} fields")
        over.extend(f"field of {len(f['text'])}" for f in fields if len(f["text"]) > FIELD_MAX)
    return over


def _link(url: str) -> str:
    """The console URL (phigate's own setting) inside `<…|…>`: no `|` or `>` ends it early."""
    return url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


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
    lines = _warning_lines(warnings)
    shown = listing(lines, limit=SECTION_TEXT_MAX - len(_WARNINGS_TITLE), noun="warnings", sep="\n")
    return [{"type": "section", "text": _text(_WARNINGS_TITLE + shown)}]


_WARNINGS_TITLE = ":warning: *Check before approving*\n"


def _warning_lines(warnings: list[str]) -> list[str]:
    """One escaped line per kind of warning, each cut so no one crowds out the rest."""
    return [f"• {escape(cut(w, WARNING_MAX, _escaped_len))}" for w in warning_lines(warnings)]


def _warnings_fit(warnings: list[str]) -> bool:
    """Whether the warnings section shows every kind of warning (a vote needs it)."""
    return len(_WARNINGS_TITLE + "\n".join(_warning_lines(warnings))) <= SECTION_TEXT_MAX


def _state_line(view: dict[str, Any], limit: int) -> str:
    if view["state"] == "pending":
        return f"time left {view['time_left']}"
    state = f"*{escape(view['state'].upper())}*"
    votes = [escape(vote_line(v)) for v in view["votes"]]
    room = limit - len(state) - len(" ()")
    return state + (f" ({listing(votes, limit=room, noun='votes')})" if votes else "")


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
