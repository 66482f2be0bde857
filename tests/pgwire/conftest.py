"""Fixtures: a gateway harness with a wire listener in front of the EHR database."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from phigate.doors.pgwire import PgWireSettings
from phigate.doors.pgwire.server import WireListener
from phigate.ops.bootstrap import build_gateway
from phigate.pipeline.gateway import Gateway
from tests.conftest import demo_config, demo_tokens, reader_dsn_for


@dataclass
class Harness:
    """The gateway and the demo identities' tokens (no HTTP app: the wire is the door)."""

    gateway: Gateway
    tokens: dict[str, str]


def make_gateway_harness(settings: Any) -> Harness:
    gateway = build_gateway(settings, migrate=True)
    return Harness(gateway, demo_tokens(gateway))


@dataclass
class Wire:
    harness: Harness
    listener: WireListener

    @property
    def port(self) -> int:
        return self.listener.port

    def dsn(self, subject: str, **extra: str) -> str:
        token = self.harness.tokens[subject]
        parts = [
            f"host=127.0.0.1 port={self.port} dbname=ehr user={subject}",
            f"password={token} sslmode=disable",
        ]
        parts += [f"{k}={v}" for k, v in extra.items()]
        return " ".join(parts)

    def url(self, subject: str, driver: str = "postgresql") -> str:
        token = self.harness.tokens[subject]
        return f"{driver}://{subject}:{token}@127.0.0.1:{self.port}/ehr"


async def start_wire(
    tmp_path: Path,
    dsn: str,
    overrides: dict[str, Any] | None = None,
    *,
    reader: bool = True,
    reader_dsn: str | None = None,
    **settings: Any,
) -> tuple[Harness, WireListener]:
    """A wire listener whose sessions log in as the reader role (the second guard);
    `reader=False` logs them in as the writer, for what the reader path cannot run;
    `reader_dsn` names another reader."""
    harness = make_gateway_harness(demo_config(tmp_path, dsn, overrides=overrides))
    wire_settings = PgWireSettings(**{"approval_wait_seconds": 1.0, **settings})
    listener = WireListener(
        harness.gateway,
        "ehr",
        "127.0.0.1:0",
        dsn,
        settings=wire_settings,
        read_dsn=(reader_dsn or reader_dsn_for(dsn)) if reader else None,
    )
    try:
        await listener.start()
    except BaseException:
        await harness.gateway.close()
        raise
    return harness, listener


@contextlib.asynccontextmanager
async def serving(tmp_path: Path, dsn: str, **settings: Any) -> AsyncIterator[Wire]:
    """A wire listener (`start_wire`'s arguments) for the length of the block."""
    harness, listener = await start_wire(tmp_path, dsn, **settings)
    try:
        yield Wire(harness, listener)
    finally:
        await listener.close()
        await harness.gateway.close()


@pytest.fixture
async def wire(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Wire]:
    async with serving(tmp_path, ehr_dsn) as served:
        yield served
