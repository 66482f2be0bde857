"""A held secret read in pieces (runs of `RUN` characters) or shown in a hex dump."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from phigate.connectors._secret_runs import RUN
from phigate.connectors._secrets import GatewaySecrets

TOKEN = "pat-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
SECRETS = GatewaySecrets([("held", TOKEN)])


def _scrub(text: str) -> str:
    return SECRETS.scrub(text, {})


@pytest.mark.parametrize(("start", "size"), [(0, RUN), (0, 18), (18, 18), (11, RUN), (28, RUN)])
def test_a_run_of_the_secret_is_redacted(start: int, size: int) -> None:
    piece = TOKEN[start : start + size]
    assert _scrub(f"read: {piece}!") == "read: [REDACTED:held]!"


def test_a_run_is_redacted_as_far_as_it_goes() -> None:
    assert _scrub(f"x{TOKEN[3:20]}y") == "x[REDACTED:held]y"


def test_a_run_shorter_than_the_limit_is_shown() -> None:
    piece = TOKEN[5 : 5 + RUN - 1]
    assert _scrub(f"read: {piece}") == f"read: {piece}"


def test_a_run_of_prose_characters_is_shown() -> None:
    """A passphrase's words stand in ordinary text: a run of them alone is no piece."""
    secrets = GatewaySecrets([("held", "correct horse battery staple 42")])
    assert secrets.scrub("the battery staple", {}) == "the battery staple"
    assert secrets.scrub("staple 42", {}) == "[REDACTED:held]"


def test_pem_armour_is_no_piece() -> None:
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"
    secrets = GatewaySecrets([("key", pem)])
    assert secrets.scrub("-----BEGIN PRIVATE KEY", {}) == "-----BEGIN PRIVATE KEY"
    assert secrets.scrub("ADANBgkqhkiG", {}) == "[REDACTED:key]"


# ── hex dumps, written as the tools write them ──────────────────────────────────────
def _xxd(raw: bytes, group: int = 2) -> str:
    lines = []
    for at in range(0, len(raw), 16):
        row = raw[at : at + 16]
        hexed = " ".join(row[i : i + group].hex() for i in range(0, len(row), group))
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in row)
        lines.append(f"{at:08x}: {hexed:<{16 * 2 + 16 // group - 1}}  {text}")
    return "\n".join(lines)


def _hexdump_c(raw: bytes) -> str:
    lines = []
    for at in range(0, len(raw), 16):
        row = raw[at : at + 16]
        halves = [row[:8].hex(" "), row[8:].hex(" ")]
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in row)
        lines.append(f"{at:08x}  {'  '.join(h for h in halves if h):<48}  |{text}|")
    return "\n".join([*lines, f"{len(raw):08x}"])


def _od_x(raw: bytes) -> str:
    """`od -x`: octal offsets, two-byte words as little-endian numbers, no text."""
    raw += b"\0" * (len(raw) % 2)
    lines = []
    for at in range(0, len(raw), 16):
        row = raw[at : at + 16]
        words = " ".join(row[i : i + 2][::-1].hex() for i in range(0, len(row), 2))
        lines.append(f"{at:07o} {words}")
    return "\n".join(lines)


_DUMPS: dict[str, Callable[[bytes], str]] = {
    "xxd": _xxd,
    "xxd-g1": lambda raw: _xxd(raw, 1),
    "xxd-g4": lambda raw: _xxd(raw, 4),
    "hexdump-C": _hexdump_c,
    "od-x": _od_x,
}


def _words_swapped(dump: str) -> str:
    """The hex of the two-byte words a dump still shows, each word's bytes swapped."""
    return "".join(w[2:] + w[:2] for w in re.findall(r"(?<![0-9a-f])[0-9a-f]{4}(?![0-9a-f])", dump))


@pytest.mark.parametrize("name", list(_DUMPS))
@pytest.mark.parametrize("before", [b"", b"hello ", b"x" * 13])
def test_a_secret_in_a_hex_dump_is_redacted(name: str, before: bytes) -> None:
    raw = before + f"{TOKEN}\n".encode()
    out = _scrub(_DUMPS[name](raw))
    assert "[REDACTED:held]" in out
    for piece in (TOKEN[i : i + RUN] for i in range(0, len(TOKEN) - RUN + 1)):
        assert piece not in out.replace("\n", "")
        assert piece.encode().hex() not in "".join(out.split())
        assert piece.encode().hex() not in _words_swapped(out)


@pytest.mark.parametrize("name", list(_DUMPS))
def test_a_dump_without_a_secret_is_left_as_it_is(name: str) -> None:
    dump = _DUMPS[name](bytes(range(256)) + b"cafe babe dead beef")
    assert _scrub(dump) == dump


def test_the_bytes_around_the_secret_stay_readable() -> None:
    out = _scrub(_xxd(b"hello " + TOKEN.encode() + b"\n"))
    assert out.startswith("00000000: 6865 6c6c 6f20 [REDACTED:held]  hello [REDACTED:held]")


def test_a_held_document_lends_runs_only_of_its_credential_lines() -> None:
    """A kubeconfig held whole: a run of its structure, a URL's scheme or a program's
    path is no piece (they stand in every answer); its credentials' pieces are."""
    kubeconfig = (
        "users:\n- name: gw\n  user:\n    exec:\n"
        "      command: /usr/local/bin/vault-kube-login\n"
        '      args: ["--secret-id=s3cr3t-id-9f8e7d6c"]\n'
        "    auth-provider: {config: {idp-issuer-url: https://idp.example/x}}\n"
    )
    secrets = GatewaySecrets.from_env({"KUBECONFIG": kubeconfig}, ["KUBECONFIG"])
    for plain in ("see https://example.com/a", "ran /usr/local/bin/python"):
        assert secrets.scrub(plain, {}) == plain
    assert secrets.scrub("half: 3cr3t-id-9f8e.", {}) == "half: [REDACTED:KUBECONFIG]."
