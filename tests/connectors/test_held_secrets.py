"""Round 25b finding 9 and its neighbours: every connector scrubs every secret the
gateway holds (its keys, every connection's credentials, chat and console secrets,
the state database's password), not only its own connection's."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest

from phigate.config import Settings
from phigate.connectors.exec import ExecConnector, exec_body
from phigate.connectors.held_secrets import HELD, HeldSecrets
from phigate.connectors.http import HttpConnector
from phigate.connectors.mcp import mask_result
from phigate.core.actions import Action, Description
from phigate.core.errors import ConfigError, NotAllowedError
from phigate.core.risk import RiskClass
from phigate.identity.principal import Principal, PrincipalKind
from phigate.masking.engine import MaskingEngine
from phigate.masking.settings import MaskingSettings
from phigate.ops.bootstrap import build_connectors
from tests.connectors.support import settings_with

OTHER_TOKEN = "pat-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
DB_PASSWORD = "pg-pass-5d1c9e7a3b"
WEBHOOK_SECRET = "whsec-0a1b2c3d4e5f6a7b"
MASKER = MaskingEngine(MaskingSettings(), b"k" * 32).masker("hipaa-safe-harbor")


def _settings(tmp_path: Path, **connections: Any) -> Settings:
    (tmp_path / "patients-token").write_text(f"{OTHER_TOKEN}\n")
    patients = {
        "type": "http",
        "base_url": "http://127.0.0.1:9/api",
        "auth": {"scheme": "bearer", "value": f"file:{tmp_path / 'patients-token'}"},
    }
    billing = {"type": "postgres", "dsn": f"postgresql://app:{DB_PASSWORD}@127.0.0.1:1/billing"}
    gone = {"type": "http", "base_url": "http://127.0.0.1:9", "auth": {"value": "${NOT_SET_25B}"}}
    return settings_with(
        tmp_path, {"patients": patients, "billing": billing, "gone": gone, **connections}
    )


def _held(settings: Settings) -> set[str]:
    connector = build_connectors(settings)["patients"]
    assert isinstance(connector, HttpConnector)
    return {value for name, value in connector.held.held() if name == HELD}


def test_the_registry_holds_the_gateways_keys_and_every_connections_credentials(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    held = _held(settings)
    secrets = tmp_path / "secrets"
    for name in ("masking_key", "token_hash_key", "audit_signing_key.pem"):
        assert (secrets / name).read_text().strip() in held, name
    assert {OTHER_TOKEN, DB_PASSWORD} <= held


def test_chat_console_and_state_secrets_are_held(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    state = settings.state.model_copy(update={"url": f"postgresql://gw:{DB_PASSWORD}x@db/state"})
    channels = settings.channels.model_validate(
        {"webhooks": [{"url": "https://hooks.example/x", "secret": WEBHOOK_SECRET}]}
    )
    console = settings.console.model_copy(update={"oidc_client_secret": "oidc-secret-77aa88bb"})
    changed = settings.model_copy(update={"state": state, "channels": channels, "console": console})
    held = _held(changed)
    assert {f"{DB_PASSWORD}x", WEBHOOK_SECRET, "oidc-secret-77aa88bb"} <= held


def test_an_unreadable_secret_is_left_out_and_the_rest_still_held() -> None:
    def unset() -> list[tuple[str, str]]:
        raise ConfigError("secret ${X}: environment variable X is not set")

    held = HeldSecrets()
    held.add(unset)
    held.add(lambda: [("x", "still-held-0123456789")])
    assert held.held() == ((HELD, "still-held-0123456789"),)
    shown = held.scrubber([("own", "own-value-abcdef012")]).scrub(
        "still-held-0123456789 own-value-abcdef012", {}
    )
    assert shown == "[REDACTED:gateway secret] [REDACTED:own]", shown


async def test_an_exec_command_that_reads_the_gateways_files_shows_none_of_them(
    tmp_path: Path,
) -> None:
    """The exec connector's neighbour of the MCP finding: `cat` of the masking key or
    another connection's token file comes back redacted."""
    work = tmp_path / "work"
    work.mkdir()
    cat = {"type": "exec", "programs": ["/bin/cat"], "working_dir": str(work)}
    settings = _settings(tmp_path, files=cat)
    connector = build_connectors(settings)["files"]
    assert isinstance(connector, ExecConnector)
    paths = [tmp_path / "secrets" / "masking_key", tmp_path / "patients-token"]
    action = Action(
        connection="files",
        kind="exec",
        body=exec_body(["/bin/cat", *map(str, paths)]),
        principal=Principal("ops", PrincipalKind.HUMAN),
        front_door="test",
    )
    result = await connector.run(action, Description(RiskClass.READ), MASKER)
    out = result.payload["stdout"]
    for path in paths:
        assert path.read_text().strip() not in out, out
    assert out.count("[REDACTED:gateway secret]") == 2, out


async def test_an_mcp_connections_own_values_keep_their_names(tmp_path: Path) -> None:
    """Its own header is redacted under its own name; the others under `HELD`."""
    mcp = {
        "type": "mcp",
        "command": [sys.executable, "-c", "pass"],
        "env": {"UPSTREAM_KEY": "upstream-key-0f1e2d3c4b"},
    }
    connector = build_connectors(_settings(tmp_path, records=mcp))["records"]
    scrub = connector.secrets().scrub  # type: ignore[attr-defined]
    shown = scrub(f"upstream-key-0f1e2d3c4b and {OTHER_TOKEN}", {})
    assert shown == "[REDACTED:UPSTREAM_KEY] and [REDACTED:gateway secret]", shown


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(depth):
        value = {"a": value}
    return value


def test_an_mcp_structured_result_too_deep_to_read_is_refused_by_name() -> None:
    """Finding 4's MCP neighbour: the scrubber and the masker recurse per level."""
    deep = types.CallToolResult(content=[], structured_content=_nested(3000))
    with pytest.raises(NotAllowedError, match="more than 200 levels deep"):
        mask_result(deep, MASKER)
    shallow = types.CallToolResult(content=[], structured_content=_nested(150))
    assert mask_result(shallow, MASKER)[0]["structured"] is not None


def test_the_audit_key_kept_beside_the_state_is_held_when_none_is_configured(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    kept = tmp_path / "audit_signing_key.pem"  # beside state.db (tests.conftest)
    kept.write_text("-----BEGIN PRIVATE KEY-----\nkept-key-line-0123456789abcdef\n")
    unset = settings.model_copy(
        update={"audit": settings.audit.model_copy(update={"signing_key": None})}
    )
    assert kept.read_text().strip() in _held(unset)
