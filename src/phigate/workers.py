"""`phigate serve --workers N`: N gateway processes on one host, sharing its ports.

    phigate serve --workers 3          (the supervisor: binds nothing, serves nothing)
      ├─ worker 1: phigate serve      ┐ each binds the HTTP and PostgreSQL wire ports
      ├─ worker 2: phigate serve      ├ with SO_REUSEPORT; the kernel spreads new
      └─ worker 3: phigate serve      ┘ connections over them

Each worker is a whole gateway and its own replica (a row in `replicas`, its own
heartbeat, its own LISTEN connection), exactly as if it ran on another host; the
state lives in PostgreSQL, never in the supervisor. A worker that dies (kill -9,
OOM) is started again; the actions it left running are marked `interrupted` by
the others' recovery (phigate.replicas). A worker that exits with the user-error
code (bad config, port taken by another program) stops them all: starting it
again would fail again.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

log = logging.getLogger(__name__)

# Set by the supervisor for its workers: bind shared ports with SO_REUSEPORT.
REUSE_PORT_ENV = "PHIGATE_REUSE_PORT"
USER_ERROR = 2
RESTART_DELAY = 1.0
STOP_TIMEOUT = 30.0


def shares_ports() -> bool:
    """True in a worker started by `serve --workers N`."""
    return os.environ.get(REUSE_PORT_ENV) == "1"


class Supervisor:
    """Starts N workers, restarts any that die, stops them all on SIGTERM/SIGINT."""

    def __init__(self, config_path: Path, workers: int) -> None:
        self._command = [sys.executable, "-m", "phigate", "serve", "--config", str(config_path)]
        self._count = workers
        self._workers: list[subprocess.Popen[bytes]] = []
        self._stopping = False

    def run(self) -> int:
        """Supervise until told to stop; the exit code for the supervisor."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self._workers = [self._start() for _ in range(self._count)]
        try:
            return self._watch()
        finally:
            self._stop_all()

    def _start(self) -> subprocess.Popen[bytes]:
        env = {**os.environ, REUSE_PORT_ENV: "1"}
        return subprocess.Popen(self._command, env=env)  # noqa: S603 - this same program

    def _watch(self) -> int:
        while not self._stopping:
            for index, worker in enumerate(self._workers):
                code = worker.poll()
                if code is None or self._stopping:
                    continue
                if code == USER_ERROR:
                    log.error("worker %d refused to start (exit 2); stopping", index)
                    return USER_ERROR
                print(
                    f"phigate: worker {index} (pid {worker.pid}) ended with {code}; restarting",
                    file=sys.stderr,
                    flush=True,
                )
                time.sleep(RESTART_DELAY)
                self._workers[index] = self._start()
            time.sleep(0.2)
        return 0

    def _stop(self, _signum: int, _frame: FrameType | None) -> None:
        self._stopping = True

    def _stop_all(self) -> None:
        for worker in self._workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for worker in self._workers:
            try:
                worker.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
