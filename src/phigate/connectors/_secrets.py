"""The gateway's own credentials, in every form a connector's output could carry them.

A connector hands an upstream what the caller must never see: environment
values, a kubeconfig, MCP headers. An upstream (or a command the caller chose)
can print them back as they are, line by line, inside a header value
(`Bearer …`), base64-encoded at any alignment (a Secret made from them, `base64
-w0`), or, for a kubeconfig, as the keys and tokens inside the file the
environment points at. `GatewaySecrets` expands each value into these forms once
and replaces every occurrence with `[REDACTED:<name>]` before anything is masked.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

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
        for name, value in named:
            for form in forms(value):
                pairs.setdefault(form, name)
        self.pairs = sorted(((n, f) for f, n in pairs.items()), key=lambda p: -len(p[1]))

    @classmethod
    def from_env(cls, env: dict[str, str], secret_names: Iterable[str]) -> GatewaySecrets:
        """Scrub the declared variables, and the credentials in any kubeconfig they name."""
        named = [(name, env[name]) for name in secret_names]
        kubeconfig = env.get("KUBECONFIG")
        if kubeconfig:
            named.extend(("KUBECONFIG", v) for v in kubeconfig_secrets(kubeconfig))
        return cls(named)

    def scrub(self, text: str, counts: dict[str, int]) -> str:
        for name, value in self.pairs:
            hits = text.count(value)
            if hits:
                text = text.replace(value, f"[REDACTED:{name}]")
                counts["GATEWAY_SECRET"] = counts.get("GATEWAY_SECRET", 0) + hits
        return text

    def scrub_json(self, value: Any, counts: dict[str, int]) -> Any:
        if isinstance(value, str):
            return self.scrub(value, counts)
        if isinstance(value, list):
            return [self.scrub_json(v, counts) for v in value]
        if isinstance(value, dict):
            scrub, deep = self.scrub, self.scrub_json
            return {scrub(str(k), counts): deep(v, counts) for k, v in value.items()}
        return value


def forms(value: str) -> set[str]:
    """The value, its lines and words, and the base64 text of each at any alignment."""
    value = value.strip()
    if len(value) < MIN_SECRET:
        return set()
    # Each line of a file (PEM armour is no secret); the token after a header's scheme
    # (`Bearer <token>`) — not every word of a phrase, which would redact plain prose.
    words = value.split()
    pieces = value.splitlines() if "\n" in value else words if len(words) == 2 else []
    pieces = [p.strip() for p in pieces]
    plain = {value} | {p for p in pieces if len(p) >= MIN_PIECE and not p.startswith("-----")}
    out = set(plain)
    for text in plain:
        out |= set(base64_cores(text.encode()))
    return out


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
