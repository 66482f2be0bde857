"""Assemble a Gateway from validated settings: state store, identity, masking, connectors."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from phigate.audit._canonical import canonical_json
from phigate.audit.keys import open_state, signing_key_for, trusted_key_ids
from phigate.config import (
    ExecConnection,
    HttpConnection,
    McpConnection,
    PostgresConnection,
    Settings,
)
from phigate.connectors.base import Connector
from phigate.connectors.exec import ExecConnector
from phigate.connectors.held_secrets import HeldSecrets, HoldsSecrets, settings_secrets
from phigate.connectors.http import HttpConnector
from phigate.connectors.mcp import McpConnector
from phigate.connectors.postgres import PostgresConnector
from phigate.core import clock
from phigate.core.errors import AuditUnavailableError, ConfigError, PhigateError
from phigate.identity.oidc import OidcVerifier
from phigate.identity.people import People
from phigate.identity.principal import PrincipalKind
from phigate.identity.tokens import TokenStore
from phigate.masking.engine import MaskingEngine
from phigate.pipeline.gateway import Gateway

log = logging.getLogger(__name__)


def build_connectors(settings: Settings) -> dict[str, Connector]:
    """Every connection's connector, all scrubbing with one registry of every secret
    the gateway holds (`held_secrets`): its keys and every connection's credentials."""
    held = HeldSecrets()
    connectors: dict[str, Connector] = {}
    for name, conn in settings.connections.items():
        if isinstance(conn, PostgresConnection):
            connectors[name] = PostgresConnector(name, conn, limits=settings.limits)
        elif isinstance(conn, ExecConnection):
            connectors[name] = ExecConnector(name, conn, held)
        elif isinstance(conn, HttpConnection):
            connectors[name] = HttpConnector(name, conn, held)
        elif isinstance(conn, McpConnection):
            connectors[name] = McpConnector(name, conn, held)
        else:  # pragma: no cover - the discriminated union admits no other type yet
            raise ConfigError(f"connections.{name}: unsupported type")
    for source in settings_secrets(settings):
        held.add(source)
    for connector in connectors.values():
        if isinstance(connector, HoldsSecrets):
            held.add(connector.own_secrets)
    return connectors


def _key(settings: Settings, which: str) -> bytes:
    ref = getattr(settings.secrets, which)
    value = ref.reveal().encode()
    if len(value) < 16:
        raise ConfigError(f"secrets.{which}: must be at least 16 bytes")
    return bytes(value)


def build_gateway(
    settings: Settings, *, migrate: bool | None = None, migrations: Path | None = None
) -> Gateway:
    """`migrations` is for tests only: see `Database`."""
    db = open_state(settings, migrations=migrations)
    try:
        db.ensure_current(migrate=settings.state.migrate_on_start if migrate is None else migrate)
    except PhigateError:  # a refusal (schema behind, or too new): close its pool now
        db.dispose()
        raise
    with db.read() as conn:  # expiry and records on the clock replicas share
        clock.calibrate(conn)  # exported live (core/metrics.py CLOCK_OFFSET, CLOCK_UNCERTAINTY)
    oidc = OidcVerifier(settings.identity.oidc) if settings.identity.oidc is not None else None
    gateway = Gateway(
        settings,
        db,
        connectors=build_connectors(settings),
        tokens=TokenStore(
            db, _key(settings, "token_hash_key"), people=People(settings.identity.aliases)
        ),
        masking=MaskingEngine(settings.masking, _key(settings, "masking_key")),
        oidc=oidc,
        signer=signing_key_for(settings),
        # Verification over REST, in the console and in reports insists on these keys.
        trusted_keys=trusted_key_ids(settings),
    )
    check_chat_people(gateway)
    record_policy(gateway)
    sign_at_start(gateway)
    return gateway


def sign_at_start(gateway: Gateway) -> None:
    """Sign a checkpoint as the gateway starts, so a log verified with its key always
    has one. A refusal (a forged record, phigate.audit.mac) is logged, not fatal:
    an insider must not be able to keep every gateway from starting."""
    if not gateway.signs_checkpoints:
        return
    try:
        gateway.checkpoint_audit()
    except AuditUnavailableError:
        log.exception("audit checkpoint at start failed")


def check_chat_people(gateway: Gateway) -> None:
    """Refuse to start when a chat user is mapped to a subject that holds agent or
    service tokens: chat users review as humans, so the mapping would make an agent's
    name an approver. (Votes check again, for tokens created later.)"""
    problems = [
        f"channels.{where}.subject: {person.subject!r} holds "
        f"{', '.join(sorted(kinds))} tokens; chat users review as humans"
        for where, person in gateway.settings.channels.people().items()
        if (kinds := gateway.token_kinds(person.subject) - {PrincipalKind.HUMAN})
    ]
    if problems:
        gateway.db.dispose()
        raise ConfigError("\n".join(problems))


def policy_hash(settings: Settings) -> str:
    """SHA-256 of the policy in force (rules and reveal approvals, canonical JSON)."""
    body = canonical_json(settings.policy.model_dump(mode="json"))
    return hashlib.sha256(body.encode()).hexdigest()


def record_policy(gateway: Gateway) -> None:
    """Audit which policy a starting gateway enforces, so evidence can name the version."""
    gateway.record_event(
        "policy.loaded",
        {
            "policy_hash": policy_hash(gateway.settings),
            "rules": [rule.name for rule in gateway.settings.policy.rules],
        },
    )
