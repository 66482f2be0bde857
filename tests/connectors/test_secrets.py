"""GatewaySecrets: the gateway's credentials are recognised in every form output carries them."""

from __future__ import annotations

import base64
import html
import json
import quopri
import random
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.connectors._secret_forms import MIN_PIECE, base64_cores, decoded_view
from phigate.connectors._secret_pieces import GAP
from phigate.connectors._secrets import MIN_PARTIAL, GatewaySecrets

TOKEN = "tok-3c9f1a7e5d2b8046"
_CORE = next(base64_cores(TOKEN.encode())).lower()


@pytest.mark.parametrize("before", ["", "a", "ab", "abc", "user:", '{"t": "'])
@pytest.mark.parametrize("after", ["", "z", "\n", '"}'])
def test_base64_of_a_secret_inside_other_bytes_is_scrubbed(before: str, after: str) -> None:
    secrets = GatewaySecrets([("TOKEN", TOKEN)])
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        encoded = encode(f"{before}{TOKEN}{after}".encode()).decode()
        counts: dict[str, int] = {}
        out = secrets.scrub(f"data: {encoded}\n", counts)
        assert "[REDACTED:TOKEN]" in out and counts == {"GATEWAY_SECRET": 1}, encoded


def _every_char(escape: str) -> str:
    return "".join(escape.format(ord(c)) for c in TOKEN)


# How an upstream may echo a credential (round 10 finding 10): escaped in part or whole,
# in another case, as hex or base32, and the base64 of `user:secret` without padding.
ECHOES = {
    "percent, every char": _every_char("%{:02X}"),
    "percent, lower hex": _every_char("%{:02x}"),
    "percent, some chars": TOKEN[:4] + "%33%63" + TOKEN[6:],
    "percent, twice": TOKEN[:3] + "%252D" + TOKEN[4:],
    "json unicode escapes": _every_char("\\u{:04x}"),
    "html decimal references": _every_char("&#{};"),
    "html hex references": _every_char("&#x{:X};"),
    "c escapes": _every_char("\\x{:02x}"),
    "lower case": TOKEN.lower(),
    "upper case": TOKEN.upper(),
    "hex": TOKEN.encode().hex(),
    "HEX": TOKEN.encode().hex().upper(),
    "hex bytes": TOKEN.encode().hex(" "),
    "hex colons": TOKEN.encode().hex(":"),
    "base32": base64.b32encode(TOKEN.encode()).decode(),
    "base32 lower": base64.b32encode(TOKEN.encode()).decode().lower(),
    "base32 shifted": base64.b32encode(b"ab" + TOKEN.encode()).decode(),
    "base32hex": base64.b32hexencode(b"abc" + TOKEN.encode()).decode(),
    "basic, no padding": base64.b64encode(f"user:{TOKEN}".encode()).decode().rstrip("="),
    "basic, url alphabet": base64.urlsafe_b64encode(f"svc:{TOKEN}".encode()).decode(),
    # round 13b: the escapes other languages and tools print, and UTF-16 (.NET)
    "octal escapes": _every_char("\\{:03o}"),
    "unicode braces": _every_char("\\u{{{:x}}}"),
    "html hex, no semicolon": _every_char("&#x{:x}"),
    "html decimal, no semicolon": _every_char("&#{}"),
    "quoted-printable": _every_char("={:02X}"),
    "perl braces": _every_char("\\x{{{:x}}}"),
    "python long escapes": _every_char("\\U{:08x}"),
    "0x bytes with spaces": _every_char("0x{:02x} "),
    "go byte slice": "[]byte{" + ", ".join(f"0x{b:02x}" for b in TOKEN.encode()) + "}",
    "utf-16le": TOKEN.encode("utf-16-le").decode("latin-1"),
    "utf-16le base64": base64.b64encode(TOKEN.encode("utf-16-le")).decode(),
    "utf-16be base64": base64.b64encode(b"x" + TOKEN.encode("utf-16-be")).decode(),
    "utf-16le hex": TOKEN.encode("utf-16-le").hex(),
}


@pytest.mark.parametrize("form", list(ECHOES))
def test_a_secret_echoed_escaped_or_encoded_is_scrubbed(form: str) -> None:
    secrets = GatewaySecrets([("TOKEN", TOKEN)])
    counts: dict[str, int] = {}
    out = secrets.scrub(f"you sent <{ECHOES[form]}> ok", counts)
    assert out.startswith("you sent <") and out.endswith("> ok"), out
    assert "[REDACTED:TOKEN]" in out and counts == {"GATEWAY_SECRET": 1}, out


def test_a_scrubbed_escape_leaves_the_text_around_it() -> None:
    """Matches in the decoded view map back to the exact escaped span."""
    secrets = GatewaySecrets([("TOKEN", TOKEN)])
    echoed = f"a%20b {_every_char('%{:02X}')}%20c &amp; {TOKEN.upper()}"
    assert secrets.scrub(echoed, {}) == "a%20b [REDACTED:TOKEN]%20c &amp; [REDACTED:TOKEN]"


@pytest.mark.parametrize(
    ("secret", "text"),
    [
        ("DEADBEEF-c0ffee-42", "token=DEADBEEF-c0ffee-42&x=1"),  # `=DE` is no escape
        ("1234-secret-abcd", "CORP\\1234-secret-abcd"),  # nor `\123`
        ("4a6b-secret-beef", "id=0x4a6b-secret-beef"),
    ],
)
def test_a_secret_beside_an_escape_like_sequence_is_scrubbed(secret: str, text: str) -> None:
    """Decoding `=DE`, `\\123` or `0x4a` would eat the secret's first characters: the
    text as written is read too."""
    secrets = GatewaySecrets([("S", secret)])
    assert secret not in secrets.scrub(text, {}) and "[REDACTED:S]" in secrets.scrub(text, {})


def test_an_assignment_or_a_hex_number_is_not_decoded_into_a_match() -> None:
    """A lone `=AB` (no quoted-printable beside it) and `0x` before a longer number stay
    as they are, so text that merely looks like them is untouched."""
    text = "a=AB b=0x746f6b2d c=%zz &#; \\u{} \\9 x0x74"
    view, origin = decoded_view(text)
    assert view == text.lower() and origin.at == []


def test_a_secret_as_a_json_array_of_byte_values_is_scrubbed() -> None:
    """Node's `JSON.stringify(Buffer)`: the run of byte values holding the secret becomes
    one marker; the values around it, and what is no byte (bool, 300), stay."""
    secrets = GatewaySecrets([("TOKEN", TOKEN)])
    counts: dict[str, int] = {}
    data = [1, 2, *TOKEN.encode(), 300, True, *TOKEN.encode("utf-16-le"), None, 7]
    out = secrets.scrub_json({"type": "Buffer", "data": data}, counts)
    marker = "[REDACTED:TOKEN]"
    assert out == {"type": "Buffer", "data": [1, 2, marker, 300, True, marker, None, 7]}
    assert counts == {"GATEWAY_SECRET": 2}
    plain = [True, *b"tok-", 0, *list(range(256))]
    assert secrets.scrub_json(plain, counts) == plain and counts == {"GATEWAY_SECRET": 2}


def test_a_non_ascii_secret_percent_encoded_as_utf8_is_scrubbed() -> None:
    secret = "pässwörd-0042"
    secrets = GatewaySecrets([("PASS", secret)])
    encoded = "".join(f"%{b:02X}" for b in secret.encode())
    assert secrets.scrub(f"p={encoded}", {}) == "p=[REDACTED:PASS]"


def test_a_header_value_and_its_token_alone() -> None:
    secrets = GatewaySecrets([("header Authorization", f"Bearer {TOKEN}")])
    assert TOKEN not in secrets.scrub(f"token={TOKEN}", {})
    assert "Bearer" in secrets.scrub("Bearer other", {})


def test_prose_values_are_not_split_into_words() -> None:
    secrets = GatewaySecrets([("NOTE", "a passphrase with ordinary words inside")])
    assert secrets.scrub("ordinary words", {}) == "ordinary words"


def test_kubeconfig_credentials_are_scrubbed(tmp_path: Path) -> None:
    body = "MHcCAQEEIKeyMaterialLine1xxxxxxxxxxxxxxxx"
    key = f"-----BEGIN EC PRIVATE KEY-----\n{body}\n-----END EC PRIVATE KEY-----\n"
    (tmp_path / "client.key").write_text(key)
    data = base64.b64encode(key.encode()).decode()
    config = tmp_path / "config"
    config.write_text(
        "users:\n- name: a\n  user: {token: " + TOKEN + ", client-key-data: " + data + "}\n"
        "- name: b\n  user: {client-key: client.key, password: hunter2hunter2}\n"
    )
    secrets = GatewaySecrets.from_env({"KUBECONFIG": f"/nonexistent:{config}"}, ["KUBECONFIG"])
    text = f"{TOKEN} {data} {body} hunter2hunter2"
    out = secrets.scrub(text, {})
    assert out.count("[REDACTED:KUBECONFIG]") == 4, out


def test_a_kubeconfig_given_inline_is_scrubbed_too() -> None:
    inline = f"users:\n- name: a\n  user: {{token: {TOKEN}}}\n"
    secrets = GatewaySecrets.from_env({"KUBECONFIG": inline}, ["KUBECONFIG"])
    assert TOKEN not in secrets.scrub(f"token: {TOKEN}", {})


PLUGIN_USER = """users:
- name: gw
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: /usr/local/bin/vault-kube-login
      args: ["--role=gateway", "--secret-id=s3cr3t-id-9f8e7d6c"]
      env: [{name: VAULT_TOKEN, value: hvs.CAESIJ7x9kQ2}]
      interactiveMode: Never
- name: old
  user:
    auth-provider: {name: oidc, config: {idp-issuer-url: https://idp.example/x}}
    some-future-field: {nested: future-secret-value}
"""


def test_every_value_of_a_kubeconfig_user_is_a_credential_but_the_plain_ones() -> None:
    """Round 3, finding 11: exec-plugin args and env values, auth-provider config and
    fields nobody listed are scrubbed; the plugin's program and variable names are not."""
    secrets = GatewaySecrets.from_env({"KUBECONFIG": PLUGIN_USER}, ["KUBECONFIG"])
    hidden = ["s3cr3t-id-9f8e7d6c", "hvs.CAESIJ7x9kQ2", "https://idp.example/x"]
    out = secrets.scrub(" ".join([*hidden, "future-secret-value"]), {})
    assert out.split() == ["[REDACTED:KUBECONFIG]"] * 4, out
    plain = "/usr/local/bin/vault-kube-login VAULT_TOKEN Never oidc"
    assert secrets.scrub(plain, {}) == plain


_ESCAPES = (
    *("{c}", "%{b:02X}", "%{b:02x}", "%25{b:02X}", "\\u{o:04x}", "&#{o};", "&#x{o:x};"),
    *("\\{b:03o}", "\\u{{{o:x}}}", "\\x{b:02x}"),
)


def _escaped(text: str, choices: list[int]) -> str:
    """`text` with each character spelled by one of `_ESCAPES`, as `choices` say."""
    return "".join(
        _ESCAPES[n % len(_ESCAPES)].format(c=c, b=ord(c), o=ord(c))
        for c, n in zip(text, choices, strict=False)
    )


@settings(max_examples=300, deadline=None)
@given(
    before=st.text(alphabet="ab%&#;\\u0123456789xX", max_size=20),
    after=st.text(alphabet="ab%&#;\\u0123456789xX", max_size=20),
    choices=st.lists(st.integers(0, 50), min_size=len(TOKEN), max_size=len(TOKEN)),
)
def test_any_mix_of_escapes_is_scrubbed_and_the_text_around_it_kept(
    before: str, after: str, choices: list[int]
) -> None:
    """A match in the decoded view maps back to exactly the span of the escaped token."""
    secrets = GatewaySecrets([("TOKEN", TOKEN)])
    out = secrets.scrub(f"{before} {_escaped(TOKEN, choices)} {after}", {})
    assert out == f"{before} [REDACTED:TOKEN] {after}"
    assert secrets.scrub(f"{before} {after}", {}) == f"{before} {after}"


# Round 14b: a credential with the punctuation password generators use.
PUNCTUATED = 'gw/S3cr3t&Token"7f3a<9c2e1b'


def _json_text(text: str) -> str:
    return json.dumps(text)[1:-1]


# What programs print when they write the credential into HTML, JSON text or a form.
PUNCTUATED_ECHOES = {
    "html.escape": html.escape(PUNCTUATED),
    "xml, upper-case names": PUNCTUATED.replace("&", "&AMP;").replace("<", "&LT;"),
    "html, legacy names without ;": PUNCTUATED.replace("&", "&amp").replace("<", "&lt"),
    "html, &sol; for /": PUNCTUATED.replace("/", "&sol;"),
    "json.dumps": _json_text(PUNCTUATED),
    "php json_encode": _json_text(PUNCTUATED).replace("/", "\\/"),
}


@pytest.mark.parametrize("form", list(PUNCTUATED_ECHOES))
def test_a_credential_in_markup_or_json_text_is_scrubbed(form: str) -> None:
    secrets = GatewaySecrets([("TOKEN", PUNCTUATED)])
    counts: dict[str, int] = {}
    out = secrets.scrub(f"you sent <{PUNCTUATED_ECHOES[form]}> ok", counts)
    assert out == "you sent <[REDACTED:TOKEN]> ok" and counts == {"GATEWAY_SECRET": 1}, out


SHORT_ESCAPES = {"\\n": "\n", "\\t": "\t", "\\r": "\r", "\\b": "\b", "\\f": "\f"}
JSON_ESCAPES = {"\\\\": "\\", '\\"': '"', "\\/": "/"}
NAMED_REFERENCES = {"&amp;": "&", "&apos;": "'", "&copy;": "©", "&Tab;": "\t", "&amp": "&"}


@pytest.mark.parametrize(
    ("escape", "char"),
    [*SHORT_ESCAPES.items(), *JSON_ESCAPES.items(), *NAMED_REFERENCES.items(), ("&ampx", "&")],
)
def test_short_escapes_and_named_references_decode_to_one_character(escape: str, char: str) -> None:
    """`&ampx` is HTML5's reading: the legacy name `amp`, then the letter `x`."""
    view, origin = decoded_view(f"a{escape} b")
    rest = escape.removeprefix("&amp") if escape == "&ampx" else ""
    assert view == f"a{char}{rest} b"
    assert origin.span(1, 2) == (1, 1 + len(escape) - len(rest))


def test_unknown_and_two_character_references_stay_as_written() -> None:
    """`&nosuch;` is no reference; `&NotEqualTilde;` stands for two characters, which a
    view of one character per escape cannot hold: both are left as text."""
    text = "a &nosuch; b &NotEqualTilde; c & d &#;"
    view, origin = decoded_view(text)
    assert view == text.lower() and origin.at == []


def test_a_passphrase_form_encoded_is_scrubbed_and_base64_plus_is_still_read() -> None:
    """`+` is a space in a form but a base64 character elsewhere: both are read, and
    `%2B` (a `+` in a form) is no space."""
    phrase, token = "correct horse battery staple 42", "tok>>>-3c9f1a7e5d"
    secrets = GatewaySecrets([("P", phrase), ("T", token)])
    assert secrets.scrub("q=correct+horse+battery+staple+42&x=1", {}) == "q=[REDACTED:P]&x=1"
    plus_escaped = "q=correct%20horse+battery%2Bstaple+42"
    assert secrets.scrub(plus_escaped, {}) == plus_escaped
    encoded = base64.b64encode(b"x" + token.encode()).decode()
    assert "+" in encoded and "[REDACTED:T]" in secrets.scrub(f"q={encoded}", {})


def test_a_numeric_credential_in_a_json_number_is_scrubbed() -> None:
    secrets = GatewaySecrets([("PIN", "8402719365518273")])
    counts: dict[str, int] = {}
    value = {"a": 8402719365518273, "b": 184027193655182730, "c": 12.5, "d": True}
    out = secrets.scrub_json(value, counts)
    assert out == {"a": "[REDACTED:PIN]", "b": "1[REDACTED:PIN]0", "c": 12.5, "d": True}
    assert counts == {"GATEWAY_SECRET": 2}
    # a credential with letters can stand in no number: numbers are left alone
    assert GatewaySecrets([("T", TOKEN)]).scrub_json([84027193655182730], {}) == [84027193655182730]


# Round 16b: a credential holding a run the view decodes (`%3A`, `&reg`), echoed with
# another of its characters escaped: the view decodes its own run with the rest.
ESCAPE_LIKE = ['pX9%3Aq"Lm7/Rt2vB4', 'Hq7&reg"Zk29/Wd5c', 'k\\n7"Qw2%25zT9']


@pytest.mark.parametrize("secret", ESCAPE_LIKE)
@pytest.mark.parametrize(
    "escape", [_json_text, html.escape, quote, lambda s: quote(s, safe=""), lambda s: s]
)
def test_a_credential_holding_an_escape_like_run_is_scrubbed_when_escaped(
    secret: str, escape: Callable[[str], str]
) -> None:
    secrets = GatewaySecrets([("TOKEN", secret)])
    counts: dict[str, int] = {}
    out = secrets.scrub(f"you sent <{escape(secret)}> ok", counts)
    assert out == "you sent <[REDACTED:TOKEN]> ok" and counts == {"GATEWAY_SECRET": 1}, out


def test_a_decoded_form_shorter_than_a_secret_is_not_searched() -> None:
    """`%41%42%43%44%45` decodes to five characters, but `%3A%3B` to two, which would
    match ordinary punctuation: a decoded form is searched only at `MIN_SECRET`."""
    secrets = GatewaySecrets([("T", "%3A%3B")])
    assert secrets.scrub("a:;b", {}) == "a:;b"
    assert secrets.scrub("x%3A%3By", {}) == "x[REDACTED:T]y"


def test_a_numeric_credential_losing_its_leading_zeros_in_a_number_is_scrubbed() -> None:
    """A number drops a credential's leading zeros (`"0840…"` coerced to `840…`); a
    credential of digits is searched in numbers without them too, but only when
    what is left is as long as a secret."""
    secrets = GatewaySecrets([("PIN", "0840271936551827")])
    counts: dict[str, int] = {}
    assert secrets.scrub_json([840271936551827, 12], counts) == ["[REDACTED:PIN]", 12]
    assert counts == {"GATEWAY_SECRET": 1}
    assert GatewaySecrets([("PIN", "00012")]).scrub_json([12, 120], {}) == [12, 120]
    # text is not searched for the stripped digits: only numbers drop zeros
    # In text, the number is 15 of the PIN's 16 digits: a piece of it (round 27,
    # finding 6: any run of 8 or more characters of a held value is redacted).
    assert secrets.scrub("id 840271936551827", {}) == "id [REDACTED:PIN]"
    assert secrets.scrub("id 84027193", {}) == "id [REDACTED:PIN]"
    assert secrets.scrub("id 8402719", {}) == "id 8402719"


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"auth": f"Bearer {PUNCTUATED}"}).encode(),
        f"<p>{html.escape(PUNCTUATED)}</p>".encode(),
        b"\x00\xff" + PUNCTUATED.encode() + b"\x80",
    ],
)
def test_a_credential_escaped_in_binary_bytes_is_scrubbed_and_the_bytes_kept(body: bytes) -> None:
    """Bytes are read as Latin-1, one character each: a span found there is the bytes'."""
    secrets = GatewaySecrets([("TOKEN", PUNCTUATED)])
    counts: dict[str, int] = {}
    out = secrets.scrub_binary(body, counts)
    assert counts == {"GATEWAY_SECRET": 1}
    head, _, tail = out.partition(b"[REDACTED:TOKEN]")
    assert body.startswith(head) and body.endswith(tail), out
    assert secrets.scrub_binary(b"\xff\x00 nothing", {}) == b"\xff\x00 nothing"


UTF16 = {"utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be"}


@pytest.mark.parametrize("skip", [0, 1])
@pytest.mark.parametrize("codec", list(UTF16))
@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"auth": f"Bearer {PUNCTUATED}"}),
        f"<p>{html.escape(PUNCTUATED)}</p>",
        "".join(f"%{b:02X}" for b in PUNCTUATED.encode()),
        "l\u00e4nge " + PUNCTUATED,
    ],
)
def test_a_credential_in_a_utf16_binary_body_is_scrubbed(codec: str, skip: int, text: str) -> None:
    """A binary body is read as UTF-16 too (round 17b finding 4), in either byte order
    at either alignment, escapes decoded as in any text. A body that is UTF-16 from
    its first byte gets the marker in UTF-16 and still reads as UTF-16 around it
    (one byte off, ASCII reads the same in the other byte order: that is taken)."""
    secrets = GatewaySecrets([("TOKEN", PUNCTUATED)])
    body = b"\x07" * skip + text.encode(codec) + "\n—end".encode(codec)
    counts: dict[str, int] = {}
    out = secrets.scrub_binary(body, counts)
    assert counts == {"GATEWAY_SECRET": 1}, out
    shown = out[skip:].decode(codec, "replace")
    assert "7f3a" not in shown and "%37%66" not in shown, shown
    if not skip:
        assert "[REDACTED:TOKEN]" in shown and shown.endswith("\n—end"), shown
        head = shown.partition("[REDACTED:TOKEN]")[0]
        assert text.startswith(head) and len(head) >= max(0, text.find(" ")), shown


@settings(max_examples=200, deadline=None)
@given(
    before=st.binary(max_size=24),
    after=st.binary(max_size=24),
    codec=st.sampled_from(["latin-1", "utf-8", "utf-16-le", "utf-16-be"]),
    choices=st.lists(st.integers(0, 50), min_size=len(TOKEN), max_size=len(TOKEN)),
)
def test_an_escaped_credential_in_any_text_encoding_of_a_binary_body_is_scrubbed(
    before: bytes, after: bytes, codec: str, choices: list[int]
) -> None:
    """Whatever bytes stand around it (at either alignment), the credential with any
    mix of escapes, in any text encoding the body could be in, is redacted."""
    secrets = GatewaySecrets([("TOKEN", TOKEN)])
    echoed = f" {_escaped(TOKEN, choices)} ".encode(codec)
    counts: dict[str, int] = {}
    out = secrets.scrub_binary(before + echoed + after, counts)
    assert counts["GATEWAY_SECRET"] >= 1 and echoed not in out, out


def test_a_credential_in_utf8_with_other_characters_escaped_is_scrubbed() -> None:
    """A non-ASCII credential in UTF-8 with some characters escaped is no run of
    Latin-1 characters the view knows: the UTF-8 view reads it, its span mapped
    back to bytes over the multi-byte characters."""
    secret = "pässwört-7731/x"
    secrets = GatewaySecrets([("P", secret)])
    body = "ü:".encode() + secret.replace("/", "\\/").replace("t", "\\u0074").encode() + b"\xff"
    assert secrets.scrub_binary(body, {}) == "ü:[REDACTED:P]".encode() + b"\xff"


def test_a_non_ascii_credential_in_binary_bytes_is_scrubbed() -> None:
    secrets = GatewaySecrets([("P", "pässwört-7731")])
    body = b"\x01" + json.dumps({"p": "pässwört-7731"}, ensure_ascii=False).encode()
    assert secrets.scrub_binary(body, {}) == b'\x01{"p": "[REDACTED:P]"}'


@pytest.mark.parametrize("pad", range(50, 74))
def test_a_credential_in_wrapped_base64_or_quoted_printable_is_scrubbed(pad: int) -> None:
    """MIME base64 and quoted-printable are written in lines of 76: the view drops a
    soft line break (`=` at a line's end) and a line end between base64 characters,
    and the redacted span runs over the break."""
    secrets = GatewaySecrets([("TOKEN", PUNCTUATED)])
    wrapped = base64.encodebytes(b"#" * pad + PUNCTUATED.encode()).decode()
    out = secrets.scrub(wrapped, {})
    assert "[REDACTED:TOKEN]" in out and out.startswith(wrapped[:40]), out
    mail = quopri.encodestring(("x" * pad + PUNCTUATED).encode()).decode()
    out = secrets.scrub(mail, {})
    assert "=\n" in mail and out == "x" * pad + "[REDACTED:TOKEN]" + "\n" * mail.endswith("\n")


def _wrapped(text: str, width: int, end: str = "\n", prefix: str = "") -> str:
    return "".join(prefix + text[i : i + width] + end for i in range(0, len(text), width))


# How a text carries lines of base64 (round 17b finding 1): quoted in a reply, nested,
# with `<br>` line ends in a page (any spelling), folded onto one line by a space.
WRAPS = {
    "quoted": {"prefix": "> "},
    "quoted twice": {"prefix": "> > ", "end": "\r\n"},
    "quoted, no space": {"prefix": ">>"},
    "br": {"end": "<br>\n"},
    "br, self-closing, upper case": {"end": "<BR />\r\n"},
    "br alone": {"end": "<br/>"},
    "br then quoted": {"end": " <br>\n", "prefix": "> "},
    "folded": {"end": " "},
}


@pytest.mark.parametrize("width", [16, 64, 76])
@pytest.mark.parametrize("wrap", list(WRAPS))
def test_base64_wrapped_as_a_text_carries_lines_is_read_joined(wrap: str, width: int) -> None:
    """Whatever the wrap falls in (every alignment of 40 to 45 bytes before the
    credential), the joined lines hold its base64 and the span redacted runs over
    the line ends; what is not base64 around the credential is kept."""
    secrets = GatewaySecrets([("TOKEN", PUNCTUATED)])
    for pad in range(40, 46):
        encoded = base64.b64encode(b"#" * pad + PUNCTUATED.encode()).decode()
        text = _wrapped(encoded, width, **WRAPS[wrap])
        counts: dict[str, int] = {}
        out = secrets.scrub(text, counts)
        assert counts == {"GATEWAY_SECRET": 1}, (pad, out)
        head = re.sub(r"<[^>]*>", "", out.split("[REDACTED:TOKEN]")[0])
        kept = "".join(c for c in head if c.isalnum())
        assert kept.startswith(encoded[:40]) and "REDACTED" not in kept, out


def test_the_spaces_of_prose_and_of_a_passphrase_are_not_joined() -> None:
    """A fold is one space after 16 base64 characters or more: words are not joined,
    and a credential with spaces is still found as written. A base64 core split in
    pieces of `MIN_PIECE` or more is found whatever stands between them (round 19b);
    pieces shorter than that are not read as one."""
    secrets = GatewaySecrets([("TOKEN", TOKEN), ("P", "correct horse battery staple 42")])
    core = base64.b64encode(TOKEN.encode()).decode()
    split = f"{core[:10]} {core[10:]}"
    assert secrets.scrub(split, {}).startswith("[REDACTED:TOKEN]")  # (the aligned edge kept)
    chopped = " ".join(core[i : i + 5] for i in range(0, len(core), 5))
    assert secrets.scrub(chopped, {}) == chopped
    assert secrets.scrub("say correct horse battery staple 42", {}) == "say [REDACTED:P]"
    assert "[REDACTED:TOKEN]" in secrets.scrub(f"x{core[:16]} {core[16:]}", {})


def test_a_dropped_line_break_maps_back_around_it() -> None:
    view, origin = decoded_view("ab=\ncd\r\nef gh.\nij")
    assert view == "abcdef gh.\nij"  # a break after a character no base64 holds is kept
    assert origin.span(2, 4) == (4, 6) and origin.span(1, 3) == (1, 5)
    assert origin.span(4, 6) == (8, 10) and origin.span(11, 13) == (15, 17)
    assert not origin.decoded
    assert decoded_view("ab\n    cd")[0] == "abcd"  # indented (YAML)


@pytest.mark.parametrize(
    "echo",
    [PUNCTUATED, html.escape(PUNCTUATED), "".join(f"\\u{ord(c):04x}" for c in PUNCTUATED)],
)
def test_a_cut_through_a_credential_shows_none_of_it(echo: str) -> None:
    """Wherever the cut falls in the credential (as written or escaped), no 4 of its
    characters in a row are shown, whether the text goes on past the cut or ends."""
    secrets = GatewaySecrets([("TOKEN", PUNCTUATED)])
    raw = f"head {echo} tail".encode()
    pieces = [PUNCTUATED[i : i + MIN_PARTIAL] for i in range(len(PUNCTUATED) - 3)]
    for cut in range(len("head ") + 1, len(raw)):
        for read in (raw, raw[:cut]):
            shown = _unescaped(secrets.scrub_cut(read, cut, {}))
            assert not [p for p in pieces if p in shown], (cut, shown)


def _unescaped(text: str) -> str:
    return html.unescape(re.sub(r"\\u([0-9a-f]{4})", lambda m: chr(int(m[1], 16)), text))


def test_a_cut_keeps_the_text_before_it_and_splits_no_character() -> None:
    secrets = GatewaySecrets([("TOKEN", TOKEN)])
    raw = "é line one\nline twö\n".encode()
    assert secrets.scrub_cut(raw, 11, {}) == "é line one"
    assert secrets.scrub_cut(raw, len(raw) - 2, {}) == "é line one\nline tw"
    # a text ending in a head of the credential has the head redacted, counted
    counts: dict[str, int] = {}
    assert secrets.scrub_cut(b"x tok-3c9f1", 11, counts) == "x [REDACTED:TOKEN]"
    assert counts == {"GATEWAY_SECRET": 1}
    assert secrets.scrub_cut(b"x tok", 5, {}) == "x tok"  # shorter than MIN_PARTIAL


@pytest.mark.parametrize(
    "text",
    [
        ("&" + "a" * 40) * 5000,
        "&" * 200_000,
        "\\" * 200_000,
        ('\\"' * 3 + "x") * 30_000,
        "+" * 200_000,
        "tok-3c9f" * 30_000,
        "=\n" * 100_000,
        "a\r\n" * 70_000,
        "tok-3c9f\n" * 25_000,
        ("a" * 16 + " ") * 20_000,
        "a" + " " * 200_000,
        ("a" + " \t" * 8 + "<br" + " " * 8) * 10_000,
        "a\n" + "> " * 100_000,
        ("a\n" + "> " * 17) * 5_000,
        "<br" * 100_000,
        # grams of the credential's base64 the pieces search starts from, repeated
        _CORE[:5] * 40_000,
        (_CORE[:8] + "\n# ") * 15_000,
        (_CORE[:20] + '" +\n "') * 6_000,
    ],
)
def test_hostile_text_is_scrubbed_in_one_pass(text: str) -> None:
    """Built to make the new escapes or the head-of-a-form search repeat work: each
    finishes in a pass (a super-linear scan would make this test hang)."""
    secrets = GatewaySecrets([("TOKEN", TOKEN), ("P", "correct horse battery staple 42")])
    assert "tok-3c9f1" not in secrets.scrub(text, {})
    assert "tok-3c9f1" not in secrets.scrub_cut(text.encode(), len(text) - 3, {})
    assert b"tok-3c9f1" not in secrets.scrub_binary(text.encode("utf-16-le"), {})


# What stands between two lines of base64 as code and configs write them (round 19b
# finding 4): quotes and `+`, comment markers, line numbers, indentation, tags, line
# ends. No `%`, `\`, `&`, `=` or `0`: the view would read an escape into the pieces.
_JUNK = st.text(alphabet=" \t\r\n\"'+,#/<>:;[]()123456789pbrXYZ", max_size=GAP)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.integers(40, 45), st.data())
def test_base64_cut_in_pieces_with_anything_between_them_is_redacted(
    pad: int, data: st.DataObject
) -> None:
    """Cut anywhere in pieces of `MIN_PIECE` or more, with up to `GAP` characters of
    anything between two: no piece wholly inside the credential's base64 is left."""
    secrets = GatewaySecrets([("TOKEN", PUNCTUATED)])
    encoded = base64.b64encode(b"#" * pad + PUNCTUATED.encode()).decode()
    first, stop = -(-8 * pad // 6), 8 * (pad + len(PUNCTUATED)) // 6  # its core
    pieces: list[tuple[int, str]] = []
    at = 0
    while at < len(encoded):
        size = data.draw(st.integers(MIN_PIECE, 40))
        pieces.append((at, encoded[at : at + size]))
        at += size
    text = data.draw(_JUNK) + "".join(p + data.draw(_JUNK) for _, p in pieces)
    out = secrets.scrub(text, {})
    assert "[REDACTED:TOKEN]" in out, text
    inside = [p for at, p in pieces if first <= at and at + len(p) <= stop]
    assert not [p for p in inside if p in out], (text, out)


def _ordinary(rng: random.Random, size: int) -> list[str]:
    """Prose, a JSON document and base64 of random bytes (plain, and in lines of 76)."""
    words = ["patient", "claim", "amount", "status", "visit", "note", "Token", "gw", "S3cr3t"]
    prose = " ".join(rng.choice(words) for _ in range(size // 6))
    doc = json.dumps(
        [{"id": rng.getrandbits(64), "t": rng.choice(words)} for _ in range(size // 40)]
    )
    raw = base64.b64encode(rng.randbytes(size * 3 // 4)).decode()
    wrapped = "\n".join(raw[i : i + 76] for i in range(0, len(raw), 76))
    return [prose, doc, raw, wrapped]


def test_ordinary_text_and_random_base64_are_not_redacted() -> None:
    """The pieces search and the base64 documents decoded find nothing in text that
    holds no credential (docs/http.md gives the count on a few MB)."""
    secrets = GatewaySecrets([("TOKEN", PUNCTUATED), ("T2", TOKEN)])
    for text in _ordinary(random.Random(19), 250_000):
        counts: dict[str, int] = {}
        assert secrets.scrub(text, counts) == text and not counts


def test_a_credential_in_a_base64_document_in_a_base64_document_is_redacted() -> None:
    """A docker config Secret: base64 of a JSON document whose `auth` is the base64 of
    the credential. The outer run is redacted whole; a document three levels down is
    past `DECODE_DEPTH`."""
    secrets = GatewaySecrets([("TOKEN", PUNCTUATED)])
    auth = base64.b64encode(f"user:{PUNCTUATED}".encode()).decode()
    config = base64.b64encode(json.dumps({"auths": {"r": {"auth": auth}}}).encode()).decode()
    text = f'{{"data": {{".dockerconfigjson": "{config}"}}}}'
    assert secrets.scrub(text, {}) == '{"data": {".dockerconfigjson": "[REDACTED:TOKEN]"}}'
    deeper = base64.b64encode(f"x = {config}".encode()).decode()
    assert secrets.scrub(deeper, {}) == "[REDACTED:TOKEN]"  # two levels of documents
    deepest = base64.b64encode(f"y = {deeper}".encode()).decode()
    assert secrets.scrub(deepest, {}) == deepest


def test_a_json_array_of_base64_lines_is_read_as_one_text() -> None:
    secrets = GatewaySecrets([("TOKEN", PUNCTUATED)])
    encoded = base64.b64encode(b"#" * 40 + PUNCTUATED.encode()).decode()
    lines = [encoded[i : i + 64] for i in range(0, len(encoded), 64)]
    counts: dict[str, int] = {}
    out = secrets.scrub_json(["head", *lines, 7], counts)
    assert out[0] == "head" and out[-1] == 7 and counts == {"GATEWAY_SECRET": 1}
    assert out[1].startswith(encoded[:40]) and out[1].endswith("[REDACTED:TOKEN]")
    assert out[2].startswith("[REDACTED:TOKEN]"), out
