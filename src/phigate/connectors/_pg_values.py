"""Values PostgreSQL holds that Python's types cannot: read as PostgreSQL's own text.

`date 'infinity'` (the open end of a validity period), a BC date, a year after
9999, `time '24:00'`, an interval longer than `timedelta` allows: psycopg's loaders
raise DataError for these after the statement ran, and the whole answer was lost
(reported as an upstream error with no SQLSTATE). Each such value now comes back as
the text PostgreSQL wrote (`infinity`, `0044-03-15 BC`), as the wire door relays it;
every other value keeps its Python type. Arrays and ranges of these types read
their elements through the same loaders.
"""

from __future__ import annotations

import functools
from typing import Any

import psycopg
from psycopg.abc import AdaptContext, Buffer
from psycopg.adapt import AdaptersMap, Loader
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
