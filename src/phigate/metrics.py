"""Prometheus metrics of the gateway (served at /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

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
HTTP_REQUESTS = Counter(
    "phigate_http_requests_total", "HTTP requests", ["method", "status"], registry=REGISTRY
)
