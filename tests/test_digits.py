"""Numbers from request input are ASCII digits and nothing else."""

from __future__ import annotations

import pytest

from phigate.core.digits import ascii_int


@pytest.mark.parametrize(("text", "number"), [("0", 0), ("1700000000", 1700000000), (b"42", 42)])
def test_ascii_digits_are_read(text: str | bytes, number: int) -> None:
    assert ascii_int(text) == number


@pytest.mark.parametrize(
    "text",
    ["", "²", "\u0669", "١٢", "1_000", "+1", "-1", " 1", "1 ", "1\n", "0x10", b"\xb2", "1" * 21],
)
def test_anything_else_is_no_number(text: str | bytes) -> None:
    """What `str.isdigit` or `int` would take (superscripts, other scripts' digits,
    underscores, signs, spaces) is refused, and so is a number longer than asked for."""
    assert ascii_int(text) is None
