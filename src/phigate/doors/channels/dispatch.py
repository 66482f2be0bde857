"""Fan approval and action events out to notifiers without ever blocking the pipeline.

    gateway.subscribe_approvals ──► Dispatcher ──► queue ──► worker thread ──► Notifier.notify
    audit log tail              ──┘                (one queue and thread per notifier)

The approval listener only enqueues (`put_nowait`); a slow Slack API or a webhook
in back-off delays its own worker thread and nothing else. A full queue drops the
event with a log line rather than stall a vote.

Several replicas share one audit log, and each record names the replica that wrote
it. The tail relays another replica's votes, decisions and send-backs (an approved
action that policy sends back for more votes when it runs: `approval.reopened`,
relayed as `approval.requested`) as `remote` approval events, and publishes
`action.*` events only for its own records (so each webhook goes out once). Slack
and Teams act on local and remote events alike; compare-and-set claims in the state
store (`posted.PostedMessages`) let exactly one replica update each message per step
and post each request once, so the relay is what keeps the chat current when the
replica where it happened cannot.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

from phigate.approvals import ApprovalState
from phigate.approvals.service import ApprovalEvent
from phigate.doors.channels.events import ChannelEvent, Notifier
from phigate.pipeline.gateway import Gateway

log = logging.getLogger(__name__)
QUEUE_SIZE = 1000
AUDIT_POLL_SECONDS = 1.0
_AUDIT_EVENTS = {"action.executed": "action.executed", "action.decided": "action.denied"}
_APPROVAL_EVENTS = {
    "approval.vote": "approval.voted",
    "approval.decided": "approval.decided",
    "approval.reopened": "approval.requested",  # posted again for the votes now needed
}
# Of one approval's records in one poll, the one relayed: its event redraws what the
# others would (a send-back posts and redraws; a decision includes its vote).
_PRECEDENCE = {"approval.voted": 0, "approval.decided": 1, "approval.requested": 2}


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
        self._action_events = action_events
        self._since = 0
        self._stop = threading.Event()
        self._tail = threading.Thread(
            target=self._tail_audit, name="phigate-channel-audit", daemon=True
        )

    def start(self) -> None:
        for worker in self._workers:
            worker.thread.start()
        self._since = self._gateway.audit_head()[0]
        self._tail.start()
        self._gateway.subscribe_approvals(self._on_approval)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.queue.put(None)
        for thread in [w.thread for w in self._workers] + [self._tail]:
            if thread.is_alive():
                thread.join(timeout)

    @property
    def position(self) -> int:
        """The sequence number of the last audit record the tail has read."""
        return self._since

    def publish(self, event: ChannelEvent) -> None:
        if self._stop.is_set():
            return
        for worker in self._workers:
            worker.offer(event)

    def _on_approval(self, event: ApprovalEvent) -> None:
        self.publish(ChannelEvent(event.name, approval=event.approval))

    def _tail_audit(self) -> None:
        while not self._stop.wait(AUDIT_POLL_SECONDS):
            try:
                self.read_audit()
            except Exception:  # the store may be briefly unreachable; try again next poll
                log.exception("reading the audit log for channel events failed")

    def read_audit(self) -> None:
        """One poll: publish what the audit records since the last poll mean here."""
        records = self._gateway.audit_records(since=self._since, limit=500)
        if not records:
            return
        here = self._gateway.replica  # read each time: tests set it per replica
        remote: dict[str, str] = {}  # approval id -> event name, in order of first sight
        for record in records:
            event, approval_id = str(record.get("event")), record.get("approval_id")
            if event in _APPROVAL_EVENTS and approval_id and record.get("replica") != here:
                # one event per approval per poll: its vote and decision share a transaction
                name, seen = _APPROVAL_EVENTS[event], remote.get(str(approval_id))
                if seen is None or _PRECEDENCE[name] >= _PRECEDENCE[seen]:
                    remote[str(approval_id)] = name
            elif self._action_events and record.get("replica") == here:
                self._publish_action(record)
        for approval_id, name in remote.items():
            self._publish_remote(name, approval_id)
        self._since = int(records[-1]["seq"])  # after publishing: `position` means enqueued

    def _publish_action(self, record: dict[str, Any]) -> None:
        # Only this replica's records: every replica reads every record, and the
        # replica that wrote it is the one that sends it.
        name = _AUDIT_EVENTS.get(str(record.get("event")))
        if name == "action.denied" and record.get("decision") != "deny":
            return
        if name is not None:
            self.publish(ChannelEvent(name, data=_action_data(record)))

    def _publish_remote(self, name: str, approval_id: str) -> None:
        try:
            approval = self._gateway.approval(approval_id)
        except Exception:  # a lost update is logged; re-reading the batch would repeat actions
            log.exception("loading approval %s for a relayed %s failed", approval_id, name)
            return
        if name == "approval.requested" and approval.state is not ApprovalState.PENDING:
            name = "approval.decided"  # decided again since it was sent back: redraw only
        self.publish(ChannelEvent(name, approval=approval, data={"remote": True}))


def _action_data(record: dict[str, Any]) -> dict[str, Any]:
    keep = ("action_id", "who", "where", "result", "why", "approval_id", "seq", "ts")
    return {k: record[k] for k in keep if k in record}
