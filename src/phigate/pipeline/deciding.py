"""Describe and decide: the pipeline's first two steps, the same for every caller.

Every front door reaches them through `Gateway.describe` and `Gateway.decide`;
`phigate policy check` calls them directly with the same settings, connectors
and aliases, so "what would happen" and "what happens" cannot drift apart.
Nothing here runs, records or waits.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace

from phigate.config import Settings
from phigate.connectors.base import Connector
from phigate.core import clock
from phigate.core.actions import Action, Description
from phigate.core.errors import NotAllowedError, NotFoundError
from phigate.core.risk import RiskClass
from phigate.identity.people import People
from phigate.masking.columns import shown_as_stored
from phigate.policy import Decision, Verdict, evaluate

log = logging.getLogger(__name__)


class Decider:
    """Policy over a connector's description of an action, for one configuration."""

    def __init__(
        self,
        settings: Settings,
        connectors: Mapping[str, Connector],
        scrub: Callable[[str], str],
    ) -> None:
        self.settings = settings
        self.connectors = connectors
        # One subject per person, whatever identity they used (identity.aliases).
        self.people = People(settings.identity.aliases)
        # Masks what a parse error quotes of the statement before it joins a reason.
        self._scrub = scrub
        self._column_types = settings.masking.column_types()

    def shown_as_stored(self, source: str) -> bool:
        """Whether callers see source column `source` as stored, as masking decides it
        for this configuration (what a rule's `predicate_masked` asks)."""
        return shown_as_stored(source, self._column_types)

    def check_connection(self, action: Action) -> None:
        connector = self.connectors.get(action.connection)
        if connector is None:
            raise NotFoundError(f"no connection named {action.connection!r}")
        if connector.kind != action.kind:
            raise NotAllowedError(
                f"connection {action.connection!r} runs {connector.kind} actions, not {action.kind}"
            )

    def describe(self, action: Action) -> Description:
        """What the action would do, as its connector understands it; else `unknown`."""
        connector = self.connectors.get(action.connection)
        try:
            if connector is not None:
                return connector.describe(action)
        except Exception as exc:  # a describer failure must deny, never allow
            log.exception("describing the action failed")
            return Description(
                RiskClass.UNKNOWN, reasons=(f"describe failed: {type(exc).__name__}",)
            )
        return Description(RiskClass.UNKNOWN, reasons=("no connector understands this action",))

    def decide(
        self, action: Action, description: Description | None = None
    ) -> tuple[Description, Decision]:
        """The decision for `action`, its principal taken as the person it is
        (a no-op for principals that came through authentication, already mapped)."""
        self.check_connection(action)
        principal = self.people.canonical(action.principal)
        if principal is not action.principal:  # `policy check --as` an alias
            action = replace(action, principal=principal)
        description = description or self.describe(action)
        decision = evaluate(
            self.settings.policy.rules,
            action,
            description,
            reveal_approvals=self.settings.policy.reveal_approvals,
            now=dt.datetime.fromtimestamp(clock.now(), dt.UTC),  # the replicas' shared clock
            shown_as_stored=self.shown_as_stored,
        )
        return description, self._with_parse_error(decision, description)

    def _with_parse_error(self, decision: Decision, description: Description) -> Decision:
        """A statement the parser rejects is refused by whichever rule matches `unknown`;
        the parser's own message (what, and where) is what the caller needs to fix it.
        Here, once, so every front door and `policy check` say the same."""
        error = description.detail.get("parse_error")
        if not error or decision.outcome is Verdict.ALLOW:
            return decision
        detail = self._scrub(str(error))
        return replace(
            decision, reason=f"{decision.reason} (the statement does not parse: {detail})"
        )
