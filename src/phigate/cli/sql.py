"""`phigate sql classify`: classify statements given on the command line or stdin."""

from __future__ import annotations

import json
import sys

import click

from phigate.sql.lines import classify_lines


@click.command("classify")
@click.option("--sql", "sql", default=None, help="SQL text to classify (else JSON lines on stdin).")
def classify_command(sql: str | None) -> None:
    """Classify SQL: one JSON object per input, from --sql or JSON lines {"sql": ...} on stdin."""
    lines = [json.dumps({"sql": sql})] if sql is not None else sys.stdin
    for result in classify_lines(lines):
        click.echo(json.dumps(result, sort_keys=True))


sql_group = click.Group("sql", help="PostgreSQL statement understanding.")
sql_group.add_command(classify_command, "classify")
