"""Row masking: classify each result column once, then mask row by row.

A column is classified from, in order: `masking.columns` in the configuration,
its source-column lineage (``schema.table.column`` from the SQL classifier),
its name, its SQL type, and, when all of those say nothing, a sample of its
first values. Identifier columns are masked whole (cheap); free-text and JSON
columns are scanned value by value; ids, codes and amounts pass through.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from phigate.masking._hints import KEEP, TEXT, hint, type_hint
from phigate.masking.detect import MaskingError
from phigate.masking.entities import MRN, SSN, rank

if TYPE_CHECKING:
    from phigate.masking.engine import Masker

_SUBJECT_SOURCES = ("patients.id", "patient_id", "patients.mrn", "mrn", "ssn", "member_id")
_PROBE = "PROBE"
_VOTE_SHARE = 0.6
_BINARY = "[BINARY]"


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    """A result column: its output name, SQL type name, and where its values come from."""

    name: str
    type_name: str | None = None
    sources: tuple[str, ...] = ()


def classify(info: ColumnInfo, overrides: dict[str, str]) -> str:
    """KEEP, TEXT, an entity type, or PROBE (decide from sampled values)."""
    for ref in (*info.sources, info.name):
        found = _override(ref, overrides)
        if found is not None:
            return found
    if info.sources:
        kinds = [_by_name(s.rsplit(".", 1)[-1], info.type_name) for s in info.sources]
        return _most_sensitive(kinds)
    return _by_name(info.name, info.type_name)


def _override(ref: str, overrides: dict[str, str]) -> str | None:
    parts = ref.lower().split(".")
    for i in range(len(parts)):
        found = overrides.get(".".join(parts[i:]))
        if found is not None:
            return found
    return None


def _by_name(name: str, type_name: str | None) -> str:
    by_name = hint(name)
    by_type = type_hint(type_name)
    if by_name is not None and by_name != TEXT:
        return by_name
    if by_type is not None and by_type != TEXT:
        return by_type
    return _PROBE if by_name is None else TEXT


def _most_sensitive(kinds: list[str]) -> str:
    entities = [k for k in kinds if k not in (KEEP, TEXT, _PROBE)]
    if entities:
        return max(entities, key=rank)
    if _PROBE in kinds:
        return _PROBE
    return TEXT if TEXT in kinds else KEEP


def _subject_index(columns: Sequence[ColumnInfo]) -> int | None:
    for wanted in _SUBJECT_SOURCES:
        for i, info in enumerate(columns):
            refs = [s.lower() for s in info.sources] or [info.name.lower()]
            if any(r == wanted or r.endswith("." + wanted) for r in refs):
                return i
    return None


ValueFn = Callable[[object, str], object]


class RowMasker:
    """Masks the rows of one result; `counts` accumulates entities masked so far."""

    def __init__(self, masker: Masker, columns: Sequence[ColumnInfo]) -> None:
        self._masker = masker
        self.columns = tuple(columns)
        self.counts: dict[str, int] = {}
        overrides = {k.lower(): v for k, v in masker.settings.columns.items()}
        for ident in masker.settings.identifiers:
            overrides.update({c.lower(): ident.type for c in ident.columns})
        self.plan = [classify(c, overrides) for c in self.columns]
        self._subject = _subject_index(self.columns)
        self._votes: dict[int, dict[str, int]] = {}
        self._probed: dict[int, int] = {}
        self._fns: list[tuple[int, ValueFn]] = []
        self._rebuild()

    def mask_row(self, row: Sequence[object]) -> list[object]:
        try:
            out = list(row)
            if len(out) != len(self.columns):
                raise MaskingError(f"row has {len(out)} values for {len(self.columns)} columns")
            subject = "" if self._subject is None else str(out[self._subject])
            for index, fn in self._fns:
                out[index] = fn(out[index], subject)
            return out
        except MaskingError:
            raise
        except Exception as exc:
            raise MaskingError(f"masking a row failed: {type(exc).__name__}") from exc

    def mask_rows(self, rows: Iterable[Sequence[object]]) -> list[list[object]]:
        """Mask a batch of rows (e.g. one fetchmany) in one call."""
        return [self.mask_row(row) for row in rows]

    # -- building the per-column functions

    def _rebuild(self) -> None:
        self._fns = []
        for index, kind in enumerate(self.plan):
            fn = self._fn_for(index, kind)
            if fn is not None:
                self._fns.append((index, fn))

    def _fn_for(self, index: int, kind: str) -> ValueFn | None:
        if kind == KEEP:
            return None
        if kind == TEXT:
            return self._scan
        if kind == _PROBE:
            return lambda value, subject: self._probe(index, value, subject)
        if kind not in self._masker.types:
            return None
        return self._whole_fn(kind)

    def _whole_fn(self, entity: str) -> ValueFn:
        whole = self._masker.whole
        counts = self.counts

        def mask_whole(value: object, subject: str) -> object:
            return whole(entity, value, counts, subject)

        return mask_whole

    def _scan(self, value: object, subject: str) -> object:
        if value is None or isinstance(value, bool | int | float | Decimal | uuid.UUID):
            return value
        if isinstance(value, str):
            return self._scan_str(value, subject)
        if isinstance(value, dict | list | tuple):
            masked, found = self._masker.mask_json(value)
            _add(self.counts, found)
            return masked
        if isinstance(value, dt.date | dt.time | dt.timedelta):
            return self._masker.whole(DATE_ENTITY, value, self.counts, subject)
        if isinstance(value, bytes | bytearray | memoryview):
            return self._scan_bytes(bytes(value), subject)
        return self._scan_str(str(value), subject)

    def _scan_str(self, value: str, subject: str) -> str:
        stripped = value.lstrip()
        if stripped[:1] in ("{", "[") and len(value) < 10_000_000:
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict | list):
                masked, found = self._masker.mask_json(parsed)
                _add(self.counts, found)
                return json.dumps(masked, ensure_ascii=False)
        return self._masker.mask_str(value, self.counts, subject)

    def _scan_bytes(self, value: bytes, subject: str) -> object:
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            return _BINARY  # cannot inspect it, so it does not leave
        return self._scan_str(text, subject).encode("utf-8")

    def _probe(self, index: int, value: object, subject: str) -> object:
        """Scan while sampling; after enough values, fix the column's plan."""
        if value is None:
            return None
        text = value if isinstance(value, str) else str(value)
        votes = self._votes.setdefault(index, {})
        entity = self._masker.classify_value(text) if not isinstance(value, bool) else None
        key = entity or ("" if isinstance(value, str) else KEEP)
        votes[key] = votes.get(key, 0) + 1
        seen = self._probed[index] = self._probed.get(index, 0) + 1
        if entity is not None and entity in self._masker.types:
            masked = self._masker.whole(entity, value, self.counts, subject)
        else:
            masked = self._scan(value, subject)
        if seen >= self._masker.settings.sample_rows:
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
        self._rebuild()


DATE_ENTITY = "DATE"
_IDENTIFIER_TYPES = (SSN, MRN)


def _add(counts: dict[str, int], found: dict[str, int]) -> None:
    for key, n in found.items():
        counts[key] = counts.get(key, 0) + n
