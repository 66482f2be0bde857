"""The gateway's own credentials, in every form a connector's output could carry them.

A connector hands an upstream what the caller must never see: environment
values, a kubeconfig, MCP headers. An upstream (or a command the caller chose)
can print them back as they are, line by line, inside a header value
(`Bearer …`), base64-encoded at any alignment (a Secret made from them, `base64
-w0`), base32 or hex (a request dump), as UTF-16 (plain, base64 or hex: .NET and
PowerShell), with any of their characters escaped (percent-encoded into a link or
redirect, `+` for a space in a form, `\\u0067`, `\\u{67}` or `\\"` in a JSON or
JavaScript log, `\\147` or `\\x67` from C, Python or a shell, `&#103;`, `&#x67` or
`&amp;` in HTML, `=67` in quoted-printable mail, `0x67, ` in Go's `[]byte{…}`), as a
JSON array of byte values (Node's `Buffer`) or a JSON number (a PIN), in another
case (header values normalised), or, for a kubeconfig, as the keys and tokens
inside the file the environment points at.

`GatewaySecrets` expands each value into its encoded forms once (`forms`). To
scrub, it reads a view of the text with every escape decoded and ASCII case
folded (`decoded_view`), finds each form there, maps each match back to the span of
the original text it came from, and replaces that span with
`[REDACTED:<name>]` before anything is masked. Matching the view rather than
listing every escaped spelling covers any subset of escaped characters, double
percent-encoding and mixed case at the cost of one pass over the text.

Base64 is also looked for cut in pieces with anything short between them
(`gapped`): however code or a config wraps its lines (a string literal a line, `#
`, a line number, deep indentation, tags), the lines hold its pieces in order, so
the wrap syntax need not be known. And a base64 run can be a document that holds
the credential's base64 again (a docker config Secret): runs are decoded and
scrubbed as text, `DECODE_DEPTH` levels down.

Output a connector cuts (a response over its cap, an over-long line) is scrubbed
before the cut (`scrub_cut`), with `reach` characters read past it, so the cut
never leaves the head of a form the scrubber can no longer recognise.

This module owns the scrubbing; the forms and the view are `_secret_forms`, the
pieces `_secret_pieces`, binary bodies `_secret_bytes`, the secrets' sources (the
environment, a kubeconfig) `_secret_sources`.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from phigate.connectors._secret_bytes import replaced_in_views, text_views
from phigate.connectors._secret_forms import (
    MIN_PIECE,
    MIN_SECRET,
    WRAPPABLE,
    base64_cores,
    decoded_view,
    folded,
    forms,
    joined_lines,
    needles_of,
    plain_parts,
)
from phigate.connectors._secret_pieces import gapped
from phigate.connectors._secret_runs import SecretRuns
from phigate.connectors._secret_sources import env_secrets
from phigate.connectors._secret_views import TOO_BIG, byte_arrays, squeezable, squeezed, unpacked
from phigate.core.escapes import Origin as _Origin
from phigate.core.hex_dumps import dumps as _dumps

# The widest spelling of one character the view decodes as a rule (`\U00000067`): a
# form can take this many times its length in the text.
WIDEST_ESCAPE = 10
# What a JSON number's text is made of (case folded).
_NUMBER_CHARS = frozenset("0123456789.e+-")
# The longest escape of one character the view decodes as a rule (`&#x0010FFFF;`).
_LONGEST_ESCAPE = 16
# A cut text ending in this much of a form (or more) has that end redacted.
MIN_PARTIAL = 4
# How many times a base64 document in a base64 document is decoded.
DECODE_DEPTH = 2
_RUN_CHAR = "[0-9A-Za-z+/_-]"


class GatewaySecrets:
    """(name, form) pairs of every gateway-held value, longest form first."""

    def __init__(self, named: Iterable[tuple[str, str]]) -> None:
        pairs: dict[str, str] = {}
        named_list = list(named)
        for name, value in named_list:
            for form in forms(value):
                pairs.setdefault(form, name)
        self.pairs = sorted(((n, f) for f, n in pairs.items()), key=lambda p: -len(p[1]))
        needles: dict[str, str] = {}
        for name, form in self.pairs:
            for needle in needles_of(form):
                needles.setdefault(needle, name)
        self._needles = sorted(needles.items(), key=lambda p: -len(p[0]))
        self._spaced = [(n, name) for n, name in self._needles if " " in n]
        # Only these can be split by a wrap: forms all of base64's characters (hex too).
        self._wrappable = [
            (n, name) for n, name in self._needles if len(n) >= MIN_PIECE and set(n) <= WRAPPABLE
        ]
        # Base64 cut in pieces however a text wraps it (`gapped`), and base64 documents
        # that may hold a form (`_decoded_runs`): the base64 of each value and its pieces.
        cores: dict[str, str] = {}
        shortest = 0
        for name, value in named_list:
            for text in plain_parts(value):
                encoded = len(base64.b64encode(text.encode()))
                shortest = min(shortest, encoded) if shortest else encoded
                for core in base64_cores(text.encode()):
                    cores.setdefault(folded(core), name)
        self._cores = sorted(cores.items(), key=lambda p: -len(p[0]))
        self._run_size = max(shortest, MIN_PIECE)
        self._run = re.compile(f"{_RUN_CHAR}{{{self._run_size},}}=*")
        # Only these can stand in a number's text (a PIN, or the hex of one); a number
        # drops a credential's leading zeros (`"0840…"` read as an integer is `840…`).
        numeric: dict[str, str] = {}
        for needle, name in self._needles:
            if not set(needle) - _NUMBER_CHARS:
                numeric.setdefault(needle, name)
                stripped = needle.lstrip("0") if needle.isdigit() else ""
                if len(stripped) >= MIN_SECRET:
                    numeric.setdefault(stripped, name)
        self._numeric = sorted(numeric.items(), key=lambda p: -len(p[0]))
        # A text that can hold a form has a run of `MIN_SECRET` characters that are
        # printable ASCII (an escape) or in some form: a UTF-16 view of bytes that are
        # no UTF-16 text (the other alignment, random bytes, zeros) has none.
        chars = {c for needle, _ in self._needles for c in needle} - {"\0"}
        self._non_ascii = any(not c.isascii() for c in chars)
        extra = "".join(re.escape(c) for c in sorted(chars))
        self._readable = re.compile(f"[\\t\\n\\r -~{extra}]{{{MIN_SECRET}}}")
        self._runs = SecretRuns(named_list)
        # Whole values as a text shows them in groups (`_secret_views.squeezed`).
        squeezed_values = {
            squeezable(folded(text)): name
            for name, value in named_list
            for text in plain_parts(value)
        }
        self._squeezed = sorted(
            ((n, name) for n, name in squeezed_values.items() if len(n) >= MIN_PIECE),
            key=lambda p: -len(p[0]),
        )

    @classmethod
    def from_env(cls, env: dict[str, str], secret_names: Iterable[str]) -> GatewaySecrets:
        """Scrub the declared variables, and the credentials in any kubeconfig they name."""
        return cls(env_secrets(env, secret_names))

    def scrub(self, text: str, counts: dict[str, int]) -> str:
        """`text` with every form of every secret, escaped or not, in any case, replaced."""
        return _replaced(text, self._spans(text), counts)

    @property
    def reach(self) -> int:
        """How far past a cut the text must be read for a form the cut runs through to be
        found whole: the longest form, each character escaped."""
        return WIDEST_ESCAPE * len(self._needles[0][0]) if self._needles else 0

    def scrub_cut(self, raw: bytes, cut: int, counts: dict[str, int]) -> str:
        """The first `cut` bytes of `raw` (UTF-8), scrubbed as part of all of `raw`.

        A cut made before scrubbing leaves the head of a form the scrubber no longer
        finds; read `reach` bytes past the cut and the form is whole. A form that
        runs through the cut is redacted up to it, and a text that ends in the head
        of a form (of at least `MIN_PARTIAL` characters) has that head redacted too.
        """
        text = raw.decode("utf-8", "replace")
        head = raw[:cut].decode("utf-8", "replace")
        stop = len(head) if text.startswith(head) else len(head) - 1  # a split character
        spans = [(s, min(e, stop), n) for s, e, n in self._spans(text) if s < stop]
        spans += self._partial(text[:stop])
        return _replaced(text[:stop], _merged(spans), counts)

    def _partial(self, text: str) -> list[tuple[int, int, str]]:
        """The span at the end of `text` that begins a form (the form cut short), if any;
        also when the cut fell inside an escape (`…&am`, `…\\u00`): then from the head
        before that escape to the end."""
        base = max(0, len(text) - self.reach)
        piece = text[base:]
        found = self._heads(piece)
        opened = _open_escape(piece)
        if opened is not None:
            found += [(s, len(piece), n) for s, _, n in self._heads(piece[:opened])]
        return [(base + s, base + e, n) for s, e, n in found]

    def _heads(self, text: str) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        for view, origin, needles in self._views(text):
            for needle, name in needles:
                at = _ending_prefix(view, needle)
                if at is not None:
                    found.append((*origin.span(at, len(view)), name))
        return found

    def _spans(self, text: str, depth: int = 0, runs: bool = True) -> list[tuple[int, int, str]]:
        """Where `text` holds a form of a secret: merged spans of the text, named.
        `runs`: also a run of a value's characters (not inside a decoded base64 run,
        where it would take the whole run: pieces are read as written, and in dumps)."""
        if not self._needles or not text:
            return []
        spans: list[tuple[int, int, str]] = []
        for view, origin, needles in self._views(text):
            spans += _found(view, origin, needles)
            if needles is self._needles:  # the view itself (escapes decoded)
                spans += self._pieces(view, origin)
                if runs:
                    spans += [(*origin.span(s, e), n) for s, e, n in self._runs.spans(view)]
        if depth < DECODE_DEPTH:
            spans += self._decoded_runs(text, depth) + self._dumped(text)
            spans += self._byte_arrays(text)
        return _merged(spans) if spans else []

    def _dumped(self, text: str) -> list[tuple[int, int, str]]:
        """Where a hex dump in `text` shows a secret (whole or a run of it) in its bytes:
        the groups and the text column's characters that show them. (Read in the text,
        not the view: the view joins the lines of what looks like wrapped base64.)"""
        spans: list[tuple[int, int, str]] = []
        for dump in _dumps(folded(text)):
            for first, stop, name in self._spans(dump.text, DECODE_DEPTH):
                spans += [(s, e, name) for s, e in dump.carriers(first, stop)]
        return spans

    def _byte_arrays(self, text: str) -> list[tuple[int, int, str]]:
        """Where a JSON array of byte values in `text` (Node's `Buffer` as JSON, in a
        tool's text) shows a secret: from the first item showing it to the last."""
        spans: list[tuple[int, int, str]] = []
        for read, items in byte_arrays(text):
            for first, stop, name in self._spans(read, DECODE_DEPTH):
                spans.append((items[first][0], items[stop - 1][1], name))
        return spans

    def _pieces(self, view: str, origin: _Origin) -> list[tuple[int, int, str]]:
        """Where `view` holds the base64 of a value cut in pieces (`gapped`)."""
        spans: list[tuple[int, int, str]] = []
        if not self._cores or len(view) < len(self._cores[-1][0]):
            return spans  # (most strings of a JSON document)
        first = bisect.bisect_left(self._cores, -len(view), key=lambda p: -len(p[0]))
        for core, name in self._cores[first:]:
            spans += [(*origin.span(s, e), name) for s, e in gapped(view, core)]
        return spans

    def _decoded_runs(self, text: str, depth: int) -> list[tuple[int, int, str]]:
        """Each base64 run of `text` (as long as a value's base64 or longer) whose
        decoded document holds a form of a secret, whole.

        A Secret's `data` is base64 of a file, and the file can hold the credential's
        base64 again (a docker config's `auth`): the run is decoded and its text
        scrubbed as any text is, `DECODE_DEPTH` levels down. Only a run that decodes
        to UTF-8 text is read: a document is text, and random bytes almost never are.
        """
        spans: list[tuple[int, int, str]] = []
        if len(text) < self._run_size:
            return spans
        for run in self._run.finditer(text):
            inner = _document(run[0])
            if inner is None:
                continue
            if inner == TOO_BIG:  # compressed past the cap: unread, so withheld
                spans.append((run.start(), run.end(), "compressed"))
                continue
            found = self._spans(inner, depth + 1, runs=False)
            if found:
                spans.append((run.start(), run.end(), found[0][2]))
        return spans

    def _views(self, text: str) -> Iterator[tuple[str, _Origin, list[tuple[str, str]]]]:
        """The views of `text` to look for forms in, each with the needles it can hold."""
        view, origin = decoded_view(text)
        yield view, origin, self._needles
        if self._wrappable:
            # Base64 wrapped in lines as a text carries them (quoted in a reply, ended
            # with `<br>`, folded onto one line): read with the lines joined.
            joined = joined_lines(view, origin)
            if joined is not None:
                yield (*joined, self._wrappable)
        if self._squeezed:
            # A value in groups (`pat- 9f8e 7d6c`): read with the separators dropped.
            grouped = squeezed(view, [needle for needle, _ in self._squeezed], origin)
            if grouped is not None:
                yield (*grouped, self._squeezed)
        if origin.decoded:
            # A secret written out beside an escape-like sequence (`token=DEADBEEF…`,
            # `DOMAIN\1234…`) loses its first characters to the decoding: the text as
            # it is, case folded, is read too.
            yield folded(text), _Origin(), self._needles
        if self._spaced and "+" in text:
            # Form encoding spells a space `+` (a passphrase in a query string); read
            # so only for forms with a space, as `+` is a base64 character too. The
            # view with every `+` a space (also a decoded `%2B`) holds all the text
            # could: only when a form is there is the exact view made.
            loose = view.replace("+", " ")
            if any(needle in loose for needle, _ in self._spaced):
                yield (*decoded_view(text.replace("+", " ")), self._spaced)

    def scrub_json(self, value: Any, counts: dict[str, int]) -> Any:
        """A parsed JSON value with every secret in it replaced: in strings and keys, in
        runs of byte values, and in numbers (a credential of digits echoed as a number
        comes back as a string holding the marker)."""
        if isinstance(value, str):
            return self.scrub(value, counts)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and self._numeric:
            shown = json.dumps(value)  # as the number will be written out
            spans = _found(folded(shown), _Origin(), self._numeric)
            return _replaced(shown, _merged(spans), counts) if spans else value
        if isinstance(value, list):
            items = self._scrub_lines(self._scrub_bytes(value, counts), counts)
            return [self.scrub_json(v, counts) for v in items]
        if isinstance(value, dict):
            scrub, deep = self.scrub, self.scrub_json
            return {scrub(str(k), counts): deep(v, counts) for k, v in value.items()}
        return value

    def scrub_binary(self, raw: bytes, counts: dict[str, int]) -> bytes:
        """`raw` with every form of every secret its text could show replaced.

        A binary body (a log file served as `application/octet-stream`) can hold a
        credential escaped as in any text (`\\"` in a JSON line, `&quot;` in a page),
        in whatever encoding the file was written: it is read as each text it could be
        (`text_views`: Latin-1, UTF-8, UTF-16 in either byte order at either byte
        alignment), each scrubbed as any text is, the spans found mapped back to the
        bytes they came from. Each marker is written in the encoding of the view that
        found it, so a UTF-16 file reads on as UTF-16 after it."""
        views = text_views(raw, self._readable, self._non_ascii)

        def marker(name: str, _value: str) -> str:
            counts["GATEWAY_SECRET"] = counts.get("GATEWAY_SECRET", 0) + 1
            return f"[REDACTED:{name}]"

        return replaced_in_views(raw, views, self._spans, marker)

    def _scrub_lines(self, items: list[Any], counts: dict[str, int]) -> list[Any]:
        """`items` with the base64 of a secret cut into its strings (a PEM stored as a
        JSON array of its lines) redacted: read as one text, an item a line, and each
        item a match runs through has its part of it replaced."""
        if sum(isinstance(item, str) for item in items) < 2 or not self._cores:
            return items
        lines = [item if isinstance(item, str) else "" for item in items]
        view, origin = decoded_view("\n".join(lines))
        spans = _merged(self._pieces(view, origin))
        if not spans:
            return items
        counts["GATEWAY_SECRET"] = counts.get("GATEWAY_SECRET", 0) + len(spans)
        out: list[Any] = []
        begin = 0
        for item, line in zip(items, lines, strict=True):
            end = begin + len(line)
            inside = [(max(s, begin), min(e, end), n) for s, e, n in spans if s < end and e > begin]
            local = [(s - begin, e - begin, n) for s, e, n in inside if s < e]
            out.append(_replaced(line, local, {}) if local else item)
            begin = end + 1
        return out

    def _scrub_bytes(self, items: list[Any], counts: dict[str, int]) -> list[Any]:
        """`items` with each secret held as a run of byte values (`[103, 119, …]`, what
        Node's `JSON.stringify(Buffer)` prints) replaced by one `[REDACTED:<name>]`.

        Each run of integers 0–255 is read as Latin-1 text, one character per item, so
        the spans found there are the items' indexes.
        """
        out: list[Any] = []
        run: list[int] = []
        for item in items:
            if _is_byte(item):
                run.append(item)
                continue
            out += self._scrub_run(run, counts)
            out.append(item)
            run = []
        return out + self._scrub_run(run, counts)

    def _scrub_run(self, run: list[int], counts: dict[str, int]) -> list[Any]:
        if len(run) < MIN_SECRET:
            return list(run)
        spans = self._spans(bytes(run).decode("latin-1"))
        out: list[Any] = []
        pos = 0
        for start, end, name in spans:
            out += [*run[pos:start], f"[REDACTED:{name}]"]
            pos = end
            counts["GATEWAY_SECRET"] = counts.get("GATEWAY_SECRET", 0) + 1
        return out + run[pos:]


def _is_byte(item: Any) -> bool:
    return isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 255


def _found(
    view: str, origin: _Origin, needles: list[tuple[str, str]]
) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    # Longest first: skip those longer than the view (most, for a short JSON string).
    first = bisect.bisect_left(needles, -len(view), key=lambda p: -len(p[0]))
    for needle, name in needles[first:]:
        at = view.find(needle)
        while at >= 0:
            spans.append((*origin.span(at, at + len(needle)), name))
            at = view.find(needle, at + 1)
    return spans


def _ending_prefix(view: str, needle: str) -> int | None:
    """Where the longest head of `needle` (shorter than it, `MIN_PARTIAL` or more) that
    ends `view` begins, or None. Only places where the needle's first characters
    stand are tried, so the cost is that of a find."""
    first, last = needle[:MIN_PARTIAL], view[-MIN_PARTIAL:]
    at = view.find(first, max(0, len(view) - len(needle) + 1))
    while at >= 0:
        size = len(view) - at
        # the head's last characters first: a cheap test that drops most candidates
        if needle[size - MIN_PARTIAL : size] == last and needle.startswith(view[at:]):
            return at
        at = view.find(first, at + 1)
    return None


def _document(run: str) -> str | None:
    """The UTF-8 text a base64 run decodes to (either alphabet), or None."""
    body = run.rstrip("=")
    body = body[: len(body) - len(body) % 4] if len(body) % 4 == 1 else body
    altchars = b"-_" if "-" in body or "_" in body else None
    try:
        raw: bytes | None = base64.b64decode(body + "=" * (-len(body) % 4), altchars)
    except binascii.Error:
        raw = None
    # Compressed (`gzip | base64`, a `.gz` as hex): read inflated, within the cap.
    text = unpacked(run, raw)
    if text is not None or raw is None:
        return text
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _open_escape(text: str) -> int | None:
    """Where an escape the text may end inside of begins (its last `%`, `\\`, `&`, `=`
    or `0x` among the last characters), or None."""
    tail = max(0, len(text) - _LONGEST_ESCAPE)
    at = max(text.rfind(c, tail) for c in ("%", "\\", "&", "=", "0x", "0X"))
    return at if at >= 0 else None


def _replaced(text: str, spans: list[tuple[int, int, str]], counts: dict[str, int]) -> str:
    """`text` with each span replaced by `[REDACTED:<name>]`, counted."""
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for start, end, name in spans:
        out += [text[pos:start], f"[REDACTED:{name}]"]
        pos = end
        counts["GATEWAY_SECRET"] = counts.get("GATEWAY_SECRET", 0) + 1
    out.append(text[pos:])
    return "".join(out)


def _merged(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping matches as one span each, named after the first (longest) there."""
    out: list[tuple[int, int, str]] = []
    for start, end, name in sorted(spans, key=lambda s: (s[0], -s[1])):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]), out[-1][2])
        else:
            out.append((start, end, name))
    return out
