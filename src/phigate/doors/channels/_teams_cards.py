"""Adaptive Cards for Teams: the masked summary with Action.Execute Approve/Deny,
a reason field, a refresh action (so every viewer sees the current state), and the
"Open in phigate" card for the Workflows-webhook fallback.

A card must fit one Teams message. The Workflows connector refuses a message over
about 28 KB ("Request Entity Too Large"; learn.microsoft.com/connectors/teams, known
issues and limitations), and a bot's message is limited too (413 `MessageSizeTooBig`;
learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages: the
payload counted in UTF-16). So a card is built in the fullest form whose message,
serialized, fits `MESSAGE_MAX` bytes: each escape highlighted in its own run; then
adjacent escapes highlighted in one run (the same text, fewer runs); then the
must-read parts as one run each (every escape still shown as its `\\u…` text); then
the facts summarised; then, when even that is too large, without the vote, sending the
reviewer to the console. 28 KB of ASCII JSON is 56 KB in UTF-16, under the bot limit.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from phigate.doors.channels._budget import cut, listing
from phigate.doors.channels._summary import vote_line
from phigate.reviewing.essentials import must_read, unseen, unwarned, warning_lines

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_TEXT = 2500  # each must-read part, whole or no vote (essentials.py)
MESSAGE_MAX = 28 * 1024  # the serialized message, in bytes (see above)
NOTE_MAX = 300  # a reply's note ("Not recorded: …"), in characters
NOTE_ROOM = 2 * 1024  # kept free for that note: six bytes a character, escaped, and its run
SUMMARY_FACT_MAX = 200  # a fact, once facts are summarised
SUMMARY_WARNINGS_MAX = 1000  # the warnings then: they say what to check before voting
CONSOLE_PART_MAX = 300  # the start of a must-read part a card without a vote shows
WARNING_MAX = 500  # one warning, so a single long one cannot crowd out the rest

Form = Literal["rich", "merged", "plain", "summary", "console", "minimal"]
FORMS: tuple[Form, ...] = ("rich", "merged", "plain", "summary", "console", "minimal")
PLAIN_NOTE = (
    "To fit a Teams message, hidden or unusual characters are shown as their \\u… "
    "escapes without highlighting; the console highlights them."
)
TOO_LARGE = (
    "This request is too large for a Teams card: open it in the phigate console, "
    "which shows all of it, to vote."
)


def plain(text: object, **style: Any) -> dict[str, Any]:
    """A block of text Teams shows as written: the one form for any value phigate did
    not write itself.

    TextBlock and FactSet values are Markdown on every Teams client (`[claims](x)` is
    a link reading `claims`, `**x**` is bold), and no escape works on all of them
    (backslashes show on some, not others). TextRuns of a RichTextBlock read no
    Markdown, so table names, principals, votes, reasons and errors go there.
    """
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": str(text), **style}]}


def card_message(card: dict[str, Any]) -> dict[str, Any]:
    """The Bot Framework activity (and Workflows webhook body) that carries `card`."""
    return {"type": "message", "attachments": [{"contentType": CARD_TYPE, "content": card}]}


def message_size(card: dict[str, Any]) -> int:
    """Bytes of the message carrying `card`, serialized with every non-ASCII character
    escaped (the most any client's serializer makes of it)."""
    return len(json.dumps(card_message(card)).encode())


def approval_card(
    view: dict[str, Any], *, note: str = "", interactive: bool = True
) -> dict[str, Any]:
    """The card for `view` in the fullest form that fits a Teams message, with room
    kept for `note` (cut to `NOTE_MAX`), so a reply's note never changes the form."""
    form = _form(view, interactive)
    return _card(view, form, note=cut(note, NOTE_MAX), interactive=interactive)


def unshown(view: dict[str, Any]) -> str | None:
    """Why the card for `view` offers no vote (a part it cannot show whole), or None;
    an invoke is checked against this, so it agrees with what was posted."""
    return _why(view, _form(view, interactive=True))


def offers_vote(card: dict[str, Any]) -> bool:
    """Whether `card` carries Approve (what `chat_messages.votable` records)."""
    return any(action.get("verb") == "approve" for action in card.get("actions", []))


NO_VOTE_POSTED = (
    "The card for this request was posted without a vote: open it in the phigate "
    "console, which shows all of it, to vote."
)


def _form(view: dict[str, Any], interactive: bool) -> Form:
    for form in FORMS[:-1]:
        card = _card(view, form, note="", interactive=interactive)
        if message_size(card) <= MESSAGE_MAX - NOTE_ROOM:
            return form
    return FORMS[-1]


def _why(view: dict[str, Any], form: Form) -> str | None:
    """Why the card in `form` offers no vote: a must-read part it cannot show whole,
    a kind of warning it cannot show, or a form that never offers one."""
    why = unseen(view, MAX_TEXT, "Teams")
    if form in ("console", "minimal"):
        return why or TOO_LARGE
    lines = _warning_lines(view["action"]["review"]["warnings"], _warnings_limit(form))
    if why is None and len("\n".join(lines)) > _warnings_limit(form):
        return unwarned("Teams")
    return why


def _warnings_limit(form: Form) -> int:
    return MAX_TEXT if form in ("rich", "merged", "plain") else SUMMARY_WARNINGS_MAX


def _fact(title: str, value: object) -> dict[str, Any]:
    """A labelled line: phigate's bold title, then the value as a plain run."""
    label = {"type": "TextRun", "text": f"{title}: ", "weight": "Bolder"}
    run = {"type": "TextRun", "text": str(value)}
    return {"type": "RichTextBlock", "spacing": "None", "inlines": [label, run]}


def _facts(view: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """The labelled facts, each at most `limit` characters: a list shows what fits
    and says how many more there are, other values are cut with a marker."""
    action = view["action"]
    state = view["state"] if view["state"] != "pending" else f"pending, {view['time_left']} left"
    risk = cut(str(action["risk"]), 100)
    reasons = listing(action["reasons"], limit=limit - len(risk) - 2, noun="reasons", sep="; ")
    return [
        _fact("Requested by", cut(str(action["requested_by"]["subject"]), limit)),
        _fact("On behalf of", cut(str(view.get("on_behalf_of") or "—"), limit)),
        _fact("Connection", cut(str(action["connection"]), limit)),
        _fact("Risk", f"{risk}: {reasons}"),
        _fact("Tables", listing(action["tables"], limit=limit, noun="tables") or "—"),
        _fact("Masking", cut(_masking(action), limit)),
        _fact("Votes", cut(str(view["votes_text"]), limit)),
        _fact("State", cut(state, limit)),
    ]


def _masking(action: dict[str, Any]) -> str:
    reveal = action["reveal"]
    return str(action["masking"]) + (f" (reveal requested: {', '.join(reveal)})" if reveal else "")


def _rich(segments: list[list[Any]], form: Form, *, monospace: bool = False) -> dict[str, Any]:
    """Text runs, which Teams renders without markdown (a `[WHERE id = 7](x)` in a
    literal stays as written). In the rich form each escape is set bold in the
    attention colour, in a run of its own; the merged form joins adjacent ones into
    one run (the same text, fewer runs); in smaller forms the part is one run, its
    escapes still shown as text."""
    limit = CONSOLE_PART_MAX if form in ("console", "minimal") else MAX_TEXT
    if form not in ("rich", "merged"):
        whole = "".join(str(part) for part, _escape in segments)
        inlines = [_run(cut(whole, limit), escape=False, monospace=monospace)]
        return {"type": "RichTextBlock", "inlines": inlines}
    inlines, left = [], limit
    for part, escape in segments:
        text = str(part)[: max(left, 0)]
        left -= len(str(part))
        if not text:
            continue
        if form == "merged" and inlines and escape and "color" in inlines[-1]:
            inlines[-1]["text"] += text
        else:
            inlines.append(_run(text, escape=bool(escape), monospace=monospace))
    if left < 0:
        inlines.append({"type": "TextRun", "text": "\n… (truncated; the console shows it all)"})
    return {"type": "RichTextBlock", "inlines": inlines}


def _run(text: str, *, escape: bool, monospace: bool) -> dict[str, Any]:
    run: dict[str, Any] = {"type": "TextRun", "text": text}
    if monospace:
        run["fontType"] = "Monospace"
    if escape:
        run.update(weight="Bolder", color="Attention")
    return run


def _must_read(view: dict[str, Any], form: Form) -> list[dict[str, Any]]:
    """What a reviewer must read before voting (`reviewing.essentials`): the statement
    in monospace, then its bound values, what it asks to see unmasked and the reason."""
    parts = must_read(view)
    if form == "minimal":
        return []
    (_label, statement), *rest = parts
    blocks = [
        _rich(statement, form, monospace=True),
        *(_rich([[f"{label}: ", False], *segments], form) for label, segments in rest),
    ]
    unmarked = form in ("plain", "summary") and any(e for _l, s in parts for _t, e in s)
    return [*blocks, plain(PLAIN_NOTE, isSubtle=True)] if unmarked else blocks


def _warning_blocks(warnings: list[str], limit: int) -> list[dict[str, Any]]:
    """Shown above the statement, where a reviewer looks before deciding: one line
    per kind, then as many as fit and how many more there are (a card that cuts any
    offers no vote: `_why`)."""
    if not warnings:
        return []
    lines = _warning_lines(warnings, limit)
    run = {"type": "TextRun", "weight": "Bolder", "color": "Attention"}
    text = listing(lines, limit=limit, noun="warnings", sep="\n")
    return [{"type": "RichTextBlock", "inlines": [{**run, "text": text}]}]


def _warning_lines(warnings: list[str], limit: int) -> list[str]:
    """One line per kind of warning, each cut so no one crowds out the rest."""
    return [cut(w, min(WARNING_MAX, limit)) for w in warning_lines(warnings)]


def _votes(view: dict[str, Any], form: Form) -> list[dict[str, Any]]:
    lines = [vote_line(vote) for vote in view["votes"]]
    if form in ("rich", "merged", "plain"):
        return [plain(line, isSubtle=True) for line in lines]
    shown = listing(lines, limit=SUMMARY_FACT_MAX, noun="votes", sep="; ")
    return [plain(shown, isSubtle=True)] if lines else []


def _card(view: dict[str, Any], form: Form, *, note: str, interactive: bool) -> dict[str, Any]:
    """The card in `form`; the facts are summarised from the summary form on, and
    the vote (Reason, Approve, Deny, refresh) is only offered while every must-read
    part is shown whole."""
    headline = (
        f"Approval {cut(str(view['state']), 50)}: {cut(str(view['action']['risk']), 50)} action"
    )
    full = form in ("rich", "merged", "plain")
    facts = _facts(view, MAX_TEXT if full else SUMMARY_FACT_MAX)
    warnings = _warning_blocks(view["action"]["review"]["warnings"], _warnings_limit(form))
    if form == "minimal":  # who asks, on whose behalf, and the way to the console
        facts, warnings = facts[:2], []
    body: list[dict[str, Any]] = [
        plain(headline, size="Medium", weight="Bolder"),
        *facts,
        *warnings,
        *_must_read(view, form),
        *(_votes(view, form) if form != "minimal" else []),
    ]
    if note:
        body.append(plain(note, color="Attention"))
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
    }
    data = {"approval_id": view["id"]}
    actions: list[dict[str, Any]] = [
        {"type": "Action.OpenUrl", "title": "Open in phigate", "url": view["url"]}
    ]
    too_long = _why(view, form)
    if too_long and view["state"] == "pending":
        body.append(plain(too_long, color="Attention"))
    if interactive and view["state"] == "pending" and not too_long:
        body.append(
            {
                "type": "Input.Text",
                "id": "reason",
                "isMultiline": True,
                "label": "Reason (required to deny)",
                "maxLength": 2000,
            }
        )
        actions = [
            {
                "type": "Action.Execute",
                "verb": "approve",
                "title": "Approve",
                "data": data,
                "style": "positive",
            },
            {
                "type": "Action.Execute",
                "verb": "deny",
                "title": "Deny",
                "data": data,
                "style": "destructive",
            },
            *actions,
        ]
        card["refresh"] = {"action": {"type": "Action.Execute", "verb": "refresh", "data": data}}
    card["actions"] = actions
    return card
