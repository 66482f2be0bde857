"""Masking what the upstream answers, message by message.

Masked columns are announced to the client as `text` (OID 25): a masked value
("1980", "[SSN]", a pseudonym) is rarely valid in the column's own type, and
text is the one type whose binary and text encodings are the same bytes, so a
client that asked for binary results still gets a value it can decode. The
upstream is asked for text for those columns (see `upstream_formats`), so the
masker always sees text. Columns the masking plan keeps pass through
byte-for-byte in whatever format the client asked for.
"""

from __future__ import annotations

import csv
import io
import struct
from collections.abc import Iterator, Sequence
from itertools import compress, count
from operator import not_
from typing import Any

from psycopg import postgres

from phigate.doors.pgwire import _codec as codec
from phigate.doors.pgwire._codec import ProtocolViolation
from phigate.masking import server_messages
from phigate.masking._hints import KEEP, TEXT
from phigate.masking.columns import (
    CHECKED,
    DEFINITION,
    ColumnInfo,
    RowMasker,
    long_number,
    plain,
)
from phigate.masking.engine import Masker
from phigate.masking.result_columns import result_columns, type_name_of

TEXT_OID = 25
_I32 = struct.Struct("!i")
_NULL = _I32.pack(-1)
_INT_OIDS = frozenset({20, 21, 23, 26})  # int8, int2, int4, oid
_NULL_VALUE: frozenset[bytes | None] = frozenset({None})
_Values = set[bytes | None] | frozenset[bytes | None]
_CACHE_MOST = 1024  # values judged quiet kept per result (see ResultMasker._quiet_among)
_PRIME_ROWS = 1024  # rows primed together (see ResultMasker._loud)
_CACHE_LONGEST = 128  # bytes: a longer value is primed each time it comes


def type_name(oid: int) -> str | None:
    """A result column's type name from psycopg's registry of built-in types, the
    registry the postgres connector reads through its cursor: both doors give the
    masking engine the same names."""
    info = postgres.types.get(oid)
    return type_name_of(oid, info.name if info is not None else None)


def column_infos(fields: Sequence[codec.Field], lineage: Sequence[Any]) -> list[ColumnInfo]:
    """ColumnInfo per result column, with sources from the classifier's lineage
    (phigate.masking.result_columns: unproven columns are withheld)."""
    return result_columns([(f.name, type_name(f.type_oid)) for f in fields], lineage)


class ResultMasker:
    """Masks one result set: announces masked columns as text, masks each DataRow."""

    def __init__(
        self,
        masker: Masker,
        fields: Sequence[codec.Field],
        lineage: Sequence[Any],
    ) -> None:
        self.masker = masker
        self.fields = list(fields)
        self.lineage = list(lineage)
        self.rows: RowMasker = masker.for_columns(column_infos(fields, lineage))
        self.masked = frozenset(i for i, kind in enumerate(self.rows.plan) if kind != KEEP)
        self._masked_order = sorted(self.masked)
        # Catalog definitions stay SQL text of their own type (a `text[]` of index
        # columns stays an array in text format): what masking changes is inside quotes.
        # So do text columns kept by their name (CHECKED): a `varchar` status stays one.
        self._typed = frozenset(
            i for i, kind in enumerate(self.rows.plan) if kind in (DEFINITION, CHECKED)
        )
        # What the masker reads: masked columns, and the subject column pseudonyms and
        # date shifts are keyed by (as text when the upstream sent text).
        subject = self.rows.subject
        self._read = sorted(self.masked | ({subject} if subject is not None else set()))
        self._decoded = frozenset(
            i for i in self._read if i in self.masked or fields[i].format == 0
        )
        self._seen: list[str] | None = None
        self._reading: list[int] = []
        self._masking: list[int] = []
        self._scanned_only = False  # every column that may change is scanned text
        # ... and one of them is CHECKED, which reads some values itself however quiet
        # (`long_number`: many digits, a label, a form the detectors know reshaped).
        self._numbers_loud = False
        # ... and all of them are CHECKED, which pass a plain code without a look.
        self._checked_only = False
        self._ints = frozenset(i for i in self._decoded if fields[i].type_oid in _INT_OIDS)
        self._descriptions: dict[tuple[int, ...] | None, bytes] = {}
        self.made = 0  # rows the last `run_rows` gave the client, the one it failed on too
        self._quiet_cache: set[bytes | None] | None = {None}  # see _quiet_among

    def serves(self, masker: Masker, fields: Sequence[codec.Field], lineage: Sequence[Any]) -> bool:
        """Whether this masker is the one a new ResultMasker for these would be."""
        return (
            masker is self.masker and self.fields == list(fields) and self.lineage == list(lineage)
        )

    def restart(self) -> ResultMasker:
        """The same masker for another result of the same statement (see RowMasker.restart)."""
        self.rows.restart()
        self._quiet_cache = {None}
        return self

    def description_for_client(self, client_formats: Sequence[int] | None = None) -> bytes:
        """The RowDescription the client gets: masked columns announced as text. Built
        once per formats (the columns and what is masked are fixed at construction)."""
        key = None if client_formats is None else tuple(client_formats)
        built = self._descriptions.get(key)
        if built is None:
            built = self._descriptions[key] = self._description(client_formats)
        return built

    def _description(self, client_formats: Sequence[int] | None) -> bytes:
        out = []
        for i, f in enumerate(self.fields):
            fmt = f.format if client_formats is None else client_formats[i]
            if i in self.masked and not (fmt == 0 and i in self._typed):
                f = codec.Field(f.name, f.table_oid, f.attnum, TEXT_OID, -1, -1, fmt)
            else:
                f = codec.Field(
                    f.name, f.table_oid, f.attnum, f.type_oid, f.type_len, f.type_mod, fmt
                )
            out.append(f)
        return codec.build_row_description(out)

    def data_row(self, raw: bytes) -> bytes:
        """The row for the client. Only the values of masked columns (and the subject
        column a pseudonym is keyed by) are read, in place, from their length prefixes;
        the upstream's bytes go out unchanged unless a masked value changed, and then
        only the changed values are spliced in (held to `data_row_parsed` by a
        property test)."""
        reading, masking = self._live(self.rows.plan)
        if not masking:
            # Nothing to mask, or sampling showed every column is safe to keep: the
            # upstream's bytes are already text for the columns announced as text.
            return raw
        spans = codec.data_row_spans(raw)
        if len(spans) != len(self.fields):
            raise _width(len(spans), len(self.fields))
        if self._scanned_only and self._quiet_row(raw, spans, masking):
            return raw
        return self._masked(raw, spans, reading, masking)

    def _masked(
        self,
        raw: bytes,
        spans: Sequence[tuple[int, int]],
        reading: list[int],
        masking: list[int],
    ) -> bytes:
        """The row masked: the values it reads sliced, masked, and changed ones spliced."""
        row: list[object] = [None] * len(spans)  # a kept column's value is not read
        for i in reading:
            off, size = spans[i]
            if size >= 0:
                data = raw[off : off + size]
                row[i] = self._value(i, data) if i in self._decoded else data
        masked = self.rows.mask_row(row)
        changed: list[tuple[int, bytes | None]] = []
        for i in masking:
            value = masked[i]
            off, size = spans[i]
            if value is None:
                if size != -1:
                    changed.append((i, None))
                continue
            new = _text(value)
            if size != len(new) or not raw.startswith(new, off):
                changed.append((i, new))
        return _splice(raw, spans, changed) if changed else raw

    def data_rows(self, raws: Sequence[bytes], out: list[bytes]) -> None:
        """`run_rows` for rows given one by one (joined into a run first)."""
        self.made = 0
        if raws:
            self.run_rows(codec.RowRun.of(raws), out)

    def run_rows(self, run: codec.RowRun, out: list[bytes]) -> None:
        """`data_row` for a run of consecutive rows of one result (`RowRun`: the rows'
        bytes and where each starts), the bytes for the client appended to `out` as
        they are made (what came before a malformed row or a masking error still goes
        out), `made` counting the rows they hold. When every column that may change is
        scanned as text, the rows are located in place together, their scanned values
        primed together (`Masker.prime`), and consecutive rows whose scanned values all
        came back quiet go out as one slice of the upstream's bytes; only the others
        are masked (held to `data_row` row by row by a property test)."""
        self.made = 0
        reading, masking = self._live(self.rows.plan)
        data, bounds = run.data, run.bounds
        if not masking:
            out.append(data[bounds[0] : bounds[-1]])
            self.made = len(run)
            return
        if not self._scanned_only or len(run) < 2:
            for index in range(len(run)):
                out.append(self.data_row(run.raw(index)))
                self.made += 1
            return
        width, k = len(self.fields), len(masking)
        values, bad = codec.data_run_locator(width, tuple(masking))(data, bounds)
        loud = self._loud(values, k)
        seen, quiet_from = self._seen, bounds[0]
        for index in loud:
            start, stop = bounds[index], bounds[index + 1]
            if quiet_from < start:
                out.append(data[quiet_from:start])
            self.made = index
            raw = data[start:stop]
            if self.rows.plan != seen:  # never for scanned columns; if it did, start over
                out.append(self.data_row(raw))
            else:
                out.append(self._masked(raw, codec.data_row_spans(raw), reading, masking))
            quiet_from = stop
        located = len(bounds) - 1 if bad is None else bad
        if quiet_from < bounds[located]:
            out.append(data[quiet_from : bounds[located]])
        self.made = located
        if bad is not None:  # a malformed row: the rows before it went out, then it is refused
            raise _refusal(run.raw(bad), width)

    def _loud(self, values: list[bytes | None], k: int) -> list[int]:
        """The rows (`k` values each) not quiet: a scanned value neither NULL nor quiet
        (`_quiet_among`). Found by C iterators, so the quiet ones, nearly all, cost no
        Python step each; primed _PRIME_ROWS rows at a time (a read holds thousands,
        and a smaller set of quiet values is cheaper to build and look up), all before
        any row is masked, so an error leaves no row half relayed."""
        loud: list[int] = []
        step = _PRIME_ROWS * k
        for lo in range(0, len(values), step):
            chunk = values[lo : lo + step]
            safe = self._quiet_among(chunk)
            rows = _grouped(chunk, k)
            quiet = map(safe.__contains__, chunk) if k == 1 else map(safe.issuperset, rows)
            loud.extend(compress(count(lo // k), map(not_, quiet)))
        return loud

    def _quiet_among(self, values: list[bytes | None]) -> _Values:
        """The values among these `mask_str` gives back unchanged (`_primed`), with the
        ones already judged quiet in this result not primed again: a result whose values
        repeat (a status, a code, a ward) primes each once. Quiet is a fact about the
        bytes under this result's masker alone (`Masker.prime`), never about the row or
        column, and only exact bytes are looked up, so no value is judged by another's
        verdict. The memory is bounded (at most _CACHE_MOST values of at most
        _CACHE_LONGEST bytes, cleared when full) and given up for the rest of the result
        when a read finds fewer than a quarter of its values there (distinct values)."""
        cache = self._quiet_cache
        if cache is None:
            return self._primed(list(filter(None, values)), None in values)
        if len(cache) > _CACHE_MOST:
            cache.clear()
            cache.add(None)
        fresh = [v for v in values if v and v not in cache]
        if len(cache) > 1:
            asked = len(values) - values.count(None) - values.count(b"")
            if (asked - len(fresh)) * 4 < asked:
                self._quiet_cache = None
                return self._primed(fresh) | cache
        safe = self._primed(fresh)
        cache.update(v for v in safe if v is not None and len(v) <= _CACHE_LONGEST)
        return cache if safe <= cache else safe | cache

    def _primed(self, values: list[bytes], nulls: bool = True) -> frozenset[bytes | None]:
        """The values `mask_str` gives back unchanged, as `_quiet_row` tells them: ones
        `Masker.prime` found quiet that are ASCII (their text's UTF-8 is their bytes)
        and never read as JSON (no `{` or `[`), and NULL (never masked) unless `nulls`
        says no value asked about is NULL (the union copies the set). `prime` leaves
        known only values asked about, so the look at them vets all it holds."""
        codes: frozenset[bytes] = frozenset()
        if self._checked_only:  # a plain code is what `RowMasker._checked` passes as is
            codes = frozenset(v for v in values if _plain(v))
            values = [v for v in values if v not in codes]
        self.masker.prime(values)
        known = self.masker.known_quiet
        # One look at them all, in the usual case: at the values asked about, in the
        # order they lie in memory (the set's order cost a cache miss a value).
        joined = b"\n".join(values)
        if not (joined.isascii() and b"{" not in joined and b"[" not in joined):
            known = frozenset(v for v in known if v.isascii() and b"{" not in v and b"[" not in v)
        if self._numbers_loud:
            known = frozenset(v for v in known if not long_number(v))
        known |= codes
        return known | _NULL_VALUE if nulls else known

    def _live(self, plan: list[str]) -> tuple[list[int], list[int]]:
        """The columns a row is read for and those that may change, under this plan:
        sampling keeps some columns the plan began by masking, and never un-keeps one."""
        if plan != self._seen:
            self._seen = list(plan)
            subject = self.rows.subject
            self._reading = [i for i in self._read if plan[i] != KEEP or i == subject]
            self._masking = [i for i in self._masked_order if plan[i] != KEEP]
            self._scanned_only = all(
                plan[i] in (TEXT, CHECKED) and i not in self._ints for i in self._masking
            )
            self._numbers_loud = any(plan[i] == CHECKED for i in self._masking)
            checked_only = bool(self._masking) and all(plan[i] == CHECKED for i in self._masking)
            if checked_only != self._checked_only and self._quiet_cache is not None:
                self._quiet_cache = {None}  # plain codes were quiet only in checked columns
            self._checked_only = checked_only
        return self._reading, self._masking

    def _quiet_row(self, raw: bytes, spans: Sequence[tuple[int, int]], masking: list[int]) -> bool:
        """Whether masking this row would give it back unchanged, known without masking
        it: every column that may change is scanned as text (so the row masker keeps
        no count or sample for it) and each value is NULL or one `Masker.prime` found
        quiet, ASCII (its text's UTF-8 is its bytes) and without `{` or `[` (never read
        as JSON). `mask_str` returns such a value as it came."""
        known = self.masker.known_quiet
        if not known and not self._checked_only:
            return False
        for i in masking:
            off, size = spans[i]
            if size < 0:
                continue
            data = raw[off : off + size]
            if self._checked_only and _plain(data):
                continue
            if data not in known or not data.isascii() or b"{" in data or b"[" in data:
                return False
            if self._numbers_loud and long_number(data):
                return False
        return True

    def _value(self, index: int, data: bytes) -> object:
        """A text value as the masker reads it: an integer column's value as an int,
        as the connector door's driver gives it (the same number, never scanned as
        free text: `int` values are no text; a column's plan still sees them);
        anything else as text."""
        text = data.decode("utf-8", "replace")
        if index in self._ints:
            try:
                number = int(text)
            except ValueError:
                return text
            if str(number) == text:  # what goes out again is the upstream's bytes
                return number
        return text

    def data_row_parsed(self, raw: bytes) -> bytes:
        """Every value parsed, masked and built again: what `data_row` must equal."""
        if not self.masked or _all_kept(self.rows.plan):
            return raw
        values = codec.parse_data_row(raw[5:])
        if len(values) != len(self.fields):
            raise _width(len(values), len(self.fields))
        decoded: list[object] = [
            self._value(i, v)
            if v is not None and (i in self.masked or self.fields[i].format == 0)
            else v
            for i, v in enumerate(values)
        ]
        kept = [kind == KEEP for kind in self.rows.plan]  # before this row's sampling
        masked = self.rows.mask_row(decoded)
        out: list[bytes | None] = []
        for i, value in enumerate(masked):
            if i not in self.masked or kept[i]:
                out.append(values[i])
            else:
                out.append(None if value is None else _text(value))
        return codec.build_data_row(out)


def _plain(data: bytes) -> bool:
    """`columns.plain` of a value's bytes: ASCII only, so its text is these bytes."""
    return data.isascii() and plain(data.decode("ascii"))


def _grouped(values: list[bytes | None], k: int) -> Iterator[tuple[bytes | None, ...]]:
    """The flat values of consecutive rows, `k` a row."""
    chunks = [iter(values)] * k
    return zip(*chunks, strict=True)


def _refusal(raw: bytes, width: int) -> ProtocolViolation:
    """Why a row the locator could not read is refused: malformed, or the wrong width."""
    try:
        spans = codec.data_row_spans(raw)
    except ProtocolViolation as exc:
        return exc
    return _width(len(spans), width)


def _width(values: int, columns: int) -> ProtocolViolation:
    return ProtocolViolation(f"a DataRow of {values} values for {columns} columns")


def _all_kept(plan: Sequence[str]) -> bool:
    """Sampling may have kept every column the plan began by masking."""
    return all(kind == KEEP for kind in plan)


def _splice(
    raw: bytes, spans: Sequence[tuple[int, int]], changed: Sequence[tuple[int, bytes | None]]
) -> bytes:
    """`raw` with the changed values (in column order) in place of the upstream's."""
    parts, cursor = [], 5  # from the column count on
    for i, value in changed:
        off, size = spans[i]
        parts.append(raw[cursor : off - 4])
        parts.append(_NULL if value is None else _I32.pack(len(value)) + value)
        cursor = off + max(size, 0)
    parts.append(raw[cursor:])
    return codec.message(b"D", b"".join(parts))


def _text(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value).encode()


def upstream_formats(masked: frozenset[int], client: codec.Bind, n: int) -> tuple[int, ...]:
    """Result formats to ask the upstream for: the client's, but text for masked columns."""
    wanted = [client.result_format(i) for i in range(n)]
    if not any(wanted):
        return client.result_formats
    return tuple(0 if i in masked else f for i, f in enumerate(wanted))


def scrub_fields(raw: bytes, masker: Masker, statement: str) -> bytes:
    """ErrorResponse/NoticeResponse with the data they quote removed; SQLSTATE kept
    (phigate.masking.server_messages: the same rule as every other front door)."""
    fields = codec.parse_fields(raw[5:])
    return codec.build_fields(raw[:1], server_messages.scrub_fields(fields, statement, masker))


class CopyMasker:
    """Masks COPY … TO STDOUT rows (text or CSV format, one row per CopyData)."""

    def __init__(
        self, masker: Masker, ncols: int, lineage: Sequence[Any], csv_format: bool
    ) -> None:
        fields = [codec.Field(f"column{i + 1}", 0, 0, TEXT_OID, -1, -1, 0) for i in range(ncols)]
        entries = [e for e in lineage if isinstance(e, dict)]
        if len(entries) == ncols:
            fields = [codec.Field(str(e.get("output")), 0, 0, TEXT_OID, -1, -1, 0) for e in entries]
        self._masker = masker
        self.rows = masker.for_columns(column_infos(fields, lineage))
        self._csv = csv_format
        self.ncols = ncols

    def line(self, data: bytes) -> bytes:
        text = data.decode("utf-8", "replace")
        body = text[:-1] if text.endswith("\n") else text
        values = self._split(body)
        if values is None or len(values) != self.ncols:
            return self._masker.mask_text(text).text.encode()  # header or odd line: scan it
        masked = self.rows.mask_row(values)
        return (self._join(masked) + "\n").encode()

    def _split(self, body: str) -> list[object] | None:
        if self._csv:
            rows = list(csv.reader([body]))
            return list(rows[0]) if len(rows) == 1 else None
        return [None if v == "\\N" else _unescape(v) for v in body.split("\t")]

    def _join(self, values: Sequence[object]) -> str:
        if self._csv:
            buf = io.StringIO()
            csv.writer(buf, lineterminator="").writerow(
                ["" if v is None else str(v) for v in values]
            )
            return buf.getvalue()
        return "\t".join("\\N" if v is None else _escape(str(v)) for v in values)


_ESCAPES = {
    "\\\\": "\\",
    "\\t": "\t",
    "\\n": "\n",
    "\\r": "\r",
    "\\b": "\b",
    "\\f": "\f",
    "\\v": "\v",
}


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    out, i = [], 0
    while i < len(value):
        pair = value[i : i + 2]
        if pair in _ESCAPES:
            out.append(_ESCAPES[pair])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )
