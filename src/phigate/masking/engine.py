"""The masking engine: profiles resolved into maskers that mask text, JSON and rows.

`MaskingEngine` compiles detectors once per set of entity types and hands out
a `Masker` per request (profile, the caller's groups, approved reveals). Every
failure inside masking surfaces as `MaskingError` so the pipeline fails closed.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress

import re2

from phigate.core.escapes import Origin
from phigate.masking._encoded_text import encoded as run_encoded
from phigate.masking._encoded_text import may_hold as may_hold_encoded
from phigate.masking._encoded_text import runs as encoded_runs
from phigate.masking._hex_dumps import masked as mask_dumps
from phigate.masking._hex_dumps import may_hold as may_hold_dump
from phigate.masking._json import TOO_DEEP, TOO_DEEP_ENTITY, mask_json
from phigate.masking._ner import NerAdapter
from phigate.masking._reading import may_read_otherwise, reading
from phigate.masking._structure import open_header
from phigate.masking.columns import ColumnInfo, ColumnPlan, RowMasker
from phigate.masking.detect import Carried, MaskingError, Span, SpanFinder
from phigate.masking.entities import SECRET_TYPES, ZIP
from phigate.masking.operators import Operators
from phigate.masking.settings import MaskingSettings, ProfileConfig

# Bounded cost per value: text longer than this is masked in windows that
# overlap by _OVERLAP bytes, so memory and match lengths stay bounded.
_BARE_ZIP = re2.compile(r"\d{5}(?:-\d{4})?")
_WINDOW = 1 << 20
_OVERLAP = 4096
_PLANS_KEPT = 1024  # result shapes per masker
_MASKERS_KEPT = 1024  # (profile, revealed types) combinations; a few in practice
# Base64 text inside base64 text is read this many levels down; deeper text is withheld.
_DECODE_DEPTH = 3


@dataclass(frozen=True, slots=True)
class MaskResult:
    text: str
    counts: dict[str, int] = field(default_factory=dict)


class MaskingEngine:
    """Compiled detectors for a `masking:` configuration and a pseudonym key."""

    def __init__(self, settings: MaskingSettings, key: bytes) -> None:
        if len(key) < 16:
            raise MaskingError("the masking key must be at least 16 bytes")
        self.settings = settings
        self._key = key
        self._finders: dict[frozenset[str], SpanFinder] = {}
        self._maskers: dict[tuple[str, frozenset[str], bool], Masker] = {}
        self._lock = threading.Lock()

    def masker(
        self, profile: str, *, groups: Iterable[str] = (), reveal: Iterable[str] = ()
    ) -> Masker:
        config = self._profile(profile)
        revealed = frozenset(_revealed(config, frozenset(groups), frozenset(reveal)))
        return self._masker(profile, config, revealed, labels=False)

    def label_masker(self, profile: str) -> Masker:
        """`profile`'s masker with every value it masks shown as its label (`[DATE]`,
        `[ZIP]`, `[AGE]`), nothing revealed: for what people read about a request
        (reviewers, the audit log), where a generalised value (`2024` for
        `2024-12-31`) reads as another request than the one that runs."""
        return self._masker(profile, self._profile(profile).labelled(), frozenset(), labels=True)

    def _profile(self, profile: str) -> ProfileConfig:
        config = self.settings.profiles.get(profile)
        if config is None:
            raise MaskingError(f"unknown masking profile {profile!r}")
        return config

    def _masker(
        self, profile: str, config: ProfileConfig, revealed: frozenset[str], *, labels: bool
    ) -> Masker:
        # A masker holds no state of its own request: the same (profile, revealed)
        # is the same masker, so one built for every statement is built once.
        key = (profile, revealed, labels)
        masker = self._maskers.get(key)
        if masker is None:
            types = frozenset(
                t for t in self.settings.known_types() if config.masks(t) and t not in revealed
            )
            masker = Masker(self, profile, config, types)
            if len(self._maskers) >= _MASKERS_KEPT:
                self._maskers.clear()
            self._maskers[key] = masker
        return masker

    def finder(self, types: frozenset[str]) -> SpanFinder:
        with self._lock:
            finder = self._finders.get(types)
            if finder is None:
                try:
                    finder = SpanFinder(types, self.settings.identifiers)
                except Exception as exc:
                    raise MaskingError(f"cannot compile detectors: {exc}") from exc
                self._finders[types] = finder
            return finder

    def operators(self, config: ProfileConfig) -> Operators:
        return Operators(config, self._key)

    def keyed_digest(self, purpose: str, text: str) -> str:
        """HMAC-SHA256 (hex) of `text` under the masking key, separated by `purpose`:
        a stable tag for a value that may be PHI (an unkeyed hash of an SSN is
        reversed by trying all of them)."""
        message = purpose.encode() + b"\0" + text.encode("utf-8", "surrogatepass")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


def _revealed(config: ProfileConfig, groups: frozenset[str], reveal: frozenset[str]) -> set[str]:
    shown = {t for t, allowed in config.reveal.items() if groups.intersection(allowed)}
    shown |= reveal
    return shown - SECRET_TYPES


class Masker:
    """Masks text, JSON and rows for one profile and one caller."""

    def __init__(
        self, engine: MaskingEngine, profile: str, config: ProfileConfig, types: frozenset[str]
    ) -> None:
        self.profile = profile
        self.config = config
        self.types = types
        self.settings = engine.settings
        self.operators = engine.operators(config)
        self._finder = engine.finder(types) if types else None
        self._ner = _ner_detector() if config.ner and types else None
        self._plans: dict[tuple[ColumnInfo, ...], ColumnPlan] = {}
        # Values of the last primed batch `find` finds nothing in (see `prime`).
        self._known_quiet: frozenset[bytes] = frozenset()

    def mask_text(self, text: str, *, subject: str = "") -> MaskResult:
        counts: dict[str, int] = {}
        try:
            masked = self._mask_into(text, counts, subject)
        except MaskingError:
            raise
        except Exception as exc:
            raise MaskingError(f"masking text failed: {type(exc).__name__}") from exc
        return MaskResult(masked, counts)

    def spans(self, text: str, carried: Carried | None = None) -> list[tuple[int, int, str]]:
        """Detected spans as character offsets (for `--emit spans` and evaluation).
        `carried`: what earlier parts of the same text found (a stream's blocks),
        masked here too (`SpanFinder.find`). Found in the view a reader reads (escapes
        decoded, accents composed: `_reading`); base64 text is `mask_text`'s alone."""
        try:
            data = text.encode("utf-8", "surrogatepass")
            read = reading(text) if may_read_otherwise(data) else None
            if read is not None:
                return self._read_spans(read[0], read[1], carried)
            found = self._find(data, text, None, carried)
            if text.isascii():
                return [(s.start, s.end, s.entity) for s in found]
            return [(_chars(data, s.start), _chars(data, s.end), s.entity) for s in found]
        except Exception as exc:
            raise MaskingError(f"detection failed: {type(exc).__name__}") from exc

    def _read_spans(
        self, view: str, origin: Origin, carried: Carried | None
    ) -> list[tuple[int, int, str]]:
        """`spans` of a text found in the view its reader reads (`_reading`)."""
        data = view.encode("utf-8", "surrogatepass")
        found = self._find(data, view, None, carried)
        return [(*origin.span(f, s), e) for f, s, e in _char_spans(view, data, found)]

    def mask_json(self, value: object) -> tuple[object, dict[str, int]]:
        counts: dict[str, int] = {}
        try:
            masked = mask_json(self, value, counts, self.settings.max_json_depth)
        except MaskingError:
            raise
        except Exception as exc:
            raise MaskingError(f"masking JSON failed: {type(exc).__name__}") from exc
        return masked, counts

    def for_columns(self, columns: Sequence[ColumnInfo]) -> RowMasker:
        """A row masker for one result; the columns' plan is worked out once per
        masker and set of columns (a masker is shared by every request of its
        profile and revealed types; the plan is not a request's state)."""
        key = tuple(columns)
        start = self._plans.get(key)
        try:
            row_masker = RowMasker(self, key, start)
        except Exception as exc:
            raise MaskingError(f"classifying columns failed: {type(exc).__name__}") from exc
        if start is None:
            if len(self._plans) >= _PLANS_KEPT:
                self._plans.clear()
            self._plans[key] = row_masker.start
        return row_masker

    # -- internals shared with the JSON and row maskers

    def mask_str(self, text: str, counts: dict[str, int], subject: str = "") -> str:
        """Mask a string, adding to `counts`; exceptions propagate to the caller's wrapper."""
        return self._mask_into(text, counts, subject)

    def whole(
        self, entity: str, value: object, counts: dict[str, int], subject: str = ""
    ) -> object:
        """Mask a whole value known to be `entity` (a column or a JSON key that says so)."""
        if value is None or entity not in self.types:
            return value
        counts[entity] = counts.get(entity, 0) + 1
        return self.operators.value(entity, value, subject)

    def classify_value(self, text: str) -> str | None:
        """The entity type of a value that is one entity as a whole, else None."""
        stripped = text.strip()
        if not stripped or len(stripped) > 200:
            return None
        if len(stripped) in (5, 10) and ZIP in self.types and _BARE_ZIP.fullmatch(stripped):
            return ZIP  # a column of bare 5-digit values reads as ZIP codes (codes over-mask)
        data = stripped.encode("utf-8", "surrogatepass")
        if self._ner is None and self._finder is not None and self._finder.quiet(data):
            return None  # `find` cannot return a span here (one RE2 pass, not every stage)
        spans = self._find(data, stripped)
        if len(spans) == 1 and spans[0].end - spans[0].start >= 0.8 * len(stripped.encode()):
            return spans[0].entity
        return None

    def prime(self, values: Sequence[bytes]) -> None:
        """Learn which of these values (UTF-8, about to be masked one by one) are quiet,
        in one pass over them all (`SpanFinder.quiet_many`), so that masking each asks
        a set lookup instead of the RE2 sets. Only the last batch is kept; what it holds
        is a fact about the bytes under this masker's detectors, true for any caller.
        Every call replaces it, even one that primes nothing: `known_quiet` then holds
        only values of this call (a caller vets the values it asked about, never those
        another result primed on this shared masker)."""
        self._known_quiet = frozenset()
        if self._finder is None or self._ner is not None or len(values) < 2:
            return
        batch = values
        if max(map(len, values)) > _WINDOW:  # C iterators: this runs for every row
            batch = [v for v in values if len(v) <= _WINDOW]
        quiet = frozenset(compress(batch, self._finder.quiet_many(batch)))
        joined = b"\n".join(batch)  # one look at them all, in the usual case
        if may_read_otherwise(joined) or may_hold_encoded(joined):
            quiet = frozenset(v for v in quiet if not _read_otherwise(v))  # as `mask_str` reads
        self._known_quiet = quiet

    @property
    def known_quiet(self) -> frozenset[bytes]:
        """The values of the last primed batch `mask_str` returns unchanged, as long as
        they are their own UTF-8 text and nothing before the scan reads them otherwise
        (`RowMasker._scan_str` parses a value that starts like JSON)."""
        return self._known_quiet

    def _mask_into(
        self, text: str, counts: dict[str, int], subject: str, depth: int = _DECODE_DEPTH
    ) -> str:
        if self._finder is None or not text:
            return text
        data = text.encode("utf-8", "surrogatepass")
        if self._ner is None and data in self._known_quiet:
            return text  # primed: `find` would find nothing (SpanFinder.quiet_many)
        if may_hold_dump(data):
            shown = mask_dumps(text, self.spans, counts)
            if shown != text:
                text, data = shown, shown.encode("utf-8", "surrogatepass")
        if may_hold_encoded(data):
            shown = self._mask_runs(text, counts, subject, depth)
            if shown is not text:
                text, data = shown, shown.encode("utf-8", "surrogatepass")
        if may_read_otherwise(data):
            read = reading(text)
            if read is not None:
                return self._mask_read(text, read, counts, subject, depth)
        return self._mask_written(text, data, counts, subject)

    def _mask_written(self, text: str, data: bytes, counts: dict[str, int], subject: str) -> str:
        """`text` masked as its UTF-8 `data` reads, escapes and all."""
        assert self._finder is not None
        if len(data) > _WINDOW:
            return self._mask_long(data, counts, subject)
        hits = self._finder.hits(data)
        if not hits and self._ner is None:
            return text  # nothing any detector starts from: most values of a result
        spans = self._find(data, text, hits)
        if not spans:
            return text
        if len(data) == len(text):  # ASCII: byte offsets are character offsets
            return self._apply_text(text, spans, counts, subject)
        return self._apply(data, spans, counts, subject).decode("utf-8", "surrogatepass")

    def _mask_read(
        self,
        text: str,
        read: tuple[str, Origin],
        counts: dict[str, int],
        subject: str,
        depth: int = _DECODE_DEPTH,
    ) -> str:
        """`text` masked where the view its reader reads says (`_reading`): what its
        escapes and combining marks spell is found in the view and masked as written,
        and so is a base64 or hex run the view alone shows (percent-encoded, cut by
        invisible characters), over the whole span it was written in."""
        view, origin = read
        data = view.encode("utf-8", "surrogatepass")
        if len(data) > _WINDOW:
            # Too long to map span by span: the view itself, masked (escapes decoded).
            return self._mask_long(data, counts, subject)
        runs = self._view_runs(text, view, origin, counts, subject, depth)
        spans = self._find(data, view)
        out: list[str] = []
        pos = 0
        for first, stop, entity in _char_spans(view, data, spans):
            start, end = origin.span(first, stop)
            if any(start < r_end and r_start < end for r_start, r_end, _ in runs):
                continue  # inside a run masked whole below
            runs.append((start, end, self.operators.text(entity, view[first:stop], subject)))
            counts[entity] = counts.get(entity, 0) + 1
        for start, end, shown in sorted(runs):
            start = max(start, pos)  # two view spans cannot share what they came from
            out += [text[pos:start], shown]
            pos = max(end, start)
        out.append(text[pos:])
        return "".join(out)

    def _view_runs(
        self,
        text: str,
        view: str,
        origin: Origin,
        counts: dict[str, int],
        subject: str,
        depth: int,
    ) -> list[tuple[int, int, str]]:
        """The runs of `view` not written as they read (those `_mask_runs` masked),
        masked and encoded back in place of the text they came from."""
        if not may_hold_encoded(view.encode("utf-8", "surrogatepass")):
            return []
        found: list[tuple[int, int, str]] = []
        for run in encoded_runs(view):
            start, end = origin.span(run.start, run.end)
            if text[start:end] == view[run.start : run.end]:
                continue
            shown = self._mask_runs(view[run.start : run.end], counts, subject, depth)
            if shown != view[run.start : run.end]:
                quoted = "%" in text[start:end]  # a cursor stays a URL's part
                found.append((start, end, urllib.parse.quote(shown, safe="") if quoted else shown))
        return found

    def _mask_runs(self, text: str, counts: dict[str, int], subject: str, depth: int) -> str:
        """`text` with each base64 or hex run that is text masked and encoded back;
        past `_DECODE_DEPTH` runs inside runs, one that still holds text is withheld,
        and so is one compressed past the cap (`_packed_text`)."""
        out: list[str] = []
        pos = 0
        for run in encoded_runs(text):
            if depth <= 0 or run.withheld:
                shown = TOO_DEEP
                counts[TOO_DEEP_ENTITY] = counts.get(TOO_DEEP_ENTITY, 0) + 1
            else:
                masked = self._mask_into(run.text, counts, subject, depth - 1)
                if masked == run.text:
                    continue
                shown = run_encoded(run, masked)
            out += [text[pos : run.start], shown]
            pos = run.end
        if not out:
            return text
        out.append(text[pos:])
        return "".join(out)

    def _apply_text(
        self, text: str, spans: list[Span], counts: dict[str, int], subject: str
    ) -> str:
        """`_apply` on an ASCII text as the str it is: no decoding of each value and
        encoding of each replacement, the same characters."""
        out: list[str] = []
        pos = 0
        text_op = self.operators.text
        for start, end, entity in spans:
            out.append(text[pos:start])
            out.append(text_op(entity, text[start:end], subject))
            counts[entity] = counts.get(entity, 0) + 1
            pos = end
        out.append(text[pos:])
        return "".join(out)

    def _find(
        self,
        data: bytes,
        text: str,
        hits: list[int] | None = None,
        carried: Carried | None = None,
    ) -> list[Span]:
        assert self._finder is not None
        spans = self._finder.find(data, hits, carried)
        if self._ner is not None:
            spans = self._ner.add(data, text, spans, self.types)
        return spans

    def _apply(self, data: bytes, spans: list[Span], counts: dict[str, int], subject: str) -> bytes:
        out: list[bytes] = []
        pos = 0
        text_op = self.operators.text
        for start, end, entity in spans:
            out.append(data[pos:start])
            value = data[start:end].decode("utf-8", "surrogatepass")
            out.append(text_op(entity, value, subject).encode("utf-8", "surrogatepass"))
            counts[entity] = counts.get(entity, 0) + 1
            pos = end
        out.append(data[pos:])
        return b"".join(out)

    def _mask_long(self, data: bytes, counts: dict[str, int], subject: str) -> str:
        """Mask a huge value window by window; a span crossing a window edge is found
        whole in the next window, which starts _OVERLAP bytes earlier. Each window is
        masked with what the windows before it found (`Carried`: the names and values,
        and the header of a table still open), so the value is masked as one text."""
        out: list[bytes] = []
        carried = Carried()
        pos = 0
        while pos < len(data):
            end = min(len(data), pos + _WINDOW)
            lead = _lead(data, pos, carried.header)
            spans = self._window_spans(lead + data[pos:end], len(lead), carried)
            limit = end - pos if end == len(data) else end - pos - _OVERLAP
            kept = [s for s in spans if s.start < limit]
            cut = max([limit, *(s.end for s in kept)])
            out.append(self._apply(data[pos : pos + cut], kept, counts, subject))
            carried.header = open_header(lead + data[pos : pos + cut])
            pos += cut
        return b"".join(out).decode("utf-8", "replace")

    def _window_spans(self, window: bytes, lead: int, carried: Carried) -> list[Span]:
        """The spans of a window, as offsets after its `lead` (the carried header and
        the start of the line the window starts in): what lies in the lead was masked
        with the window before, a span begun there is masked from where the window
        starts."""
        assert self._finder is not None
        spans = self._finder.find(window, None, carried)
        if not lead:
            return spans
        return [Span(max(s, lead) - lead, e - lead, t) for s, e, t in spans if e > lead]


def _lead(data: bytes, pos: int, header: bytes) -> bytes:
    """What a window starting at `pos` is read after: the header of a table whose rows
    run on into it, and the start of the row the window starts in (a cell cut off
    reads as a ragged row, and a row of one cell ends the table)."""
    if not header:
        return b""
    line = data.rfind(b"\n", max(0, pos - _OVERLAP), pos)
    return header + (data[line + 1 : pos] if line >= 0 else b"")


def _read_otherwise(data: bytes) -> bool:
    """Whether masking reads `data` otherwise than as written: an escape or a mark, or
    a base64 or hex run that decodes to text (a hex digest is a run that does not)."""
    if may_read_otherwise(data):
        return True
    return may_hold_encoded(data) and bool(encoded_runs(data.decode("utf-8", "surrogatepass")))


def _char_spans(view: str, data: bytes, spans: list[Span]) -> Iterator[tuple[int, int, str]]:
    """Spans of UTF-8 `data` as character offsets into `view`, its text (in order)."""
    if len(data) == len(view):
        yield from spans
        return
    chars = at = 0
    for start, end, entity in spans:
        chars += len(data[at:start].decode("utf-8", "surrogatepass"))
        first = chars
        chars += len(data[start:end].decode("utf-8", "surrogatepass"))
        at = end
        yield first, chars, entity


def _chars(data: bytes, offset: int) -> int:
    return len(data[:offset].decode("utf-8", "surrogatepass"))


def _ner_detector() -> NerAdapter:
    return NerAdapter()
