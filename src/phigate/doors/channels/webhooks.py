"""Outbound webhooks: signed JSON for approval and action events, retried with back-off.

Each delivery is a POST with

    X-Phigate-Event: approval.requested
    X-Phigate-Delivery: <unique id; the same on every retry>
    X-Phigate-Timestamp: <unix seconds>
    X-Phigate-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>

Receivers recompute the HMAC over the timestamp, a dot and the raw body, compare in
constant time, and reject timestamps older than a few minutes (replays). Each target
has its own worker thread, so a target in back-off delays only its own deliveries.
With several replicas, each event is sent once: by the replica where it happened.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

import httpx

from phigate.core import clock
from phigate.core.digits import ascii_int
from phigate.doors.channels._secret import reveal
from phigate.doors.channels._summary import masked_summary
from phigate.doors.channels.events import ChannelEvent, Notifier
from phigate.doors.channels.settings import WebhookTarget
from phigate.pipeline.gateway import Gateway

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 60.0


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + digest.hexdigest()


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance: float = 300,
    now: float | None = None,
) -> bool:
    """What a receiver does (also used by the tests): fresh timestamp, constant-time compare."""
    at = ascii_int(timestamp)
    if at is None:
        return False
    age = abs((now if now is not None else clock.now()) - at)
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookNotifier:
    def __init__(
        self,
        gateway: Gateway,
        target: WebhookTarget,
        *,
        sleep: Callable[[float], None] = time.sleep,
        base_delay: float = 1.0,
    ) -> None:
        self._gateway = gateway
        self._target = target
        self._sleep = sleep
        self._base_delay = base_delay
        self._http = httpx.Client(timeout=target.timeout_seconds, follow_redirects=False)

    def notify(self, event: ChannelEvent) -> None:
        name = _public_name(event)
        if name is None or name not in self._target.events:
            return
        body = json.dumps(
            {"event": name, "sent_at": clock.now(), "data": self._data(event)},
            sort_keys=True,
            default=str,
        ).encode()
        self.deliver(name, body)

    def _data(self, event: ChannelEvent) -> dict[str, Any]:
        if event.approval is not None:
            return masked_summary(self._gateway, event.approval)
        return event.data

    def deliver(self, name: str, body: bytes) -> bool:
        delivery = secrets.token_hex(12)
        for attempt in range(self._target.max_attempts):
            if attempt:
                self._sleep(min(MAX_BACKOFF_SECONDS, self._base_delay * 2 ** (attempt - 1)))
            status = self._attempt(name, delivery, body)
            if status is not None and 200 <= status < 300:
                return True
            if status is not None and status < 500 and status != 429:
                log.error("webhook %s refused %s with %s; not retrying", self._url, name, status)
                return False
        log.error(
            "webhook %s: %s undelivered after %d attempts",
            self._url,
            name,
            self._target.max_attempts,
        )
        return False

    def _attempt(self, name: str, delivery: str, body: bytes) -> int | None:
        timestamp = str(int(clock.now()))  # fresh on each retry: receivers check freshness
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "phigate-webhooks",
            "X-Phigate-Event": name,
            "X-Phigate-Delivery": delivery,
            "X-Phigate-Timestamp": timestamp,
            "X-Phigate-Signature": sign(reveal(self._target.secret), timestamp, body),
        }
        try:
            return self._http.post(self._target.url, content=body, headers=headers).status_code
        except httpx.HTTPError as exc:
            log.warning("webhook %s: %s", self._url, type(exc).__name__)
            return None

    @property
    def _url(self) -> str:
        return self._target.url.split("?", 1)[0]  # query strings may hold tokens


def _public_name(event: ChannelEvent) -> str | None:
    if event.name == "approval.voted":
        return None  # not a documented webhook event
    if event.data.get("remote"):
        return None  # the replica where the decision happened sends it
    return event.name


def webhook_notifiers(gateway: Gateway, targets: tuple[WebhookTarget, ...]) -> dict[str, Notifier]:
    return {f"webhook-{i}": WebhookNotifier(gateway, t) for i, t in enumerate(targets)}
