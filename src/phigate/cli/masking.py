"""`phigate mask`: mask text, JSON lines or CSV from stdin to stdout.

A thin layer over the engine.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import click
import yaml
from pydantic import ValidationError

from phigate.masking.columns import ColumnInfo
from phigate.masking.detect import MaskingError
from phigate.masking.engine import Masker, MaskingEngine
from phigate.masking.settings import MaskingSettings

KEY_ENV = "PHIGATE_MASKING_KEY"
_DEV_KEY = b"phigate-development-masking-key!"


def load_settings(config: Path | None) -> MaskingSettings:
    """The `masking:` section of a phigate.yaml, or the defaults."""
    if config is None:
        return MaskingSettings()
    try:
        document = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
        return MaskingSettings.model_validate(document.get("masking") or {})
    except (OSError, yaml.YAMLError, ValidationError, AttributeError) as exc:
        raise click.ClickException(f"{config}: invalid masking configuration: {exc}") from exc


def _key() -> bytes:
    key = os.environ.get(KEY_ENV)
    if key:
        return key.encode()
    click.echo(f"warning: {KEY_ENV} is not set; using a fixed development key", err=True)
    return _DEV_KEY


@click.command("mask")
@click.option("--profile", default="hipaa-safe-harbor", show_default=True)
@click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--jsonl", is_flag=True, help="Input is JSON lines.")
@click.option("--field", "field", help="With --jsonl: mask only this field of each line.")
@click.option("--csv", "as_csv", is_flag=True, help="Input is CSV with a header row.")
@click.option("--emit", type=click.Choice(["text", "spans"]), default="text", show_default=True)
@click.option("--report", is_flag=True, help="Print entity counts per type to stderr.")
def mask_command(
    profile: str,
    config: Path | None,
    jsonl: bool,
    field: str | None,
    as_csv: bool,
    emit: str,
    report: bool,
) -> None:
    """Mask PHI, secrets and identifiers in stdin; write the result to stdout."""
    if field is not None and not jsonl:
        raise click.UsageError("--field needs --jsonl")
    if jsonl and as_csv:
        raise click.UsageError("--jsonl and --csv are exclusive")
    try:
        masker = MaskingEngine(load_settings(config), _key()).masker(profile)
        stdin, stdout = sys.stdin, sys.stdout
        if as_csv:
            counts = _csv(masker, stdin, stdout)
        elif jsonl:
            counts = _jsonl(masker, stdin, stdout, field, emit)
        else:
            counts = _text(masker, stdin.read(), stdout, emit)
    except MaskingError as exc:
        raise click.ClickException(str(exc)) from exc
    if report:
        for entity, n in sorted(counts.items()):
            click.echo(f"{entity}\t{n}", err=True)


def _text(masker: Masker, text: str, out: TextIO, emit: str) -> dict[str, int]:
    if emit == "spans":
        spans = masker.spans(text)
        out.write(json.dumps({"spans": [list(s) for s in spans]}) + "\n")
        return _count(spans)
    result = masker.mask_text(text)
    out.write(result.text)
    return result.counts


def _jsonl(
    masker: Masker, stream: TextIO, out: TextIO, field: str | None, emit: str
) -> dict[str, int]:
    total: dict[str, int] = {}
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            record: Any = json.loads(line)
        except ValueError as exc:
            raise click.ClickException(f"line {number}: not JSON: {exc}") from exc
        if field is not None and not isinstance(record, dict):
            raise click.ClickException(f"line {number}: not a JSON object")
        if emit == "spans":
            text = record.get(field) if field is not None else line
            spans = masker.spans(text if isinstance(text, str) else json.dumps(text))
            out.write(json.dumps({"spans": [list(s) for s in spans]}) + "\n")
            _merge(total, _count(spans))
            continue
        if field is not None:
            if field in record:
                record[field], counts = masker.mask_json(record[field])
                _merge(total, counts)
            masked: object = record
        else:
            masked, counts = masker.mask_json(record)
            _merge(total, counts)
        out.write(json.dumps(masked, ensure_ascii=False) + "\n")
    return total


def _csv(masker: Masker, stream: TextIO, out: TextIO) -> dict[str, int]:
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return {}
    rows = masker.for_columns([ColumnInfo(name) for name in header])
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for batch in _batches(reader, 1000):
        values = [[None if v == "" else v for v in row] for row in batch]
        for masked in rows.mask_rows(values):
            writer.writerow(["" if v is None else _cell(v) for v in masked])
    return rows.counts


def _cell(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def _batches(reader: Iterator[list[str]], size: int) -> Iterator[list[list[str]]]:
    batch: list[list[str]] = []
    for row in reader:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _count(spans: list[tuple[int, int, str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, _, entity in spans:
        counts[entity] = counts.get(entity, 0) + 1
    return counts


def _merge(total: dict[str, int], counts: dict[str, int]) -> None:
    for entity, n in counts.items():
        total[entity] = total.get(entity, 0) + n


if __name__ == "__main__":  # pragma: no cover
    mask_command(sys.argv[1:])
