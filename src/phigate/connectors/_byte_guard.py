"""Encoded bytes in an answer, fail closed: read as text, or withheld.

The scrubber and the masker read a long list of encodings, each added when an
attack found it missing; the next layout (eight-byte dump groups, decimal bytes,
base64 of UTF-32 or of bzip2) passed until it was added too. This guard is the rule
that does not wait for the next one. After an HTTP or MCP answer is scrubbed, and
before it is masked (`GuardedMasker`), every run of bytes written out in it
(`core.byte_runs`: hex of any group width and layout, decimal bytes, base64;
`core.byte_codes`: base32, ascii85, base85, Z85, uuencode, octal escapes, binary
digits) is read as every text it can be
(`core.byte_views`: inflated, in any charset), and

- a run any of whose texts still shows a held secret or PHI is replaced whole by
  `[withheld: N encoded bytes holding masked text]`;
- a run no text view reads (`MIN_BYTES` or more) is withheld as
  `[withheld: N undecodable bytes]`, unless it is provably opaque: at most 64 bytes
  with no more than half of them repeats (a digest, a key id, a UUID, a random
  token), bytes that are all control characters (no charset writes text so),
  decimal numbers within half the byte range (a series of measurements), a list of
  digests one a line, or a JWT's signature; or the connection sets
  `allow_binary` (images, PDFs carried as base64 in text are then shown);
- a run that inflates past the cap is withheld whole.

In JSON, short byte arrays are read joined with their siblings and runs of
one-character strings joined. Lines that read as words only backwards are also read
reversed through the masker (`backwards`).

Each withheld run is counted under `ENCODED_BYTES` in the answer's masking counts,
which the audit records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import re2

from phigate.connectors._joined import joined_json, joined_text, labelled
from phigate.connectors._secrets import GatewaySecrets
from phigate.connectors._unreadable import withheld_json, withheld_text
from phigate.core.byte_codes import LOOSE
from phigate.core.byte_runs import MIN_BYTES, ByteRun, byte_runs, may_hold
from phigate.core.byte_views import MAX_INFLATED, TooBig, views
from phigate.masking._wordlists import common_words
from phigate.masking.engine import Masker

ENTITY = "ENCODED_BYTES"
# The longest run of opaque bytes shown: a SHA-512 digest.
MAX_OPAQUE = 64
_DIGEST_WIDTHS = frozenset({16, 20, 32, 64})
# The shortest line read backwards: a phone number or a date with a word beside it.
_BACKWARDS_MIN = 8
_WORDS = re2.compile(r"[A-Za-z]{3,}")
_MARKER = re2.compile(r"\[[A-Z_]+\]")
_JWT = re2.compile(r"eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.([A-Za-z0-9_-]{16,})")

# Whether a text shows something: it changes when scrubbed or masked (counts added).
Shows = Callable[[str, dict[str, int]], bool]
# A text with what its lines show when read backwards masked (counts added).
Backwards = Callable[[str, dict[str, int]], str]


class ByteGuard:
    """The fail-closed reading of one answer's encoded runs."""

    def __init__(self, shows: Shows, keep_blobs: bool, backwards: Backwards | None = None) -> None:
        self._shows = shows
        self._keep_blobs = keep_blobs
        self._backwards = backwards

    def text(self, text: str, counts: dict[str, int]) -> str:
        """`text` with each run that shows something or reads as nothing withheld, and
        what its lines show written backwards masked."""
        guarded = self._runs(text, counts)
        return guarded if self._backwards is None else self._backwards(guarded, counts)

    def _runs(self, text: str, counts: dict[str, int]) -> str:
        if not may_hold(text):
            return text
        signatures = {m.span(1) for m in _JWT.finditer(text)} if "eyJ" in text else set()
        out: list[str] = []
        pos = 0
        for run in byte_runs(text):
            marker = self._marker(run, (run.start, run.end) in signatures, counts)
            if marker is not None:
                out += [text[pos : run.start], marker]
                pos = run.end
        if not out:
            return text
        out.append(text[pos:])
        return "".join(out)

    def json(self, value: Any, counts: dict[str, int]) -> Any:
        """A JSON value with its strings guarded; an array of 16 or more byte values
        (Node's `Buffer` as JSON) read as the bytes it holds, shorter byte arrays read
        joined with their siblings, and a run of one-character strings read joined."""
        if isinstance(value, str):
            return self.text(value, counts)
        if isinstance(value, list):
            if len(value) >= MIN_BYTES and all(_is_byte(v) for v in value):
                run = ByteRun(0, 0, (bytes(value),), "decimal")
                marker = self._marker(run, False, counts)
                return value if marker is None else marker
            items = self._short_bytes(dict(enumerate(value)), counts)
            return self._characters([self.json(v, counts) for v in items.values()], counts)
        if isinstance(value, dict):
            value = self._short_bytes(value, counts)
            return {self.text(str(k), counts): self.json(v, counts) for k, v in value.items()}
        return value

    def _short_bytes(self, items: dict[Any, Any], counts: dict[str, int]) -> dict[Any, Any]:
        """Byte arrays too short to be read alone, read joined (a space between) with
        their siblings: names split over fields (`first`, `last`) are read whole. When
        the joined text shows something, each of them is withheld."""
        short = [k for k, v in items.items() if _short_byte_list(v)]
        if not short:
            return items
        # Each read alone first: numbers that read as no text do not hide the rest.
        read = [views(bytes(items[k])) for k in short]
        if not self._shows_any([" ".join(v[0] for v in read if v)], counts):
            return items
        size = sum(len(items[k]) for k in short)
        marker = _withheld(counts, f"[withheld: {size} encoded bytes holding masked text]")
        return {k: marker if k in short else v for k, v in items.items()}

    def _characters(self, items: list[Any], counts: dict[str, int]) -> list[Any]:
        """`items` with each run of two or more one-character strings read joined
        (a note split into characters); a run whose text shows something is replaced
        by one marker, as is a run past the cap."""
        out: list[Any] = []
        run: list[str] = []
        for item in items:
            if isinstance(item, str) and len(item) == 1:
                run.append(item)
                continue
            out += self._char_run(run, counts)
            run = []
            out.append(item)
        return out + self._char_run(run, counts)

    def _char_run(self, run: list[str], counts: dict[str, int]) -> list[Any]:
        if len(run) < 2:
            return list(run)
        if len(run) > MAX_INFLATED:
            return [_withheld(counts, f"[withheld: {len(run)} characters past the gateway's cap]")]
        joined = "".join(run)
        if self.text(joined, counts) == joined and not self._shows_any([joined], counts):
            return list(run)
        return [_withheld(counts, f"[withheld: {len(run)} characters holding masked text]")]

    def _shows_any(self, texts: list[str], counts: dict[str, int]) -> bool:
        found: dict[str, int] = {}
        if not any([self._shows(text, found) for text in texts]):
            return False
        for entity, n in found.items():
            counts[entity] = counts.get(entity, 0) + n
        return True

    def _marker(self, run: ByteRun, signature: bool, counts: dict[str, int]) -> str | None:
        """What stands for `run` in the answer, or None when it stays as written."""
        try:
            texts = [text for reading in run.readings for text in views(reading)]
        except TooBig:
            return _withheld(counts, "[withheld: compressed bytes past the gateway's cap]")
        found: dict[str, int] = {}
        if any([self._shows(text, found) for text in texts]):
            for entity, n in found.items():
                counts[entity] = counts.get(entity, 0) + n
            return _withheld(counts, f"[withheld: {run.size} encoded bytes holding masked text]")
        if texts or signature or self._keep_blobs or run.kind in LOOSE or _opaque(run):
            return None
        return _withheld(counts, f"[withheld: {run.size} undecodable bytes]")


def answer_guard(masker: Masker, secrets: GatewaySecrets, keep_blobs: bool) -> ByteGuard:
    """The guard of a connector's answers: a text view shows something when the
    scrubber or the masker changes it."""

    def shows(text: str, counts: dict[str, int]) -> bool:
        masked = masker.mask_text(secrets.scrub(text, counts))
        for entity, n in masked.counts.items():
            counts[entity] = counts.get(entity, 0) + n
        return masked.text != text

    return ByteGuard(shows, keep_blobs, lambda text, counts: backwards(masker, text, counts))


class GuardedMasker:
    """What an answer's scrubbed text passes next: this guard, then the masker, as exec
    output does (`_stream_mask`). Masked first, a run is partly rewritten (dash-joined
    hex pairs read as device ids) and the rest left too short for the guard to read."""

    def __init__(
        self, masker: Masker, secrets: GatewaySecrets, keep_blobs: bool, keep_text: bool = False
    ) -> None:
        self.masker = masker
        self.guard = answer_guard(masker, secrets, keep_blobs)
        # Masked text that reads as no language is withheld (`_unreadable`) unless kept.
        self.keep_text = keep_text

    def text(self, scrubbed: str, counts: dict[str, int]) -> str:
        result = self.masker.mask_text(self.guard.text(scrubbed, counts))
        _add(counts, result.counts)
        masked = joined_text(self.masker, result.text, counts)
        return masked if self.keep_text else withheld_text(masked, counts)

    def json(self, scrubbed: Any, counts: dict[str, int]) -> Any:
        masked, found = self.masker.mask_json(self.guard.json(scrubbed, counts))
        _add(counts, found)
        masked = joined_json(self.masker, masked, counts)
        return masked if self.keep_text else withheld_json(masked, counts)


def _add(counts: dict[str, int], found: dict[str, int]) -> None:
    for entity, n in found.items():
        counts[entity] = counts.get(entity, 0) + n


def backwards(masker: Masker, text: str, counts: dict[str, int]) -> str:
    """`text` with what each line shows read backwards (`rev`, a string reversed)
    masked where it stands: the characters a detection covers are replaced by
    `[ENTITY]` (written forwards, so it reads as a marker)."""
    if len(text) < _BACKWARDS_MIN:
        return text
    out: list[str] = []
    for line in text.split("\n"):
        spans = masker.spans(line[::-1]) if _written_backwards(line) else []
        out.append(_masked_backwards(line, spans, counts) if spans else line)
    return "\n".join(out)


def _written_backwards(line: str) -> bool:
    """Whether `line` reads as words only backwards: no dictionary word forwards, one
    or more backwards. Prose, headings and codes (numbers read either way, which the
    masker already judged forwards) are not read again; on the documents corpus the
    reversed reading of every line found 'names' in half the documents' headings."""
    if len(line) < _BACKWARDS_MIN:
        return False
    words = common_words()
    # The markers the masker wrote forwards (`[LOCATION]`) are no words of the line.
    found = [w.lower() for w in _WORDS.findall(_MARKER.sub("", line))]
    return not any(w in words for w in found) and any(w[::-1] in words for w in found)


def _masked_backwards(line: str, spans: list[tuple[int, int, str]], counts: dict[str, int]) -> str:
    size = len(line)
    # A span [s, e) of the reversed line covers [size - e, size - s) of the line.
    return labelled(line, sorted((size - e, size - s, k) for s, e, k in spans), counts)


def _withheld(counts: dict[str, int], marker: str) -> str:
    counts[ENTITY] = counts.get(ENTITY, 0) + 1
    return marker


def _opaque(run: ByteRun) -> bool:
    """Bytes that carry no text a reader could get back: a digest or a random id (at
    most `MAX_OPAQUE` bytes, few repeats), control bytes alone, or digests one a line."""
    raw = run.readings[0]
    if all(b < 0x20 for b in raw):
        return True
    if run.kind == "decimal" and max(raw) - min(raw) < 128:
        # Numbers in a narrow range are a series (vitals, counts), not bytes: compressed
        # or encrypted bytes spread over the whole range (16 of them within half of it:
        # about one in 2000).
        return True
    if len(raw) <= MAX_OPAQUE and len(set(raw)) * 2 >= len(raw):
        return True
    return len(run.lines) > 1 and len(set(run.lines)) == 1 and run.lines[0] in _DIGEST_WIDTHS


def _short_byte_list(value: Any) -> bool:
    return isinstance(value, list) and 0 < len(value) < MIN_BYTES and all(map(_is_byte, value))


def _is_byte(item: Any) -> bool:
    return isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 255
