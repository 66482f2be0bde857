"""A safe stand-in for a deploy tool, run by the demo's `deploy` exec connection.

It changes nothing outside its working directory: "deployments" are lines in
`deployments.json`. It behaves like the real thing where it matters to the
gateway: subcommands of different risk, output that names people, a credential
in its environment (`DEPLOY_TOKEN`) that a careless `whoami` prints.

    deploy-tool status [SERVICE]          read
    deploy-tool plan SERVICE VERSION      read
    deploy-tool deploy SERVICE VERSION    write
    deploy-tool rollback SERVICE          write
    deploy-tool grant USER ROLE           privilege
    deploy-tool whoami                    read (prints the token: the gateway scrubs it)
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

STATE = Path("deployments.json")
ON_CALL = "Dr. Maria Garcia (pager 415-555-0142)"


def _load() -> dict[str, Any]:
    if STATE.exists():
        loaded: dict[str, Any] = json.loads(STATE.read_text())
        return loaded
    return {"services": {"api": ["1.0.0"], "web": ["2.3.1"]}, "grants": []}


def _save(state: dict[str, Any]) -> None:
    STATE.write_text(json.dumps(state, indent=2))


def status(state: dict[str, Any], service: str | None = None) -> int:
    for name, versions in sorted(state["services"].items()):
        if service in (None, name):
            print(f"{name:8} {versions[-1]:10} ({len(versions)} releases)")
    return 0


def plan(state: dict[str, Any], service: str, version: str) -> int:
    current = state["services"].get(service, ["(none)"])[-1]
    print(f"{service}: {current} -> {version}; 3 replicas rolling, on-call {ON_CALL}")
    return 0


def deploy(state: dict[str, Any], service: str, version: str) -> int:
    print(f"deploying {service} {version} …")
    for replica in range(1, 4):
        time.sleep(0.05)
        print(f"  replica {replica}/3 healthy")
    state["services"].setdefault(service, []).append(version)
    _save(state)
    print(f"deployed {service} {version}; paged {ON_CALL}")
    return 0


def rollback(state: dict[str, Any], service: str) -> int:
    versions = state["services"].get(service, [])
    if len(versions) < 2:
        print(f"{service}: nothing to roll back to", file=sys.stderr)
        return 1
    versions.pop()
    _save(state)
    print(f"rolled {service} back to {versions[-1]}")
    return 0


def grant(state: dict[str, Any], user: str, role: str) -> int:
    state["grants"].append({"user": user, "role": role})
    _save(state)
    print(f"granted {role} to {user}")
    return 0


def whoami() -> int:
    print(f"deploy-bot, registry token {os.environ.get('DEPLOY_TOKEN', '(none)')}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    state = _load()
    commands: dict[tuple[str, int], Any] = {
        ("status", 0): lambda: status(state),
        ("status", 1): lambda: status(state, args[1]),
        ("plan", 2): lambda: plan(state, args[1], args[2]),
        ("deploy", 2): lambda: deploy(state, args[1], args[2]),
        ("rollback", 1): lambda: rollback(state, args[1]),
        ("grant", 2): lambda: grant(state, args[1], args[2]),
        ("whoami", 0): whoami,
    }
    command = commands.get((args[0], len(args) - 1)) if args else None
    if command is None:
        print(__doc__, file=sys.stderr)
        return 2
    result: int = command()
    return result


def write_launcher(path: Path) -> Path:
    """An executable file at `path` that runs this tool with this Python (an absolute path
    the exec connection can allow-list)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!{sys.executable}\nfrom {__name__} import main\nraise SystemExit(main())\n")
    path.chmod(0o755)
    return path


if __name__ == "__main__":
    raise SystemExit(main())
