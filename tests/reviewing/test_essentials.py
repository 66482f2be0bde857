"""The one rule for what a reviewer reads before a vote (round 6 findings 1, 4, 6)."""

from __future__ import annotations

from typing import Any

from phigate.reviewing.essentials import must_read, unseen


def view(statement: str, *, params: str | None = None, unmasked: str | None = None) -> Any:
    marked: dict[str, Any] = {"statement": [[statement, False]], "reason": [["paid", False]]}
    if params is not None:
        marked["params"] = [[params, False]]
    return {"action": {"review": {"marked": marked, "unmasked": unmasked}}}


def test_the_parts_come_in_order_and_only_when_there() -> None:
    assert [label for label, _ in must_read(view("SELECT 1"))] == ["Statement", "Reason"]
    full = view("UPDATE t SET a = $1", params='["x"]', unmasked="asks to see PERSON unmasked")
    labels = [label for label, _ in must_read(full)]
    assert labels == ["Statement", "Bound values", "Unmasked", "Reason"]


def test_a_part_longer_than_the_surface_shows_is_why_it_offers_no_vote() -> None:
    assert unseen(view("x" * 2500), 2500, "Slack") is None
    why = unseen(view("x" * 2501), 2500, "Slack")
    assert why is not None and "Statement is 2,501 characters" in why and "console" in why
    assert unseen(view("SELECT $1", params="y" * 3000), 2500, "Teams") is not None
