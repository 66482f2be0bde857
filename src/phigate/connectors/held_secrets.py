"""Every secret the gateway holds, in one registry every connector's scrubber reads.

An upstream on the gateway's host (an MCP filesystem server, a command of an exec
connection, a service that echoes a file) can hand back anything the gateway's user
can read: the masking key (pseudonyms and tool tags are keyed by it), the token hash
key, another connection's credentials, a chat signing secret, the state database's
password. A scrubber that knew only its own connection's values would return all of
those as they are. So each connector spells out its own credentials
(`HoldsSecrets.own_secrets`, in the forms its upstream is handed them), the assembly
adds them and the gateway's own (`settings_secrets`) to one `HeldSecrets`, and every
connector scrubs with all of them, its own first (so their redaction names win).

A secret the gateway cannot read now (an unset variable, a missing file) is one it
does not hold: it is left out, and the connection that needs it fails on its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

from phigate.audit.keys import KEPT_KEY_NAME, state_dir
from phigate.config import SecretRef, Settings
from phigate.connectors._secrets import GatewaySecrets
from phigate.core.errors import ConfigError

Named = list[tuple[str, str]]
HELD = "gateway secret"  # how another connection's or the gateway's own value is redacted
# Secrets are read again this often (a rotated file's new value is held from then on);
# between reads every scrubber is built from the same values, and built once.
_REREAD_SECONDS = 5.0
_KEPT = 16  # scrubbers kept, by the values they were built from


@runtime_checkable
class HoldsSecrets(Protocol):
    """A connector whose upstream is handed credentials of the gateway's."""

    def own_secrets(self) -> Named:
        """(name, value) of each credential, in each spelling its upstream is handed."""
        ...


class HeldSecrets:
    """The registry: sources of (name, value) pairs, read when a scrubber is built."""

    def __init__(self) -> None:
        self._sources: list[Callable[[], Named]] = []
        self._read: tuple[float, tuple[tuple[str, str], ...]] | None = None
        self._built: dict[tuple[tuple[str, str], ...], GatewaySecrets] = {}

    def add(self, source: Callable[[], Named]) -> None:
        self._sources.append(source)
        self._read = None

    def held(self) -> tuple[tuple[str, str], ...]:
        """Every value the sources hold now, named `HELD`."""
        now = time.monotonic()
        if self._read is None or now - self._read[0] > _REREAD_SECONDS:
            values = dict.fromkeys(value for source in self._sources for value in _read(source))
            self._read = (now, tuple((HELD, value) for value in values))
        return self._read[1]

    def scrubber(self, own: Named) -> GatewaySecrets:
        """The scrubber of a connection holding `own`: those, then every held value."""
        key = (*own, *self.held())
        found = self._built.get(key)
        if found is None:
            if len(self._built) >= _KEPT:
                self._built.clear()
            found = self._built[key] = GatewaySecrets(key)
        return found


def _read(source: Callable[[], Named]) -> Iterator[str]:
    try:
        yield from (value for _, value in source())
    except ConfigError:  # not readable now: not held (see the module docstring)
        return


def settings_secrets(settings: Settings) -> list[Callable[[], Named]]:
    """The gateway's own secrets, one source each: its keys, the audit signing key, the
    state database's password, the chat channels' and the console's secrets."""
    refs = [settings.secrets.token_hash_key, settings.secrets.masking_key]
    # The configured audit key, else the one generated and kept beside the state.
    kept = SecretRef(ref=f"file:{state_dir(settings.state.url) / KEPT_KEY_NAME}")
    refs.append(settings.audit.signing_key or kept)
    channels, console = settings.channels, settings.console
    texts = [console.oidc_client_secret, *(hook.secret for hook in channels.webhooks)]
    if channels.slack is not None:
        slack = channels.slack
        texts += [slack.bot_token, slack.signing_secret, slack.app_token]
    if channels.teams is not None:
        texts.append(channels.teams.app_password)
    refs += [SecretRef(ref=text) for text in texts if text]
    sources: list[Callable[[], Named]] = [_revealed(ref) for ref in refs]
    return [*sources, lambda: [(HELD, value) for value in url_passwords(settings.state.url)]]


def _revealed(ref: SecretRef) -> Callable[[], Named]:
    return lambda: [(HELD, ref.reveal())]


def url_passwords(url: str) -> list[str]:
    """The password a URL (a database DSN) carries, as written and percent-decoded."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return []
    return [] if not password else list(dict.fromkeys([password, unquote(password)]))
