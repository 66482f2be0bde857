"""Values PostgreSQL holds that Python's types cannot: read as PostgreSQL's own text.

`date 'infinity'` (the open end of a validity period), a BC date, a year after
9999, `time '24:00'`, an interval longer than `timedelta` allows: psycopg's loaders
raise DataError for these after the statement ran, and the whole answer was lost
(reported as an upstream error with no SQLSTATE). Each such value now comes back as
the text PostgreSQL wrote (`infinity`, `0044-03-15 BC`), as the wire door relays it;
every other value keeps its Python type. Arrays and ranges of these types read
their elements through the same loaders.

The other way: a wire client's parameters go to the writer with the types its Parse
declared (`typed_params`), so `$1 / 2` with `$1` numeric divides as numeric there too.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.abc import AdaptContext, Buffer, DumperKey
from psycopg.adapt import AdaptersMap, Dumper, Loader, PyFormat
from psycopg.pq import Format

# The types whose Python counterpart (datetime, time, timedelta) is narrower than
# PostgreSQL's range. numeric and float8 load NaN and ±Infinity as Python values.
_NARROWER = ("date", "timestamp", "timestamptz", "time", "timetz", "interval")


def read_beyond_python(adapters: AdaptersMap) -> None:
    """Make `adapters` (a cursor's) read an out-of-range value of these types as text."""
    for name in _NARROWER:
        info = adapters.types.get(name)
        inner = adapters.get_loader(info.oid, Format.TEXT) if info is not None else None
        if info is not None and inner is not None:
            adapters.register_loader(info.oid, _text_when_out_of_range(inner))


@functools.cache
def _text_when_out_of_range(inner: type[Loader]) -> type[Loader]:
    """A loader that tries `inner` and keeps the server's text where it cannot convert."""

    class TextWhenOutOfRange(Loader):
        def __init__(self, oid: int, context: AdaptContext | None = None) -> None:
            super().__init__(oid, context)
            self._inner = inner(oid, context)

        def load(self, data: Buffer) -> Any:
            try:
                return self._inner.load(data)
            except psycopg.DataError:
                return bytes(data).decode("utf-8", "replace")

    TextWhenOutOfRange.__name__ = f"TextWhenOutOfRange{inner.__name__}"
    return TextWhenOutOfRange


@dataclass(frozen=True)
class TypedValue:
    """A parameter sent with the type its client declared (a wire Parse's OID): the
    server reads it as that type, not as `unknown` to be inferred from the text."""

    text: str | None
    oid: int


class _TypedDumper(Dumper):
    """Dumps a `TypedValue` as its text, under its own OID (one dumper per OID)."""

    def get_key(self, obj: Any, format: PyFormat) -> DumperKey:
        return (TypedValue, _oid_key(obj.oid)) if isinstance(obj, TypedValue) else self.cls

    def upgrade(self, obj: Any, format: PyFormat) -> Dumper:
        dumper = _TypedDumper(self.cls)
        dumper.oid = obj.oid if isinstance(obj, TypedValue) else 0
        return dumper

    def dump(self, obj: Any) -> Buffer | None:
        text = obj.text if isinstance(obj, TypedValue) else None
        return None if text is None else text.encode("utf-8")


@functools.lru_cache(maxsize=256)
def _oid_key(oid: int) -> type:
    """A type standing for `oid` in psycopg's dumper cache keys (which hold types)."""
    return type(f"Oid{oid}", (), {})


def send_typed(adapters: AdaptersMap) -> None:
    """Make `adapters` (a cursor's) send a `TypedValue` with its OID."""
    adapters.register_dumper(TypedValue, _TypedDumper)


def typed_params(params: list[Any], types: object) -> list[Any]:
    """`params` with each value whose type was declared (`types[i]`, a type OID; 0 left
    open) made a `TypedValue`, so the upstream reads it as that type, as the client's
    own session did. Values are text (or, decoded from binary, an int, float or bool,
    written back as PostgreSQL reads them); anything else cannot be carried typed."""
    if not types:
        return params
    if not isinstance(types, list) or not all(
        isinstance(oid, int) and not isinstance(oid, bool) and oid >= 0 for oid in types
    ):
        raise ValueError("the action's parameter types are not a list of type OIDs")
    return [
        TypedValue(_as_text(value), types[i]) if i < len(types) and types[i] else value
        for i, value in enumerate(params)
    ]


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)  # round-trips: float8 and float4 read it back exactly
    raise ValueError(f"a {type(value).__name__} parameter cannot be sent with a declared type")
