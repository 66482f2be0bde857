"""Deep nesting is bad input at every door: a clear audited 400 in the caller's own
protocol (docs/security.md, "Bad input"), never a RecursionError anywhere."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phigate.pipeline.nesting import MAX_DEPTH, depth_exceeds, text_depth_exceeds
from tests.conftest import Harness


def _nested(depth: int, leaf: Any = "x") -> Any:
    value = leaf
    for n in range(depth):
        value = [value] if n % 2 else {"k": value}
    return value


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab', max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=40,
)


@given(_JSON, st.integers(min_value=0, max_value=8))
def test_both_depth_checks_agree_with_the_recursive_definition(value: Any, limit: int) -> None:
    """The value check and the text check (brackets inside strings, escapes) say the
    same as counting recursively, on any JSON value and limit."""
    expected = _depth(value) > limit
    assert depth_exceeds(value, limit) == expected
    assert text_depth_exceeds(json.dumps(value), limit) == expected
    assert text_depth_exceeds(json.dumps(value).encode(), limit) == expected


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 100_000])
def test_the_checks_never_recurse(depth: int) -> None:
    text = "[" * depth + "]" * depth
    assert text_depth_exceeds(text) == (depth > MAX_DEPTH)
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    assert depth_exceeds(value) == (depth > MAX_DEPTH)


def _rest_bodies(depth: int) -> list[tuple[str, Any]]:
    return [
        ("sql-param", {"connection": "ehr", "sql": "SELECT $1::text", "params": [_nested(depth)]}),
        (
            "http-body",
            {
                "connection": "patients-api",
                "request": {"method": "POST", "path": "/notes", "body": _nested(depth)},
            },
        ),
        (
            "http-query",
            {
                "connection": "patients-api",
                "request": {"method": "GET", "path": "/p", "query": {"q": _nested(depth)}},
            },
        ),
    ]


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 600, 5000])
async def test_rest_answers_deep_nesting_with_an_audited_400(harness: Harness, depth: int) -> None:
    for name, body in _rest_bodies(depth):
        text = json.dumps(body) if depth < 900 else _deep_text(body, depth)
        before, _ = harness.gateway.audit_head()
        answer = await harness.client.post(
            "/v1/actions",
            headers={**harness.auth("claims-bot"), "Content-Type": "application/json"},
            content=text,
        )
        after, _ = harness.gateway.audit_head()
        assert answer.status_code == 400, (name, answer.text[:200])
        assert answer.json()["error"]["code"] == "invalid_request", name
        assert f"more than {MAX_DEPTH} levels deep" in answer.text, name
        assert after > before, f"{name}: not audited"
        records = harness.gateway.audit_records(since=before)
        assert any("levels deep" in json.dumps(r) for r in records), name


def _deep_text(body: dict[str, Any], depth: int) -> str:
    """`body` with its nested leaf as JSON text `depth` arrays deep (json.dumps would
    itself recurse too far to write it)."""
    marker = "\x00DEEP\x00"

    def swap(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()} if "k" not in value else marker
        if isinstance(value, list):
            return marker
        return value

    return json.dumps(swap(body)).replace(json.dumps(marker), "[" * depth + "1" + "]" * depth)


async def test_nesting_within_the_limit_is_not_refused_for_it(harness: Harness) -> None:
    body = {"connection": "ehr", "sql": "SELECT $1::text", "params": [_nested(MAX_DEPTH - 3)]}
    answer = await harness.client.post("/v1/actions", headers=harness.auth("claims-bot"), json=body)
    assert "levels deep" not in answer.text, answer.text
