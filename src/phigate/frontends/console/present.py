"""What reviewers see of an approval: the REST view plus pretty SQL and column sensitivity.

Built on `approval_json` (frontends/api.py) so every reviewer channel shows the same
facts. Nothing here reads upstream data: reviewers see the action, never its result.
"""

from __future__ import annotations

import time
from typing import Any

import pglast

from phigate.approvals import Approval
from phigate.frontends.api import approval_json
from phigate.gateway import Gateway
from phigate.masking.columns import ColumnInfo, classify

_SENSITIVITY = {"KEEP": "not identifying", "TEXT": "free text, scanned", "PROBE": "sampled"}


def pretty_sql(text: str) -> tuple[str, bool]:
    """(text, pretty) — the statement re-printed from its parse tree, comments dropped.

    Re-printing from the tree shows what the server will run, not what the author's
    layout or comments suggest. Unparseable text is shown verbatim and flagged.
    """
    try:
        return pglast.prettify(text, preserve_comments=False), True
    except Exception:  # the parser rejects it; the policy treated it as `unknown`
        return text, False


def column_sensitivity(gateway: Gateway, columns: list[str]) -> list[dict[str, str]]:
    overrides = dict(gateway.settings.masking.columns)
    rows = []
    for column in columns:
        kind = classify(ColumnInfo(name=column.rsplit(".", 1)[-1], sources=(column,)), overrides)
        rows.append({"column": column, "sensitivity": _SENSITIVITY.get(kind, kind)})
    return rows


def time_left(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    if seconds >= 60:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def approval_view(gateway: Gateway, approval: Approval) -> dict[str, Any]:
    """`approval_json` plus what the console renders (blocking: call in a thread)."""
    view = approval_json(gateway, approval)
    action = view["action"]
    if action["kind"] == "sql":
        action["pretty"], action["pretty_ok"] = pretty_sql(action["text"])
    else:
        action["pretty"], action["pretty_ok"] = action["text"], True
    action["column_sensitivity"] = column_sensitivity(gateway, action["columns"])
    requested_by = action["requested_by"]
    view["agent"] = requested_by["subject"] if requested_by["kind"] == "agent" else None
    view["time_left"] = time_left(approval.expires_at - time.time())
    view["approvals_so_far"] = approval.approvals_so_far
    return view
