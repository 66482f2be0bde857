"""The PostgreSQL wire protocol (v3) as bytes in, messages out: framing, parsing, building.

Sans-IO: nothing here reads or writes a socket. `MessageReader` is fed bytes
and yields whole messages; it checks every declared length before buffering
the body, so an impossible or oversized length ends the session before any
allocation. The `parse_*` functions decode message bodies and raise
`ProtocolViolation` on anything malformed; the builders produce complete
messages (type byte, length, body).
"""

from __future__ import annotations

import functools
import itertools
import operator
import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

PROTOCOL_3 = 196608  # 3.0
SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102
DEFAULT_MAX_MESSAGE = 16 * 1024 * 1024
MAX_STARTUP = 10_000  # the server's own limit for a start-up packet

_I16 = struct.Struct("!h")
_I32 = struct.Struct("!i")
_I16_I32 = struct.Struct("!hi")  # a DataRow's width and its first value's length
_HEADER = struct.Struct("!ci")


class ProtocolViolation(Exception):
    """The peer broke the protocol; the session ends with SQLSTATE 08P01."""


class Message:
    """One framed message: its type byte (b"" for start-up packets) and body.

    Treated as immutable. A plain slotted class, not a frozen dataclass: one is
    built per result row, and a frozen dataclass's constructor costs a microsecond.
    A message the reader framed keeps its bytes as they came, for `raw`, and cuts its
    body from them only when asked (a relayed row never is: it goes out as `raw`)."""

    __slots__ = ("_body", "_raw", "type")

    def __init__(self, type: bytes, body: bytes | None, raw: bytes | None = None) -> None:
        if body is None and raw is None:
            raise ValueError("a message needs its body or its bytes")
        self.type = type
        self._body = body
        self._raw = raw

    @property
    def body(self) -> bytes:
        """The message after its type byte and length."""
        body = self._body
        if body is None:
            assert self._raw is not None
            body = self._body = self._raw[5:]
        return body

    @property
    def size(self) -> int:
        """The body's length, without cutting the body from a framed message."""
        if self._body is None:
            assert self._raw is not None
            return len(self._raw) - 5
        return len(self._body)

    def raw(self) -> bytes:
        """The whole message as sent on the wire."""
        if self._raw is None:
            body = self.body
            header = _I32.pack(len(body) + 4)
            self._raw = self.type + header + body if self.type else header + body
        return self._raw

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return self.type == other.type and self.body == other.body

    def __hash__(self) -> int:
        return hash((self.type, self.body))

    def __repr__(self) -> str:
        return f"Message(type={self.type!r}, body={self.body!r})"


class MessageReader:
    """Frames a byte stream into messages; `startup=True` reads untyped start-up packets."""

    def __init__(self, *, max_message: int = DEFAULT_MAX_MESSAGE, startup: bool = False) -> None:
        self.max_message = max_message
        self.startup = startup
        self._buf = bytearray()

    def feed(self, data: bytes) -> None:
        self._buf += data

    @property
    def buffered(self) -> int:
        return len(self._buf)

    def __iter__(self) -> Iterator[Message]:
        while True:
            message = self.next()
            if message is None:
                return
            yield message

    def take(self) -> tuple[list[Message], ProtocolViolation | None]:
        """Every whole message buffered, in order, and the violation (if any) that
        stopped the framing, as `next` would have raised it after them. The whole
        messages are copied out once and cut once, not a view and a cut per message
        (a result's rows are many small messages); a message still arriving is not
        copied."""
        taken, refused = self.take_runs(0)
        messages: list[Message] = []
        for item in taken:
            if isinstance(item, RowRun):
                messages.extend(item.messages())
            else:
                messages.append(item)
        return messages, refused

    def take_runs(self, rows_below: int) -> tuple[list[Message | RowRun], ProtocolViolation | None]:
        """`take`, but consecutive DataRows whose bodies are shorter than `rows_below`
        come as one `RowRun` (the rows' bytes and where each starts), not a `Message`
        each: a result's rows are most of what the upstream sends, and an object per
        row cost more than locating its values. Every other message is a `Message`."""
        if self.startup:
            raise ValueError("take() frames typed messages only")
        buffer, starts = self._buf, []
        unpack, limit, last = _HEADER.unpack_from, self.max_message + 4, len(buffer) - 5
        pos, refused, row_limit, only_rows = 0, None, rows_below + 4, True
        while pos <= last:
            kind, length = unpack(buffer, pos)
            if length < 4 or length > limit:
                refused = ProtocolViolation(f"invalid message length {length} for type {kind!r}")
                break
            after = pos + 1 + length
            if after > last + 5:
                break  # still arriving
            if length >= row_limit or kind != b"D":
                only_rows = False
            starts.append(pos)
            pos = after
        if pos == 0:
            return [], refused
        starts.append(pos)
        with memoryview(buffer) as view:
            whole = bytes(view[:pos])
        del buffer[:pos]
        if only_rows:  # most reads of a result: nothing to sort out
            return [RowRun(whole, starts)], refused
        return _framed(whole, starts, row_limit), refused

    def next(self) -> Message | None:
        """The next whole message, or None when more bytes are needed."""
        if self.startup:
            return self._next_startup()
        if len(self._buf) < 5:
            return None
        kind, length = _HEADER.unpack_from(self._buf)
        if length < 4 or length - 4 > self.max_message:
            raise ProtocolViolation(f"invalid message length {length} for type {kind!r}")
        if len(self._buf) < 1 + length:
            return None
        with memoryview(self._buf) as view:
            raw = bytes(view[: 1 + length])
        del self._buf[: 1 + length]
        return Message(kind, raw[5:], raw)

    def _next_startup(self) -> Message | None:
        if len(self._buf) < 4:
            return None
        (length,) = _I32.unpack_from(self._buf)
        if length < 8 or length > MAX_STARTUP:
            raise ProtocolViolation(f"invalid start-up packet length {length}")
        if len(self._buf) < length:
            return None
        body = bytes(self._buf[4:length])
        del self._buf[:length]
        return Message(b"", body)


class RowRun:
    """Consecutive whole DataRows framed from one read: `data` holds them back to back
    and `bounds` where each starts, then where the last ends (`len(bounds) - 1` rows).
    Treated as immutable; the rows' bytes are cut from `data` only when asked."""

    __slots__ = ("bounds", "data")

    def __init__(self, data: bytes, bounds: list[int]) -> None:
        if len(bounds) < 2:
            raise ValueError("a run holds at least one row")
        self.data = data
        self.bounds = bounds

    @classmethod
    def of(cls, raws: Sequence[bytes]) -> RowRun:
        """A run of these whole rows (at least one), their bytes joined."""
        bounds = [0, *itertools.accumulate(map(len, raws))]
        return cls(b"".join(raws), bounds)

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def raw(self, index: int) -> bytes:
        """The bytes of one row."""
        return self.data[self.bounds[index] : self.bounds[index + 1]]

    def sizes(self) -> list[int]:
        """Each row's whole length (header included)."""
        bounds = self.bounds
        return list(map(operator.sub, itertools.islice(bounds, 1, None), bounds))

    def raws(self) -> list[bytes]:
        """Each row's bytes as sent on the wire."""
        data = self.data
        return [data[start:stop] for start, stop in itertools.pairwise(self.bounds)]

    def messages(self) -> list[Message]:
        """The rows as messages, as `take` frames them."""
        return [Message(b"D", None, raw) for raw in self.raws()]

    def split(self, most: int) -> list[RowRun]:
        """The run in order, in runs of at most `most` rows (the whole bytes shared)."""
        bounds = self.bounds
        if len(bounds) - 1 <= most:
            return [self]
        return [
            RowRun(self.data, bounds[lo : lo + most + 1]) for lo in range(0, len(bounds) - 1, most)
        ]


def _framed(whole: bytes, starts: list[int], row_limit: int) -> list[Message | RowRun]:
    """The messages `whole` holds (`starts`: where each begins, then its end), the
    DataRows whose length field is under `row_limit` gathered into runs. The header's
    length was checked by the framing loop; a message's type is one byte test."""
    out: list[Message | RowRun] = []
    run: list[int] = []
    for start, stop in itertools.pairwise(starts):
        if whole[start] == 0x44 and stop - start - 1 < row_limit:  # "D"
            if not run:
                run.append(start)
            run.append(stop)
            continue
        if run:
            out.append(RowRun(whole, run))
            run = []
        # A one-byte slice is the interpreter's cached object, as the header's type was.
        out.append(Message(whole[start : start + 1], None, whole[start:stop]))
    if run:
        out.append(RowRun(whole, run))
    return out


# ── body parsing ────────────────────────────────────────────────────────────


class _Cursor:
    """Reads fields from a message body; any overrun is a protocol violation."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.pos = 0

    def int16(self) -> int:
        if self.pos + 2 > len(self.body):
            raise ProtocolViolation("message truncated (int16)")
        (value,) = _I16.unpack_from(self.body, self.pos)
        self.pos += 2
        return int(value)

    def int32(self) -> int:
        if self.pos + 4 > len(self.body):
            raise ProtocolViolation("message truncated (int32)")
        (value,) = _I32.unpack_from(self.body, self.pos)
        self.pos += 4
        return int(value)

    def cstr(self) -> str:
        end = self.body.find(b"\x00", self.pos)
        if end < 0:
            raise ProtocolViolation("message truncated (string)")
        raw = self.body[self.pos : end]
        self.pos = end + 1
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolViolation("string is not valid UTF-8") from exc

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.body):
            raise ProtocolViolation("message truncated (bytes)")
        raw = self.body[self.pos : self.pos + n]
        self.pos += n
        return raw

    def count(self, what: str) -> int:
        n = self.int16()
        if n < 0:
            raise ProtocolViolation(f"negative {what} count")
        return n

    def end(self) -> None:
        if self.pos != len(self.body):
            raise ProtocolViolation("trailing bytes in message")

    def int16s(self, what: str) -> tuple[int, ...]:
        """A count, then that many int16s (format codes), in one struct call."""
        n = self.count(what)
        if not n:
            return ()
        end = self.pos + 2 * n
        if end > len(self.body):
            raise ProtocolViolation("message truncated (int16)")
        values: tuple[int, ...] = struct.unpack_from(f"!{n}h", self.body, self.pos)
        self.pos = end
        return values

    def values(self, n: int) -> tuple[bytes | None, ...]:
        """`n` values, each its int32 length (-1: NULL) then its bytes: `int32` and
        `take` in turn, read in one loop (a Bind comes with every run of a statement)."""
        body, pos, size_of = self.body, self.pos, len(self.body)
        out: list[bytes | None] = []
        for _ in range(n):
            if pos + 4 > size_of:
                raise ProtocolViolation("message truncated (int32)")
            (size,) = _I32.unpack_from(body, pos)
            pos += 4
            if size == -1:
                out.append(None)
                continue
            if size < 0 or pos + size > size_of:
                raise ProtocolViolation("message truncated (bytes)")
            out.append(body[pos : pos + size])
            pos += size
        self.pos = pos
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Startup:
    """A start-up packet: protocol version and parameters, or a request code."""

    code: int
    params: dict[str, str]
    body: bytes = b""


def parse_startup(body: bytes) -> Startup:
    """A start-up packet. Any protocol 3.x carries parameters: a client asking for a
    newer minor version (libpq 18's 3.2) is read as 3.0 and told so by
    `negotiate_protocol_version`, as PostgreSQL does."""
    cur = _Cursor(body)
    code = cur.int32()
    if code >> 16 != PROTOCOL_3 >> 16:
        return Startup(code, {}, body[4:])
    params: dict[str, str] = {}
    while True:
        key = cur.cstr()
        if not key:
            break
        params[key] = cur.cstr()
    cur.end()
    return Startup(code, params)


def parse_cancel(startup: Startup) -> tuple[int, int]:
    if len(startup.body) != 8:
        raise ProtocolViolation("malformed CancelRequest")
    pid, secret = struct.unpack("!ii", startup.body)
    return int(pid), int(secret)


def parse_cstring(body: bytes) -> str:
    cur = _Cursor(body)
    text = cur.cstr()
    cur.end()
    return text


@dataclass(frozen=True, slots=True)
class Parse:
    statement: str
    query: str
    param_types: tuple[int, ...]


def parse_parse(body: bytes) -> Parse:
    cur = _Cursor(body)
    statement, query = cur.cstr(), cur.cstr()
    types = tuple(cur.int32() for _ in range(cur.count("parameter type")))
    cur.end()
    return Parse(statement, query, types)


@dataclass(frozen=True, slots=True)
class Bind:
    portal: str
    statement: str
    param_formats: tuple[int, ...]
    params: tuple[bytes | None, ...]
    result_formats: tuple[int, ...]

    def param_format(self, index: int) -> int:
        return _format_at(self.param_formats, index)

    def result_format(self, index: int) -> int:
        return _format_at(self.result_formats, index)


def _format_at(formats: Sequence[int], index: int) -> int:
    if not formats:
        return 0
    return formats[0] if len(formats) == 1 else formats[index]


def parse_bind(body: bytes) -> Bind:
    cur = _Cursor(body)
    portal, statement = cur.cstr(), cur.cstr()
    param_formats = cur.int16s("parameter format")
    params = cur.values(cur.count("parameter"))
    result_formats = cur.int16s("result format")
    cur.end()
    _check_formats(param_formats, len(params))
    return Bind(portal, statement, param_formats, params, result_formats)


def _check_formats(formats: Sequence[int], n: int) -> None:
    if formats and (min(formats) < 0 or max(formats) > 1):
        raise ProtocolViolation("format codes must be 0 (text) or 1 (binary)")
    if len(formats) > 1 and len(formats) != n:
        raise ProtocolViolation("parameter format count does not match parameter count")


def build_bind(bind: Bind) -> bytes:
    parts = [bind.portal.encode() + b"\x00", bind.statement.encode() + b"\x00"]
    parts.append(_I16.pack(len(bind.param_formats)))
    parts += [_I16.pack(f) for f in bind.param_formats]
    parts.append(_I16.pack(len(bind.params)))
    for value in bind.params:
        parts.append(_I32.pack(-1) if value is None else _I32.pack(len(value)) + value)
    parts.append(_I16.pack(len(bind.result_formats)))
    parts += [_I16.pack(f) for f in bind.result_formats]
    return message(b"B", b"".join(parts))


def parse_target(body: bytes) -> tuple[str, str]:
    """Describe and Close: (b'S' or b'P' as str, name)."""
    cur = _Cursor(body)
    what = cur.take(1).decode("latin-1")
    if what not in ("S", "P"):
        raise ProtocolViolation(f"describe/close target must be S or P, not {what!r}")
    name = cur.cstr()
    cur.end()
    return what, name


def parse_execute(body: bytes) -> tuple[str, int]:
    cur = _Cursor(body)
    portal, max_rows = cur.cstr(), cur.int32()
    cur.end()
    return portal, max_rows


# ── backend messages the proxy reads from upstream ──────────────────────────


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    table_oid: int
    attnum: int
    type_oid: int
    type_len: int
    type_mod: int
    format: int


def parse_parameter_description(body: bytes) -> tuple[int, ...]:
    cur = _Cursor(body)
    types = tuple(cur.int32() for _ in range(cur.count("parameter")))
    cur.end()
    return types


def parse_row_description(body: bytes) -> list[Field]:
    cur = _Cursor(body)
    fields = []
    for _ in range(cur.count("field")):
        name = cur.cstr()
        table_oid, attnum, type_oid = cur.int32(), cur.int16(), cur.int32()
        type_len, type_mod, fmt = cur.int16(), cur.int32(), cur.int16()
        fields.append(Field(name, table_oid, attnum, type_oid, type_len, type_mod, fmt))
    cur.end()
    return fields


def build_row_description(fields: Sequence[Field]) -> bytes:
    parts = [_I16.pack(len(fields))]
    for f in fields:
        parts.append(f.name.encode() + b"\x00")
        parts.append(
            struct.pack(
                "!ihihih", f.table_oid, f.attnum, f.type_oid, f.type_len, f.type_mod, f.format
            )
        )
    return message(b"T", b"".join(parts))


def parse_data_row(body: bytes) -> list[bytes | None]:
    cur = _Cursor(body)
    values: list[bytes | None] = []
    for _ in range(cur.count("column")):
        size = cur.int32()
        values.append(None if size == -1 else cur.take(size))
    cur.end()
    return values


def data_row_spans(raw: bytes) -> list[tuple[int, int]]:
    """Where each value of a whole DataRow (`raw`, header included) lies, as (offset,
    length), length -1 for NULL: nothing copied, the same checks as `parse_data_row`.
    One row per relayed result row, so the loop is kept tight: a length prefix past
    the end is the struct error of reading it, a value past the end is caught by the
    next prefix or by the final position."""
    try:
        (count,) = _I16.unpack_from(raw, 5)
    except struct.error:
        raise ProtocolViolation("message truncated (int16)") from None
    if count < 0:
        raise ProtocolViolation("negative column count")
    spans: list[tuple[int, int]] = []
    append, unpack = spans.append, _I32.unpack_from
    pos = 7
    try:
        for _ in range(count):
            (size,) = unpack(raw, pos)
            pos += 4
            append((pos, size))
            if size > 0:
                pos += size
            elif size < -1:
                raise ProtocolViolation("negative value length")
    except struct.error:
        raise ProtocolViolation("message truncated (int32)") from None
    if pos != len(raw):
        raise ProtocolViolation(
            "message truncated (bytes)" if pos > len(raw) else "trailing bytes in message"
        )
    return spans


Locator = Callable[[bytes], "tuple[bytes | None, ...] | None"]


@functools.lru_cache(maxsize=256)
def data_row_locator(width: int, wanted: tuple[int, ...]) -> Locator:
    """A function giving the values of the `wanted` columns (None for NULL) of a whole
    DataRow of `width` columns, or None for anything else (the wrong width, a value
    past the end, trailing bytes, a bad length: `data_row_spans` says which). The
    same checks as `data_row_spans`, unrolled for one result's shape: a result's rows
    are located one by one, and the loop and its spans list cost more than the row.
    Generated from integers alone; nothing from the wire goes into its source."""
    if width < 0 or any(not 0 <= i < width for i in wanted):
        raise ValueError("wanted columns outside the row")
    lines = [
        "def locate(raw):",
        "    try:",
        f"        if unpack16(raw, 5)[0] != {width}:",
        "            return None",
        "        p = 7",
    ]
    for i in range(width):
        lines += [
            f"        (n{i},) = unpack32(raw, p)",
            "        p += 4",
            *([f"        o{i} = p"] if i in wanted else []),
            f"        if n{i} > 0:",
            f"            p += n{i}",
            f"        elif n{i} < -1:",
            "            return None",
        ]
    lines += [
        "    except struct_error:",
        "        return None",
        "    if p != len(raw):",
        "        return None",
    ]
    values = "".join(f"raw[o{i} : o{i} + n{i}] if n{i} >= 0 else None, " for i in wanted)
    lines.append(f"    return ({values})")
    namespace: dict[str, object] = {
        "unpack16": _I16.unpack_from,
        "unpack32": _I32.unpack_from,
        "struct_error": struct.error,
    }
    exec(compile("\n".join(lines), "<phigate-row-locator>", "exec"), namespace)  # noqa: S102
    locate: Locator = namespace["locate"]  # type: ignore[assignment]
    return locate


RunLocator = Callable[[bytes, Sequence[int]], "tuple[list[bytes | None], int | None]"]


@functools.lru_cache(maxsize=256)
def data_run_locator(width: int, wanted: tuple[int, ...]) -> RunLocator:
    """`data_row_locator` for a run of rows (`RowRun.data` and `bounds`): the wanted
    values of each row one after another in one flat list, and the index of the first
    row the row locator would refuse (None if none): the rows before it are located.
    The rows are read in place, no slice or call per row. A length prefix read past a
    row's end can only move the position further on (lengths below -1 are refused), so
    a row that overruns its end never ends on it and is refused as the row locator
    refuses it; the only difference is which check says so."""
    if not wanted or width < 0 or any(not 0 <= i < width for i in wanted):
        raise ValueError("wanted columns outside the row")
    k = len(wanted)
    lines = [
        "def locate_run(data, bounds):",
        "    values = []",
        "    add = values.append" if k == 1 else "    add = values.extend",
        "    start = bounds[0]",
        "    try:",
        "        for stop in islice(bounds, 1, None):",
        # the width and the first value's length in one read; a row too short for
        # the length is refused either way
        "            count, n0 = unpack_head(data, start + 5)",
        f"            if count != {width}:",
        f"                return values, len(values) // {k}",
        "            p = start + 11",  # after the first value's length
    ]
    for i in range(width):
        lines += [
            *([f"            (n{i},) = unpack32(data, p)", "            p += 4"] if i else []),
            *([f"            o{i} = p"] if i in wanted else []),
            f"            if n{i} > 0:",
            f"                p += n{i}",
            f"            elif n{i} < -1:",
            f"                return values, len(values) // {k}",
        ]
    picked = [f"data[o{i} : o{i} + n{i}] if n{i} >= 0 else None" for i in wanted]
    lines += [
        "            if p != stop:",
        f"                return values, len(values) // {k}",
        f"            add({picked[0]})" if k == 1 else f"            add(({', '.join(picked)}))",
        "            start = stop",
        "    except struct_error:",
        f"        return values, len(values) // {k}",
        "    return values, None",
    ]
    namespace: dict[str, object] = {
        "unpack_head": _I16_I32.unpack_from,
        "unpack32": _I32.unpack_from,
        "struct_error": struct.error,
        "islice": itertools.islice,
    }
    exec(compile("\n".join(lines), "<phigate-run-locator>", "exec"), namespace)  # noqa: S102
    locate: RunLocator = namespace["locate_run"]  # type: ignore[assignment]
    return locate


def build_data_row(values: Sequence[bytes | None]) -> bytes:
    parts = [_I16.pack(len(values))]
    for value in values:
        parts.append(_I32.pack(-1) if value is None else _I32.pack(len(value)) + value)
    return message(b"D", b"".join(parts))


def parse_fields(body: bytes) -> list[tuple[str, str]]:
    """ErrorResponse / NoticeResponse: (field code, value) pairs in order."""
    cur = _Cursor(body)
    out = []
    while True:
        code = cur.take(1)
        if code == b"\x00":
            break
        out.append((code.decode("latin-1"), cur.cstr()))
    cur.end()
    return out


def build_fields(kind: bytes, fields: Sequence[tuple[str, str]]) -> bytes:
    body = b"".join(c.encode("latin-1") + v.encode() + b"\x00" for c, v in fields) + b"\x00"
    return message(kind, body)


def parse_copy_response(body: bytes) -> tuple[int, tuple[int, ...]]:
    cur = _Cursor(body)
    overall = cur.take(1)[0]
    formats = tuple(cur.int16() for _ in range(cur.count("column")))
    cur.end()
    return overall, formats


# ── builders ────────────────────────────────────────────────────────────────


def message(kind: bytes, body: bytes = b"") -> bytes:
    return kind + _I32.pack(len(body) + 4) + body


def cstr(text: str) -> bytes:
    return text.encode() + b"\x00"


def error_response(
    sqlstate: str,
    text: str,
    *,
    severity: str = "ERROR",
    detail: str | None = None,
    hint: str | None = None,
) -> bytes:
    fields = [("S", severity), ("V", severity), ("C", sqlstate), ("M", text)]
    if detail:
        fields.append(("D", detail))
    if hint:
        fields.append(("H", hint))
    return build_fields(b"E", fields)


def notice_response(text: str, *, detail: str | None = None) -> bytes:
    fields = [("S", "NOTICE"), ("V", "NOTICE"), ("C", "00000"), ("M", text)]
    if detail:
        fields.append(("D", detail))
    return build_fields(b"N", fields)


def auth_request(code: int, payload: bytes = b"") -> bytes:
    return message(b"R", _I32.pack(code) + payload)


def negotiate_protocol_version(options: list[str]) -> bytes:
    """NegotiateProtocolVersion: the newest version phigate speaks for the major one
    asked (3.0, written whole as 196608, as PostgreSQL and libpq 18 read it) and
    the `_pq_.` options it does not recognise (PostgreSQL docs, "Message Formats")."""
    body = _I32.pack(PROTOCOL_3) + _I32.pack(len(options)) + b"".join(cstr(o) for o in options)
    return message(b"v", body)


def parameter_status(name: str, value: str) -> bytes:
    return message(b"S", cstr(name) + cstr(value))


def backend_key_data(pid: int, secret: int) -> bytes:
    return message(b"K", struct.pack("!ii", pid, secret))


def ready_for_query(status: bytes) -> bytes:
    return message(b"Z", status)


def startup_message(params: dict[str, str]) -> bytes:
    body = _I32.pack(PROTOCOL_3) + b"".join(cstr(k) + cstr(v) for k, v in params.items()) + b"\x00"
    return _I32.pack(len(body) + 4) + body


def request_code(code: int) -> bytes:
    return _I32.pack(8) + _I32.pack(code)


def cancel_request(pid: int, secret: int) -> bytes:
    return _I32.pack(16) + _I32.pack(CANCEL_REQUEST) + struct.pack("!ii", pid, secret)


def query(text: str) -> bytes:
    return message(b"Q", cstr(text))


def describe(what: str, name: str) -> bytes:
    return message(b"D", what.encode() + cstr(name))


def build_parse(statement: str, text: str) -> bytes:
    """A Parse with no parameter types (the proxy's own no-op statements)."""
    return message(b"P", cstr(statement) + cstr(text) + _I16.pack(0))


def execute(portal: str, max_rows: int = 0) -> bytes:
    return message(b"E", cstr(portal) + _I32.pack(max_rows))


def close(what: str, name: str) -> bytes:
    return message(b"C", what.encode() + cstr(name))


SYNC = message(b"S")
FLUSH = message(b"H")
TERMINATE = message(b"X")
