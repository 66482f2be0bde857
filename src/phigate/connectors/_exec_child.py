"""One running exec child: its process group, its pipes cut into whole lines, its deadline.

`Child.start` spawns the program in a new session; `Child.lines()` yields
`(pipe, bytes)` blocks of complete lines as they arrive, so the caller can
scrub and mask each block before anything leaves (an identifier split across
two reads is never seen half). It ends when both pipes are closed and the
program has exited, raising `TimeoutError` once the deadline killed the group.
`Child.close()` kills whatever is left and never waits, so it is safe while
being cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import AsyncIterator

from phigate.connectors._cut import text_cut
from phigate.connectors._secrets import GatewaySecrets
from phigate.core.errors import UpstreamError

_CHUNK = 65_536
# A line longer than this is cut (at its last blank, so a half word is not
# shown; a line with none is dropped whole) and the rest of it dropped: lines
# are what the masker sees whole.
# The gateway's secrets are scrubbed from a cut line with what follows the cut
# (`GatewaySecrets.reach` more bytes), so the cut never shows a credential's head.
MAX_LINE_BYTES = 16_384
_LINE_CUT = b" [line cut]\n"
_KILL_GRACE_SECONDS = 2.0
_EXITED = 2  # queue marker: the program itself has exited
STDOUT, STDERR = 0, 1
# Spawns whose caller was cancelled mid-start, kept until they can be killed.
_SPAWNING: set[asyncio.Task[asyncio.subprocess.Process]] = set()


class OutputLines:
    """One pipe's bytes → blocks of complete lines; kept up to `cap`, the rest counted.

    With `secrets`, a line cut at `max_line` is scrubbed (counted in `counts`) before
    the cut, reading `secrets.reach` bytes past it.
    """

    def __init__(
        self,
        cap: int,
        max_line: int = MAX_LINE_BYTES,
        secrets: GatewaySecrets | None = None,
        counts: dict[str, int] | None = None,
    ) -> None:
        self.cap = cap
        self.max_line = max(1, min(max_line, cap))
        self.secrets = secrets
        self.counts = {} if counts is None else counts
        self.reach = secrets.reach if secrets is not None else 0
        self.total = 0
        self.kept = 0
        self.truncated = False
        self._pending = bytearray()
        self._skipping = False  # inside the dropped rest of an over-long line

    def feed(self, chunk: bytes) -> bytes:
        """Complete lines now ready (possibly none)."""
        self.total += len(chunk)
        if self.kept >= self.cap:
            self.truncated = self.truncated or bool(chunk)
            return b""
        if self._skipping:
            end = chunk.find(b"\n")
            if end < 0:
                return b""
            self._skipping, chunk = False, chunk[end + 1 :]
        self._pending += chunk
        end = self._pending.rfind(b"\n")
        block = b""
        if end >= 0:
            block = self._keep(self._bounded(bytes(self._pending[: end + 1])))
            del self._pending[: end + 1]
        if len(self._pending) > self.max_line + self.reach and self.kept < self.cap:
            block += self._cut_partial()  # a line that never ends is not held whole
        return block

    def close(self) -> bytes:
        """The last line, when the program ended without a newline."""
        rest, self._pending = bytes(self._pending), bytearray()
        if not rest:
            return b""
        if self.kept >= self.cap:
            self.truncated = True
            return b""
        return self._keep(self._bounded(rest))

    def _cut_partial(self) -> bytes:
        head = self._cut_line(bytes(self._pending))
        self._pending, self._skipping = bytearray(), True
        self.truncated = True
        return self._keep(head)

    def _bounded(self, block: bytes) -> bytes:
        lines = block.split(b"\n")
        if max(len(line) for line in lines) <= self.max_line:
            return block
        self.truncated = True
        last = len(lines) - 1
        return b"".join(
            self._cut_line(line)
            if len(line) > self.max_line
            else line + (b"\n" if i < last else b"")
            for i, line in enumerate(lines)
        )

    def _cut_line(self, line: bytes) -> bytes:
        limit = self.max_line
        cut = text_cut(line, limit)  # at its last blank: a cut word is a value's head
        if self.secrets is None:
            return line[:cut] + _LINE_CUT
        read = line[: limit + self.reach]
        return self.secrets.scrub_cut(read, cut, self.counts).encode() + _LINE_CUT

    def _keep(self, block: bytes) -> bytes:
        room = self.cap - self.kept
        if len(block) > room:
            # Over the cap: keep whole lines only, so no half identifier is left.
            cut = block.rfind(b"\n", 0, room)
            block = block[: cut + 1] if cut >= 0 else b""
            self.kept, self.truncated = self.cap, True
            return block
        self.kept += len(block)
        return block


class Child:
    """A started program: its pipes pumped into a queue, killed as a group on timeout."""

    def __init__(
        self,
        proc: asyncio.subprocess.Process,
        cap: int,
        time_limit: float,
        secrets: GatewaySecrets | None = None,
        counts: dict[str, int] | None = None,
    ) -> None:
        self.proc = proc
        self.started = time.monotonic()
        self.time_limit = time_limit
        self.pipes = (
            OutputLines(cap, secrets=secrets, counts=counts),
            OutputLines(cap, secrets=secrets, counts=counts),
        )
        self.timed_out = False
        self._queue: asyncio.Queue[tuple[int, bytes | None]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._killed = False

    @classmethod
    async def start(
        cls,
        argv: list[str],
        *,
        stdin: str | None,
        env: dict[str, str],
        cwd: str,
        cap: int,
        time_limit: float,
        name: str,
        pass_fds: tuple[int, ...] = (),
        secrets: GatewaySecrets | None = None,
        counts: dict[str, int] | None = None,
    ) -> Child:
        spawn = asyncio.create_task(
            asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=cwd,
                env=env,
                start_new_session=True,  # its own process group, killed as one
                pass_fds=pass_fds,  # bound snapshots of the files it reads (`_exec_files`)
            ),
            name=f"exec-{name}-spawn",
        )
        try:
            proc = await asyncio.shield(spawn)
        except asyncio.CancelledError:
            # Cancelled while starting: it starts anyway, so kill its group once it has.
            _SPAWNING.add(spawn)
            spawn.add_done_callback(_kill_spawned)
            raise
        except OSError as exc:
            raise UpstreamError(
                f"cannot start {os.path.basename(argv[0])}: {exc.strerror or type(exc).__name__}"
            ) from exc
        child = cls(proc, cap, time_limit, secrets, counts)
        child._spawn_tasks(stdin, name)
        return child

    def _spawn_tasks(self, stdin: str | None, name: str) -> None:
        proc = self.proc
        self._tasks = [
            asyncio.create_task(self._pump(STDOUT, proc.stdout), name=f"exec-{name}-stdout"),
            asyncio.create_task(self._pump(STDERR, proc.stderr), name=f"exec-{name}-stderr"),
            asyncio.create_task(_feed(proc.stdin, stdin), name=f"exec-{name}-stdin"),
            asyncio.create_task(self._exit(), name=f"exec-{name}-exit"),
        ]

    async def _pump(self, index: int, reader: asyncio.StreamReader | None) -> None:
        lines = self.pipes[index]
        try:
            if reader is not None:
                while chunk := await reader.read(_CHUNK):
                    if block := lines.feed(chunk):
                        self._queue.put_nowait((index, block))
            if rest := lines.close():
                self._queue.put_nowait((index, rest))
        finally:  # a reader that fails still tells `lines()` the pipe is done
            self._queue.put_nowait((index, None))

    async def _exit(self) -> None:
        await self.proc.wait()
        self._queue.put_nowait((_EXITED, None))

    async def lines(self) -> AsyncIterator[tuple[int, bytes]]:
        """Blocks of complete lines by pipe, as they come; then the program's end."""
        waiting = {STDOUT, STDERR, _EXITED}
        deadline = self.started + self.time_limit
        while waiting:
            try:
                batch = await self._batch(deadline)
            except TimeoutError:
                if self._killed:  # a straggler holds a pipe even after the kill: cut it off
                    break
                self.timed_out = _EXITED in waiting
                self.kill()
                deadline = time.monotonic() + _KILL_GRACE_SECONDS
                continue
            for index, block in batch:
                if block is not None:
                    yield index, block
                    continue
                waiting.discard(index)
                if index == _EXITED and not self._killed:
                    # Exited, but a grandchild may hold the pipes open: a grace, then the kill.
                    deadline = min(deadline, time.monotonic() + _KILL_GRACE_SECONDS)
        if self.timed_out:
            raise TimeoutError

    async def _batch(self, deadline: float) -> list[tuple[int, bytes | None]]:
        """The next item and all queued behind it, runs of one pipe's blocks joined:
        when masking falls behind a chatty program, it masks fewer, larger blocks."""
        # Not `asyncio.wait_for`: on Python 3.11 it swallows a cancellation that meets a
        # completed get, and a caller gone as a line came would leave the program running.
        async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
            first = await self._queue.get()
        batch = [first]
        while not self._queue.empty():
            index, block = self._queue.get_nowait()
            last_index, last_block = batch[-1]
            if block is not None and last_block is not None and index == last_index:
                batch[-1] = (index, last_block + block)
            else:
                batch.append((index, block))
        return batch

    @property
    def exit_code(self) -> int | None:
        return self.proc.returncode

    def duration_ms(self) -> float:
        return round((time.monotonic() - self.started) * 1000, 1)

    def kill(self) -> None:
        self._killed = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def close(self) -> None:
        """Kill what still runs and stop the readers; never awaits (safe when cancelled)."""
        if self.proc.returncode is None or not all(t.done() for t in self._tasks[:2]):
            self.kill()
        for task in self._tasks:
            task.cancel()


def _kill_spawned(spawn: asyncio.Task[asyncio.subprocess.Process]) -> None:
    _SPAWNING.discard(spawn)
    if not spawn.cancelled() and spawn.exception() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(spawn.result().pid, signal.SIGKILL)


async def _feed(writer: asyncio.StreamWriter | None, stdin: str | None) -> None:
    if writer is None or stdin is None:
        return
    # A program that exits without reading its input is not an error of the gateway.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        writer.write(stdin.encode())
        await writer.drain()
        writer.close()
        await writer.wait_closed()
