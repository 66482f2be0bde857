"""`phigate exec` and `phigate http`: run a command or an HTTP request through a gateway.

Both are thin clients of `POST /v1/actions` with a bearer token; `exec` asks
for the output streamed (`?stream=1`) and prints it as it arrives. Exit codes:
the command's own exit code when it ran (`http`: 0), 3 when it waits for
approval (run the same command again once approved, or pass `--wait`), 4 when
denied, 5 when it failed upstream, 2 for usage and authentication errors.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any, NoReturn

import click
import httpx

EXIT_PENDING, EXIT_DENIED, EXIT_FAILED, EXIT_USAGE = 3, 4, 5, 2

_GATEWAY = [
    click.option(
        "--url",
        envvar="PHIGATE_URL",
        default="http://127.0.0.1:8080",
        show_default=True,
        help="Gateway base URL (or set PHIGATE_URL).",
    ),
    click.option(
        "--token",
        envvar="PHIGATE_TOKEN",
        required=True,
        help="API token or OIDC access token (or set PHIGATE_TOKEN).",
    ),
    click.option("--reason", default=None, help="Why: shown to reviewers and audited."),
    click.option(
        "--wait",
        type=click.FloatRange(0, 300),
        default=0.0,
        show_default=True,
        help="Seconds the gateway waits for an approval before answering.",
    ),
    click.option("--json", "as_json", is_flag=True, help="Print the gateway's JSON answer."),
]


def _needed(approval: dict[str, Any]) -> str:
    """What the request waits for: every requirement (a gateway before 0012 sends one)."""
    if approval.get("still_needed"):
        return f"still needed: {approval['still_needed']}"
    return f"{approval['required']} of {', '.join(approval['eligible_groups'])}"


def _gateway_options(func: Any) -> Any:
    for option in reversed(_GATEWAY):
        func = option(func)
    return func


def _die(message: str, code: int) -> NoReturn:
    click.echo(f"phigate: {message}", err=True)
    sys.exit(code)


def submit(url: str, token: str, body: dict[str, Any], wait: float) -> httpx.Response:
    """POST the action; the HTTP timeout outlasts the server-side wait."""
    try:
        return httpx.post(
            f"{url.rstrip('/')}/v1/actions",
            json=body,
            timeout=wait + 120,
            headers={"Authorization": f"Bearer {token}"},
        )
    except httpx.HTTPError as exc:
        _die(f"cannot reach the gateway at {url}: {type(exc).__name__}", EXIT_USAGE)


def stream_exec(url: str, token: str, body: dict[str, Any], wait: float) -> NoReturn:
    """POST with `?stream=1`; print output as it arrives, exit with the command's code.

    A gateway that answers plain JSON (pending, denied, or one that does not
    stream) is handled like `submit`. No read timeout once streaming: the
    connection's own timeout bounds the command on the gateway.
    """
    timeout = httpx.Timeout(wait + 120, read=None)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.stream(
            "POST",
            f"{url.rstrip('/')}/v1/actions",
            params={"stream": "1"},
            json=body,
            timeout=timeout,
            headers=headers,
        ) as response:
            if not response.headers.get("content-type", "").startswith("application/x-ndjson"):
                response.read()
                _exit_with(_answer(response, as_json=False), print_output=True)
            end = _print_events(response.iter_lines())
    except httpx.ConnectError as exc:
        _die(f"cannot reach the gateway at {url}: {type(exc).__name__}", EXIT_USAGE)
    except httpx.HTTPError as exc:
        _die(f"the connection to the gateway at {url} failed: {type(exc).__name__}", EXIT_FAILED)
    if end is None:
        _die("the gateway ended the answer before the command ended", EXIT_FAILED)
    if end.get("status") != "executed":
        error = end.get("error", {})
        _die(f"{error.get('code', 'failed')}: {error.get('message', '')}", EXIT_FAILED)
    _exit_with(end, print_output=False)


def _print_events(lines: Iterator[str]) -> dict[str, Any] | None:
    """Write each output event to stdout or stderr as it comes; the final event."""
    for line in lines:
        if not line.strip():
            continue
        event: dict[str, Any] = json.loads(line)
        stream = event.get("stream")
        if stream in ("stdout", "stderr"):
            out = sys.stdout if stream == "stdout" else sys.stderr
            out.write(str(event.get("text", "")))
            out.flush()
        elif event.get("status") in ("executed", "failed"):
            return event
    return None


def _exit_with(result: dict[str, Any], *, print_output: bool) -> NoReturn:
    if print_output:
        sys.stdout.write(result.get("stdout", ""))
        sys.stderr.write(result.get("stderr", ""))
    code = result.get("exit_code")
    sys.exit(code if isinstance(code, int) and 0 <= code < 256 else EXIT_FAILED)


def _answer(response: httpx.Response, as_json: bool) -> dict[str, Any]:
    """The executed result; anything else is reported and ends the process."""
    try:
        answer: dict[str, Any] = response.json()
    except ValueError:
        _die(f"the gateway answered {response.status_code} without JSON", EXIT_FAILED)
    if as_json:
        click.echo(json.dumps(answer, indent=2))
    status = answer.get("status")
    if status == "executed":
        result: dict[str, Any] = answer["result"]
        return result
    if status == "pending_approval":
        approval = answer["approval"]
        _die(
            f"waiting for approval {approval['id']} ({_needed(approval)}): {approval['url']}\n"
            f"run the same command again once it is approved",
            EXIT_PENDING,
        )
    if status == "denied":
        _die(f"denied by rule {answer.get('rule')}: {answer.get('reason')}", EXIT_DENIED)
    error = answer.get("error", {})
    code = EXIT_USAGE if response.status_code in (400, 401) else EXIT_FAILED
    _die(f"{error.get('code', status)}: {error.get('message', response.text)}", code)


@click.command("exec", context_settings={"ignore_unknown_options": True})
@_gateway_options
@click.option(
    "--stdin",
    "stdin_file",
    type=click.File("r"),
    default=None,
    help="Send this file ('-' for standard input) to the command's stdin.",
)
@click.argument("connection")
@click.argument("argv", nargs=-1, required=True, type=click.UNPROCESSED)
def exec_command(
    url: str,
    token: str,
    reason: str | None,
    wait: float,
    as_json: bool,
    stdin_file: Any,
    connection: str,
    argv: tuple[str, ...],
) -> None:
    """Run ARGV on an exec CONNECTION: phigate exec deploy -- deploy-tool status api."""
    body: dict[str, Any] = {"connection": connection, "argv": list(argv), "wait": wait}
    if stdin_file is not None:
        body["stdin"] = stdin_file.read()
    if reason:
        body["reason"] = reason
    if not as_json:
        stream_exec(url, token, body, wait)
    result = _answer(submit(url, token, body, wait), as_json)
    _exit_with(result, print_output=False)


def _pairs(items: tuple[str, ...], sep: str, what: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, found, value = item.partition(sep)
        if not found or not key:
            _die(f"{what} {item!r}: expected NAME{sep}VALUE", EXIT_USAGE)
        out.setdefault(key.strip(), []).append(value.strip() if sep == ":" else value)
    return {k: v[0] if len(v) == 1 or sep == ":" else v for k, v in out.items()}


def _data(data: str | None) -> Any:
    """`--data`: JSON when it parses, else text; `@file` reads a file."""
    if data is None:
        return None
    if data.startswith("@"):
        with open(data[1:]) as handle:
            data = handle.read()
    try:
        return json.loads(data)
    except ValueError:
        return data


@click.command("http")
@_gateway_options
@click.option("--data", "-d", default=None, help="Request body: JSON, text, or @file.")
@click.option("--query", "-q", multiple=True, help="NAME=VALUE, repeatable.")
@click.option("--header", "-H", multiple=True, help="NAME: VALUE (allow-listed names only).")
@click.argument("connection")
@click.argument("method")
@click.argument("path")
def http_command(
    url: str,
    token: str,
    reason: str | None,
    wait: float,
    as_json: bool,
    data: str | None,
    query: tuple[str, ...],
    header: tuple[str, ...],
    connection: str,
    method: str,
    path: str,
) -> None:
    """Send METHOD PATH to an http CONNECTION: phigate http patients GET /patients/1."""
    request = {
        "method": method.upper(),
        "path": path,
        "query": _pairs(query, "=", "--query"),
        "headers": _pairs(header, ":", "--header"),
        "body": _data(data),
    }
    body: dict[str, Any] = {"connection": connection, "request": request, "wait": wait}
    if reason:
        body["reason"] = reason
    result = _answer(submit(url, token, body, wait), as_json)
    if as_json:
        return
    shown = result.get("body")
    if isinstance(shown, str):
        click.echo(shown, nl=not shown.endswith("\n"))
    elif shown is not None:
        click.echo(json.dumps(shown, indent=2))
