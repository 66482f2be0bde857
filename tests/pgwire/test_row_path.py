"""The wire's row path reads only the values it masks and relays the upstream's bytes
unless a value changed: for random rows, columns, formats and profiles it must give
the client exactly what parsing, masking and rebuilding every value gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.doors.pgwire import _codec as codec
from phigate.doors.pgwire._codec import ProtocolViolation
from phigate.doors.pgwire._wiremask import _PRIME_ROWS, ResultMasker
from phigate.doors.pgwire.server import _parts
from phigate.masking.detect import MaskingError
from phigate.masking.engine import MaskingEngine
from phigate.masking.settings import MaskingSettings
from tests.masking.conftest import KEY

_ENGINE = MaskingEngine(MaskingSettings(), KEY)
_UNPRIMED = MaskingEngine(MaskingSettings(), KEY)  # its maskers are never primed
_PROFILES = ("hipaa-safe-harbor", "secrets-only")

# (name, type OID, lineage sources): kept ids, named PHI, free text, unproven columns.
_COLUMNS = [
    ("id", 23, ["patients.id"]),
    ("patient_id", 23, ["visits.patient_id"]),
    ("ssn", 25, ["patients.ssn"]),
    ("first_name", 25, ["patients.first_name"]),
    ("birth_date", 1082, ["patients.birth_date"]),
    ("zip", 25, ["patients.zip"]),
    ("notes", 25, ["visits.notes"]),
    ("n", 23, []),
    ("digest", 25, []),
    ("count", 20, None),  # no lineage entry: withheld
    ("status", 25, ["claims.status"]),  # text kept by its name: checked
    ("external_id", 1043, ["claims.external_id"]),
]
_VALUES = st.one_of(
    st.none(),
    st.sampled_from(
        [
            b"123-45-6789",
            b"John Smith",
            b"1980-02-03",
            b"02139",
            b"42",
            b"-7",
            b"007",
            b"123456789",
            b"48213377",
            b" 1234567\t",
            b"MRN12345678",
            b"d41d8cd98f00b204e9800998ecf8427e",
            b"Seen by Dr. Alice Jones on 2021-03-04, call 617-555-0100",
            b"\xff\xfe not utf-8",
            b"",
        ]
    ),
    st.binary(max_size=24),
    st.text(max_size=24).map(str.encode),
)


def _masker_pair(profile: str, picks: list[tuple[int, int]]) -> tuple[ResultMasker, ResultMasker]:
    fields, lineage = [], []
    for column, fmt in picks:
        name, oid, sources = _COLUMNS[column]
        fields.append(codec.Field(name, 0, 0, oid, -1, -1, fmt))
        if sources is not None:
            lineage.append({"output": name, "sources": sources, "statement": 0})
    masker = _ENGINE.masker(profile)
    return ResultMasker(masker, fields, lineage), ResultMasker(masker, fields, lineage)


def _answer(masker: ResultMasker, raw: bytes, fast: bool) -> bytes | str:
    try:
        return masker.data_row(raw) if fast else masker.data_row_parsed(raw)
    except (MaskingError, ProtocolViolation) as exc:
        return type(exc).__name__


@settings(max_examples=400, deadline=None)
@given(
    profile=st.sampled_from(_PROFILES),
    picks=st.lists(
        st.tuples(st.integers(0, len(_COLUMNS) - 1), st.sampled_from([0, 0, 1])),
        min_size=1,
        max_size=6,
    ),
    data=st.data(),
)
def test_the_row_path_equals_parsing_every_value(
    profile: str, picks: list[tuple[int, int]], data: st.DataObject
) -> None:
    fast, slow = _masker_pair(profile, picks)
    width = len(picks)
    rows = data.draw(
        st.lists(
            st.lists(_VALUES, min_size=width, max_size=width)
            | st.lists(_VALUES, max_size=width + 1),  # now and then the wrong width
            max_size=30,  # past the sampling of unproven columns
        )
    )
    for values in rows:
        raw = codec.build_data_row(values)
        assert _answer(fast, raw, True) == _answer(slow, raw, False)
    assert fast.rows.counts == slow.rows.counts
    assert fast.rows.plan == slow.rows.plan


@pytest.mark.parametrize(
    "raw",
    [
        b"D\x00\x00\x00\x05\x00",  # truncated count
        b"D\x00\x00\x00\x06\xff\xff",  # negative count
        b"D\x00\x00\x00\x0a\x00\x01\x00\x00\x00\x05",  # value past the end
        b"D\x00\x00\x00\x0a\x00\x01\xff\xff\xff\xfe",  # length -2
        b"D\x00\x00\x00\x0b\x00\x01\x00\x00\x00\x00\x00",  # trailing byte
    ],
)
def test_malformed_rows_are_protocol_violations(raw: bytes) -> None:
    with pytest.raises(ProtocolViolation):
        codec.data_row_spans(raw)
    with pytest.raises(ProtocolViolation):
        codec.parse_data_row(raw[5:])


def test_an_unchanged_row_is_the_upstreams_bytes_and_a_changed_one_is_spliced() -> None:
    fields = [codec.Field(n, 0, 0, 25, -1, -1, 0) for n in ("id", "ssn", "notes")]
    lineage = [
        {"output": "id", "sources": ["patients.id"], "statement": 0},
        {"output": "ssn", "sources": ["patients.ssn"], "statement": 0},
        {"output": "notes", "sources": ["visits.notes"], "statement": 0},
    ]
    masker = ResultMasker(_ENGINE.masker("hipaa-safe-harbor"), fields, lineage)
    quiet = codec.build_data_row([b"7", None, b"d41d8cd98f00b204"])
    assert masker.data_row(quiet) is quiet
    loud = codec.build_data_row([b"7", b"123-45-6789", b"d41d8cd98f00b204"])
    assert masker.data_row(loud) == codec.build_data_row([b"7", b"[SSN]", b"d41d8cd98f00b204"])
    assert masker.rows.counts.get("SSN") == 1


def test_an_integer_column_is_read_as_numbers_and_kept_once_sampled() -> None:
    """`SELECT g AS n`: the connector door's driver gives the masker ints, which are
    no free text; so does the wire now, and once sampled the rows go out untouched."""
    fields = [codec.Field("n", 0, 0, 23, 4, -1, 0), codec.Field("digest", 0, 0, 25, -1, -1, 0)]
    lineage = [
        {"output": "n", "sources": [], "statement": 0},
        {"output": "digest", "sources": [], "statement": 0},
    ]
    masker = ResultMasker(_ENGINE.masker("hipaa-safe-harbor"), fields, lineage)
    rows = [codec.build_data_row([str(g).encode(), b"%032x" % g]) for g in range(1, 200)]
    assert [masker.data_row(r) for r in rows] == rows
    assert masker.rows.plan[0] == "KEEP"


def _batch(masker: ResultMasker, read: list[bytes]) -> list[object]:
    """What `data_rows` gives for one read: the bytes made, the rows they hold (`made`),
    then the error, if any."""
    out: list[bytes] = []
    try:
        masker.data_rows(read, out)
    except (MaskingError, ProtocolViolation) as exc:
        return [b"".join(out), masker.made, type(exc).__name__]
    return [b"".join(out), masker.made]


def _one_by_one(masker: ResultMasker, read: list[bytes]) -> list[object]:
    """The same read masked row by row, up to the first error (which ends a result)."""
    out: list[bytes] = []
    for raw in read:
        answer = _answer(masker, raw, True)
        if isinstance(answer, str):
            return [b"".join(out), len(out), answer]
        out.append(answer)
    return [b"".join(out), len(out)]


@settings(max_examples=300, deadline=None)
@given(
    profile=st.sampled_from(_PROFILES),
    picks=st.lists(
        st.tuples(st.integers(0, len(_COLUMNS) - 1), st.sampled_from([0, 0, 1])),
        min_size=1,
        max_size=5,
    ),
    data=st.data(),
)
def test_a_stream_in_reads_is_byte_identical_to_masking_row_by_row(
    profile: str, picks: list[tuple[int, int]], data: st.DataObject
) -> None:
    """The relay masks each upstream read's rows together (`ResultMasker.data_rows`:
    each row located once, the scanned values primed in one pass, quiet rows relayed
    as they came): the client must get exactly the bytes masking row by row without
    priming gives, counts and plan included, in reads of any size, past the sampling
    of unproven columns, and up to a malformed row or one of the wrong width."""
    batched, plain = _masker_pair(profile, picks)
    plain = ResultMasker(_UNPRIMED.masker(profile), plain.fields, plain.lineage)
    width = len(picks)
    row = st.lists(_VALUES, min_size=width, max_size=width).map(codec.build_data_row)
    odd = st.lists(_VALUES, max_size=width + 1).map(codec.build_data_row) | st.sampled_from(
        [b"D\x00\x00\x00\x0a\x00\x01\x00\x00\x00\x05", b"D\x00\x00\x00\x05\x00"]
    )
    rows = data.draw(st.lists(row, min_size=1, max_size=60))
    if data.draw(st.booleans()):
        rows.insert(data.draw(st.integers(0, len(rows))), data.draw(odd))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(rows)), max_size=4)))
    for lo, hi in zip([0, *cuts], [*cuts, len(rows)], strict=True):
        read = rows[lo:hi]
        expected = _one_by_one(plain, read)
        assert _batch(batched, read) == expected
        if isinstance(expected[-1], str):
            break  # the relay ends the result there
    assert batched.rows.counts == plain.rows.counts
    assert batched.rows.plan == plain.rows.plan


@pytest.mark.parametrize("width", [1, 2])
def test_a_read_longer_than_one_priming_is_byte_identical_to_masking_row_by_row(
    width: int,
) -> None:
    """A read's rows are primed _PRIME_ROWS at a time: rows that need masking, NULLs,
    empty values and digests the quiet pass answers by a lone OCR token, in every
    chunk and at its edges, come out as masking row by row gives them."""
    fields = [codec.Field(f"c{i}", 0, 0, 25, -1, -1, 0) for i in range(width)]
    lineage = [{"output": f"c{i}", "sources": [], "statement": 0} for i in range(width)]
    loud = [b"123-45-6789", b"Jane Okafor", b"jane@example.org", None, b"", b"ab0cdab1cd"]
    rows = []
    for g in range(3 * _PRIME_ROWS + 7):
        values: list[bytes | None] = [b"%032x" % (g * 2654435761 + i) for i in range(width)]
        if g % 97 == 0 or g % _PRIME_ROWS in (0, _PRIME_ROWS - 1):
            values[g % width] = loud[g % len(loud)]
        rows.append(codec.build_data_row(values))
    for profile in ("hipaa-safe-harbor", "secrets-only"):
        batched = ResultMasker(_ENGINE.masker(profile), fields, lineage)
        plain = ResultMasker(_UNPRIMED.masker(profile), fields, lineage)
        for lo in range(0, len(rows), 1500):  # reads past the sampling, then long ones
            read = rows[lo : lo + 1500]
            assert _batch(batched, read) == _one_by_one(plain, read)
        assert batched.rows.counts == plain.rows.counts
        assert batched.rows.counts or profile == "secrets-only"  # something was masked
        assert batched.rows.plan == plain.rows.plan


def test_a_read_of_quiet_digests_is_relayed_as_it_came() -> None:
    fields = [codec.Field("n", 0, 0, 23, 4, -1, 0), codec.Field("digest", 0, 0, 25, -1, -1, 0)]
    lineage = [
        {"output": "n", "sources": [], "statement": 0},
        {"output": "digest", "sources": [], "statement": 0},
    ]
    masker = ResultMasker(_UNPRIMED.masker("hipaa-safe-harbor"), fields, lineage)
    rows = [codec.build_data_row([str(g).encode(), b"%032x" % g]) for g in range(1, 200)]
    assert [masker.data_row(r) for r in rows] == rows  # past the sampling
    read = [codec.build_data_row([b"1", b"%032x" % (g * 7919)]) for g in range(100)]
    out: list[bytes] = []
    masker.data_rows(read, out)
    known = masker.masker._known_quiet
    assert known and known <= {b"%032x" % (g * 7919) for g in range(100)}
    assert out == [b"".join(read)]  # one slice of the upstream's bytes: one write
    assert masker.made == len(read)


@settings(max_examples=400, deadline=None)
@given(
    width=st.integers(0, 4),
    wanted=st.lists(st.integers(0, 3), max_size=4, unique=True),
    values=st.lists(st.none() | st.binary(max_size=6), max_size=5),
    damage=st.none() | st.tuples(st.integers(0, 40), st.binary(max_size=3)),
)
def test_the_row_locator_agrees_with_data_row_spans(
    width: int,
    wanted: list[int],
    values: list[bytes | None],
    damage: tuple[int, bytes] | None,
) -> None:
    """The locator unrolled per result shape is `data_row_spans`, its width check and a
    slice of the wanted values, for rows well-formed or not (bytes overwritten, cut or
    added anywhere after the header)."""
    wanted = [i for i in wanted if i < width]
    raw = codec.build_data_row(values)
    if damage is not None:
        at, junk = damage
        body = bytearray(raw[5:])
        body[at : at + len(junk)] = junk
        raw = raw[:5] + bytes(body)
    try:
        spans = codec.data_row_spans(raw)
    except ProtocolViolation:
        spans = None
    expected = None
    if spans is not None and len(spans) == width:
        expected = tuple(
            raw[spans[i][0] : spans[i][0] + spans[i][1]] if spans[i][1] >= 0 else None
            for i in wanted
        )
    assert codec.data_row_locator(width, tuple(wanted))(raw) == expected


def _damaged(values: list[bytes | None], damage: tuple[int, bytes] | None) -> bytes:
    raw = codec.build_data_row(values)
    if damage is None:
        return raw
    at, junk = damage
    body = bytearray(raw[5:])
    body[at : at + len(junk)] = junk
    return raw[:5] + bytes(body)


@settings(max_examples=400, deadline=None)
@given(
    width=st.integers(0, 4),
    wanted=st.lists(st.integers(0, 3), min_size=1, max_size=4, unique=True),
    rows=st.lists(
        st.tuples(
            st.lists(st.none() | st.binary(max_size=6), max_size=5),
            st.none() | st.tuples(st.integers(0, 40), st.binary(max_size=3)),
        ),
        min_size=1,
        max_size=6,
    ),
    lead=st.binary(max_size=3),
)
def test_the_run_locator_agrees_with_the_row_locator(
    width: int,
    wanted: list[int],
    rows: list[tuple[list[bytes | None], tuple[int, bytes] | None]],
    lead: bytes,
) -> None:
    """Located in place in a run (rows back to back, after other bytes), the rows give
    the row locator's values, one after another, up to the first row it refuses, and
    that row's index; a damaged row never borrows its neighbour's bytes."""
    wanted = [i for i in wanted if i < width] or ([0] if width else [])
    if not wanted:
        with pytest.raises(ValueError, match="wanted"):
            codec.data_run_locator(width, ())
        return
    raws = [_damaged(values, damage) for values, damage in rows]
    bounds = [len(lead), *(len(lead) + sum(map(len, raws[: i + 1])) for i in range(len(raws)))]
    row_locate = codec.data_row_locator(width, tuple(wanted))
    expected: list[bytes | None] = []
    bad = None
    for index, raw in enumerate(raws):
        found = row_locate(raw)
        if found is None:
            bad = index
            break
        expected.extend(found)
    located = codec.data_run_locator(width, tuple(wanted))(lead + b"".join(raws), bounds)
    assert located == (expected, bad)


def _relayed_in_runs(
    masker: ResultMasker, stream: bytes, chunk: int, rows_below: int
) -> list[object]:
    """What the relay's path gives for `stream` read `chunk` bytes at a time: runs of
    small DataRows masked together from their run's bytes, every other message alone
    (a DataRow by `data_row`), up to the first error, then the framing's violation."""
    reader, out = codec.MessageReader(max_message=200), []
    for at in range(0, len(stream), chunk):
        reader.feed(stream[at : at + chunk])
        taken, refused = reader.take_runs(rows_below)
        for item in taken:
            if isinstance(item, codec.RowRun):
                assert all(raw[:1] == b"D" and len(raw) - 5 < rows_below for raw in item.raws())
                answers = _run(masker, item)
            elif item.type == b"D":
                answers = [_answer(masker, item.raw(), True)]
            else:
                answers = [(item.type, item.raw())]
            out.extend(answers)
            if answers and isinstance(answers[-1], str):
                return out
        if refused is not None:
            return [*out, str(refused), reader.buffered]
    return [*out, reader.buffered]


def _run(masker: ResultMasker, run: codec.RowRun) -> list[object]:
    """What `run_rows` gives for a run, row by row as `data_row` would give them: the
    bytes made cut back into rows (a row's length is in its header), then the error."""
    out: list[bytes] = []
    error = None
    try:
        masker.run_rows(run, out)
    except (MaskingError, ProtocolViolation) as exc:
        error = type(exc).__name__
    made, rows = b"".join(out), []
    reader = codec.MessageReader(max_message=1 << 20)
    reader.feed(made)
    rows = [m.raw() for m in reader]
    assert reader.buffered == 0 and len(rows) == masker.made
    return [*rows, error] if error is not None else rows


def _relayed_one_by_one(masker: ResultMasker, stream: bytes, chunk: int) -> list[object]:
    """The same stream framed a message at a time, each DataRow masked alone."""
    reader, out = codec.MessageReader(max_message=200), []
    for at in range(0, len(stream), chunk):
        reader.feed(stream[at : at + chunk])
        try:
            for msg in reader:
                if msg.type != b"D":
                    out.append((msg.type, msg.raw()))
                    continue
                answer = _answer(masker, msg.raw(), True)
                out.append(answer)
                if isinstance(answer, str):
                    return out
        except ProtocolViolation as exc:
            return [*out, str(exc), reader.buffered]
    return [*out, reader.buffered]


@settings(max_examples=300, deadline=None)
@given(
    profile=st.sampled_from(_PROFILES),
    picks=st.lists(
        st.tuples(st.integers(0, len(_COLUMNS) - 1), st.sampled_from([0, 0, 1])),
        min_size=1,
        max_size=4,
    ),
    rows_below=st.sampled_from([0, 1, 30, 60, 1000]),
    chunk=st.integers(1, 400),
    data=st.data(),
)
def test_rows_framed_in_runs_are_relayed_as_framed_one_by_one(
    profile: str,
    picks: list[tuple[int, int]],
    rows_below: int,
    chunk: int,
    data: st.DataObject,
) -> None:
    """The reader hands consecutive small DataRows over as one run of bytes and offsets
    (`take_runs`), not a message each, and the relay masks a run together: for any
    stream cut into reads of any size (rows of the result's width, of another width,
    damaged ones, other messages between them, a length no message may have), the
    client must get exactly what framing message by message and masking row by row
    gives, the violation, what stays buffered, counts and plan included."""
    batched, _ = _masker_pair(profile, picks)
    plain = ResultMasker(_UNPRIMED.masker(profile), batched.fields, batched.lineage)
    width = len(picks)
    row = st.lists(_VALUES, min_size=width, max_size=width).map(codec.build_data_row)
    damaged = st.tuples(row, st.integers(5, 60), st.binary(min_size=1, max_size=3)).map(
        lambda r: (
            r[0][:5] + (r[0][5:][: r[1]] + r[2] + r[0][5:][r[1] + len(r[2]) :])[: len(r[0]) - 5]
        )
    )
    odd = st.lists(_VALUES, max_size=width + 1).map(codec.build_data_row) | st.sampled_from(
        [
            b"D\x00\x00\x00\x0a\x00\x01\x00\x00\x00\x05",
            b"D\x00\x00\x00\x05\x00",
            b"D\x00\x00\x00\x04",
            b"C\x00\x00\x00\x0dSELECT 1\x00",
            b"N\x00\x00\x00\x05\x00",
        ]
    )
    parts = data.draw(st.lists(row | damaged | odd, min_size=1, max_size=40))
    if data.draw(st.booleans()):  # a length no message may have ends the framing
        parts.insert(data.draw(st.integers(0, len(parts))), b"D\x7f\x00\x00\x00")
    stream = b"".join(parts)
    expected = _relayed_one_by_one(plain, stream, chunk)
    assert _relayed_in_runs(batched, stream, chunk, rows_below) == expected
    assert batched.rows.counts == plain.rows.counts
    assert batched.rows.plan == plain.rows.plan


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(
        st.tuples(st.sampled_from(b"DDDCTZ"), st.binary(max_size=80)).map(
            lambda p: codec.message(bytes([p[0]]), p[1])
        )
        | st.binary(max_size=9),  # now and then bytes that frame badly
        max_size=30,
    ),
    rows_below=st.integers(0, 90),
    chunk=st.integers(1, 300),
)
def test_take_runs_frames_what_take_frames(parts: list[bytes], rows_below: int, chunk: int) -> None:
    """`take_runs` is `take` with the small DataRows gathered: flattened, the same
    messages, violation and buffered bytes, for any bytes in reads of any size; a run
    holds only consecutive DataRows under `rows_below`, no two runs adjacent."""
    stream = b"".join(parts)
    ran, took = codec.MessageReader(max_message=64), codec.MessageReader(max_message=64)
    for at in range(0, len(stream), chunk):
        ran.feed(stream[at : at + chunk])
        took.feed(stream[at : at + chunk])
        items, refused_in_runs = ran.take_runs(rows_below)
        msgs, refused = took.take()
        flat: list[tuple[bytes, bytes]] = []
        for before, item in zip([None, *items], items, strict=False):
            if isinstance(item, codec.RowRun):
                assert not isinstance(before, codec.RowRun)
                assert len(item) == len(item.raws()) >= 1
                assert all(r[:1] == b"D" and len(r) - 5 < rows_below for r in item.raws())
                assert [m.raw() for m in item.messages()] == item.raws()
                assert [r for run in item.split(2) for r in run.raws()] == item.raws()
                flat.extend((b"D", raw) for raw in item.raws())
            else:
                assert not (item.type == b"D" and item.size < rows_below)
                flat.append((item.type, item.raw()))
        assert flat == [(m.type, m.raw()) for m in msgs]
        assert str(refused_in_runs) == str(refused)
        assert ran.buffered == took.buffered
        if refused is not None:
            break


def test_values_already_judged_quiet_are_not_primed_again_and_the_memory_is_bounded() -> None:
    """A result whose values repeat primes each once (kept in a bounded set of exact
    bytes); a value that is not quiet is masked every time it comes; a result of
    distinct values gives the set up. The bytes are those of masking row by row."""
    fields = [codec.Field("n", 0, 0, 23, 4, -1, 0), codec.Field("digest", 0, 0, 25, -1, -1, 0)]
    lineage = [
        {"output": "n", "sources": [], "statement": 0},
        {"output": "digest", "sources": [], "statement": 0},
    ]

    def pair() -> tuple[ResultMasker, ResultMasker]:
        made = [
            ResultMasker(e.masker("hipaa-safe-harbor"), fields, lineage)
            for e in (_ENGINE, _UNPRIMED)
        ]
        warm = [codec.build_data_row([str(g).encode(), b"%032x" % g]) for g in range(1, 200)]
        for masker in made:
            assert [masker.data_row(r) for r in warm] == warm  # past the sampling
        return made[0], made[1]

    cached, plain = pair()
    statuses = [b"%032x" % (g * 7919) for g in range(8)] + [b"SSN 123-45-6789"]
    for turn in range(3):
        read = [codec.build_data_row([b"1", statuses[(g + turn) % 9]]) for g in range(90)]
        assert _batch(cached, read) == _one_by_one(plain, read)
    cache = cached._quiet_cache
    assert cache is not None and set(statuses[:8]) <= cache
    assert b"SSN 123-45-6789" not in cache

    cached, plain = pair()
    for turn in range(60):  # a quarter new every read: kept, within its bound
        read = [codec.build_data_row([b"1", b"%032x" % (g + 40 * turn)]) for g in range(160)]
        assert _batch(cached, read) == _one_by_one(plain, read)
        assert cached._quiet_cache is not None
        assert len(cached._quiet_cache) <= 1024 + 1 + 160

    cached, plain = pair()
    for turn in range(3):  # distinct values: given up after the first look
        read = [codec.build_data_row([b"1", b"%032x" % (g + 1000 * turn)]) for g in range(100)]
        assert _batch(cached, read) == _one_by_one(plain, read)
    assert cached._quiet_cache is None


def test_a_run_is_relayed_in_parts_of_at_most_512_rows_and_a_lone_row_as_a_message() -> None:
    """Between parts the event loop's turn is checked; a row alone goes through
    `Relay.handle` as it did when each row was a message."""
    rows = [codec.build_data_row([b"%d" % g]) for g in range(1025)]
    run = codec.RowRun.of(rows)
    parts = _parts(run)
    assert [len(p) for p in parts[:2] if isinstance(p, codec.RowRun)] == [512, 512]
    last = parts[2]
    assert isinstance(last, codec.Message) and last.raw() == rows[-1] and len(parts) == 3
    message = codec.Message(b"C", b"SELECT 1\x00")
    assert _parts(message) == [message]
    (alone,) = _parts(codec.RowRun.of(rows[:1]))
    assert isinstance(alone, codec.Message) and alone.raw() == rows[0]


def test_a_text_column_kept_by_its_name_is_checked_on_the_wire() -> None:
    """round 13b finding 5: `status` and `external_id` keep their types and their codes
    go out as the upstream's bytes, in reads too; a status line quoting the patient, an
    SSN and a bare number as long as an MRN (quiet to the detectors) are masked."""
    fields = [
        codec.Field("status", 0, 0, 1043, -1, -1, 0),
        codec.Field("external_id", 0, 0, 25, -1, -1, 0),
    ]
    lineage = [
        {"output": "status", "sources": ["claims.status"], "statement": 0},
        {"output": "external_id", "sources": ["claims.external_id"], "statement": 0},
    ]
    masker = ResultMasker(_ENGINE.masker("hipaa-safe-harbor"), fields, lineage)
    assert masker.description_for_client() == codec.build_row_description(fields)
    codes = [codec.build_data_row([b"paid", b"99213"]), codec.build_data_row([b"E11.9", b"CA"])]
    out: list[bytes] = []
    masker.data_rows(codes, out)
    assert b"".join(out) == b"".join(codes)
    loud = [
        codec.build_data_row([b"denied for Jimmy Gaines, SSN 706-56-7705", b"48213377"]),
        codec.build_data_row([b"706-56-7705", b"CLM-000123"]),
    ]
    out = []
    masker.data_rows(loud, out)
    assert b"".join(out) == b"".join(
        [
            codec.build_data_row([b"denied for [PERSON], SSN [SSN]", b"[ID]"]),
            codec.build_data_row([b"[SSN]", b"CLM-000123"]),
        ]
    )


def test_a_result_is_not_judged_by_what_another_result_primed() -> None:
    """One profile's masker is shared by every result (and session). A result that
    primes invalid UTF-8 (masked row by row: decoded with U+FFFD) must not leave it
    judged quiet for the next result, whose read of NULLs primes nothing: the next
    read holding those bytes gets them masked, not relayed raw."""
    fields = [codec.Field("notes", 0, 0, 25, -1, -1, 0)]
    lineage = [{"output": "notes", "sources": ["visits.notes"], "statement": 0}]
    bad = b"\xfe\x99-\t\xa6"
    masker = MaskingEngine(MaskingSettings(), KEY).masker("hipaa-safe-harbor")
    plain = ResultMasker(_UNPRIMED.masker("hipaa-safe-harbor"), fields, lineage)
    first = ResultMasker(masker, fields, lineage)
    read = [codec.build_data_row([bad]), codec.build_data_row([b"quiet words"])]
    assert _batch(first, read) == _one_by_one(plain, read)
    second = ResultMasker(masker, fields, lineage)
    for read in (
        [codec.build_data_row([None])] * 2,
        [codec.build_data_row([bad]), codec.build_data_row([None])],
    ):
        assert _batch(second, read) == _one_by_one(plain, read)
    assert bad not in (second._quiet_cache or ())
