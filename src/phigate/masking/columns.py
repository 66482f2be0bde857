"""Row masking: classify each result column once, then mask row by row.

A column is classified from, in order: `masking.columns` in the configuration,
its source-column lineage (``schema.table.column`` from the SQL classifier),
its name, its SQL type, and, when all of those say nothing, a sample of its
first values. Identifier columns are masked whole (cheap); free-text and JSON
columns are scanned value by value; ids, codes and amounts pass through, but a
column of text kept only by its name (`status`, `external_id`, `cpt_code`) is
`CHECKED` value by value: names are chosen by whoever designed the table, not by
what lands in it (`_checked`).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import types
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

import re2

from phigate.masking._checked_values import DATE_ENTITY, long_number, plain, read_checked
from phigate.masking._codes import MOST_DIGITS, canonical, cleaned, dated, digits_left
from phigate.masking._column_kinds import (
    CHECKED,
    DEFINITION,
    PROBE,
    WITHHELD,
    ColumnInfo,
    classify,
    kind_by_name,
    shown_as_stored,
    shown_in_part,
    subject_index,
)
from phigate.masking._definitions import mask_definition
from phigate.masking._hints import KEEP, TEXT
from phigate.masking._json import TOO_DEEP, TOO_DEEP_ENTITY
from phigate.masking._json_text import TooDeep, read_json_text
from phigate.masking.detect import MaskingError
from phigate.masking.entities import ID, ZIP, rank
from phigate.masking.operators import RESTRICTED_ZIP3, safe_harbor_year
from phigate.masking.settings import Operator
from phigate.masking.value_masker import ValueMasker

# The row masker, and what callers ask of a column without one (the classification
# and the CHECKED values' reading live in `_column_kinds` and `_checked_values`).
__all__ = [
    "CHECKED",
    "DEFINITION",
    "WITHHELD",
    "ColumnInfo",
    "ColumnPlan",
    "RowMasker",
    "classify",
    "long_number",
    "plain",
    "shown_as_stored",
]

_VOTE_SHARE = 0.6
_BINARY = "[BINARY]"
_WITHHELD_VALUE = "[WITHHELD]"
_CHECKED_MEMO = 4096  # values a CHECKED column remembers its verdict on (then cleared)
_WORDS = re2.compile(r"(\s+)")  # splits free text into words, keeping what is between


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """How a result's columns start out under one masker, before any value is seen:
    each column's kind, those shown whole or not at all, the subject column. A function
    of the columns and the masker's settings, types and operators alone, so a masker
    keeps it for the next result of the same columns (`Masker.for_columns`)."""

    kinds: tuple[str, ...]
    redacted: frozenset[int]
    subject: int | None


class RowMasker:
    """Masks the rows of one result; `counts` accumulates entities masked so far.

    Rows are masked column by column: `mask_rows` transposes a batch (one
    fetchmany), runs one tight loop per masked column, and transposes back.
    """

    def __init__(
        self,
        masker: ValueMasker,
        columns: Sequence[ColumnInfo],
        start: ColumnPlan | None = None,
    ) -> None:
        """`start`: the `start` of an earlier row masker of the same masker and columns."""
        self._masker = masker
        self.columns = tuple(columns)
        self._counts: dict[str, int] = {}
        self.start = start if start is not None else self._planned()
        self.plan = list(self.start.kinds)
        # Columns whose values are shown whole or not at all (see `shown_in_part`).
        self._redacted = self.start.redacted
        self._initial_plan = self.start.kinds  # before sampling decided anything
        self._subject = self.start.subject
        self._votes: dict[int, dict[str, int]] = {}
        self._probed: dict[int, int] = {}
        self._compiled: _CompiledRow | None = None
        # What a CHECKED value reads as (`_checked`): a fact about the value under this
        # masker's detectors, so kept across results; keys and codes repeat.
        self._checked_memo: dict[str, str | None] = {}

    def _planned(self) -> ColumnPlan:
        overrides = self._masker.settings.column_types()
        kinds = tuple(self._unrevealed(c, classify(c, overrides)) for c in self.columns)
        redacted = frozenset(
            i
            for i, (c, kind) in enumerate(zip(self.columns, kinds, strict=True))
            if kind != WITHHELD and not shown_in_part(c, kind, overrides)
        )
        return ColumnPlan(kinds, redacted, subject_index(self.columns))

    def _unrevealed(self, info: ColumnInfo, kind: str) -> str:
        """A column built from several kinds is kept only if every kind is revealed:
        `ssn || last_name` under a reveal of SSN still hides the name, whole."""
        if kind in (KEEP, TEXT, PROBE, CHECKED, WITHHELD, DEFINITION) or len(info.sources) < 2:
            return kind
        kinds = {kind_by_name(s.rsplit(".", 1)[-1], info.type_name) for s in info.sources}
        hidden = [k for k in kinds - {KEEP, TEXT, PROBE, CHECKED} if not self._kept(k)]
        if not self._kept(kind):
            return kind
        if hidden:
            return max(hidden, key=rank)
        # Free text beside it is scanned (the revealed type stays as it is there too).
        return TEXT if kinds & {TEXT, PROBE, CHECKED} else kind

    def _operator(self, index: int, entity: str) -> Operator:
        """The profile's operator for `entity`, or REDACT where this column's values may
        not be shown in part (a computed column, or one of several sources)."""
        op = self._masker.operators.operator_for(entity)
        if index in self._redacted and op not in (Operator.KEEP, Operator.DROP):
            return Operator.REDACT
        return op

    def _whole(self, index: int, entity: str, value: object, subject: str) -> object:
        """One value known to be `entity`, masked as this column allows."""
        if value is None or entity not in self._masker.types:
            return value
        if self._operator(index, entity) is Operator.REDACT:
            self._counts[entity] = self._counts.get(entity, 0) + 1
            return f"[{entity}]"
        return self._masker.whole(entity, value, self._counts, subject)

    def _kept(self, entity: str) -> bool:
        """Whether this masker lets `entity` through (revealed, or not in its profile)."""
        masker = self._masker
        return entity not in masker.types or masker.operators.operator_for(entity) is Operator.KEEP

    def restart(self) -> None:
        """Begin another result of the same columns (the next run of one prepared
        statement) as a new masker would: the plan as classified, sampling from the
        first row again, counts from zero. The compiled row code is kept while the
        plan is the same, which is what makes reuse cheaper than a new masker."""
        self.plan[:] = self._initial_plan
        self._votes.clear()
        self._probed.clear()
        if self._compiled is not None:
            self._compiled.flush_counts({})
        self._counts = {}

    @property
    def subject(self) -> int | None:
        """The column pseudonyms and date shifts are keyed by, if the result has one."""
        return self._subject

    @property
    def counts(self) -> dict[str, int]:
        """Entities masked so far, by type."""
        if self._compiled is not None:
            self._compiled.flush_counts(self._counts)
        return self._counts

    def mask_row(self, row: Sequence[object]) -> list[object]:
        compiled = self._compiled
        if compiled is None or compiled.plan != self.plan:
            compiled = self._recompile()
        try:
            out = compiled.fn(row)
        except MaskingError:
            raise
        except TypeError:
            return list(self._mask_by_column((row,))[0])
        except Exception as exc:
            raise MaskingError(f"masking a row failed: {type(exc).__name__}") from exc
        compiled.rows += 1
        return list(out)

    def _recompile(self) -> _CompiledRow:
        if self._compiled is not None:
            self._compiled.flush_counts(self._counts)
        self._compiled = _CompiledRow(self)
        return self._compiled

    def mask_rows(self, rows: Iterable[Sequence[object]]) -> list[tuple[object, ...]]:
        """Mask a batch of rows (e.g. one fetchmany) in one call; rows come back as tuples."""
        batch = rows if isinstance(rows, list | tuple) else list(rows)
        if not batch:
            return []
        compiled = self._compiled
        if compiled is None or compiled.plan != self.plan:
            compiled = self._recompile()
        try:
            out = [compiled.fn(row) for row in batch]
        except MaskingError:
            raise
        except TypeError:
            return self._mask_by_column(batch)  # unhashable values: the general path
        except Exception as exc:
            raise MaskingError(f"masking rows failed: {type(exc).__name__}") from exc
        compiled.rows += len(batch)
        return out

    def _mask_by_column(self, batch: Sequence[Sequence[object]]) -> list[tuple[object, ...]]:
        try:
            cols: list[Sequence[object]] = list(zip(*batch, strict=True))
            if len(cols) != len(self.columns):
                raise MaskingError(f"rows have {len(cols)} values for {len(self.columns)} columns")
            subjects = self._subjects(cols)
            for index, kind in enumerate(self.plan):
                if kind != KEEP:
                    cols[index] = self._mask_column(index, kind, cols[index], subjects)
            return list(zip(*cols, strict=True))
        except MaskingError:
            raise
        except Exception as exc:
            raise MaskingError(f"masking rows failed: {type(exc).__name__}") from exc

    def _subjects(self, cols: list[Sequence[object]]) -> Sequence[str]:
        if self._subject is None:
            return _NoSubjects()
        return [str(v) for v in cols[self._subject]]

    def _mask_column(
        self, index: int, kind: str, values: Sequence[object], subjects: Sequence[str]
    ) -> Sequence[object]:
        if kind == TEXT:
            return [self._scan(v, s) for v, s in zip(values, subjects, strict=False)]
        if kind == CHECKED:
            return [self._checked(v, s) for v, s in zip(values, subjects, strict=False)]
        if kind == PROBE:
            return [self._probe(index, v, s) for v, s in zip(values, subjects, strict=False)]
        if kind == WITHHELD:
            return [None if v is None else _WITHHELD_VALUE for v in values]
        if kind == DEFINITION:
            return [self._definition(v, s) for v, s in zip(values, subjects, strict=False)]
        if kind not in self._masker.types:
            return values
        return self._whole_column(index, kind, values, subjects)

    def _whole_column(
        self, index: int, entity: str, values: Sequence[object], subjects: Sequence[str]
    ) -> Sequence[object]:
        present = len(values) - values.count(None)
        if present:
            self._counts[entity] = self._counts.get(entity, 0) + present
        op = self._operator(index, entity)
        if op is Operator.KEEP:
            return values
        if op is Operator.REDACT:
            placeholder = f"[{entity}]"
            return [None if v is None else placeholder for v in values]
        if op is Operator.DROP:
            return [None] * len(values)
        value = self._masker.operators.value
        if op is Operator.DATE_SHIFT:
            return [value(entity, v, s) for v, s in zip(values, subjects, strict=False)]
        try:
            distinct = set(values)
        except TypeError:  # unhashable values (JSON): one by one
            return [value(entity, v, "") for v in values]
        # Each distinct value is masked once: columns repeat values (cities, ZIPs, dates).
        fast = _FAST_GENERALIZE.get(entity) if op is Operator.GENERALIZE else None
        mapping = {
            v: None if v is None else fast(v, entity, value) if fast else value(entity, v, "")
            for v in distinct
        }
        return [mapping[v] for v in values]

    # -- scanning free text, JSON and binary values

    def _scan(self, value: object, subject: str) -> object:
        if value is None or isinstance(value, bool | int | float | Decimal | uuid.UUID):
            return value
        if isinstance(value, str):
            return self._scan_str(value, subject)
        if isinstance(value, dict | list | tuple):
            masked, found = self._masker.mask_json(value)
            _add(self._counts, found)
            return masked
        if isinstance(value, dt.date | dt.time | dt.timedelta):
            return self._masker.whole(DATE_ENTITY, value, self._counts, subject)
        if isinstance(value, bytes | bytearray | memoryview):
            return self._scan_bytes(bytes(value), subject)
        return self._scan_str(str(value), subject)

    def _scan_str(self, value: str, subject: str) -> str:
        if value.lstrip()[:1] in ("{", "["):
            try:
                parsed = read_json_text(value, self._masker.settings.max_json_depth)
            except TooDeep:  # too deep to read safely, so nothing of it is shown
                _add(self._counts, {TOO_DEEP_ENTITY: 1})
                return TOO_DEEP
            if isinstance(parsed, dict | list):
                masked, found = self._masker.mask_json(parsed)
                _add(self._counts, found)
                return json.dumps(masked, ensure_ascii=False)
        return self._masker.mask_str(value, self._counts, subject)

    def _checked(self, value: object, subject: str) -> object:
        """A value of a column kept by its name: a code, number or enum word passes as
        it is (the usual case, string methods only). Anything else is read as it reads
        (`_codes.cleaned`: NFKC, no invisible characters): free text (a status line
        quoting the patient) is scanned, and masked whole if a number of 7 or more
        digits is left in it; a single token is masked whole when the detectors read
        its canonical form (`706_56_7705` as `706-56-7705`) as an identifier that is no
        code, or when it holds 7 or more digits and is no UUID or ZIP+4."""
        if not isinstance(value, str) or plain(value):
            return value  # numbers are kept by their type; bytes are not text here
        memo = self._checked_memo
        entity = memo.get(value, "")
        if entity == "":
            entity = read_checked(self._masker, value)
            if len(memo) >= _CHECKED_MEMO:
                memo.clear()
            memo[value] = entity
        if entity is None:
            return value  # a key (`CLM-000123`, a UUID), a code with punctuation, a word
        if entity == TEXT:
            return self._checked_text(value, subject)
        return self._masker.whole(entity, canonical(cleaned(value)), self._counts, subject)

    def _checked_text(self, value: str, subject: str) -> object:
        """Free text in a CHECKED column: scanned as it reads, then each word the
        detectors left that names a month next to digits (`Mar14-1980`) masked as a
        date, and the whole masked as one if a month is still next to digits across
        spaces (`1980 / Mar / 14`); more digits left in it than a code has, in all
        (`706 / 56 / 7705`, `SSN 706 - 56 - 7705`), mask it whole."""
        text = cleaned(value)
        scanned = self._scan(text, subject)
        if not isinstance(scanned, str):
            return scanned
        if digits_left(scanned, text) > MOST_DIGITS:
            return self._masker.whole(ID, value, self._counts, subject)
        if dated(scanned):
            scanned = "".join(self._dated(word, subject) for word in _WORDS.split(scanned))
            if dated(scanned):  # spaced: `1980 / Mar / 14`, `14 mar`
                return self._masker.whole(DATE_ENTITY, value, self._counts, subject)
        return value if scanned == text else scanned

    def _dated(self, word: str, subject: str) -> str:
        """A word of free text in a CHECKED column, masked as a date if it names a month
        next to digits, as it is otherwise (whitespace, other words)."""
        if not word or word.isspace() or not dated(word):
            return word
        return str(self._masker.whole(DATE_ENTITY, word, self._counts, subject))

    def _definition(self, value: object, subject: str) -> object:
        """A catalog definition: constants withheld, the rest scanned. An array of them
        (the REST door's driver gives a list; at most six dimensions) is read element by
        element; other values are scanned."""
        if isinstance(value, list | tuple):
            return [self._definition(v, subject) for v in value]
        if not isinstance(value, str):
            return self._scan(value, subject)
        return mask_definition(self._masker, value, self._counts, subject)

    def _scan_bytes(self, value: bytes, subject: str) -> object:
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            return _BINARY  # it cannot be inspected, so it does not leave
        return self._scan_str(text, subject).encode("utf-8")

    # -- columns whose name and lineage say nothing: sample, then decide

    def _probe(self, index: int, value: object, subject: str) -> object:
        """Mask while sampling; after `sample_rows` values, fix the column's plan."""
        if value is None:
            return None
        kind = self.plan[index]
        if kind != PROBE:  # decided earlier in this batch
            if kind == TEXT:
                return self._scan(value, subject)
            if kind == KEEP or kind not in self._masker.types:
                return value
            return self._whole(index, kind, value, subject)
        text = value if isinstance(value, str) else str(value)
        entity = None if isinstance(value, bool) else self._masker.classify_value(text)
        votes = self._votes.setdefault(index, {})
        vote = entity or ("" if isinstance(value, str) else KEEP)
        votes[vote] = votes.get(vote, 0) + 1
        self._probed[index] = self._probed.get(index, 0) + 1
        if entity is not None and entity in self._masker.types:
            masked = self._whole(index, entity, value, subject)
        else:
            masked = self._scan(value, subject)
        if self._probed[index] >= self._masker.settings.sample_rows:
            self._decide(index)
        return masked

    def _decide(self, index: int) -> None:
        votes = self._votes.pop(index, {})
        total = sum(votes.values())
        best = max(votes, key=lambda k: votes[k]) if votes else ""
        if best not in ("", KEEP) and votes[best] >= _VOTE_SHARE * total:
            self.plan[index] = best
        elif best == KEEP and votes[best] == total:
            self.plan[index] = KEEP
        else:
            self.plan[index] = TEXT


@functools.lru_cache(maxsize=512)
def _compiled(source: str) -> types.CodeType:
    """Results of one shape share their code (compiling costs more than a short result)."""
    return compile(source, "<phigate-row-masker>", "eval")


class _CompiledRow:
    """One function per result that masks a whole row without loops or transposes.

    Its source is generated from the column plan, from integer indices and fixed
    names only; every value (placeholders, caches, callables) is passed in the
    namespace, never formatted into the code.
    """

    def __init__(self, owner: RowMasker) -> None:
        self.plan = list(owner.plan)
        self.rows = 0  # rows masked since the last flush of counts
        self._nulls = [0] * len(self.plan)
        self._whole: list[tuple[int, str]] = []
        namespace: dict[str, object] = {"null": self._null, "bad": _bad_row}
        parts = [self._part(owner, i, kind, namespace) for i, kind in enumerate(self.plan)]
        width = len(self.plan)
        source = f"lambda r: ({', '.join(parts)},) if len(r) == {width} else bad(r)"
        self.fn: Callable[[Sequence[object]], tuple[object, ...]] = eval(  # noqa: S307
            _compiled(source), namespace
        )

    def _null(self, index: int) -> None:
        self._nulls[index] += 1

    def flush_counts(self, counts: dict[str, int]) -> None:
        rows, self.rows = self.rows, 0
        for index, entity in self._whole:
            present = rows - self._nulls[index]
            self._nulls[index] = 0
            if present > 0:
                counts[entity] = counts.get(entity, 0) + present

    def _part(self, owner: RowMasker, i: int, kind: str, ns: dict[str, object]) -> str:
        v = f"r[{i}]"
        subject = "''" if owner._subject is None else f"str(r[{owner._subject}])"
        if kind == KEEP:
            return v
        if kind in (TEXT, PROBE, CHECKED):
            ns[f"f{i}"] = _scanner(owner, i, kind)
            return f"f{i}({v}, {subject})"
        if kind == WITHHELD:
            ns[f"p{i}"] = _WITHHELD_VALUE
            return f"(p{i} if {v} is not None else None)"
        if kind == DEFINITION:
            ns[f"f{i}"] = owner._definition
            return f"(f{i}({v}, {subject}) if {v} is not None else None)"
        if kind not in owner._masker.types:
            return v
        op = owner._operator(i, kind)
        if op is Operator.KEEP:
            return v
        self._whole.append((i, kind))
        if op is Operator.DROP:
            return f"(None if {v} is not None else null({i}))"
        if op is Operator.REDACT:
            ns[f"p{i}"] = f"[{kind}]"
            return f"(p{i} if {v} is not None else null({i}))"
        value = owner._masker.operators.value
        if op is Operator.DATE_SHIFT:
            ns[f"f{i}"] = functools.partial(value, kind)
            return f"(f{i}({v}, {subject}) if {v} is not None else null({i}))"
        ns[f"c{i}"], ns[f"g{i}"] = _memo(kind, op, value)
        return f"((c{i}[{v}] if {v} in c{i} else g{i}({v})) if {v} is not None else null({i}))"


def _scanner(owner: RowMasker, i: int, kind: str) -> Callable[[object, str], object]:
    if kind == TEXT:
        return owner._scan
    if kind == CHECKED:
        return owner._checked
    return functools.partial(owner._probe, i)


def _memo(
    entity: str, op: Operator, value: Callable[[str, object, str], object]
) -> tuple[dict[object, object], Callable[[object], object]]:
    """A bounded cache and its filler: columns repeat values (cities, ZIPs, dates)."""
    cache: dict[object, object] = {}
    fast = _FAST_GENERALIZE.get(entity) if op is Operator.GENERALIZE else None

    def fill(v: object) -> object:
        masked = fast(v, entity, value) if fast is not None else value(entity, v, "")
        if len(cache) < 100_000:
            cache[v] = masked
        return masked

    return cache, fill


def _bad_row(row: Sequence[object]) -> tuple[object, ...]:
    raise MaskingError(f"a row has {len(row)} values, not the number of columns")


def _year(v: object, entity: str, slow: Callable[[str, object, str], object]) -> object:
    return safe_harbor_year(v.year) if isinstance(v, dt.date) else slow(entity, v, "")


def _zip3(v: object, entity: str, slow: Callable[[str, object, str], object]) -> object:
    if isinstance(v, str) and len(v) >= 5 and v[:5].isdigit():
        return ("000" if v[:3] in RESTRICTED_ZIP3 else v[:3]) + "**"
    return slow(entity, v, "")


_FAST_GENERALIZE = {DATE_ENTITY: _year, ZIP: _zip3}


class _NoSubjects(Sequence[str]):
    """An endless run of empty subjects, for results without a patient column."""

    def __len__(self) -> int:
        return 1 << 62

    def __getitem__(self, index: object) -> str:
        return ""

    def __iter__(self) -> Iterator[str]:
        return itertools.repeat("")


def _add(counts: dict[str, int], found: dict[str, int]) -> None:
    for key, n in found.items():
        counts[key] = counts.get(key, 0) + n
