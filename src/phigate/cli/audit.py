"""`phigate audit verify|export|checkpoint|public-key`: the audit log, read offline."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from phigate.cli._common import (
    CONFIG_OPTION,
    audit_settings,
    console,
    load_config,
    out,
    printable,
)


@click.group()
def audit() -> None:
    """Verify and export the audit log."""


@contextlib.contextmanager
def _audit_log(config_path: Path, state: str | None, *, signed: bool = False) -> Iterator[Any]:
    from phigate.audit.keys import open_state, signing_key_for, verifying_log

    settings = audit_settings(config_path, state)
    url = state or settings.state.url
    signer = signing_key_for(settings, state_url=url) if signed else None
    db = open_state(settings, url=url)  # with the audit key: records' MACs are checked
    try:
        db.ensure_current(migrate=False)  # else: "run `phigate migrate`", not a SQL error
        # Checkpoints of earlier keys listed in the config prove what they cover.
        yield verifying_log(settings, db, signer=signer)
    finally:
        db.dispose()


def _trusted_keys(public_key: Path | None, settings: Any) -> frozenset[str] | None:
    """Key ids checkpoints must be signed with: --public-key, else a configured key."""
    from phigate.audit.checkpoint import trusted_key_id
    from phigate.audit.keys import trusted_key_ids
    from phigate.core.errors import ConfigError

    if public_key is not None:
        try:
            text = public_key.read_text()
        except OSError as exc:
            raise ConfigError(f"--public-key {public_key}: cannot read: {exc.strerror}") from exc
        return frozenset({trusted_key_id(text, where=f"--public-key {public_key}")})
    return trusted_key_ids(settings) if settings is not None else None


@audit.command("verify")
@CONFIG_OPTION
@click.option("--state", default=None, help="State store URL (default: from the config).")
@click.option(
    "--file",
    "export_file",
    type=click.File("rb"),
    default=None,
    help="Verify an exported JSON-lines file instead of the store.",
)
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Checkpoints must be signed with this key (PEM, base64, or its key id; "
    "default: audit.signing_key when configured).",
)
@click.option(
    "--against",
    "earlier",
    type=click.File("rb"),
    default=None,
    help="An earlier export, or a log holding the gateway's `phigate.audit` checkpoint "
    "lines: the log must still hold what those checkpoints signed.",
)
def audit_verify(
    config_path: Path,
    state: str | None,
    export_file: Any,
    public_key: Path | None,
    earlier: Any,
) -> None:
    """Exit 0 when the chain is intact and its tail proven by a signed checkpoint (for the
    store, records after the latest checkpoint are counted); 1 naming the problem."""
    from phigate.audit.export import read_checkpoints, text_lines, verify_export

    kept = [] if earlier is None else read_checkpoints(text_lines(earlier), source=earlier.name)
    if export_file is not None:
        # Offline, a configuration is read only when named (an auditor's machine has none).
        named = click.get_current_context().get_parameter_source("config_path")
        settings = None if named == click.core.ParameterSource.DEFAULT else load_config(config_path)
        keys = _trusted_keys(public_key, settings)
        result = verify_export(text_lines(export_file), trusted=keys, kept=kept)
    else:
        keys = _trusted_keys(public_key, audit_settings(config_path, state))
        with _audit_log(config_path, state) as log:
            result = log.verify(trusted=keys, kept=kept)
    trusted = keys is not None
    if result.ok and trusted and result.checkpoint is None and result.unproven:
        result = _unproven_failure(result)
    if not result.ok:
        # The problem may quote the file (a forged `seq`): printed as text, with
        # anything a terminal would act on escaped, so a file cannot write to it.
        console.print(
            f"audit chain BROKEN at sequence {result.first_bad_seq}: "
            f"{printable(str(result.problem))} ({result.records} records verified before it)",
            highlight=False,
        )
        sys.exit(1)
    out.print(f"audit chain intact: {result.records} records, head {result.head_hash}")
    out.print(_tail_summary(result, trusted=trusted), highlight=False)
    if export_file is not None:
        out.print(_NO_MACS_OFFLINE, highlight=False)


# What an offline check cannot see, said rather than left to be assumed.
_NO_MACS_OFFLINE = (
    "record MACs not checked: exports carry none; the checkpoint's signature proves "
    "the records it covers (the gateway checked their MACs before signing it)"
)


def _unproven_failure(result: Any) -> Any:
    """With a trusted key, records no believed checkpoint covers are not a success."""
    import dataclasses

    problem = f"no signed checkpoint: {result.unproven} records unproven"
    return dataclasses.replace(result, ok=False, first_bad_seq=1, problem=problem)


def _tail_summary(result: Any, *, trusted: bool) -> str:
    from phigate.audit.tail import when

    checkpoint = result.checkpoint
    if checkpoint is None:
        return f"no signed checkpoint yet: all {result.unproven} records are unproven"
    line = (
        f"tail proven by the checkpoint at sequence {checkpoint.seq}, signed "
        f"{when(checkpoint.ts)} by key {checkpoint.key_id}"
    )
    if not trusted:
        line += (
            " (the key the checkpoint names: pass --public-key, or configure "
            "audit.signing_key, to insist on the gateway's)"
        )
    if result.unproven:
        line += f"; {result.unproven} records after it await the next checkpoint (unproven)"
    return line


@audit.command("export")
@CONFIG_OPTION
@click.option("--state", default=None, help="State store URL (default: from the config).")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl")
@click.option("--since", type=int, default=0, help="Only records after this sequence number.")
def audit_export(config_path: Path, state: str | None, fmt: str, since: int) -> None:
    """Stream a signed checkpoint of the head, then the records up to it as JSON lines,
    each with its chain hash."""
    with _audit_log(config_path, state, signed=True) as log:
        for line in log.export_lines(since=since):
            click.echo(line)


@audit.command("checkpoint")
@CONFIG_OPTION
@click.option("--state", default=None, help="State store URL (default: from the config).")
@click.option(
    "--at",
    type=click.IntRange(min=1),
    default=None,
    help="Sign the record at this sequence number, not the head: the last one an "
    "earlier key wrote, when it was replaced without a checkpoint.",
)
def audit_checkpoint(config_path: Path, state: str | None, at: int | None) -> None:
    """Sign a checkpoint of the head now (also logged as a witness line) and print it:
    before replacing audit.signing_key, so the old key proves every record it MAC'd.
    Refused (exit 1) if a record it would cover was not MAC'd with this key."""
    from phigate.audit.chain import ForgedRecordError, witness_line

    with _audit_log(config_path, state, signed=True) as log:
        try:
            checkpoint = log.checkpoint(at=at)
        except ForgedRecordError as exc:
            console.print(f"audit checkpoint refused: {printable(exc.message)}", highlight=False)
            sys.exit(1)
    click.echo(witness_line(checkpoint))
    console.print(
        f"audit checkpoint at sequence {checkpoint.seq}, key {checkpoint.key_id}",
        highlight=False,
    )


@audit.command("public-key")
@CONFIG_OPTION
@click.option("--state", default=None, help="State store URL (default: from the config).")
def audit_public_key(config_path: Path, state: str | None) -> None:
    """Print the public key that signs checkpoints (PEM) and its key id, for auditors
    to keep and pass to `phigate audit verify --public-key`."""
    from phigate.audit.keys import signing_key_for

    settings = audit_settings(config_path, state)
    signer = signing_key_for(settings, state_url=state)
    click.echo(signer.public_pem().rstrip())
    click.echo(f"# key id: {signer.key_id}")
