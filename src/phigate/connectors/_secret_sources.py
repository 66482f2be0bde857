"""Where the gateway's own secrets come from: the declared environment variables,
and the credentials in the kubeconfig files `KUBECONFIG` names."""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

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
