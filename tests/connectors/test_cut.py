"""Where an answer cut at its cap ends (phigate.connectors._cut): after its last whole
unit, so no head of a value is left for the masker to miss."""

from __future__ import annotations

import json

import pytest

from phigate.connectors._cut import json_prefix, text_cut

DOC = json.dumps(
    {
        "resourceType": "Bundle",
        "total": 2,
        "entry": [
            {"resource": {"name": [{"family": "Okonkwo-Baptiste"}], "ssn": "501418037"}},
            {"resource": {"id": "p2", "active": True, "score": 12345.75, "tags": []}},
        ],
    },
    separators=(",", ":"),
).encode()
VALUES = [b"Okonkwo-Baptiste", b"501418037", b"true", b"12345.75", b"Bundle", b"p2"]


def _kept(cap: int) -> bytes:
    found = json_prefix(DOC, cap)
    assert found is not None, cap
    end, closers = found
    return DOC[:end] + closers


@pytest.mark.parametrize("cap", range(2, len(DOC)))
def test_a_json_document_is_cut_after_a_whole_member_or_element(cap: int) -> None:
    """Wherever the cap falls (inside a key, a string, a number, a literal), what is
    kept parses, and each value in it is there whole or not at all."""
    kept = _kept(cap)
    json.loads(kept)
    assert len(kept) - len(json_prefix(DOC, cap)[1]) <= cap  # type: ignore[index]
    for value in VALUES:
        for head in range(1, len(value)):
            if kept.find(value[:head]) >= 0 and value[:head] not in DOC[: DOC.find(value)]:
                assert value in kept, (cap, value[:head], kept)


@pytest.mark.parametrize(
    "data",
    [b"<html>not json", b'{"a" 1}', b'{"a":1]', b"[1,,2]", b'"just a long string'],
    ids=["markup", "no colon", "wrong closer", "two commas", "a lone string"],
)
def test_what_is_no_json_documents_head_has_no_json_cut(data: bytes) -> None:
    assert json_prefix(data, len(data)) is None


def test_a_scalar_the_cut_may_have_shortened_is_dropped() -> None:
    assert json_prefix(b'{"a":1,"b":12345}', 14) == (6, b"}")  # "b":123 of 12345
    assert json_prefix(b"[true,fals", 10) == (5, b"]")


@pytest.mark.parametrize(
    ("text", "cap", "kept"),
    [
        (b"one two\nthree fo", 16, b"one two\n"),  # the last line end
        (b"SSN 501-41-8037 for Okonkwo", 25, b"SSN 501-41-8037 for"),  # else the last blank
        (b"SSN\t5014180", 11, b"SSN"),
        (b"50141803750141803", 12, b""),  # one word over the cap: nothing of it
    ],
)
def test_a_text_is_cut_at_its_last_line_end_or_blank(text: bytes, cap: int, kept: bytes) -> None:
    assert text[: text_cut(text, cap)] == kept
