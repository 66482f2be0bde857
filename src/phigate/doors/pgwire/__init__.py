"""The PostgreSQL wire protocol front door: psql, psycopg, asyncpg, pgbench talk to phigate.

A proxy: it authenticates the client itself (user = phigate subject, password =
token), opens its own upstream connection with the gateway's credentials, and
checks every statement with the gateway before anything reaches the upstream.
`_codec` frames and parses messages (sans-IO), `_relay` masks the upstream's
answers, `session` is the per-connection state machine, and `server` is the
one module that touches sockets. See docs/pgwire.md.
"""

from __future__ import annotations

from phigate.doors.pgwire.settings import PgWireSettings

__all__ = ["PgWireSettings"]
