"""A chat message fits its platform's limits, cuts nothing silently, and offers a
vote only when it shows every must-read part whole.

The limits are written out here from the platforms' documentation, not imported,
so a wrong constant in the code cannot make its own test pass.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phigate.doors.channels._budget import counted, cut, listing
from phigate.doors.channels._slack_blocks import approval_blocks
from phigate.doors.channels._slack_blocks import unshown as slack_unshown
from phigate.doors.channels._teams_cards import approval_card
from phigate.doors.channels._teams_cards import unshown as teams_unshown
from phigate.reviewing.essentials import must_read

SLACK_SECTION_TEXT_MAX = 3000  # Block Kit: a section's text, any mrkdwn text object
SLACK_FIELD_MAX = 2000  # Block Kit: each of a section's fields
SLACK_FIELDS_MAX = 10
SLACK_HEADER_MAX = 150
TEAMS_MESSAGE_MAX = 28 * 1024  # Teams (Workflows): about 28 KB a message
WHOLE = 2500  # the most of a must-read part a chat message shows whole

quick = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def view(
    *,
    statement: list[list[Any]] | None = None,
    tables: list[str] | None = None,
    warnings: list[str] | None = None,
    reasons: list[str] | None = None,
    subject: str = "claims-bot",
    on_behalf_of: str = "dana",
    reason: str = "paid by phone",
    params: str = "",
    state: str = "pending",
    votes: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """A reviewer's view (`approval_json`'s shape) with the parts a test varies."""
    return {
        "id": "a1",
        "url": "https://phigate.example/ui/approvals/a1",
        "state": state,
        "time_left": "59m",
        "on_behalf_of": on_behalf_of,
        "approvals_so_far": 0,
        "required": 1,
        "eligible_groups": ["data-owners"],
        "votes_text": "0 of 1 from data-owners",
        "votes": votes or [],
        "action": {
            "requested_by": {"subject": subject, "kind": "agent"},
            "risk": "write",
            "connection": "ehr",
            "reasons": reasons or ["UPDATE"],
            "tables": tables or ["claims"],
            "masking": "default",
            "reveal": [],
            "review": {
                "warnings": warnings or [],
                "marked": {
                    "statement": statement or [["UPDATE claims SET status = 'paid'", False]],
                    "reason": [[reason, False]],
                    **({"params": [[params, False]]} if params else {}),
                },
            },
        },
    }


# ── what the platforms refuse ───────────────────────────────────────────────
def slack_violations(blocks: list[dict[str, Any]]) -> list[str]:
    over = []
    for block in blocks:
        texts = [block.get("text") or {}, *block.get("elements", [])]
        if block["type"] == "header" and len(block["text"]["text"]) > SLACK_HEADER_MAX:
            over.append("header")
        for text in texts:
            if text.get("type") == "mrkdwn" and len(text["text"]) > SLACK_SECTION_TEXT_MAX:
                over.append(f"{block['type']} text of {len(text['text'])}")
        fields = block.get("fields", [])
        if len(fields) > SLACK_FIELDS_MAX:
            over.append("too many fields")
        over.extend(
            f"field of {len(f['text'])}" for f in fields if len(f["text"]) > SLACK_FIELD_MAX
        )
    return over


def teams_size(card: dict[str, Any]) -> int:
    activity = {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.adaptive", "content": card}],
    }
    return len(json.dumps(activity).encode())


def slack_votes(blocks: list[dict[str, Any]]) -> bool:
    return any(b.get("block_id") == "phigate_vote" for b in blocks)


def teams_votes(card: dict[str, Any]) -> bool:
    return any(a["type"] == "Action.Execute" for a in card["actions"])


def teams_text(card: dict[str, Any]) -> str:
    return "".join(r["text"] for b in card["body"] for r in b.get("inlines", []))


def slack_statement_text(blocks: list[dict[str, Any]]) -> str:
    rich = next(b for b in blocks if b["type"] == "rich_text")
    return "".join(run["text"] for e in rich["elements"] for run in e["elements"])


def whole_parts(v: dict[str, Any]) -> list[str]:
    return ["".join(str(text) for text, _escape in segments) for _label, segments in must_read(v)]


# ── random large actions ────────────────────────────────────────────────────
# Hypothesis draws small examples; a large action is a few drawn pieces repeated,
# so the limits are reached in most examples, in every combination.
names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=12,
)


def _repeated(text: str, times: int) -> str:
    return text * times


long_names = st.builds(_repeated, names, st.integers(min_value=1, max_value=300))


def _many(pieces: list[str], count: int) -> list[str]:
    return [f"{pieces[i % len(pieces)]}{i}" for i in range(count)]


def lists_of(most: int) -> st.SearchStrategy[list[str]]:
    return st.builds(_many, st.lists(long_names, min_size=1, max_size=4), st.integers(0, most))


def _statement(pieces: list[list[Any]], count: int) -> list[list[Any]]:
    return [pieces[i % len(pieces)] for i in range(count)]


piece = st.tuples(
    st.one_of(names, st.sampled_from(["\\u200b", "\\u202e", "\\n", "⟨9 spaces⟩"])),
    st.booleans(),
).map(list)
statements = st.builds(_statement, st.lists(piece, min_size=1, max_size=6), st.integers(1, 600))
big_views = st.builds(
    view,
    statement=statements,
    tables=lists_of(150).filter(bool),
    warnings=lists_of(200),
    reasons=lists_of(40).filter(bool),
    subject=long_names,
    on_behalf_of=long_names,
    reason=long_names,
    params=st.one_of(st.just(""), long_names),
    state=st.sampled_from(["pending", "approved", "denied"]),
    votes=st.lists(
        st.fixed_dictionaries(
            {"voter": long_names, "vote": st.sampled_from(["approve", "deny"]), "channel": names}
        ),
        max_size=5,
    ),
)


@quick
@given(big_views)
def test_every_slack_block_is_within_block_kits_limits(v: dict[str, Any]) -> None:
    blocks = approval_blocks(v, console_only=False)
    assert slack_violations(blocks) == []
    if slack_votes(blocks):  # a vote only under the whole statement and its reason
        shown = slack_statement_text(blocks)
        assert all(part in shown for part in whole_parts(v))
        assert slack_unshown(v) is None
    elif v["state"] == "pending":
        assert slack_unshown(v) is not None


@quick
@given(big_views, st.text(max_size=2000))
def test_every_teams_card_fits_a_message(v: dict[str, Any], note: str) -> None:
    card = approval_card(v, note=note)
    assert teams_size(card) <= TEAMS_MESSAGE_MAX
    assert v["url"] in str(card["actions"])
    if teams_votes(card):
        shown = teams_text(card)
        assert all(part in shown for part in whole_parts(v))
        assert teams_unshown(v) is None
    elif v["state"] == "pending":
        assert teams_unshown(v) is not None
    # the note never changes the form: with or without it, the same vote
    assert teams_votes(card) == teams_votes(approval_card(v))


# ── the cuts say what they left out ─────────────────────────────────────────
def test_forty_long_table_names_end_in_a_count_of_the_rest() -> None:
    tables = [f"t{i:02d}_{'x' * 55}" for i in range(40)]
    blocks = approval_blocks(view(tables=tables), console_only=False)
    field = next(f["text"] for f in blocks[2]["fields"] if f["text"].startswith("*Tables*"))
    shown = field.removeprefix("*Tables*\n").split(", ")
    assert shown[:-1] == tables[: len(shown) - 1]
    assert shown[-1] == f"… {40 - len(shown) + 1} more tables: see the console"
    assert slack_votes(blocks)  # the statement is whole: the vote stays


def test_repeated_warnings_are_counted_and_the_rest_named() -> None:
    same = approval_blocks(
        view(warnings=["UPDATE of claims has no WHERE"] * 80), console_only=False
    )
    assert "UPDATE of claims has no WHERE (80 times)" in str(same)
    words = ["".join(chr(97 + int(d)) for d in f"{i:03d}") for i in range(80)]
    distinct = [f"check {w}: this statement does something unusual to read" for w in words]
    blocks = approval_blocks(view(warnings=distinct), console_only=False)
    section = next(b["text"]["text"] for b in blocks if ":warning:" in str(b))
    lines = section.split("\n")[1:]
    assert lines[-1].startswith("… ") and lines[-1].endswith(" more warnings: see the console")
    assert len(lines) - 1 + int(lines[-1].split()[1]) == 80
    assert len(section) <= SLACK_SECTION_TEXT_MAX
    assert not slack_votes(blocks)  # a kind of warning is cut: no vote


def test_warnings_of_one_kind_make_one_line_and_keep_the_vote() -> None:
    """Round 16a findings 3–4: 126 warnings of one kind (a run of spaces for each
    length) are one line with their count and first places, so the warning of another
    kind after them is shown, and the vote with it."""
    runs = [f"a run of {n} spaces is shown as ⟨{n} spaces⟩" for n in range(4, 130)]
    warnings = [*runs, "UPDATE of claims has no WHERE: it changes every row"]
    blocks = approval_blocks(view(warnings=warnings), console_only=False)
    section = next(b["text"]["text"] for b in blocks if ":warning:" in str(b))
    assert "(126 of this kind: 4, 5, 6, 7, 8, …)" in section
    assert "UPDATE of claims has no WHERE" in section
    assert slack_votes(blocks)
    card = approval_card(view(warnings=warnings))
    assert "UPDATE of claims has no WHERE" in teams_text(card) and teams_votes(card)


def test_a_statement_full_of_escapes_keeps_its_vote_in_fewer_runs() -> None:
    """Round 15a finding 7: 340 zero-width spaces, each its own highlighted run, made
    a 59 KB card; as one run (every escape still shown as its text) it fits, whole,
    and the vote stays, with a note that the highlighting was dropped."""
    statement = [["UPDATE claims SET status = '", False]]
    for i in range(340):
        statement += [[chr(97 + i % 26), False], ["\\u200b", True]]
    statement.append(["' WHERE id = 13", False])
    v = view(statement=statement)
    card = approval_card(v)
    assert teams_size(card) <= TEAMS_MESSAGE_MAX
    assert teams_votes(card)
    assert whole_parts(v)[0] in teams_text(card)
    assert "without highlighting" in teams_text(card)
    assert len([r for b in card["body"] for r in b.get("inlines", []) if r.get("fontType")]) == 1


def test_adjacent_escapes_are_merged_before_highlighting_is_dropped() -> None:
    """A run of escapes needs one highlighted run, not one each: they stay marked."""
    statement = [["UPDATE claims SET status = '", False], *[["\\u200b", True]] * 400]
    statement.append(["' WHERE id = 13", False])
    card = approval_card(view(statement=statement))
    marked = [r["text"] for b in card["body"] for r in b.get("inlines", []) if r.get("fontType")]
    assert marked == ["UPDATE claims SET status = '", "\\u200b" * 400, "' WHERE id = 13"]
    assert teams_votes(card)


def test_a_card_that_cannot_show_the_statement_offers_only_the_console() -> None:
    """A statement of 2,490 characters in 249 escapes, bound values and a reason of
    2,500 characters each, all outside ASCII (six bytes each in escaped JSON): no form
    with them whole fits, so the card keeps who asks, for whom, and the link."""
    statement = [["x", False], *[["\\U0001f600", True]] * 249, ["y", False]]
    names = [f"{'ü' * 200}{i}" for i in range(120)]
    v = view(
        statement=statement,
        tables=names,
        warnings=names,
        subject="ü" * 3000,
        params="é" * 2500,
        reason="é" * 2500,
    )
    card = approval_card(v)
    assert teams_size(card) <= TEAMS_MESSAGE_MAX
    assert not teams_votes(card)
    text = teams_text(card)
    assert "Requested by: ü" in text and "On behalf of: dana" in text
    assert "too large for a Teams card" in text
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open in phigate", "url": v["url"]}
    ]
    assert teams_unshown(v) is not None


# ── the budget helpers ──────────────────────────────────────────────────────
@quick
@given(st.lists(names, max_size=80), st.integers(min_value=60, max_value=3000))
def test_a_listing_fits_and_names_what_it_left_out(items: list[str], limit: int) -> None:
    text = listing(items, limit=limit, noun="tables")
    assert len(text) <= limit
    if text == ", ".join(items):
        return
    marker = re.search(r"(?:^|, )… ([\d,]+) more tables: see the console$", text)
    assert marker, text
    left = int(marker.group(1).replace(",", ""))
    assert 0 < left <= len(items)
    assert text[: marker.start()] == ", ".join(items[: len(items) - left])


@quick
@given(names, st.integers(min_value=60, max_value=500))
def test_a_cut_keeps_the_start_and_counts_the_rest(text: str, limit: int) -> None:
    shown = cut(text, limit)
    assert len(shown) <= limit
    if shown != text:
        start, _, rest = shown.rpartition(" … (")
        assert text.startswith(start)
        assert rest == f"{len(text) - len(start):,} more characters: see the console)"


def test_counted_keeps_first_appearance_order() -> None:
    assert counted(["b", "a", "b", "c", "b"]) == ["b (3 times)", "a", "c"]
