"""Who may see an action, and how much of it: one rule for every front door.

Its requester (the same person, aliases resolved, of the same kind) and the person an
agent acts for see their own text; auditors and the approval's eligible reviewers see
the scrubbed reviewer's view (`phigate.reviewing.view`); nobody else sees it at all.
REST, MCP and the console ask here rather than compare subjects themselves.
"""

from __future__ import annotations

import enum

from phigate.approvals import Approval
from phigate.core.action_store import ActionRecord
from phigate.identity.principal import Principal, PrincipalKind
from phigate.pipeline.gateway import Gateway


class Sight(enum.Enum):
    """How much of an action a principal may see."""

    NONE = "none"
    REVIEWER = "reviewer"  # the scrubbed reviewer view
    OWNER = "owner"  # the requester (or the person an agent acts for): their own text too


def sight(
    gateway: Gateway, principal: Principal, record: ActionRecord, approval: Approval | None
) -> Sight:
    """Who sees what, for every front door: owners their own text, reviewers the view."""
    if is_requester(gateway, principal, record):
        return Sight.OWNER
    me = gateway.people.canonical(principal)
    requester = gateway.people.canonical(record.action.principal)
    if me.kind is PrincipalKind.HUMAN and me.subject == requester.on_behalf_of:
        return Sight.OWNER  # the person the agent acts for answers for its requests
    if gateway.is_auditor(principal):
        return Sight.REVIEWER
    if approval is not None and principal.in_any(frozenset(approval.eligible_groups)):
        return Sight.REVIEWER
    return Sight.NONE


def visible_approvals(
    gateway: Gateway, principal: Principal, approvals: list[Approval]
) -> list[Approval]:
    """The approvals `principal` may see at all (blocking: reads each one's action)."""
    return [
        a
        for a in approvals
        if sight(gateway, principal, gateway.action(a.action_id), a) is not Sight.NONE
    ]


def is_requester(gateway: Gateway, principal: Principal, record: ActionRecord) -> bool:
    """The same person (aliases resolved) of the same kind: an agent whose subject
    happens to equal a human's is not that human."""
    me = gateway.people.canonical(principal)
    requester = gateway.people.canonical(record.action.principal)
    return requester.is_same_caller(me)
