"""Prometheus metrics of the gateway (served at /metrics)."""

from __future__ import annotations

from typing import TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.metrics import MetricWrapperBase

from phigate.core import clock

M = TypeVar("M", bound=MetricWrapperBase)

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "phigate_requests_total",
    "Requests by front door and action kind",
    ["front_door", "kind"],
    registry=REGISTRY,
)
DECISIONS = Counter(
    "phigate_decisions_total", "Policy decisions", ["decision", "risk"], registry=REGISTRY
)
APPROVALS = Gauge("phigate_approvals", "Approval requests by state", ["state"], registry=REGISTRY)
MASKED = Counter(
    "phigate_masked_entities_total", "Masked entities by type", ["type"], registry=REGISTRY
)
LATENCY = Histogram(
    "phigate_action_seconds",
    "Time to answer an action",
    ["front_door", "status"],
    registry=REGISTRY,
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
APPROVAL_LISTENER_UP = Gauge(
    "phigate_approval_listener_up",
    "1 while this process listens for decisions (LISTEN/NOTIFY); 0 while waiters poll",
    registry=REGISTRY,
)
CLOCK_OFFSET = Gauge(
    "phigate_clock_offset_seconds",
    "How far this host's clock is behind the state database's (corrected in every check)",
    registry=REGISTRY,
)
# Read at each scrape: a host clock stepped since the last heartbeat shows at once.
CLOCK_OFFSET.set_function(clock.offset)
CLOCK_UNCERTAINTY = Gauge(
    "phigate_clock_uncertainty_seconds",
    "To within how much this replica knows the state database's clock (half the best "
    "round trip, plus drift since); expiry is judged that much early",
    registry=REGISTRY,
)
CLOCK_UNCERTAINTY.set_function(clock.uncertainty)
APPROVAL_WAKEUPS = Counter(
    "phigate_approval_notifications_total",
    "Decision notifications heard from the state database (any replica's decisions)",
    registry=REGISTRY,
)
HTTP_REQUESTS = Counter(
    "phigate_http_requests_total", "HTTP requests", ["method", "status"], registry=REGISTRY
)
STATE_COMMIT_SECONDS = Histogram(
    "phigate_state_commit_seconds",
    "Time to commit one group of state-store writes (records written before actions run)",
    registry=REGISTRY,
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1),
)
STATE_COMMIT_WRITES = Histogram(
    "phigate_state_commit_writes",
    "Writes sharing one state-store commit (group commit)",
    registry=REGISTRY,
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)
STATE_COMMIT_FAILURES = Counter(
    "phigate_state_commit_failures_total",
    "State-store commits that failed (their actions were refused)",
    registry=REGISTRY,
)


_CHILDREN: dict[tuple[int, tuple[str, ...]], MetricWrapperBase] = {}


def labelled(metric: M, *values: str) -> M:
    """`metric.labels(*values)`, looked up once per metric and values: every action
    counts itself, and `labels` validates and locks on each call (about 2 us).
    Label values are few (front doors, kinds, decisions, risks, statuses, types)."""
    key = (id(metric), values)
    child = _CHILDREN.get(key)
    if child is None:
        child = _CHILDREN[key] = metric.labels(*values)
    return child  # type: ignore[return-value]  # the child of an M is an M
