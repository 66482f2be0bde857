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
folded (`_view`), finds each form there, maps each match back to the span of
the original text it came from, and replaces that span with
`[REDACTED:<name>]` before anything is masked. Matching the view rather than
listing every escaped spelling covers any subset of escaped characters, double
percent-encoding and mixed case at the cost of one pass over the text.

Base64 is also looked for cut in pieces with anything short between them
(`_gapped`): however code or a config wraps its lines (a string literal a line, `#
`, a line number, deep indentation, tags), the lines hold its pieces in order, so
the wrap syntax need not be known. And a base64 run can be a document that holds
the credential's base64 again (a docker config Secret): runs are decoded and
scrubbed as text, `DECODE_DEPTH` levels down.

Output a connector cuts (a response over its cap, an over-long line) is scrubbed
before the cut (`scrub_cut`), with `reach` characters read past it, so the cut
never leaves the head of a form the scrubber can no longer recognise.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import contextlib
import html
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

import yaml

from phigate.connectors._secret_runs import SecretRuns
from phigate.connectors._secret_views import FORMAT as _FORMAT
from phigate.connectors._secret_views import TOO_BIG, byte_arrays, squeezable, squeezed, unpacked
from phigate.connectors._secret_views import without_format as _without_format
from phigate.core.escapes import ESCAPE as _ESCAPE
from phigate.core.escapes import Origin as _Origin
from phigate.core.escapes import decoded_escape as _decoded_escape
from phigate.core.hex_dumps import dumps as _dumps

MIN_SECRET = 4
# Shorter pieces (a line of a PEM file, a base64 core) would match ordinary text.
MIN_PIECE = 8
_MAX_KUBECONFIG_BYTES = 1_000_000
# kubeconfig fields whose values are credentials (inline or decoded from base64).
_KUBE_SECRET_KEYS = frozenset(
    {"client-key-data", "client-certificate-data", "token", "password", "id-token"}
    | {"refresh-token", "client-secret", "access-token", "proxy-url"}
)
_KUBE_FILE_KEYS = frozenset({"client-key", "client-certificate", "tokenFile"})
# The only values of a kubeconfig `user` entry that are no credential: a plugin's
# program and protocol, and the names (not values) of its variables.
_KUBE_USER_PLAIN = frozenset(
    {"apiVersion", "command", "interactiveMode", "installHint", "provideClusterInfo", "name"}
)


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
            for needle in _needles(form):
                needles.setdefault(needle, name)
        self._needles = sorted(needles.items(), key=lambda p: -len(p[0]))
        self._spaced = [(n, name) for n, name in self._needles if " " in n]
        # Only these can be split by a wrap: forms all of base64's characters (hex too).
        self._wrappable = [
            (n, name) for n, name in self._needles if len(n) >= MIN_PIECE and set(n) <= _WRAPPABLE
        ]
        # Base64 cut in pieces however a text wraps it (`_gapped`), and base64 documents
        # that may hold a form (`_decoded_runs`): the base64 of each value and its pieces.
        cores: dict[str, str] = {}
        shortest = 0
        for name, value in named_list:
            for text in _plain(value):
                encoded = len(base64.b64encode(text.encode()))
                shortest = min(shortest, encoded) if shortest else encoded
                for core in base64_cores(text.encode()):
                    cores.setdefault(_fold(core), name)
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
            squeezable(_fold(text)): name for name, value in named_list for text in _plain(value)
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
        for dump in _dumps(_fold(text)):
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
        """Where `view` holds the base64 of a value cut in pieces (`_gapped`)."""
        spans: list[tuple[int, int, str]] = []
        if not self._cores or len(view) < len(self._cores[-1][0]):
            return spans  # (most strings of a JSON document)
        first = bisect.bisect_left(self._cores, -len(view), key=lambda p: -len(p[0]))
        for core, name in self._cores[first:]:
            spans += [(*origin.span(s, e), name) for s, e in _gapped(view, core)]
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
        view, origin = _view(text)
        yield view, origin, self._needles
        if self._wrappable:
            # Base64 wrapped in lines as a text carries them (quoted in a reply, ended
            # with `<br>`, folded onto one line): read with the lines joined.
            joined = _joined(view, origin)
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
            yield _fold(text), _Origin(), self._needles
        if self._spaced and "+" in text:
            # Form encoding spells a space `+` (a passphrase in a query string); read
            # so only for forms with a space, as `+` is a base64 character too. The
            # view with every `+` a space (also a decoded `%2B`) holds all the text
            # could: only when a form is there is the exact view made.
            loose = view.replace("+", " ")
            if any(needle in loose for needle, _ in self._spaced):
                yield (*_view(text.replace("+", " ")), self._spaced)

    def scrub_json(self, value: Any, counts: dict[str, int]) -> Any:
        """A parsed JSON value with every secret in it replaced: in strings and keys, in
        runs of byte values, and in numbers (a credential of digits echoed as a number
        comes back as a string holding the marker)."""
        if isinstance(value, str):
            return self.scrub(value, counts)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and self._numeric:
            shown = json.dumps(value)  # as the number will be written out
            spans = _found(_fold(shown), _Origin(), self._numeric)
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
        view, origin = _view("\n".join(lines))
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


def _gapped(view: str, needle: str) -> list[tuple[int, int]]:
    """Where `view` holds `needle` cut in pieces with anything between them: the spans
    from the first piece to the last.

    However a text wraps base64 (a string literal a line joined by `+`, a JSON array
    of lines, `# ` or a line number before each, deep indentation, `\\r\\r\\n`, a tag
    a line), the lines hold pieces of it in order with at most `GAP` characters of
    anything between two. Every piece but the two at the needle's edges is
    `MIN_PIECE` long or more, so each match holds a piece that begins with one of
    the needle's `_ANCHOR`-character grams at a stride of `_STRIDE`; each place a
    gram is found is followed both ways (`_onward`). A place inside a piece already
    followed (the same diagonal: view offset less needle offset) is not followed
    again, so the cost stays that of the finds plus a bounded walk a candidate.
    """
    found: list[tuple[int, int]] = []
    size = len(needle)
    backwards = needle[::-1]
    followed: dict[int, int] = {}  # diagonal -> where the piece tried on it ends
    for offset in range(0, size - _ANCHOR + 1, _STRIDE):
        gram = needle[offset : offset + _ANCHOR]
        at = view.find(gram)
        while at >= 0:
            if at >= followed.get(at - offset, -1):
                stop = _extent(view, needle, at, offset)
                start = at - _extent(view[at - offset : at][::-1], backwards, 0, size - offset)
                first = offset - (at - start)
                followed[at - offset] = stop
                if stop - start >= MIN_PIECE or first == 0 or first + stop - start == size:
                    match = _match(view, needle, backwards, start, first, stop)
                    found += [match] if match else []
            at = view.find(gram, at + 1)
    return found


def _match(
    view: str, needle: str, backwards: str, start: int, first: int, stop: int
) -> tuple[int, int] | None:
    """The span of the whole needle in pieces around the piece `view[start:stop]`
    (the needle from `first`), or None: followed on, and back (the view before the
    piece and the needle, reversed)."""
    end = _onward(view, needle, start, first, stop)
    if end is None:
        return None
    low = max(0, start - first * (GAP + 1))
    behind = view[low:stop][::-1]
    back = _onward(behind, backwards, 0, len(needle) - first - (stop - start), stop - start)
    return None if back is None else (stop - back, end)


def _onward(view: str, needle: str, start: int, first: int, stop: int) -> int | None:
    """Where the needle's pieces end in `view`, from the piece `view[start:stop]` (the
    needle from `first`) on, or None.

    Each next piece begins with the needle's next `MIN_PIECE` characters (or all that
    are left, at its edge) within `GAP` characters after the last. What stands after a
    piece can happen to match the needle's next characters: the piece is then cut
    back (up to `MIN_PIECE - 1` characters) until the next is found.
    """
    end = first + stop - start
    while end < len(needle):
        for cut in range(end, max(first, end - MIN_PIECE), -1):
            at = stop - (end - cut)
            gram = needle[cut : cut + MIN_PIECE]
            if len(gram) == MIN_PIECE:
                pos = view.find(gram, at + 1, at + GAP + len(gram))
            else:  # the needle's edge, a few characters: the last there (no junk after)
                pos = view.rfind(gram, at + 1, at + GAP + len(gram))
            if pos >= 0:
                break
        else:
            return None
        start, first = pos, cut
        stop = _extent(view, needle, pos, cut)
        end = first + stop - start
    return stop


def _extent(view: str, needle: str, at: int, offset: int) -> int:
    """Where the run of `view` from `at` that matches the needle from `offset` ends."""
    size = min(len(needle) - offset, len(view) - at)
    n = 0
    while n < size and view[at + n] == needle[offset + n]:
        n += 1
    return at + n


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


SpansOf = Callable[[str], Iterable[tuple[int, int, str]]]


def replaced_in_views(
    raw: bytes, views: Iterable[_BinaryView], spans_of: SpansOf, marker: Callable[[str, str], str]
) -> bytes:
    """`raw` with what `spans_of` finds in any of its text `views` (`text_views`)
    replaced by `marker(name, text found)`, written in the encoding of the view that
    found it, so a UTF-16 file reads on as UTF-16 after it."""
    found: list[_ByteSpan] = []
    readings: list[_Reading] = []
    merged: list[_ByteSpan] = []
    for text, bytes_of, reading in views:
        starts = [span[0] for span in merged]
        for start, end, name in spans_of(text):
            start, end = bytes_of(start, end)
            # What a reading before found, one byte off (ASCII in UTF-16 reads the
            # same in the other byte order a byte on; Latin-1 holds both): the same
            # text. Replacing the byte more would cut into a neighbouring character.
            i = bisect.bisect_right(starts, start + 1) - 1
            if i >= 0 and merged[i][0] - 1 <= start and end <= merged[i][1] + 1:
                continue
            found.append((start, end, name, len(readings)))
        readings.append(reading)
        merged = _merged_bytes(found, readings, len(raw))
    if not merged:
        return raw
    out: list[bytes] = []
    pos = 0
    for start, end, name, rank in merged:
        codec = readings[rank].codec
        value = raw[start:end].decode(codec, "replace")
        out += [raw[pos:start], marker(name, value).encode(codec, "replace")]
        pos = end
    out.append(raw[pos:])
    return b"".join(out)


class _Reading(NamedTuple):
    """One way to read a binary body as text: the encoding (a marker in it is written
    in it too), and where its characters start: every `unit` bytes after `skip`."""

    codec: str
    skip: int = 0
    unit: int = 1


# Each UTF-16 code unit is widened to UTF-32: its two bytes go at this offset of four.
_WIDE = (("utf-16-le", "utf-32-le", 0), ("utf-16-be", "utf-32-be", 2))
_BinaryView = tuple[str, Callable[[int, int], tuple[int, int]], _Reading]


def text_views(raw: bytes, readable: re.Pattern[str], non_ascii: bool) -> Iterator[_BinaryView]:
    """Each text `raw` could be read as, with how a span of it maps to `raw`'s bytes,
    in the order their markers are preferred where two find the same bytes (ASCII in
    UTF-16 reads the same one byte off in the other byte order: the reading from the
    body's first byte is taken, as a file starts there).

    UTF-16 in both byte orders at both alignments, each code unit one character (a
    lone surrogate kept as one: widened to UTF-32, so a character is always two
    bytes), when the view could hold a form at all (`readable`); UTF-8 when `raw`
    holds a multi-byte character (an undecodable byte is one character, a surrogate
    escape) and a form is `non_ascii` (holds such a character: a form all ASCII is
    found in ASCII bytes, and those read the same in Latin-1); Latin-1, one
    character a byte, always."""
    for skip in (0, 1):
        for codec, widened, at in _WIDE:
            units = raw[skip : skip + (len(raw) - skip) // 2 * 2]
            wide = bytearray(2 * len(units))
            wide[at::4], wide[at + 1 :: 4] = units[0::2], units[1::2]
            text = wide.decode(widened, "surrogatepass")
            if readable.search(text):
                yield text, _Units(skip).span, _Reading(codec, skip, 2)
    if non_ascii and not raw.isascii():
        text = raw.decode("utf-8", "surrogateescape")
        if len(text) < len(raw):
            yield text, _utf8_origin(text).span, _Reading("utf-8")
    yield raw.decode("latin-1"), _Units(0, 1).span, _Reading("latin-1")


class _Units:
    """Where each character of a view of bytes came from: `unit` bytes, after `skip`."""

    def __init__(self, skip: int, unit: int = 2) -> None:
        self.skip, self.unit = skip, unit

    def span(self, first: int, stop: int) -> tuple[int, int]:
        return self.skip + self.unit * first, self.skip + self.unit * stop


def _utf8_origin(text: str) -> _Origin:
    """Where each character of `text` (UTF-8 decoded with surrogate escapes) came from
    in its bytes: a multi-byte character is an escape of one character."""
    origin = _Origin()
    extra = 0
    for char in _MULTIBYTE.finditer(text):
        at = char.start()
        size = len(char[0].encode())
        origin.add(at, at + extra, at + extra + size)
        extra += size - 1
    return origin


# A character UTF-8 writes in more than one byte (not a surrogate escape: one byte).
_MULTIBYTE = re.compile(r"[\u0080-\udc7f\udd00-\U0010ffff]")
_ByteSpan = tuple[int, int, str, int]  # start, end, name, the rank of the view


def _merged_bytes(found: list[_ByteSpan], readings: list[_Reading], size: int) -> list[_ByteSpan]:
    """Overlapping byte spans as one each, named after the first (longest) there and
    written in the best-ranked view's encoding among them, widened to whole
    characters of that view (a UTF-16 text read one byte off finds the same
    credential a byte earlier; the marker then keeps the text after it aligned)."""
    out: list[_ByteSpan] = []
    for start, end, name, rank in sorted(found, key=lambda s: (s[0], -s[1])):
        if out and start < out[-1][1]:
            last = out[-1]
            out[-1] = (last[0], max(end, last[1]), last[2], min(rank, last[3]))
            continue
        out.append((start, end, name, rank))
    aligned: list[_ByteSpan] = []
    for start, end, name, rank in out:
        skip, unit = readings[rank].skip, readings[rank].unit
        start = max(0, start - (start - skip) % unit)
        end = min(size, end + (skip - end) % unit)
        if aligned and start < aligned[-1][1]:
            last = aligned[-1]
            aligned[-1] = (last[0], max(end, last[1]), last[2], last[3])
        else:
            aligned.append((start, end, name, rank))
    return aligned


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# What stands between two lines of base64 wrapped in a text, read in the view (case
# folded, escapes decoded): a line end with what a line carries around it (spaces, an
# HTML line break `<br>`, `<br/>`, `<br />` before it; quote markers `>`, `> >` after
# it); a line break tag alone; or one space after a line's worth of base64 (lines
# folded onto one: 16 characters or more, so the spaces of prose are not joined).
# Every repetition is bounded, so a scan stays linear.
_B64 = "[0-9a-z+/_-]"
_WRAPPABLE = frozenset("0123456789abcdefghijklmnopqrstuvwxyz+/_-")
_WRAP = re.compile(
    # (the lookahead first lets the engine skip to where a separator can start)
    rf"(?=[ \t\r\n<])(?<={_B64})(?:[ \t]{{0,16}}(?:<br[ \t]{{0,4}}/?>[ \t]{{0,16}})?"
    rf"(?:\r\n|\n|\r)(?:[ \t]{{0,16}}>){{0,16}}[ \t]{{0,16}}|<br[ \t]{{0,4}}/?>"
    rf"|(?<={_B64}{{16}}) )(?={_B64})"
)
_FOLD = re.compile(rf" (?<={_B64}{{16}} )(?={_B64})")
_ESCAPE_START = re.compile(r"[%\\&=\n]|0[xX]")
# The widest spelling of one character the view decodes as a rule (`\U00000067`): a
# form can take this many times its length in the text.
WIDEST_ESCAPE = 10
# What a JSON number's text is made of (case folded).
_NUMBER_CHARS = frozenset("0123456789.e+-")
# The longest escape of one character the view decodes as a rule (`&#x0010FFFF;`).
_LONGEST_ESCAPE = 16
# A cut text ending in this much of a form (or more) has that end redacted.
MIN_PARTIAL = 4
# The most characters between two pieces of wrapped base64: a line end and what a
# line carries around it (a quote and `+`, a comment marker, a line number, YAML
# indentation, tags).
GAP = 40
# A piece of `MIN_PIECE` characters holds one of a needle's grams of `_ANCHOR`
# characters taken at every `_STRIDE` offset.
_STRIDE = 4
_ANCHOR = MIN_PIECE - _STRIDE + 1
# How many times a base64 document in a base64 document is decoded.
DECODE_DEPTH = 2
_RUN_CHAR = "[0-9A-Za-z+/_-]"


def _fold(text: str) -> str:
    """ASCII case folded, one character for one (so view offsets stay exact)."""
    if text.isascii():
        return text.lower()
    try:  # bytes fold ASCII only, and far faster than `translate` (a binary body's view)
        return text.encode("latin-1").lower().decode("latin-1")
    except UnicodeEncodeError:
        return text.translate(_ASCII_LOWER)


def _needles(form: str) -> set[str]:
    """What `form` looks like in the view: case folded, and for a non-ASCII secret
    also its UTF-8 bytes one character each (what percent-escapes decode to here).

    A form holding a run the view decodes (`%3A`, `&reg`, `\\n`) is read there as
    each escaping family writes it, decoded: written out with another of its
    characters escaped (`\\"` in a JSON log, `&quot;` in a page, `%253A` in a link),
    its own run is decoded with the rest (or, escaped itself, kept), so the view of
    the text holds the view of the escaped form, not the form."""
    spelled = {form} if form.isascii() else {form, form.encode().decode("latin-1")}
    spelled = {_FORMAT.sub("", text) for text in spelled}  # as the view drops them
    out = {_fold(text) for text in spelled}
    if not _ESCAPE_START.search(form):
        return out
    for text in spelled:
        for escape in _ESCAPING:
            decoded = _view(escape(text))[0]
            if len(decoded) >= MIN_SECRET:
                out.add(decoded)
    return out


def _json_text(text: str) -> str:
    return json.dumps(text)[1:-1]


def _percent(text: str) -> str:
    return quote(text, safe="")


# What a form is written as by each escaping family the view decodes (as it is; JSON
# string escaping; HTML escaping; percent-encoding); a form's escape-like runs fare
# differently in each, so each is read decoded.
_ESCAPING: tuple[Callable[[str], str], ...] = (str, _json_text, html.escape, _percent)


def _view(text: str) -> tuple[str, _Origin]:
    """`text` with its escapes decoded and case folded, and where each view character
    came from (one pass; plain text is its own view). Format characters (a zero-width
    space, a soft hyphen) are drawn as nothing and skipped by base64 decoders: the
    view drops them first."""
    text, dropped = _without_format(text)
    origin = _Origin(then=dropped)
    if not _ESCAPE_START.search(text):
        return _fold(text), origin
    parts: list[str] = []
    pos = length = 0
    for escape in _ESCAPE.finditer(text):
        decoded = _decoded_escape(escape)
        if decoded is None:
            continue
        char, start, end = decoded
        length += start - pos
        origin.add(length, start, end, len(char))
        parts += [text[pos:start], char]
        length += len(char)
        pos = end
    parts.append(text[pos:])
    return _fold("".join(parts)), origin


def _joined(view: str, origin: _Origin) -> tuple[str, _Origin] | None:
    """`view` with the lines of wrapped base64 joined (`_WRAP` dropped), and where each
    of its characters came from in the text; None when nothing is joined."""
    if len(view) <= MIN_PIECE or not (
        "\n" in view or "\r" in view or "<br" in view or _FOLD.search(view)
    ):
        return None
    joined = _Origin(then=origin)
    parts: list[str] = []
    pos = length = 0
    for wrap in _WRAP.finditer(view):
        start, end = wrap.span()
        length += start - pos
        joined.add(length, start, end, 0)
        parts.append(view[pos:start])
        pos = end
    if not parts:
        return None
    parts.append(view[pos:])
    return "".join(parts), joined


def forms(value: str) -> set[str]:
    """The value, its lines and words, and each one's base64 and base32 text at any
    alignment and its hex (plain, and byte by byte with spaces or colons); and the
    same as UTF-16 (little and big endian): its bytes one character each, base64, hex."""
    plain = _plain(value)
    out = set(plain)
    for text in plain:
        raw = text.encode()
        out |= set(base64_cores(raw)) | set(base32_cores(raw))
        out |= {raw.hex(), raw.hex(" "), raw.hex(":")}
        for wide in (text.encode("utf-16-le"), text.encode("utf-16-be")):
            out.add(wide.decode("latin-1"))
            out |= set(base64_cores(wide)) | {wide.hex(), wide.hex(" "), wide.hex(":")}
    return out


def _plain(value: str) -> set[str]:
    """The value, and the parts of it an upstream could print alone."""
    value = value.strip()
    if len(value) < MIN_SECRET:
        return set()
    # Each line of a file (PEM armour is no secret); the token after a header's scheme
    # (`Bearer <token>`) — not every word of a phrase, which would redact plain prose.
    words = value.split()
    pieces = value.splitlines() if "\n" in value else words if len(words) == 2 else []
    pieces = [p.strip() for p in pieces]
    return {value} | {p for p in pieces if len(p) >= MIN_PIECE and not p.startswith("-----")}


def base64_cores(raw: bytes) -> Iterator[str]:
    """The base64 characters `raw` determines alone, wherever it starts in an encoded stream.

    Three alignments (the bytes before it, mod 3) and two alphabets; the first and
    last characters mix in neighbouring bytes, so they are left out.
    """
    for skip in range(3):
        encoded = base64.b64encode(b"\0" * skip + raw).decode()
        start, end = -(-8 * skip // 6), 8 * (skip + len(raw)) // 6
        core = encoded[start:end]
        if len(core) >= MIN_PIECE:
            yield core
            yield core.replace("+", "-").replace("/", "_")


def base32_cores(raw: bytes) -> Iterator[str]:
    """The base32 characters `raw` determines alone, at each of five alignments, in the
    standard and the `base32hex` alphabets (a view matches them in either case)."""
    for skip in range(5):
        for encode in (base64.b32encode, base64.b32hexencode):
            encoded = encode(b"\0" * skip + raw).decode()
            core = encoded[-(-8 * skip // 5) : 8 * (skip + len(raw)) // 5]
            if len(core) >= MIN_PIECE:
                yield core


def env_secrets(env: dict[str, str], secret_names: Iterable[str]) -> list[tuple[str, str]]:
    """The declared variables' (name, value), and the credentials in a kubeconfig they name."""
    named = [(name, env[name]) for name in secret_names]
    kubeconfig = env.get("KUBECONFIG")
    if kubeconfig:
        named.extend(("KUBECONFIG", v) for v in kubeconfig_secrets(kubeconfig))
    return named


def kubeconfig_secrets(paths: str) -> list[str]:
    """Credential values in the kubeconfig files `KUBECONFIG` names (and files they name)."""
    out: list[str] = []
    if "\n" in paths:  # the file's content itself (a `file:` secret reference)
        with contextlib.suppress(yaml.YAMLError):
            out.extend(_kube_values(yaml.safe_load(paths), Path.cwd()))
        return out
    for path in paths.split(os.pathsep):
        document = _load(path)
        if document is not None:
            out.extend(_kube_values(document, Path(path).parent))
    return out


def _load(path: str) -> Any:
    try:
        file = Path(path)
        if not file.is_file() or file.stat().st_size > _MAX_KUBECONFIG_BYTES:
            return None
        return yaml.safe_load(file.read_text())
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _kube_values(node: Any, base: Path) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _kube_values(item, base)
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "user" and isinstance(value, dict):
            yield from _user_values(value, base)
        elif isinstance(value, str) and key in _KUBE_SECRET_KEYS:
            yield value
            yield from _decoded(value) if key.endswith("-data") else ()
        elif isinstance(value, str) and key in _KUBE_FILE_KEYS:
            yield from _file_text(base / value)
        else:
            yield from _kube_values(value, base)


def _user_values(node: Any, base: Path) -> Iterator[str]:
    """Every value of a kubeconfig user entry, except the few known to hold none.

    A user entry is how the gateway proves who it is: tokens and keys, but also a
    credential plugin's `exec.args` and `exec.env[].value`, auth-provider
    `config`, fields kubectl adds later. Listing the secret fields would miss the
    next one; listing the plain ones fails closed.
    """
    if isinstance(node, list):
        for item in node:
            yield from _user_values(item, base)
    elif isinstance(node, str):
        yield node
        yield node.partition("=")[2]  # `--secret-id=VALUE`: the value printed alone
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and key in _KUBE_FILE_KEYS:
                yield from _file_text(base / value)
            elif isinstance(value, str) and str(key).endswith("-data"):
                yield from (value, *_decoded(value))
            elif not (isinstance(value, str) and key in _KUBE_USER_PLAIN):
                yield from _user_values(value, base)


def _decoded(value: str) -> Iterator[str]:
    try:
        yield base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return


def _file_text(path: Path) -> Iterator[str]:
    try:
        if path.is_file() and path.stat().st_size <= _MAX_KUBECONFIG_BYTES:
            yield path.read_text()
    except (OSError, UnicodeDecodeError):
        return
