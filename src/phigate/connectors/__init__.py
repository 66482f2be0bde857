"""Upstream executors. Each is one small `Connector`: run an action, mask as it streams."""

from __future__ import annotations

from phigate.connectors.base import Connector, Result

__all__ = ["Connector", "Result"]
