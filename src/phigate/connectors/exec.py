"""Run allow-listed programs as argv (never through a shell) with gateway-held credentials.

An action's body is `{"argv": [program, arg, …], "stdin": str | None}`. The
program must be one of the connection's absolute paths (or the basename of
exactly one of them). The child gets a fresh environment (PATH plus the
connection's `env`, whose values are secrets the caller never sees), its own
process group so a timeout kills everything it started, a working directory
and an output cap. Output is read as it comes and cut into whole lines
(`_exec_child`); secret values — as they are, line by line, base64-encoded,
and the credentials inside a kubeconfig `KUBECONFIG` names (`_secrets`) — are
scrubbed from each block of lines before the masker sees it, so stdout and
stderr leave only masked — streamed while the command runs (`stream`) or
collected at its end (`run`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import shlex
from collections.abc import AsyncGenerator, Callable
from pathlib import Path
from typing import Any

from phigate.config import ExecConnection
from phigate.connectors import _exec_files
from phigate.connectors import _unreadable as unreadable
from phigate.connectors._argv_rules import (
    BUILTIN_RULE_SETS,
    ArgvRuleSet,
    classify_argv,
    files_read,
)
from phigate.connectors._byte_guard import answer_guard
from phigate.connectors._exec_child import Child
from phigate.connectors._secret_sources import env_secrets
from phigate.connectors._stream_mask import StreamMasker
from phigate.connectors.base import Result
from phigate.connectors.held_secrets import HeldSecrets
from phigate.core.actions import Action, Description
from phigate.core.errors import InvalidRequestError, NotAllowedError, UpstreamError
from phigate.core.risk import RiskClass
from phigate.masking.engine import Masker

_PIPE_NAMES = ("stdout", "stderr")


def exec_body(argv: list[str], stdin: str | None = None) -> dict[str, Any]:
    """The `Action.body` of an exec action (what approvals bind to)."""
    return {"argv": list(argv), "stdin": stdin}


log = logging.getLogger(__name__)


class ExecConnector:
    kind = "exec"

    def __init__(
        self, name: str, settings: ExecConnection, held: HeldSecrets | None = None
    ) -> None:
        self.name = name
        self.settings = settings
        self.held = held or HeldSecrets()  # every secret of the gateway's (`held_secrets`)
        unreadable.prepare(settings.allow_unreadable_text)
        own = ArgvRuleSet(
            name=f"connection {name}",
            value_flags=frozenset(settings.value_flags),
            rules=settings.rules,
        )
        self.rule_sets = (own, *(BUILTIN_RULE_SETS[s] for s in settings.rule_sets))

    # ── prepare ─────────────────────────────────────────────────────────────
    def prepare(self, action: Action) -> Action:
        """The action with the working-directory files its command reads snapshotted
        into its body, so the approval binds their content (`_exec_files`)."""
        argv, stdin, problem = _parse_body(action)
        program = self.resolve(argv[0]) if problem is None else None
        body = {k: v for k, v in action.body.items() if k != _exec_files.FILES_KEY}
        if program is not None:
            command = [program, *argv[1:]]
            flags = files_read(command, self.rule_sets)
            if flags and not self._refused_unread(command, stdin):
                body[_exec_files.FILES_KEY] = _exec_files.snapshot(flags, self._read_manifest)
        return dataclasses.replace(action, body=body)

    def _refused_unread(self, command: list[str], stdin: str | None) -> bool:
        """Whether the command is `unknown` before any file it names is looked at (no
        rule for `kubectl frobnicate -f x`): then no file is read for it at all."""
        asked: list[str] = []

        def probe(name: str) -> None:
            asked.append(name)

        verdict = classify_argv(command, self.rule_sets, stdin, probe)
        return verdict.risk is RiskClass.UNKNOWN and not asked

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
        verdict = classify_argv([program, *argv[1:]], self.rule_sets, stdin, self._reader(action))
        detail.update(rule=verdict.rule, escalations=list(verdict.escalations))
        return Description(
            verdict.risk, functions=(program,), reasons=verdict.reasons, detail=detail
        )

    def _reader(self, action: Action) -> Callable[[str], str | None]:
        """A bound action's snapshot (what will run); the disk only for an unbound one
        (`phigate policy check`), which can never run."""
        files = action.body.get(_exec_files.FILES_KEY)
        if isinstance(files, dict):
            return lambda name: files.get(name) if isinstance(files.get(name), str) else None
        return self._read_manifest

    def _read_manifest(self, name: str) -> str | None:
        """A `-f` manifest of the working directory, so its kinds can be classified.

        The snapshot lands in the action's body, which its requester reads back; a
        file holding any of the gateway's own credentials for this connection (its
        kubeconfig, a file with a secret of its environment, in any encoding) is
        therefore never read: the command is then `unknown` and cannot run.
        """
        root = Path(self.settings.working_dir).resolve()
        path = (root / name).resolve()  # a symlink out of the directory is not followed
        try:
            if not path.is_relative_to(root) or not path.is_file():
                return None
            if path.stat().st_size > self.settings.max_stdin_bytes:
                return None
            text = path.read_text()
        except (OSError, UnicodeDecodeError):
            return None
        secrets = self.held.scrubber(self.own_secrets())
        if secrets.scrub(text, {}) != text:
            log.warning(
                "connection %s: %s holds the gateway's credentials; not read", self.name, name
            )
            return None
        return text

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
        """The whole output at once: `stream`, collected."""
        texts: dict[str, list[str]] = {"stdout": [], "stderr": []}
        summary: dict[str, Any] = {}
        async with contextlib.aclosing(self.stream(action, description, masker)) as events:
            async for event in events:
                if "stream" in event:
                    texts[event["stream"]].append(event["text"])
                else:
                    summary = event
        payload = {
            "exit_code": summary["exit_code"],
            "stdout": "".join(texts["stdout"]),
            "stderr": "".join(texts["stderr"]),
            "truncated": summary["truncated"],
            "duration_ms": summary["duration_ms"],
            "masked": summary["masked"],
        }
        return Result(payload=payload, masked=summary["masked"], summary=summary)

    async def stream(
        self, action: Action, description: Description, masker: Masker
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Masked output while the command runs, then its summary.

        Yields `{"stream": "stdout" | "stderr", "text": …}` for each block of
        complete lines as it arrives (secrets scrubbed, then masked), and last
        `{"exit_code", "duration_ms", "truncated", "masked", "stdout_bytes",
        "stderr_bytes"}` — what the audit log records. A timeout raises
        `UpstreamError` after the group is killed; closing or cancelling the
        iterator kills the group too.
        """
        argv, stdin, problem = _parse_body(action)
        if problem is not None:
            raise InvalidRequestError(problem)
        program = self.resolve(argv[0])
        if program is None:  # describe said unknown; policy should never let it here
            raise NotAllowedError(f"{argv[0]} is not a program of connection {self.name!r}")
        env = self._environment()
        secrets = self.held.scrubber(env_secrets(env, self.settings.env))
        guard = answer_guard(masker, secrets, keep_blobs=False)
        output = StreamMasker(masker, secrets, guard, self.settings.allow_unreadable_text)
        command = [program, *argv[1:]]
        with _exec_files.fed(command, files_read(command, self.rule_sets), _files(action)) as (
            command,
            descriptors,
        ):
            child = await Child.start(
                command,
                stdin=stdin,
                env=env,
                cwd=self.settings.working_dir,
                cap=self.settings.max_output_bytes,
                time_limit=self.settings.timeout_seconds,
                name=self.name,
                pass_fds=descriptors,
                secrets=output.secrets,
                counts=output.counts,
            )
        try:
            async for pipe, block in child.lines():
                name = _PIPE_NAMES[pipe]
                yield {"stream": name, "text": output.mask(name, block.decode("utf-8", "replace"))}
            for name, text in output.flush().items():
                yield {"stream": name, "text": text}
        except TimeoutError:
            raise UpstreamError(
                f"{os.path.basename(program)} ran past its timeout of "
                f"{self.settings.timeout_seconds:g}s; its process group was "
                f"killed after {child.duration_ms():g} ms"
            ) from None
        finally:
            child.close()
        yield _summary(child, output.counts)

    def own_secrets(self) -> list[tuple[str, str]]:
        """The declared variables' values, and the credentials of a kubeconfig they name."""
        return env_secrets(self._environment(), self.settings.env)

    def _environment(self) -> dict[str, str]:
        # A fresh environment: the gateway's own secrets (token and masking keys) stay out.
        env = {"PATH": self.settings.path, "LC_ALL": "C.UTF-8"}
        env.update({name: ref.reveal() for name, ref in self.settings.env.items()})
        return env

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


def _files(action: Action) -> dict[str, str]:
    files = action.body.get(_exec_files.FILES_KEY)
    if not isinstance(files, dict):
        return {}
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}


def _summary(child: Child, masked: dict[str, int]) -> dict[str, Any]:
    stdout, stderr = child.pipes
    return {
        "exit_code": child.exit_code,
        "duration_ms": child.duration_ms(),
        "stdout_bytes": stdout.total,
        "stderr_bytes": stderr.total,
        "truncated": {"stdout": stdout.truncated, "stderr": stderr.truncated},
        "masked": masked,
    }
