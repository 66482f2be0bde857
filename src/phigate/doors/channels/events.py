"""What a reviewer channel receives, and the one method a channel implements.

A leaf of the channels package: the dispatcher imports it to fan events out,
and Slack, Teams and webhooks import it to receive them, so neither side
imports the other (`phigate.doors.channels.install` is the one place that knows both).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from phigate.approvals import Approval


@dataclass(frozen=True)
class ChannelEvent:
    """`approval.requested|voted|decided` (with `approval`) or `action.executed|denied`.

    `data["remote"]` marks an approval event relayed from another replica's audit records.
    """

    name: str
    approval: Approval | None = None
    data: dict[str, Any] = field(default_factory=dict)


class Notifier(Protocol):
    """One reviewer channel. `notify` runs on the notifier's own worker thread."""

    def notify(self, event: ChannelEvent) -> None: ...
