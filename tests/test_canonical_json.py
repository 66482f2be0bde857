"""The audit's canonical JSON is the standard library's form, byte for byte, whichever
encoder wrote it: stored records were hashed in that form and verification
recomputes it, so one differing byte would break the chain."""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.audit._canonical import _short_exponent, canonical_json, sorted_json


def _standard(value: Any, ensure_ascii: bool = False) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=ensure_ascii, default=str
    )


class Colour(enum.Enum):
    RED = "red"


class Risk(enum.StrEnum):
    READ = "read"


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)  # past 64 bits too
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.floats(min_value=-1e-3, max_value=1e-3)  # where spellings differ
    | st.text(st.characters(codec="utf-8"))  # non-ASCII, control characters
)
_KEYS = st.text(max_size=8) | st.integers(min_value=-5, max_value=5) | st.booleans()
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(_KEYS, inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=1500, deadline=None)
@given(_VALUES, st.booleans())
def test_any_json_value_has_the_standard_form(value: Any, ensure_ascii: bool) -> None:
    """Both forms: the audit's (UTF-8) and action fingerprints' (ASCII escapes)."""
    try:
        expected = _standard(value, ensure_ascii)
    except TypeError:  # mixed key types the standard library cannot sort
        with pytest.raises(TypeError):
            sorted_json(value, ensure_ascii=ensure_ascii)
        return
    assert sorted_json(value, ensure_ascii=ensure_ascii) == expected
    if not ensure_ascii:
        assert canonical_json(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"ts": 1733356800.123456, "seq": 1},
        [1e-05, 1.5e-07, 4.898655542947985e-05, 1e-10, 0.0001, 1e16, 1e22, -0.0],
        [math.nan, math.inf, -math.inf],
        [2**63, 2**64 + 1, -(2**70)],
        {"é": "ü 😀 \u2028 \x00 \x7f", "a": "\t\n"},
        {1: "int keys sort as numbers", 10: "x", 2: "y"},
        {"tuple": (1, 2), "set": {3}},
        {"colour": Colour.RED, "risk": Risk.READ, "at": dt.datetime(2026, 12, 4, 23, 0)},
        {"text": "one-off e-5 and 0.00001 inside a string"},
    ],
)
def test_values_where_encoders_disagree_have_the_standard_form(value: Any) -> None:
    assert canonical_json(value) == _standard(value)
    assert sorted_json(value, ensure_ascii=True) == _standard(value, ensure_ascii=True)


_SHORT_EXPONENT = re.compile(rb"[0-9]e-[0-9](?![0-9])")  # what `_short_exponent` answers


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(st.sampled_from([b"e-", b"e", b"-", b"1", b"7", b"0", b"a", b"E-", b'"', b"."]))
    | st.binary(max_size=40)
)
def test_the_short_exponent_check_answers_as_the_pattern(pieces: list[bytes] | bytes) -> None:
    out = pieces if isinstance(pieces, bytes) else b"".join(pieces)
    assert _short_exponent(out) == (_SHORT_EXPONENT.search(out) is not None), out
