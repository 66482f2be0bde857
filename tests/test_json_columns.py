"""The state store's JSON columns read back as the standard library wrote them:
orjson writes them on every action's path only where that provably holds."""

from __future__ import annotations

import datetime as dt
import enum
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.store.json_columns import column_json


class Risk(enum.StrEnum):
    READ = "read"


class Level(enum.IntEnum):
    HIGH = 3


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)  # past 64 bits too
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(codec="utf-8"))  # non-ASCII, control characters
    | st.sampled_from(["\ud800 lone surrogate", Risk.READ, Level.HIGH, dt.date(2026, 12, 5)])
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


def _read_back(text: str) -> str:
    """What a reader gets, spelled so that NaN, -0.0 against 0.0, 1 against 1.0 and
    the order of keys all count."""
    return json.dumps(json.loads(text))


@settings(max_examples=1500, deadline=None)
@given(_VALUES)
def test_any_value_reads_back_as_the_standard_library_wrote_it(value: Any) -> None:
    assert _read_back(column_json(value)) == _read_back(json.dumps(value, default=str))


def test_the_usual_columns_take_the_fast_form_and_keep_their_key_order() -> None:
    """An action's body and a result summary: orjson's spelling, keys as given."""
    body = {"body": {"sql": "SELECT $1", "params": ["é", 1, 2.5, None]}, "reveal": []}
    assert column_json(body) == (
        '{"body":{"sql":"SELECT $1","params":["é",1,2.5,null]},"reveal":[]}'
    )
    summary = {"rows": 1, "masked": {}, "duration_ms": 0.12, "status": "SELECT 1"}
    assert list(json.loads(column_json(summary))) == ["rows", "masked", "duration_ms", "status"]
