"""Fan approval and action events out to notifiers without ever blocking the pipeline.

    gateway.approvals.subscribe ──► Dispatcher ──► queue ──► worker thread ──► Notifier.notify
    audit log tail (action.*)   ──┘                (one queue and thread per notifier)

The approval listener only enqueues (`put_nowait`); a slow Slack API or a webhook
in back-off delays its own worker thread and nothing else. A full queue drops the
event with a log line rather than stall a vote.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import FastAPI

from phigate.approvals import Approval
from phigate.approvals.service import ApprovalEvent
from phigate.gateway import Gateway

log = logging.getLogger(__name__)
QUEUE_SIZE = 1000
AUDIT_POLL_SECONDS = 1.0
_AUDIT_EVENTS = {"action.executed": "action.executed", "action.decided": "action.denied"}


@dataclass(frozen=True)
class ChannelEvent:
    """`approval.requested|voted|decided` (with `approval`) or `action.executed|denied`."""

    name: str
    approval: Approval | None = None
    data: dict[str, Any] = field(default_factory=dict)


class Notifier(Protocol):
    """One reviewer channel. `notify` runs on the notifier's own worker thread."""

    def notify(self, event: ChannelEvent) -> None: ...


class _Worker:
    def __init__(self, notifier: Notifier, name: str) -> None:
        self.notifier = notifier
        self.queue: queue.Queue[ChannelEvent | None] = queue.Queue(QUEUE_SIZE)
        self.thread = threading.Thread(
            target=self._run, name=f"phigate-channel-{name}", daemon=True
        )

    def offer(self, event: ChannelEvent) -> None:
        try:
            self.queue.put_nowait(event)
        except queue.Full:
            log.error("channel %s is backed up; dropped %s", self.thread.name, event.name)

    def _run(self) -> None:
        while (event := self.queue.get()) is not None:
            try:
                self.notifier.notify(event)
            except Exception:  # one failed notification must not end the channel
                log.exception("channel %s failed on %s", self.thread.name, event.name)


class Dispatcher:
    def __init__(
        self, gateway: Gateway, notifiers: dict[str, Notifier], *, action_events: bool = False
    ) -> None:
        self._gateway = gateway
        self._workers = [_Worker(n, name) for name, n in notifiers.items()]
        self._stop = threading.Event()
        self._tail: threading.Thread | None = None
        if action_events:
            self._tail = threading.Thread(
                target=self._tail_audit, name="phigate-channel-audit", daemon=True
            )

    def start(self) -> None:
        for worker in self._workers:
            worker.thread.start()
        self._since = self._gateway.audit.head()[0]
        if self._tail is not None:
            self._tail.start()
        self._gateway.approvals.subscribe(self._on_approval)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.queue.put(None)
        for thread in [w.thread for w in self._workers] + ([self._tail] if self._tail else []):
            if thread.is_alive():
                thread.join(timeout)

    def publish(self, event: ChannelEvent) -> None:
        if self._stop.is_set():
            return
        for worker in self._workers:
            worker.offer(event)

    def _on_approval(self, event: ApprovalEvent) -> None:
        self.publish(ChannelEvent(event.name, approval=event.approval))

    def _tail_audit(self) -> None:
        # Action outcomes are read from the audit log: it is written by every
        # replica, so webhooks fire whichever replica ran the action.
        while not self._stop.wait(AUDIT_POLL_SECONDS):
            try:
                records = self._gateway.audit.records(since=self._since, limit=500)
            except Exception:
                log.exception("reading the audit log for channel events failed")
                continue
            for record in records:
                self._since = int(record["seq"])
                name = _AUDIT_EVENTS.get(str(record.get("event")))
                if name == "action.denied" and record.get("decision") != "deny":
                    continue
                if name is not None:
                    self.publish(ChannelEvent(name, data=_action_data(record)))


def _action_data(record: dict[str, Any]) -> dict[str, Any]:
    keep = ("action_id", "who", "where", "result", "why", "approval_id", "seq", "ts")
    return {k: record[k] for k in keep if k in record}


def install_channels(app: FastAPI, gateway: Gateway) -> Dispatcher | None:
    """Mount the Slack and Teams endpoints and start the dispatcher, if configured."""
    from phigate.channels.webhooks import webhook_notifiers

    settings = gateway.settings.channels
    notifiers: dict[str, Notifier] = {}
    if settings.slack is not None:
        from phigate.channels.slack import install_slack

        notifiers["slack"] = install_slack(app, gateway, settings.slack)
    if settings.teams is not None:
        from phigate.channels.teams import install_teams

        notifiers["teams"] = install_teams(app, gateway, settings.teams)
    notifiers.update(webhook_notifiers(gateway, settings.webhooks))
    if not notifiers:
        return None
    dispatcher = Dispatcher(gateway, notifiers, action_events=bool(settings.webhooks))
    dispatcher.start()
    app.state.channels = dispatcher
    return dispatcher
