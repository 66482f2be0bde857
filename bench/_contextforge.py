"""IBM's ContextForge as a peer gateway for bench/mcp_overhead.py, where it installs.

ContextForge (`mcp-contextforge-gateway`) needs Python >= 3.12 and the project runs
on 3.11, so it never shares the bench's environment: the bench finds a Python >= 3.12
(PATH, then pyenv), installs the pinned release once into a virtual environment
under `~/.cache/phigate-bench/contextforge-venv` (outside the repository; set
`PHIGATE_BENCH_CACHE` to move it), and runs it as a process of its own in front of
the same upstream MCP server, registered through its REST API (`POST /gateways`)
as its documentation shows. Nothing of ContextForge is part of the project.

Every reason it cannot run (no such Python, the install failed, it did not start)
is raised as `Unavailable`, whose message the bench prints instead of numbers.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2

RELEASE = "mcp-contextforge-gateway==1.1.0"
ADMIN = "admin@example.com"  # ContextForge's documented platform administrator
_PYTHONS = ("python3.13", "python3.12", "python3")


class Unavailable(Exception):
    """ContextForge cannot be measured in this run; the message says why."""


@dataclass(frozen=True)
class Peer:
    """A running ContextForge fronting the upstream: where and how to call the tool."""

    mcp_url: str
    token: str
    tool: str
    pid: int


def cache_dir() -> Path:
    return Path(os.environ.get("PHIGATE_BENCH_CACHE", Path.home() / ".cache" / "phigate-bench"))


def find_python() -> Path:
    """A Python >= 3.12 interpreter: on PATH first, then any pyenv version."""
    candidates = [Path(found) for name in _PYTHONS if (found := shutil.which(name))]
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if root.is_dir():
        candidates += sorted(root.glob("3.1[2-9]*/bin/python"), reverse=True)
    for python in candidates:
        if _is_at_least_312(python):
            return python
    raise Unavailable("no Python >= 3.12 found on PATH or in pyenv (ContextForge needs one)")


def _is_at_least_312(python: Path) -> bool:
    probe = "import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)"
    try:
        return (
            subprocess.run([python, "-c", probe], capture_output=True, timeout=30).returncode == 0
        )
    except (OSError, subprocess.SubprocessError):
        return False


def installed_venv() -> Path:
    """The cached virtual environment with the pinned release, installing it once."""
    venv = cache_dir() / "contextforge-venv"
    marker = venv / "phigate-bench-installed.txt"
    if marker.exists() and marker.read_text().strip() == RELEASE:
        return venv
    python = find_python()
    print(f"ContextForge: installing {RELEASE} into {venv} with {python} (once)", flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    _run_or_unavailable([str(python), "-m", "venv", str(venv)], "creating its venv")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", RELEASE]
    _run_or_unavailable(pip, f"pip install {RELEASE} (offline?)")
    marker.write_text(RELEASE + "\n")
    return venv


def _run_or_unavailable(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if "WARNING" not in line]
        raise Unavailable(f"{what} failed: {lines[-1] if lines else done.returncode}")


def _environment(state: Path, port: int) -> dict[str, str]:
    """A throwaway ContextForge configuration: SQLite, fresh secrets, loopback upstream."""
    password = f"Bench-{secrets.token_urlsafe(18)}-9x!"
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(state),
        "DATABASE_URL": f"sqlite:///{state / 'contextforge.db'}",
        "JWT_SECRET_KEY": secrets.token_urlsafe(48),
        "AUTH_ENCRYPTION_SECRET": secrets.token_urlsafe(48),
        "PLATFORM_ADMIN_EMAIL": ADMIN,
        "PLATFORM_ADMIN_PASSWORD": password,
        "DEFAULT_USER_PASSWORD": password,
        "BASIC_AUTH_PASSWORD": password,
        "SSRF_ALLOW_LOCALHOST": "true",  # the bench's upstream listens on loopback
        "MCPGATEWAY_UI_ENABLED": "false",
        "MCPGATEWAY_ADMIN_API_ENABLED": "false",
        "LOG_LEVEL": "ERROR",
        # Its default 100 tool calls a minute would refuse a bench; the limiter still runs.
        "TOOL_RATE_LIMIT": "1000000",
        "RATE_LIMIT_MEDIUM_RPM": "1000000",
        "MCG_HOST": "127.0.0.1",
        "MCG_PORT": str(port),
    }


@contextlib.asynccontextmanager
async def contextforge(
    port: int, upstream_url: str, upstream_token: str, tool: str
) -> AsyncIterator[Peer]:
    """ContextForge serving on `port` with the upstream registered; stopped on exit."""
    venv = installed_venv()
    with tempfile.TemporaryDirectory(prefix="phigate-bench-cf-") as tmp:
        env = _environment(Path(tmp), port)
        argv = [str(venv / "bin" / "mcpgateway"), "--host", "127.0.0.1", "--port", str(port)]
        with _process(argv, env, Path(tmp) / "contextforge.log") as process:
            base = f"http://127.0.0.1:{port}"
            async with httpx2.AsyncClient(base_url=base, timeout=60) as http:
                await _until_healthy(http, process, Path(tmp) / "contextforge.log")
                token = _admin_token(venv, env)
                http.headers["Authorization"] = f"Bearer {token}"
                name = await _register(http, upstream_url, upstream_token, tool)
            yield Peer(f"{base}/mcp", token, name, process.pid)


@contextlib.contextmanager
def _process(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run `argv` in a session of its own, so stopping it stops its workers too."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


async def _until_healthy(
    http: httpx2.AsyncClient, process: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Unavailable(f"it exited before serving: {_last_line(log, process)}")
        with contextlib.suppress(httpx2.TransportError):
            if (await http.get("/health")).status_code == 200:
                return
        await asyncio.sleep(0.25)
    raise Unavailable("it did not answer /health within 180 s")


def _last_line(log: Path, process: subprocess.Popen[bytes]) -> str:
    lines = log.read_text(errors="replace").strip().splitlines()
    return lines[-1] if lines else f"exit status {process.returncode}"


def _admin_token(venv: Path, env: dict[str, str]) -> str:
    """A short-lived admin JWT from ContextForge's own documented token tool."""
    argv = [str(venv / "bin" / "python"), "-m", "mcpgateway.utils.create_jwt_token"]
    argv += ["--username", ADMIN, "--admin", "--exp", "120", f"--secret={env['JWT_SECRET_KEY']}"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise Unavailable(f"its token tool failed: {done.stderr.strip().splitlines()[-1:]}")
    return lines[-1].strip()


async def _register(
    http: httpx2.AsyncClient, upstream_url: str, upstream_token: str, tool: str
) -> str:
    """Register the upstream (`POST /gateways`); the name ContextForge gives `tool`."""
    gateway = {
        "name": "charts",
        "url": upstream_url,
        "transport": "STREAMABLEHTTP",
        "auth_type": "bearer",
        "auth_token": upstream_token,
    }
    response = await http.post("/gateways", json=gateway)
    if response.status_code >= 300:
        raise Unavailable(
            f"registering the upstream failed: {response.status_code} {response.text[:200]}"
        )
    listed = (await http.get("/tools")).json()
    for entry in listed if isinstance(listed, list) else []:
        if entry.get("originalName") == tool:
            return str(entry["name"])
    raise Unavailable(f"it did not list the upstream's {tool!r} after registering it")


def tree_cpu(pid: int) -> float:
    """User + system CPU seconds of `pid` and every process below it (Linux /proc)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(fields[1])
            times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    wanted, total = [pid], 0.0
    while wanted:
        current = wanted.pop()
        total += times.get(current, 0.0)
        wanted += [child for child, parent in parents.items() if parent == current]
    return total
