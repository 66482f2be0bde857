"""The codec never crashes or hangs on arbitrary bytes: it frames, parses or refuses."""

from __future__ import annotations

import contextlib
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.doors.pgwire import _codec as codec
from phigate.doors.pgwire._codec import MessageReader, ProtocolViolation

_PARSERS = (
    codec.parse_startup,
    codec.parse_parse,
    codec.parse_bind,
    codec.parse_target,
    codec.parse_execute,
    codec.parse_row_description,
    codec.parse_data_row,
    codec.parse_fields,
    codec.parse_copy_response,
    codec.parse_cstring,
)


def consume(data: bytes, chunk: int, startup: bool) -> int:
    """Feed `data` in chunks and parse every framed body with every parser."""
    reader = MessageReader(max_message=1 << 16, startup=startup)
    framed = 0
    try:
        for i in range(0, len(data), max(chunk, 1)):
            reader.feed(data[i : i + max(chunk, 1)])
            for msg in reader:
                framed += 1
                for parse in _PARSERS:
                    with contextlib.suppress(ProtocolViolation):
                        parse(msg.body)
    except ProtocolViolation:
        pass
    return framed


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=600), st.integers(1, 64), st.booleans())
def test_arbitrary_bytes_never_crash(data: bytes, chunk: int, startup: bool) -> None:
    consume(data, chunk, startup)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(b"PBDECSHQXdcfp"), st.binary(max_size=80)), max_size=8),
    st.integers(1, 16),
)
def test_well_framed_random_bodies_are_parsed_or_refused(
    parts: list[tuple[int, bytes]], chunk: int
) -> None:
    data = b"".join(codec.message(bytes([kind]), body) for kind, body in parts)
    assert consume(data, chunk, False) == len(parts)


def _framed(data: bytes, chunk: int, take: bool) -> list[object]:
    """What a reader fed `data` in chunks frames, read with `take` or with `next`:
    each message's type and bytes, and the violation that stopped it, in order."""
    reader = MessageReader(max_message=256)
    out: list[object] = []
    for i in range(0, len(data), chunk):
        reader.feed(data[i : i + chunk])
        if take:
            msgs, refused = reader.take()
            out.extend((m.type, m.body, m.raw()) for m in msgs)
            if refused is not None:
                return [*out, str(refused), reader.buffered]
            continue
        try:
            out.extend((m.type, m.body, m.raw()) for m in reader)
        except ProtocolViolation as exc:
            return [*out, str(exc), reader.buffered]
    return [*out, reader.buffered]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(b"DCZTEn"), st.binary(max_size=300)).map(
            lambda p: codec.message(bytes([p[0]]), p[1])
        )
        | st.binary(max_size=12),  # now and then bytes that frame badly
        max_size=12,
    ),
    st.integers(1, 700),
)
def test_taking_a_reads_messages_frames_as_next_does(parts: list[bytes], chunk: int) -> None:
    data = b"".join(parts)
    assert _framed(data, chunk, take=True) == _framed(data, chunk, take=False)


@given(st.integers(min_value=-(2**31), max_value=2**31 - 1))
def test_lengths_are_checked_before_buffering(length: int) -> None:
    reader = MessageReader(max_message=1024)
    reader.feed(b"Q" + struct.pack("!i", length))
    if 4 <= length <= 1028:
        assert reader.next() is None or length == 4
    else:
        try:
            reader.next()
        except ProtocolViolation:
            return
        raise AssertionError("an impossible length was accepted")


def test_bind_round_trips() -> None:
    bind = codec.Bind("p", "s", (0, 1), (b"1", None), (1,))
    assert codec.parse_bind(codec.build_bind(bind)[5:]) == bind


_NAME = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6)


@st.composite
def _bind_bodies(draw: st.DrawFn) -> bytes:
    """A Bind body written field by field (not by `build_bind`), with odd counts too."""
    params = draw(st.lists(st.none() | st.binary(max_size=6), max_size=4))
    formats = draw(st.sampled_from([[], [draw(st.integers(0, 1))], [0, 1] * len(params)]))
    formats = formats[: len(params)] if len(formats) > 1 else formats
    results = draw(st.lists(st.integers(0, 1), max_size=3))
    body = [draw(_NAME).encode() + b"\x00", draw(_NAME).encode() + b"\x00"]
    body += [struct.pack("!h", len(formats)), *(struct.pack("!h", f) for f in formats)]
    body.append(struct.pack("!h", len(params)))
    for p in params:
        body.append(struct.pack("!i", -1) if p is None else struct.pack("!i", len(p)) + p)
    body += [struct.pack("!h", len(results)), *(struct.pack("!h", f) for f in results)]
    return b"".join(body)


@settings(max_examples=500, deadline=None)
@given(_bind_bodies() | st.binary(max_size=40))
def test_a_bind_the_proxy_accepts_is_rebuilt_byte_for_byte(body: bytes) -> None:
    """The session forwards a client's Bind as it came when it changes nothing in it:
    the bytes it parsed (and recorded) are the bytes `build_bind` would send."""
    try:
        bind = codec.parse_bind(body)
    except ProtocolViolation:
        return
    assert codec.build_bind(bind) == codec.message(b"B", body)


def _bind_field_by_field(body: bytes) -> codec.Bind:
    """A Bind read one field at a time, as `parse_bind` did before it read its arrays
    in one go: the reference its answers and refusals are held to."""
    cur = codec._Cursor(body)
    portal, statement = cur.cstr(), cur.cstr()
    param_formats = tuple(cur.int16() for _ in range(cur.count("parameter format")))
    params: list[bytes | None] = []
    for _ in range(cur.count("parameter")):
        size = cur.int32()
        params.append(None if size == -1 else cur.take(size))
    result_formats = tuple(cur.int16() for _ in range(cur.count("result format")))
    cur.end()
    if any(f not in (0, 1) for f in param_formats):  # result formats: the server checks
        raise ProtocolViolation("format codes must be 0 (text) or 1 (binary)")
    if len(param_formats) > 1 and len(param_formats) != len(params):
        raise ProtocolViolation("parameter format count does not match parameter count")
    return codec.Bind(portal, statement, param_formats, tuple(params), result_formats)


@st.composite
def _damaged_binds(draw: st.DrawFn) -> bytes:
    """Bind bodies cut short, with a byte overwritten (a count, a length, a format code
    of 2 or -1), or with bytes after the end."""
    body = draw(_bind_bodies())
    match draw(st.sampled_from(["cut", "overwrite", "trailing", "as is"])):
        case "cut":
            return body[: draw(st.integers(0, len(body)))]
        case "overwrite" if body:
            at = draw(st.integers(0, len(body) - 1))
            byte = draw(st.sampled_from([0, 1, 2, 0x7F, 0xFF]))
            return body[:at] + bytes([byte]) + body[at + 1 :]
        case "trailing":
            return body + draw(st.binary(min_size=1, max_size=3))
    return body


def _answer(parse: object, body: bytes) -> object:
    assert callable(parse)
    try:
        return parse(body)
    except ProtocolViolation as exc:
        return ("refused", str(exc))


@settings(max_examples=800, deadline=None)
@given(_damaged_binds() | st.binary(max_size=40))
def test_parse_bind_answers_as_reading_field_by_field(body: bytes) -> None:
    """The same Bind, or the same refusal, whatever the bytes."""
    assert _answer(codec.parse_bind, body) == _answer(_bind_field_by_field, body)
