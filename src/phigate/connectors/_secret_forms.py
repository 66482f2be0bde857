"""What a gateway secret looks like in a connector's output: its encoded forms
(`forms`: lines and words, base64 and base32 at any alignment, hex, UTF-16), and the
view of a text they are looked for in (`decoded_view`: escapes decoded, ASCII case
folded; `joined_lines`: wrapped base64 joined)."""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable, Iterator
from urllib.parse import quote

from phigate.connectors._secret_views import FORMAT as _FORMAT
from phigate.connectors._secret_views import without_format as _without_format
from phigate.core.escapes import ESCAPE as _ESCAPE
from phigate.core.escapes import Origin as _Origin
from phigate.core.escapes import decoded_escape as _decoded_escape

MIN_SECRET = 4
# Shorter pieces (a line of a PEM file, a base64 core) would match ordinary text.
MIN_PIECE = 8
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# What stands between two lines of base64 wrapped in a text, read in the view (case
# folded, escapes decoded): a line end with what a line carries around it (spaces, an
# HTML line break `<br>`, `<br/>`, `<br />` before it; quote markers `>`, `> >` after
# it); a line break tag alone; or one space after a line's worth of base64 (lines
# folded onto one: 16 characters or more, so the spaces of prose are not joined).
# Every repetition is bounded, so a scan stays linear.
_B64 = "[0-9a-z+/_-]"
WRAPPABLE = frozenset("0123456789abcdefghijklmnopqrstuvwxyz+/_-")
_WRAP = re.compile(
    # (the lookahead first lets the engine skip to where a separator can start)
    rf"(?=[ \t\r\n<])(?<={_B64})(?:[ \t]{{0,16}}(?:<br[ \t]{{0,4}}/?>[ \t]{{0,16}})?"
    rf"(?:\r\n|\n|\r)(?:[ \t]{{0,16}}>){{0,16}}[ \t]{{0,16}}|<br[ \t]{{0,4}}/?>"
    rf"|(?<={_B64}{{16}}) )(?={_B64})"
)
_FOLD = re.compile(rf" (?<={_B64}{{16}} )(?={_B64})")
_ESCAPE_START = re.compile(r"[%\\&=\n]|0[xX]")


def folded(text: str) -> str:
    """ASCII case folded, one character for one (so view offsets stay exact)."""
    if text.isascii():
        return text.lower()
    try:  # bytes fold ASCII only, and far faster than `translate` (a binary body's view)
        return text.encode("latin-1").lower().decode("latin-1")
    except UnicodeEncodeError:
        return text.translate(_ASCII_LOWER)


def needles_of(form: str) -> set[str]:
    """What `form` looks like in the view: case folded, and for a non-ASCII secret
    also its UTF-8 bytes one character each (what percent-escapes decode to here).

    A form holding a run the view decodes (`%3A`, `&reg`, `\\n`) is read there as
    each escaping family writes it, decoded: written out with another of its
    characters escaped (`\\"` in a JSON log, `&quot;` in a page, `%253A` in a link),
    its own run is decoded with the rest (or, escaped itself, kept), so the view of
    the text holds the view of the escaped form, not the form."""
    spelled = {form} if form.isascii() else {form, form.encode().decode("latin-1")}
    spelled = {_FORMAT.sub("", text) for text in spelled}  # as the view drops them
    out = {folded(text) for text in spelled}
    if not _ESCAPE_START.search(form):
        return out
    for text in spelled:
        for escape in _ESCAPING:
            decoded = decoded_view(escape(text))[0]
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


def decoded_view(text: str) -> tuple[str, _Origin]:
    """`text` with its escapes decoded and case folded, and where each view character
    came from (one pass; plain text is its own view). Format characters (a zero-width
    space, a soft hyphen) are drawn as nothing and skipped by base64 decoders: the
    view drops them first."""
    text, dropped = _without_format(text)
    origin = _Origin(then=dropped)
    if not _ESCAPE_START.search(text):
        return folded(text), origin
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
    return folded("".join(parts)), origin


def joined_lines(view: str, origin: _Origin) -> tuple[str, _Origin] | None:
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
    """The value, its lines and words, and each one's base64, base32, ascii85, base85
    (RFC 1924 and Z85) and uuencoded text at any alignment, its hex (plain, and byte
    by byte with spaces or colons), binary digits and octal bytes; the same as UTF-16
    (little and big endian): its bytes one character each, base64, hex; and each of
    these written backwards (`rev`, a reversed string)."""
    plain = plain_parts(value)
    out = set(plain)
    for text in plain:
        raw = text.encode()
        out |= set(base64_cores(raw)) | set(base32_cores(raw))
        out |= set(base85_cores(raw)) | set(uu_cores(raw)) | digit_forms(raw)
        out |= {raw.hex(), raw.hex(" "), raw.hex(":")}
        for wide in (text.encode("utf-16-le"), text.encode("utf-16-be")):
            out.add(wide.decode("latin-1"))
            out |= set(base64_cores(wide)) | {wide.hex(), wide.hex(" "), wide.hex(":")}
    # Held values are known, so their mirror images are too: a reader reverses them back.
    return out | {form[::-1] for form in out}


def digit_forms(raw: bytes) -> set[str]:
    """`raw` as binary digits (`xxd -b`, a bit string: eight a byte, spaced or not)
    and as octal bytes (`od -b`: three digits a byte, spaced). (C's `\\163` octal
    escapes are decoded by the view.)"""
    bits = [f"{byte:08b}" for byte in raw]
    octal = [f"{byte:03o}" for byte in raw]
    return {"".join(bits), " ".join(bits), " ".join(octal)}


# RFC 1924 base85 (Python's `b85encode`, git binary patches) and ZeroMQ's Z85, in
# ascii85's order of digits (`!` to `u`).
_A85 = "".join(chr(33 + i) for i in range(85))
_B85 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"
_Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
_TO_B85 = str.maketrans(_A85, _B85)
_TO_Z85 = str.maketrans(_A85, _Z85)


def base85_cores(raw: bytes) -> Iterator[str]:
    """The ascii85 (`btoa`, PDF), RFC 1924 base85 and Z85 characters `raw` determines
    alone, at each of four alignments: the whole four-byte groups, five characters
    each (a group that mixes in a neighbouring byte is left out)."""
    for skip in range(4):
        # Not `a85encode`'s `z` for a zero group: the zeros before the value are cut off.
        encoded = base64.a85encode(b"\1" * skip + raw)
        core = encoded[5 * -(-skip // 4) : 5 * ((skip + len(raw)) // 4)].decode()
        if len(core) >= MIN_PIECE:
            yield from (core, core.translate(_TO_B85), core.translate(_TO_Z85))


# uuencode writes each six bits as the character 32 above it (a zero as a space, or
# as a backtick: `uuencode` and Python's `b2a_uu(..., backtick=True)`).
_B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_TO_UU = str.maketrans(_B64_ALPHABET, "".join(chr(32 + i) for i in range(64)))


def uu_cores(raw: bytes) -> Iterator[str]:
    """The uuencoded characters `raw` determines alone in a line's body, at each of
    three alignments (as `base64_cores`: the same bits, another alphabet). A value
    longer than a line (45 bytes) is cut by the line's length character: its lines
    are looked for as other values' forms are not (a known limit)."""
    for core in base64_cores(raw):
        if "-" in core or "_" in core:
            continue  # (the URL-safe twin of a core already read)
        uu = core.translate(_TO_UU)
        yield from {uu, uu.replace(" ", "`")}


def plain_parts(value: str) -> set[str]:
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
