"""GatewaySecrets: the gateway's credentials are recognised in every form output carries them."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.connectors._secrets import GatewaySecrets, _view

TOKEN = "tok-3c9f1a7e5d2b8046"


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
    view, origin = _view(text)
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
