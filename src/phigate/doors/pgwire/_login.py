"""Logging the gateway in to the upstream PostgreSQL, sans-IO.

The gateway's own credentials come from the connection's DSN; the client's
start-up parameters are never forwarded except a short allow-list (no
`options`, no `role`), so a client cannot change who it is upstream.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field

from scramp import ScramClient, ScramException

from phigate.doors.pgwire import _codec as codec

# SCRAM (RFC 5802 / 7677) comes from scramp; without channel binding, as libpq
# does when the upstream connection is not over TLS.
MECHANISM = "SCRAM-SHA-256"

# Start-up parameters a client may pass through to the upstream.
FORWARDED_PARAMS = (
    "application_name",
    "DateStyle",
    "TimeZone",
    "extra_float_digits",
    "IntervalStyle",
)


class UpstreamLoginError(Exception):
    """The upstream refused the gateway, or spoke something unexpected."""

    def __init__(self, message: str, sqlstate: str = "08006") -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


class SessionLimitError(UpstreamLoginError):
    """The session would pass a wire session cap: too_many_connections."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "53300")


@dataclass
class UpstreamLogin:
    """Feed backend messages to `handle`; send what it returns; stop when `ready`."""

    user: str
    password: str
    database: str
    params: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)
    key: tuple[int, int] | None = None
    ready: bool = False
    _scram: ScramClient | None = None

    def startup(self) -> bytes:
        params = {
            "user": self.user,
            "database": self.database,
            "client_encoding": "UTF8",
            **self.params,
        }
        return codec.startup_message(params)

    def handle(self, msg: codec.Message) -> bytes | None:
        if msg.type == b"R":
            return self._auth(msg.body)
        if msg.type == b"S":
            name, _, rest = msg.body.partition(b"\x00")
            self.parameters[name.decode()] = rest.rstrip(b"\x00").decode()
        elif msg.type == b"K":
            if len(msg.body) != 8:
                raise UpstreamLoginError("malformed BackendKeyData")
            pid, secret = struct.unpack("!ii", msg.body)
            self.key = (pid, secret)
        elif msg.type == b"Z":
            self.ready = True
        elif msg.type == b"E":
            fields = dict(codec.parse_fields(msg.body))
            raise UpstreamLoginError(
                fields.get("M", "upstream refused the login"), fields.get("C", "08006")
            )
        elif msg.type not in (b"N", b"v"):
            raise UpstreamLoginError(f"unexpected message {msg.type!r} during upstream login")
        return None

    def _auth(self, body: bytes) -> bytes | None:
        if len(body) < 4:
            raise UpstreamLoginError("malformed authentication request")
        (code,) = struct.unpack_from("!i", body)
        payload = body[4:]
        try:
            return self._auth_step(code, payload)
        except (ScramException, ValueError, KeyError) as exc:
            raise UpstreamLoginError(f"upstream authentication failed: {exc}") from exc

    def _auth_step(self, code: int, payload: bytes) -> bytes | None:
        if code == 0:
            return None
        if code == 3:
            return codec.message(b"p", codec.cstr(self.password))
        if code == 5:
            inner = hashlib.md5((self.password + self.user).encode()).hexdigest()  # noqa: S324
            outer = hashlib.md5(inner.encode() + payload[:4]).hexdigest()  # noqa: S324
            return codec.message(b"p", codec.cstr("md5" + outer))
        if code == 10:
            if MECHANISM.encode() not in payload.split(b"\x00"):
                raise UpstreamLoginError("the upstream offers no supported SASL mechanism")
            # PostgreSQL ignores the SCRAM user name and uses the start-up user.
            self._scram = ScramClient([MECHANISM], self.user, self.password)
            first = self._scram.get_client_first().encode()
            body = codec.cstr(MECHANISM) + struct.pack("!i", len(first)) + first
            return codec.message(b"p", body)
        if code == 11 and self._scram is not None:
            self._scram.set_server_first(payload.decode())
            return codec.message(b"p", self._scram.get_client_final().encode())
        if code == 12 and self._scram is not None:
            self._scram.set_server_final(payload.decode())
            return None
        raise UpstreamLoginError(f"unsupported upstream authentication request {code}")
