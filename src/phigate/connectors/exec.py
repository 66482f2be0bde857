"""Run allow-listed programs as argv (never through a shell) with gateway-held credentials.

An action's body is `{"argv": [program, arg, …], "stdin": str | None}`. The
program must be one of the connection's absolute paths (or the basename of
exactly one of them). The child gets a fresh environment (PATH plus the
connection's `env`, whose values are secrets the caller never sees), its own
process group so a timeout kills everything it started, a working directory
and an output cap. Secret values are scrubbed from its output before the
masker sees it; stdout and stderr leave only masked.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from phigate.actions import Action, Description
from phigate.config import ExecConnection
from phigate.connectors._argv_rules import BUILTIN_RULE_SETS, ArgvRuleSet, classify_argv
from phigate.connectors.base import Result
from phigate.errors import InvalidRequestError, NotAllowedError, UpstreamError
from phigate.masking import Masker
from phigate.risk import RiskClass

_CHUNK = 65_536
# When the cap cuts output, back up to a line end within this many bytes so a
# half identifier (the first digits of an SSN) is not left for the masker to miss.
_CUT_BACKTRACK = 4096
_KILL_GRACE_SECONDS = 2.0
_MIN_SCRUB_LENGTH = 4


def exec_body(argv: list[str], stdin: str | None = None) -> dict[str, Any]:
    """The `Action.body` of an exec action (what approvals bind to)."""
    return {"argv": list(argv), "stdin": stdin}


@dataclass
class _Stream:
    """Bytes read from one pipe, kept up to `cap`, the rest drained and counted."""

    cap: int
    data: bytearray = field(default_factory=bytearray)
    total: int = 0

    @property
    def truncated(self) -> bool:
        return self.total > len(self.data)

    def feed(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.cap - len(self.data)
        if room > 0:
            self.data += chunk[:room]

    def text(self) -> str:
        data = bytes(self.data)
        if self.truncated:
            cut = data.rfind(b"\n", max(0, len(data) - _CUT_BACKTRACK))
            data = data[: cut + 1] if cut >= 0 else data
        return data.decode("utf-8", "replace")


class ExecConnector:
    kind = "exec"

    def __init__(self, name: str, settings: ExecConnection) -> None:
        self.name = name
        self.settings = settings
        own = ArgvRuleSet(
            name=f"connection {name}",
            value_flags=frozenset(settings.value_flags),
            rules=settings.rules,
        )
        self.rule_sets = (own, *(BUILTIN_RULE_SETS[s] for s in settings.rule_sets))

    # ── describe ────────────────────────────────────────────────────────────
    def describe(self, action: Action) -> Description:
        argv, stdin, problem = _parse_body(action)
        if problem is not None:
            return Description(RiskClass.UNKNOWN, reasons=(problem,))
        program = self.resolve(argv[0])
        detail: dict[str, Any] = {"command": shlex.join(argv), "program": program}
        if program is None:
            allowed = ", ".join(self.settings.programs)
            return Description(
                RiskClass.UNKNOWN,
                functions=(argv[0],),
                detail=detail,
                reasons=(f"{argv[0]} is not a program of this connection (allowed: {allowed})",),
            )
        if stdin is not None and len(stdin.encode()) > self.settings.max_stdin_bytes:
            return Description(
                RiskClass.UNKNOWN,
                functions=(program,),
                detail=detail,
                reasons=("stdin is larger than this connection accepts",),
            )
        verdict = classify_argv([program, *argv[1:]], self.rule_sets, stdin)
        detail.update(rule=verdict.rule, escalations=list(verdict.escalations))
        return Description(
            verdict.risk, functions=(program,), reasons=verdict.reasons, detail=detail
        )

    def resolve(self, program: str) -> str | None:
        """The configured absolute path `program` names, or None."""
        if program in self.settings.programs:
            return program
        if "/" in program:
            return None
        named = [p for p in self.settings.programs if os.path.basename(p) == program]
        return named[0] if len(named) == 1 else None

    # ── run ─────────────────────────────────────────────────────────────────
    async def run(self, action: Action, description: Description, masker: Masker) -> Result:
        argv, stdin, problem = _parse_body(action)
        if problem is not None:
            raise InvalidRequestError(problem)
        program = self.resolve(argv[0])
        if program is None:  # describe said unknown; policy should never let it here
            raise NotAllowedError(f"{argv[0]} is not a program of connection {self.name!r}")
        env = self._environment()
        secrets = _scrub_values(env, self.settings.env)
        started = time.monotonic()
        exit_code, streams, timed_out = await self._spawn([program, *argv[1:]], stdin, env)
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        if timed_out:
            raise UpstreamError(
                f"{os.path.basename(program)} ran past its timeout of "
                f"{self.settings.timeout_seconds:g}s; its process group was "
                f"killed after {duration_ms:g} ms"
            )
        return self._result(exit_code, streams, duration_ms, secrets, masker)

    def _environment(self) -> dict[str, str]:
        # A fresh environment: the gateway's own secrets (token and masking keys) stay out.
        env = {"PATH": self.settings.path, "LC_ALL": "C.UTF-8"}
        env.update({name: ref.reveal() for name, ref in self.settings.env.items()})
        return env

    async def _spawn(
        self, argv: list[str], stdin: str | None, env: dict[str, str]
    ) -> tuple[int | None, tuple[_Stream, _Stream], bool]:
        cap = self.settings.max_output_bytes
        streams = (_Stream(cap), _Stream(cap))
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=self.settings.working_dir,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            raise UpstreamError(
                f"cannot start {os.path.basename(argv[0])}: {exc.strerror or type(exc).__name__}"
            ) from exc
        tasks = [
            asyncio.create_task(_pump(proc.stdout, streams[0]), name=f"exec-{self.name}-stdout"),
            asyncio.create_task(_pump(proc.stderr, streams[1]), name=f"exec-{self.name}-stderr"),
            asyncio.create_task(_feed(proc.stdin, stdin), name=f"exec-{self.name}-stdin"),
        ]
        timed_out = False
        try:
            await asyncio.wait_for(proc.wait(), timeout=self.settings.timeout_seconds)
        except TimeoutError:
            timed_out = True
            _kill_group(proc.pid)
            await proc.wait()
        except BaseException:  # cancelled: never leave the group or the readers running
            _kill_group(proc.pid)
            for task in tasks:
                task.cancel()
            raise
        await _settle(tasks, proc.pid)
        return proc.returncode, streams, timed_out

    def _result(
        self,
        exit_code: int | None,
        streams: tuple[_Stream, _Stream],
        duration_ms: float,
        secrets: list[tuple[str, str]],
        masker: Masker,
    ) -> Result:
        masked: dict[str, int] = {}
        texts = []
        for stream in streams:
            text = _scrub(stream.text(), secrets, masked)
            result = masker.mask_text(text)
            for entity, count in result.counts.items():
                masked[entity] = masked.get(entity, 0) + count
            texts.append(result.text)
        truncated = {"stdout": streams[0].truncated, "stderr": streams[1].truncated}
        payload = {
            "exit_code": exit_code,
            "stdout": texts[0],
            "stderr": texts[1],
            "truncated": truncated,
            "duration_ms": duration_ms,
            "masked": masked,
        }
        summary = {
            "exit_code": exit_code,
            "duration_ms": duration_ms,
            "stdout_bytes": streams[0].total,
            "stderr_bytes": streams[1].total,
            "truncated": truncated,
            "masked": masked,
        }
        return Result(payload=payload, masked=masked, summary=summary)

    async def close(self) -> None:
        return None


def _parse_body(action: Action) -> tuple[list[str], str | None, str | None]:
    """(argv, stdin, problem): a problem makes the action `unknown` and unrunnable."""
    argv, stdin = action.body.get("argv"), action.body.get("stdin")
    if action.kind != "exec":
        return [], None, "not an exec action"
    if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
        return [], None, "argv must be a non-empty list of strings"
    if any("\x00" in a for a in argv):
        return [], None, "argv holds a NUL character"
    if stdin is not None and not isinstance(stdin, str):
        return [], None, "stdin must be a string"
    return list(argv), stdin, None


async def _pump(reader: asyncio.StreamReader | None, stream: _Stream) -> None:
    if reader is None:
        return
    while chunk := await reader.read(_CHUNK):
        stream.feed(chunk)


async def _feed(writer: asyncio.StreamWriter | None, stdin: str | None) -> None:
    if writer is None or stdin is None:
        return
    # A program that exits without reading its input is not an error of the gateway.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        writer.write(stdin.encode())
        await writer.drain()
        writer.close()
        await writer.wait_closed()


async def _settle(tasks: list[asyncio.Task[None]], pid: int) -> None:
    """Wait for the pipes to close; a straggler holding them open is killed, then cut off."""
    _done, pending = await asyncio.wait(tasks, timeout=_KILL_GRACE_SECONDS)
    if pending:
        _kill_group(pid)
        _done, pending = await asyncio.wait(pending, timeout=_KILL_GRACE_SECONDS)
    for task in pending:
        task.cancel()
    for task in tasks:
        if not task.cancelled():
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                task.result()


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _scrub_values(env: dict[str, str], secret_names: Iterable[str]) -> list[tuple[str, str]]:
    """(name, value) of every gateway-held value long enough to recognise, longest first."""
    pairs = [(name, env[name]) for name in secret_names if len(env[name]) >= _MIN_SCRUB_LENGTH]
    return sorted(pairs, key=lambda p: -len(p[1]))


def _scrub(text: str, secrets: list[tuple[str, str]], counts: dict[str, int]) -> str:
    for name, value in secrets:
        hits = text.count(value)
        if hits:
            text = text.replace(value, f"[REDACTED:{name}]")
            counts["GATEWAY_SECRET"] = counts.get("GATEWAY_SECRET", 0) + hits
    return text
