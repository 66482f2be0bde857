"""Adaptive Cards for Teams: the masked summary with Action.Execute Approve/Deny,
a reason field, a refresh action (so every viewer sees the current state), and the
"Open in phigate" card for the Workflows-webhook fallback."""

from __future__ import annotations

from typing import Any

from phigate.doors.channels._summary import vote_line
from phigate.reviewing.essentials import must_read, unseen

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_TEXT = 2500


def plain(text: object, **style: Any) -> dict[str, Any]:
    """A block of text Teams shows as written: the one form for any value phigate did
    not write itself.

    TextBlock and FactSet values are Markdown on every Teams client (`[claims](x)` is
    a link reading `claims`, `**x**` is bold), and no escape works on all of them
    (backslashes show on some, not others). TextRuns of a RichTextBlock read no
    Markdown, so table names, principals, votes, reasons and errors go there.
    """
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": str(text), **style}]}


def _fact(title: str, value: object) -> dict[str, Any]:
    """A labelled line: phigate's bold title, then the value as a plain run."""
    label = {"type": "TextRun", "text": f"{title}: ", "weight": "Bolder"}
    run = {"type": "TextRun", "text": str(value)}
    return {"type": "RichTextBlock", "spacing": "None", "inlines": [label, run]}


def _facts(view: dict[str, Any]) -> list[dict[str, Any]]:
    action = view["action"]
    state = view["state"] if view["state"] != "pending" else f"pending, {view['time_left']} left"
    return [
        _fact("Requested by", action["requested_by"]["subject"]),
        _fact("On behalf of", view.get("on_behalf_of") or "—"),
        _fact("Connection", action["connection"]),
        _fact("Risk", f"{action['risk']}: {'; '.join(action['reasons'])}"),
        _fact("Tables", ", ".join(action["tables"]) or "—"),
        _fact("Masking", _masking(action)),
        _fact("Votes", view["votes_text"]),
        _fact("State", state),
    ]


def _masking(action: dict[str, Any]) -> str:
    reveal = action["reveal"]
    return str(action["masking"]) + (f" (reveal requested: {', '.join(reveal)})" if reveal else "")


def _rich(segments: list[list[Any]], *, monospace: bool = False) -> dict[str, Any]:
    """Text runs, which Teams renders without markdown (a `[WHERE id = 7](x)` in a
    literal stays as written); each escape is set bold in the attention colour."""
    inlines, left = [], MAX_TEXT
    for part, escape in segments:
        text = str(part)[: max(left, 0)]
        left -= len(str(part))
        if text:
            run: dict[str, Any] = {"type": "TextRun", "text": text}
            if monospace:
                run["fontType"] = "Monospace"
            if escape:
                run.update(weight="Bolder", color="Attention")
            inlines.append(run)
    if left < 0:
        inlines.append({"type": "TextRun", "text": "\n… (truncated; the console shows it all)"})
    return {"type": "RichTextBlock", "inlines": inlines}


def _must_read(view: dict[str, Any]) -> list[dict[str, Any]]:
    """What a reviewer must read before voting (`reviewing.essentials`): the statement
    in monospace, then its bound values, what it asks to see unmasked and the reason."""
    (_label, statement), *rest = must_read(view)
    return [
        _rich(statement, monospace=True),
        *(_rich([[f"{label}: ", False], *segments]) for label, segments in rest),
    ]


def _warning_blocks(warnings: list[str]) -> list[dict[str, Any]]:
    """Shown above the statement, where a reviewer looks before deciding."""
    run = {"type": "TextRun", "weight": "Bolder", "color": "Attention"}
    return [{"type": "RichTextBlock", "inlines": [{**run, "text": w}]} for w in warnings]


def approval_card(
    view: dict[str, Any], *, note: str = "", interactive: bool = True
) -> dict[str, Any]:
    headline = f"Approval {view['state']}: {view['action']['risk']} action"
    body: list[dict[str, Any]] = [
        plain(headline, size="Medium", weight="Bolder"),
        *_facts(view),
        *_warning_blocks(view["action"]["review"]["warnings"]),
        *_must_read(view),
        *(plain(vote_line(vote), isSubtle=True) for vote in view["votes"]),
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
    too_long = unseen(view, MAX_TEXT, "Teams")
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
