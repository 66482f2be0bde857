"""The state store's JSON columns read back as the standard library wrote them:
orjson writes them on every action's path only where that provably holds."""

from __future__ import annotations

import datetime as dt
import enum
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.identity.principal import Principal, PrincipalKind
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


@settings(max_examples=100, deadline=None)
@given(
    groups=st.frozensets(st.text(st.characters(codec="utf-8"), max_size=8), max_size=4),
    on_behalf_of=st.sampled_from([None, "dana"]),
    signed_in_as=st.sampled_from([None, "", "dana.m"]),
    kind=st.sampled_from(list(PrincipalKind)),
)
def test_a_principal_column_made_once_reads_back_as_column_json(
    groups: frozenset[str], on_behalf_of: str | None, signed_in_as: str | None, kind: PrincipalKind
) -> None:
    """The actions table's principal column is the principal's own text, made once per
    principal: it reads back as `column_json(principal.to_json())` would."""
    principal = Principal("claims-bot", kind, groups, on_behalf_of, signed_in_as=signed_in_as)
    expected = {
        "subject": "claims-bot",
        "kind": kind.value,
        "groups": sorted(groups),
        "on_behalf_of": on_behalf_of,
        **({"signed_in_as": signed_in_as} if signed_in_as else {}),
    }
    assert principal.to_json() == expected
    assert list(principal.to_json()) == list(expected)  # key order, as stored before
    assert json.loads(principal.json_text) == json.loads(column_json(expected)) == expected
    assert principal.json_text is principal.json_text  # made once
    first = principal.to_json()
    first["groups"].append("admins")  # type: ignore[attr-defined]
    first["extra"] = 1
    assert principal.to_json() == expected  # each caller gets a dict of its own
