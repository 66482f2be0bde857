"""Slack Socket Mode: interactions over a WebSocket, for gateways without a public URL.

    start ──► apps.connections.open (app-level token) ──► ws URL ──► slack_sdk's built-in client
    envelope "interactive" ──► ack (SocketModeResponse) ──► SlackChannel.interaction(payload)
        accepts_response_payload: handled first, and its answer (modal errors) rides in the ack

Envelopes are authenticated by the connection itself: only the holder of the
app-level token can open it, so there is no signature to check. Handlers run on
this module's own event loop thread: the SDK's receive loop is never held by a
vote, and nothing here touches the event loop the HTTP front doors run on.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import socket
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

log = logging.getLogger(__name__)

Interaction = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]]
ANSWER_WITHIN = 2.0  # Slack tells the user something failed if the ack is later than 3 s
RETRY_FIRST, RETRY_MAX = 1.0, 60.0  # seconds between attempts to open the first connection
DRAIN_SECONDS = 5.0  # at shutdown, how long clicks already being handled may finish


class SocketModeLink:
    """Holds the Socket Mode connection open and hands each interaction to `interaction`."""

    def __init__(self, app_token: str, web_client: WebClient, interaction: Interaction) -> None:
        self._app_token = app_token
        self._web_client = web_client
        self._interaction = interaction
        self._client: SocketModeClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._closing = False
        self._inflight: set[asyncio.Task[Any]] = set()
        self._thread = threading.Thread(target=self._run, name="phigate-slack-socket", daemon=True)

    # ── lifecycle (called from the app's thread) ────────────────────────────
    def start(self) -> None:
        """Start the loop thread and connect in the background: startup never waits on Slack."""
        client = SocketModeClient(
            app_token=self._app_token, web_client=self._web_client, logger=log
        )
        client.socket_mode_request_listeners.append(self._on_request)
        self._client = client
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("the Slack Socket Mode loop did not start")

    def stop(self) -> None:
        """Close the WebSocket (no new envelopes), let in-flight clicks finish, end the loop."""
        if self._client is None or self._closing:
            return
        self._closing = True
        _unblock_receive(self._client)
        self._client.close()  # waits for listeners, which may still need the loop
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(DRAIN_SECONDS + 5)
        self._client.close()  # again: a connect that was in flight may have finished meanwhile

    def is_connected(self) -> bool:
        return self._client is not None and self._client.is_connected()

    # ── the loop thread ─────────────────────────────────────────────────────
    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        self._ready.set()
        connecting = asyncio.create_task(self._connect(), name="phigate-slack-socket-connect")
        await self._stopping.wait()
        connecting.cancel()
        if self._inflight:
            await asyncio.wait(set(self._inflight), timeout=DRAIN_SECONDS)

    async def _connect(self) -> None:
        # After the first connection the SDK's own monitor reconnects; until then, retry here.
        delay = RETRY_FIRST
        while not self._closing and not self.is_connected():
            assert self._client is not None
            try:
                await asyncio.to_thread(self._client.connect)
            except SlackApiError as exc:
                log.error("Slack apps.connections.open failed: %s", exc.response.get("error"))
            except OSError as exc:
                log.error("Slack Socket Mode: cannot reach Slack: %s", exc)
            except Exception:  # anything else is retried too: the link must not die silently
                log.exception("Slack Socket Mode: connecting failed")
            if self.is_connected():
                log.info("Slack Socket Mode connected")
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX)

    # ── envelopes (the SDK's worker threads) ────────────────────────────────
    def _on_request(self, client: BaseSocketModeClient, request: SocketModeRequest) -> None:
        if request.type != "interactive":
            # Only interactivity is subscribed to; anything else is acked so Slack stops resending.
            client.send_socket_mode_response(SocketModeResponse(request.envelope_id))
            return
        if not request.accepts_response_payload:
            client.send_socket_mode_response(SocketModeResponse(request.envelope_id))
            self._submit(request.payload)
            return
        answer = self._answer(request.payload)
        client.send_socket_mode_response(SocketModeResponse(request.envelope_id, answer))

    def _answer(self, payload: dict[str, Any]) -> dict[str, Any] | None:
        future = self._submit(payload)
        if future is None:
            return None
        try:
            return future.result(timeout=ANSWER_WITHIN)
        except TimeoutError:
            log.warning(
                "Slack interaction still running after %ss; acked without answer", ANSWER_WITHIN
            )
        except concurrent.futures.CancelledError:
            log.warning("Slack interaction cancelled at shutdown")
        return None

    def _submit(
        self, payload: dict[str, Any]
    ) -> concurrent.futures.Future[dict[str, Any] | None] | None:
        # The loop outlives every listener call: stop() closes the client, which
        # waits for its listeners, before it ends the loop.
        loop = self._loop
        if loop is None or loop.is_closed():
            log.warning("Slack interaction arrived while Socket Mode is stopped; not handled")
            return None
        return asyncio.run_coroutine_threadsafe(self._handle(payload), loop)

    async def _handle(self, payload: dict[str, Any]) -> dict[str, Any] | None:
        task = asyncio.current_task()
        assert task is not None
        self._inflight.add(task)
        try:
            return await self._interaction(payload)
        except Exception:  # the click is not recorded; the reviewer can click again
            log.exception("Slack interaction over Socket Mode failed")
            return None
        finally:
            self._inflight.discard(task)


def _unblock_receive(client: SocketModeClient) -> None:
    # The SDK closes its socket only after its receive call times out (3 s);
    # shutting the socket down first ends that call at once.
    session = client.current_session
    sock = session.sock if session is not None else None
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
