"""`phigate serve --workers N`: N gateway processes on one host, sharing its ports.

    phigate serve --workers 3          (the supervisor: binds nothing, serves nothing)
      ├─ worker 1: phigate serve      ┐ each binds the HTTP and PostgreSQL wire ports
      ├─ worker 2: phigate serve      ├ with SO_REUSEPORT; the kernel spreads new
      └─ worker 3: phigate serve      ┘ connections over them

Each worker is a whole gateway and its own replica (a row in `replicas`, its own
heartbeat, its own LISTEN connection), exactly as if it ran on another host; the
state lives in PostgreSQL, never in the supervisor. A worker that dies (kill -9,
OOM) is started again; the actions it left running are marked `interrupted` by
the others' recovery (phigate.ops.replicas). A worker that exits with the user-error
code (bad config, port taken by another program) stops them all: starting it
again would fail again.

Two guards keep the group whole:
- Workers outlive no supervisor. Each inherits the read end of a pipe whose write
  end only the supervisor holds; the kernel closes it when the supervisor dies,
  however it dies (kill -9 included), and the worker, reading end-of-file, stops
  as on SIGTERM. (A pipe works on every POSIX system, unlike Linux's
  PR_SET_PDEATHSIG, and cannot be fooled by a reused pid.)
- One supervisor per port (phigate.ops.port_claims).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType

log = logging.getLogger(__name__)

# Set by the supervisor for its workers: bind shared ports with SO_REUSEPORT.
REUSE_PORT_ENV = "PHIGATE_REUSE_PORT"
# Set by the supervisor for its workers: the descriptor of the pipe that ends with it.
SUPERVISOR_FD_ENV = "PHIGATE_SUPERVISOR_FD"
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
        self._lifeline = -1  # the read end of the pipe each worker watches (`run`)

    def run(self) -> int:
        """Supervise until told to stop; the exit code for the supervisor."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        # Never written to: its write end closing (this process ending) is the message.
        self._lifeline, lifeline_w = os.pipe()
        self._workers = [self._start() for _ in range(self._count)]
        try:
            return self._watch()
        finally:
            self._stop_all()
            os.close(lifeline_w)

    def _start(self) -> subprocess.Popen[bytes]:
        env = {**os.environ, REUSE_PORT_ENV: "1", SUPERVISOR_FD_ENV: str(self._lifeline)}
        return subprocess.Popen(  # noqa: S603 - this same program
            self._command, env=env, pass_fds=(self._lifeline,)
        )

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


def stop_with_supervisor() -> None:
    """In a worker: stop as on SIGTERM when the supervisor ends, however it ends.

    Call after SIGTERM's handler is in place. If the clean stop takes longer than
    the supervisor's own `STOP_TIMEOUT`, the worker exits hard, as the supervisor
    would have killed it.
    """
    fd = os.environ.get(SUPERVISOR_FD_ENV)
    if fd is None:
        return
    os.set_inheritable(int(fd), False)  # the worker's own children do not keep it open
    threading.Thread(
        target=_wait_for_supervisor, args=(int(fd),), name="phigate-supervisor", daemon=True
    ).start()


def _wait_for_supervisor(fd: int) -> None:
    while os.read(fd, 1):  # nothing is ever written: this returns at end-of-file
        pass
    print(f"phigate: the supervisor has ended; stopping worker {os.getpid()}", file=sys.stderr)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(STOP_TIMEOUT)
    os._exit(1)
