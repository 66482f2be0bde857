"""UUIDs that name a software object (round 18b): a tool call's, a message's, a
resource's under its collection path or with its kind's prefix, a mail's own
Message-ID. Each stays visible; a UUID that names a patient, an order or a record,
or whose context says nothing of what it is, stays masked."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

UUID = "5c0e8b1a-2f4d-4a6b-9e3c-7d1f0a2b4c6e"

KEPT = [
    # keys that name a software object
    (f'{{"tool_call_id": "{UUID}", "name": "lookup_eligibility"}}', UUID),
    (f"toolCallId={UUID}", UUID),
    (f"Thread ID: {UUID}", UUID),
    (f'"conversation_id": "{UUID}"', UUID),
    (f"resource_id: {UUID}", UUID),
    (f"attempt id {UUID} failed", UUID),
    (f"References: <{UUID}@a.example.net> <{UUID[::-1]}@b.example.net>", UUID[::-1]),
    # a log's bare key of what the id is, quoted
    (f'{{"level":"warn","trace":"{UUID}"}}', UUID),
    (f"'span': '{UUID}'", UUID),
    # a collection path of software objects
    (f"GET /v2/jobs/{UUID} HTTP/1.1", UUID),
    (f"polling /api/runs/{UUID}/status", UUID),
    (f"DELETE /sessions/{UUID}", UUID),
    # the object's kind as a prefix
    (f"tool_use id call_{UUID} returned 200", UUID),
    (f"queued as req-{UUID}", UUID),
    # a mail's own Message-ID and threading headers
    (f"Message-ID: <{UUID}@mail.example.net>", UUID),
    (f"In-Reply-To: <{UUID}@mx.example.org>", UUID),
]  # fmt: skip


def _touched(masker: Masker, text: str, value: str) -> list[str]:
    start = text.index(value)
    return [t for s, e, t in masker.spans(text) if s < start + len(value) and e > start]


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    assert not _touched(safe_harbor, text, value), f"{value!r} masked"


MASKED = [
    # a patient's, an order's or a record's own id
    (f"GET /v2/patients/{UUID} HTTP/1.1", UUID),
    (f"/api/orders/{UUID}/results", UUID),
    (f'{{"member_id": "{UUID}"}}', UUID),
    (f"record {UUID} opened", UUID),
    # nothing says what it is
    (f"ref {UUID}", UUID),
    (f'{{"id": "{UUID}"}}', UUID),
    (f"/items/{UUID}", UUID),
    # a person's address whose local part looks like an id, outside a header
    (f"write to {UUID}@mail.example.net", UUID),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masked(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = bytearray(len(text))
    for s, e, _ in safe_harbor.spans(text):
        covered[s:e] = b"\x01" * (e - s)
    leaked = [text[i] for i in range(start, start + len(value)) if not covered[i]]
    assert not [c for c in leaked if c.isalnum()], f"{value!r} left visible"
