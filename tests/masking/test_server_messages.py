"""Server messages lose what they quote from data, by structure, before detection."""

from __future__ import annotations

import pytest

from phigate.masking.engine import MaskingEngine
from phigate.masking.server_messages import scrub_fields, scrub_message
from phigate.masking.settings import MaskingSettings

STATEMENT = "SELECT (quote_literal(format('%I', member_id)))::regtype FROM claims"


@pytest.fixture(scope="module")
def masker():  # type: ignore[no-untyped-def]
    return MaskingEngine(MaskingSettings(), b"k" * 32).masker("hipaa-safe-harbor")


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        # the caller's own identifiers stay
        ('column "member_id" of relation "claims" does not exist', None),
        # values from rows are replaced
        ('invalid input syntax for type integer: "G547533605"', 'integer: "[VALUE]"'),
        ('type "g547533605" does not exist', 'type "[VALUE]" does not exist'),
        # quotes inside quotes: the whole region goes
        ('syntax error at or near "\'"G547533605"\'"', 'near "[VALUE]"'),
        # an odd quote: everything after it goes
        ('unterminated "G547533605 and more', 'unterminated "[VALUE]"'),
        # bytes of a value
        ('invalid byte sequence for encoding "UTF8": 0x4a 0x6f', "[BYTES]"),
    ],
)
def test_quoted_data_is_replaced(masker, message: str, shown: str | None) -> None:  # type: ignore[no-untyped-def]
    out = scrub_message(message, STATEMENT, masker)
    assert "547533605" not in out and "0x4a" not in out
    assert (shown or message) in out


def test_detail_context_and_internal_query_are_dropped(masker) -> None:  # type: ignore[no-untyped-def]
    fields = [
        ("S", "ERROR"),
        ("C", "23505"),
        ("M", 'duplicate key value violates unique constraint "claims_pkey"'),
        ("D", "Key (member_id)=(G547533605) already exists."),
        ("W", "SQL function f line 1"),
        ("q", "SELECT secret"),
        ("P", "12"),
    ]
    out = dict(scrub_fields(fields, STATEMENT, masker))
    assert set(out) == {"S", "C", "M", "P"}
    assert out["C"] == "23505" and out["P"] == "12"


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        # data between two quoted spans the caller wrote is not the server's words
        ('invalid input syntax for type integer: "x" seniaG egroeG "y"', 'integer: "[VALUE]"'),
        # a value printed unquoted after the template's words
        (
            "improper relation name (too many dotted names): a.b.c.seniag_egroeg",
            'names): "[VALUE]"',
        ),
        # a span in the statement only as part of a word is not the caller's
        ('column "S" does not exist', 'column "[VALUE]" does not exist'),
        # a known template keeps its words, a type name in it too
        ('column "claims" does not exist', None),
        ("operator does not exist: text + integer", None),
        ("function foo(integer) does not exist", None),
    ],
)
def test_only_the_servers_template_keeps_its_words(masker, message: str, shown: str | None) -> None:  # type: ignore[no-untyped-def]
    out = scrub_message(message, STATEMENT, masker)
    assert "seniaG" not in out and "seniag" not in out
    assert (shown or message) in out
