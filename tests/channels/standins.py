"""Local stand-ins for chat platforms' web APIs: real HTTP servers on 127.0.0.1 that
record every call, so tests can assert on what phigate sent."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorder:
    url: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    emails: dict[str, str] = field(default_factory=dict)  # Slack user id -> email
    socket_url: str = ""  # what apps.connections.open hands out (Socket Mode)
    posted: list[tuple[str, str]] = field(default_factory=list)  # (channel, ts) handed out
    lock: threading.Lock = field(default_factory=threading.Lock)

    def named(self, method: str) -> list[dict[str, Any]]:
        with self.lock:
            return [body for name, body in self.calls if name == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(found := self.named(method)) < count:
            assert time.monotonic() < deadline, f"{method} was called {len(found)} times"
            time.sleep(0.02)
        return found


def _slack_answer(recorder: Recorder, method: str, body: dict[str, Any]) -> dict[str, Any]:
    if method == "chat.postMessage":
        with recorder.lock:
            ts = f"{time.time():.6f}.{len(recorder.posted)}"  # unique even within a tick
            recorder.posted.append((str(body.get("channel")), ts))
        return {"ok": True, "channel": body.get("channel"), "ts": ts}
    if method == "users.info":
        email = recorder.emails.get(str(body.get("user")))
        if email is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": {"id": body.get("user"), "profile": {"email": email}}}
    return {"ok": True}


def _connections_open(recorder: Recorder, headers: dict[str, str]) -> dict[str, Any]:
    # Like Slack: only an app-level token may open a Socket Mode connection.
    token = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    if not token.startswith("Bearer xapp-"):
        return {"ok": False, "error": "not_allowed_token_type"}
    if not recorder.socket_url:
        return {"ok": False, "error": "invalid_auth"}
    return {"ok": True, "url": recorder.socket_url}


def _read_body(handler: BaseHTTPRequestHandler) -> dict[str, Any]:
    raw = handler.rfile.read(int(handler.headers.get("content-length") or 0)).decode()
    if "json" in (handler.headers.get("content-type") or ""):
        return dict(json.loads(raw or "{}"))
    query = urlsplit(handler.path).query
    merged = parse_qs(raw) | parse_qs(query)
    return {k: v[0] for k, v in merged.items()}


Answer = Callable[[Recorder, str, str, dict[str, Any], dict[str, str]], tuple[int, Any]]


@contextmanager
def serve(answer: Answer) -> Iterator[Recorder]:
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            body = _read_body(self)
            path = urlsplit(self.path).path
            with recorder.lock:
                recorder.calls.append((path.rsplit("/api/", 1)[-1], body))
            status, document = answer(recorder, self.command, path, body, dict(self.headers))
            data = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="standin", daemon=True
    )
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def slack_api() -> Iterator[Recorder]:
    """The Slack Web API: chat.postMessage/update/postEphemeral, views.open, users.info,
    apps.connections.open (set `socket_url` to a SocketModeServer's url)."""

    def answer(
        rec: Recorder, _verb: str, path: str, body: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, Any]:
        method = path.rsplit("/api/", 1)[-1]
        if method == "apps.connections.open":
            return 200, _connections_open(rec, headers)
        return 200, _slack_answer(rec, method, body)

    with serve(answer) as recorder:
        yield recorder
