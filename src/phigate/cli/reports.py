"""`phigate report`: the evidence for a period, from the audit log, as HTML, PDF or JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from phigate.cli._common import audit_settings
from phigate.reports.evidence import EARLIEST, LATEST
from phigate.reports.model import Evidence

FORMATS = ("html", "pdf", "json")


def parse_moment(value: str, *, end_of_day: bool = False) -> datetime:
    """YYYY-MM-DD (a whole day: --to includes it) or an ISO 8601 time; UTC unless stated."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD) or ISO time") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if end_of_day and len(value.strip()) == 10:
        try:
            moment += timedelta(days=1, microseconds=-1)
        except OverflowError as exc:  # 9999-12-31: no day after it
            raise click.BadParameter(f"{value!r} is past the last day a report covers") from exc
    return moment


def render(evidence: Evidence, fmt: str) -> bytes:
    """The report in one of FORMATS, as bytes ready to write."""
    if fmt == "json":
        return (json.dumps(evidence.to_json(), indent=2, ensure_ascii=False) + "\n").encode()
    if fmt == "html":
        from phigate.reports.html import render_html

        return render_html(evidence).encode()
    from phigate.reports.pdf import render_pdf

    return render_pdf(evidence)


@click.command("report")
@click.option("--from", "start", required=True, help="First day (YYYY-MM-DD) or ISO time, UTC.")
@click.option("--to", "end", required=True, help="Last day, included (YYYY-MM-DD) or ISO time.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write here (default: phigate-report-FROM-TO.FORMAT; '-' for stdout).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="PHIGATE_CONFIG",
    default="phigate.yaml",
    show_default=True,
    help="phigate.yaml: its state store holds the audit log.",
)
@click.option("--state", default=None, help="State store URL (instead of the config's).")
@click.option("--check", is_flag=True, help="Exit 1 when a control fails (chain, self-approval).")
def report_command(
    start: str,
    end: str,
    fmt: str,
    out: Path | None,
    config_path: Path,
    state: str | None,
    check: bool,
) -> None:
    """Evidence for a period: actions, decisions, approvals, reveals, masking, chain, policy."""
    first, last = parse_moment(start), parse_moment(end, end_of_day=True)
    if last < first:
        raise click.BadParameter("--to is before --from")
    if first < EARLIEST or last >= LATEST:
        raise click.BadParameter(f"a report covers {EARLIEST:%Y-%m-%d} to before {LATEST:%Y-%m-%d}")
    audit, current_policy = _audit_source(config_path, state)
    evidence = _with_progress(
        lambda progress: _build(audit, first, last, current_policy, progress), audit
    )
    target = out or Path(f"phigate-report-{first.date()}-{last.date()}.{fmt}")
    _write(render(evidence, fmt), target)
    _summarise(evidence, target)
    if check and not (evidence.chain.ok and evidence.self_approval.passed):
        sys.exit(1)


def _build(
    audit: Any, first: datetime, last: datetime, policy: str | None, progress: Any
) -> Evidence:
    from phigate.reports.evidence import build_evidence

    return build_evidence(audit, first, last, policy_hash=policy, progress=progress)


def _audit_source(config_path: Path, state: str | None) -> tuple[Any, str | None]:
    """The audit log, read as `phigate audit verify` reads it (docs/reports.md: the
    same verifier, with the same keys), and the configured policy's hash when a
    config is at hand."""
    from phigate.audit.keys import verifying_log

    settings = audit_settings(config_path, state)
    policy = _policy_hash(settings) if state is None else None
    return verifying_log(settings, _open_store(state or settings.state.url)), policy


def _open_store(url: str) -> Any:
    """Open an existing state store read-only in spirit: never create or migrate one."""
    from phigate.store import Database

    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None
    if path is not None and not Path(path).is_file():
        raise click.UsageError(f"no state store at {path}")
    db = Database(url)
    if db.current_revision() is None:
        db.dispose()
        raise click.UsageError("the state store has no phigate schema (nothing was ever audited)")
    return db


def _policy_hash(settings: Any) -> str | None:
    try:
        from phigate.ops.bootstrap import policy_hash
    except ImportError:  # pragma: no cover - older cores do not record policy versions
        return None
    value: str = policy_hash(settings)
    return value


def _with_progress(work: Callable[[Callable[[int], None]], Evidence], audit: Any) -> Evidence:
    """Reading a long chain takes a while: show how far it got, on stderr only."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    total = audit.head()[0]
    columns = (TextColumn("reading the audit log"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("audit", total=max(total, 1))
        return work(lambda done: bar.update(task, completed=min(done, total)))


def _write(data: bytes, target: Path) -> None:
    if str(target) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _summarise(evidence: Evidence, target: Path) -> None:
    chain = "intact" if evidence.chain.ok else f"BROKEN at #{evidence.chain.first_bad_seq}"
    control = "pass" if evidence.self_approval.passed else "FAIL"
    where = "stdout" if str(target) == "-" else str(target)
    click.echo(
        f"report written to {where}: {evidence.actions_total} actions, "
        f"chain {chain}, self-approval control {control}",
        err=True,
    )
