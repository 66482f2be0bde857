"""Settings of the PostgreSQL wire front door (the `pgwire:` section of phigate.yaml).

Which port a connection listens on is `connections.<name>.listen`; these
settings apply to every wire listener. This module must not import
phigate.config (config imports it).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class PgWireSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tls_cert: str | None = Field(default=None, description="PEM certificate chain for client TLS")
    tls_key: str | None = Field(default=None, description="PEM private key for tls_cert")
    allow_cleartext_on_loopback: bool = Field(
        default=True,
        description="accept the token as a cleartext password without TLS on 127.0.0.1/::1",
    )
    startup_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    approval_wait_seconds: float = Field(
        default=30.0,
        ge=0,
        le=3600,
        description="how long a statement waits in-session for approval",
    )
    max_message_bytes: int = Field(default=16 * 1024 * 1024, ge=1024, le=256 * 1024 * 1024)
    upstream_connect_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    revocation_check_seconds: float = Field(
        default=2.0,
        gt=0,
        le=60,
        description="how often open sessions are checked against the token store; a "
        "session whose API token was revoked or expired is ended",
    )
    max_copy_in_bytes: int = Field(
        default=1024 * 1024 * 1024,
        ge=1024,
        le=1024**4,
        description="the most a client may send in one COPY FROM STDIN on a read-only "
        "session (streamed to the writer, never held); past it the COPY is aborted (54000)",
    )
    # Each wire session holds one upstream connection: these keep one principal (or
    # all of them) from using up the upstream's connection slots.
    max_sessions: int = Field(
        default=64, ge=1, le=100_000, description="wire sessions one listener holds at once"
    )
    max_sessions_per_principal: int = Field(
        default=8, ge=1, le=100_000, description="wire sessions one principal holds at once"
    )

    def model_post_init(self, _context: Any) -> None:
        if self.max_sessions_per_principal > self.max_sessions:
            raise ValueError(
                f"max_sessions_per_principal ({self.max_sessions_per_principal}) "
                f"is more than max_sessions ({self.max_sessions})"
            )
