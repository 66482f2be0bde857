"""REST writes a result's values as FastAPI's encoder did (phigate.doors._json_values):
the fast walk of `rest_value` gives what `jsonable_encoder` gives, for every type a
result may hold."""

from __future__ import annotations

import datetime
import enum
import ipaddress
import json
import uuid
from decimal import Decimal
from typing import Any

from fastapi.encoders import jsonable_encoder
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.responses import JSONResponse

from phigate.doors._json_values import REST_ENCODERS, rest_json, rest_value


class Colour(enum.Enum):
    RED = "red"


class Text(str):
    """A str subclass: not the exact type the walk passes as is."""


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.text(max_size=4).map(Text),
    st.binary(max_size=8),
    st.dates(),
    st.datetimes(timezones=st.just(datetime.UTC)),
    st.times(),
    st.timedeltas(),
    st.uuids(),
    st.just(ipaddress.ip_address("10.0.0.1")),
    st.just(ipaddress.ip_network("10.0.0.0/8")),
    st.just(Colour.RED),
    st.frozensets(st.integers(0, 3), max_size=3),
    st.sampled_from(["\ud800", "x\udfffy"]),
)
KEYS = st.one_of(st.text(max_size=4), st.sampled_from(["_sa", "_sa_key", "columns"]))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(KEYS, inner, max_size=4),
    ),
    max_leaves=20,
)


def same(a: Any, b: Any) -> bool:
    """Equal, with NaN equal to itself (repr tells floats and their types apart)."""
    return repr(a) == repr(b)


@settings(max_examples=400, derandomize=True)
@given(VALUES)
def test_any_value_is_written_as_fastapi_writes_it(value: Any) -> None:
    assert same(rest_value(value), jsonable_encoder(value, custom_encoder=REST_ENCODERS))


@settings(max_examples=200, derandomize=True)
@given(st.dictionaries(KEYS, VALUES, max_size=5))
def test_a_payload_is_written_as_fastapi_writes_it(payload: dict[str, Any]) -> None:
    assert same(rest_value(payload), jsonable_encoder(payload, custom_encoder=REST_ENCODERS))


def test_a_result_payload_keeps_its_shape() -> None:
    payload = {
        "columns": ["id", "amount", "ssn"],
        "rows": [[1, Decimal("12.50"), "***-**-1234"], (2, float("nan"), b"\x01")],
        "row_count": 2,
        "truncated": False,
        "masked": {"US_SSN": 1},
    }
    assert rest_value(payload) == {
        "columns": ["id", "amount", "ssn"],
        "rows": [[1, 12.5, "***-**-1234"], [2, "NaN", "\\x01"]],
        "row_count": 2,
        "truncated": False,
        "masked": {"US_SSN": 1},
    }
    assert same(rest_value(payload), jsonable_encoder(payload, custom_encoder=REST_ENCODERS))
    assert rest_value({"u": uuid.UUID(int=1)}) == {"u": "00000000-0000-0000-0000-000000000001"}


@settings(max_examples=400, derandomize=True)
@given(st.dictionaries(KEYS, VALUES, max_size=5))
def test_an_answer_reads_back_as_starlette_wrote_it(payload: dict[str, Any]) -> None:
    """The bytes (orjson's, or the standard library's for what orjson refuses) read
    back as the same JSON Starlette's JSONResponse wrote; a lone surrogate, which has
    no UTF-8 form, is escaped."""
    content = rest_value(payload)
    written = rest_json(content)
    try:
        expected = JSONResponse(content).body
    except UnicodeEncodeError:
        expected = json.dumps(content, allow_nan=False).encode("ascii")
    assert same(json.loads(written), json.loads(expected))


def test_what_orjson_refuses_is_written_all_the_same() -> None:
    content = {"big": 2**70, "surrogate": "a\ud800b", "keys": {1: "one"}}
    assert json.loads(rest_json(content)) == {
        "big": 2**70,
        "surrogate": "a\ud800b",
        "keys": {"1": "one"},
    }
    assert rest_json({"a": [1, "é"]}) == '{"a":[1,"é"]}'.encode()
