"""Wire the configured reviewer channels into an app: the one module that knows them all.

Slack, Teams and webhooks each build a `Notifier`; the `Dispatcher` fans events
out to whatever notifiers it is given. Keeping the wiring here means the
dispatcher never imports a channel and no channel imports the dispatcher.
"""

from __future__ import annotations

from fastapi import FastAPI

from phigate.doors.channels.dispatch import Dispatcher
from phigate.doors.channels.events import Notifier
from phigate.doors.channels.slack import install_slack
from phigate.doors.channels.teams import install_teams
from phigate.doors.channels.webhooks import webhook_notifiers
from phigate.pipeline.gateway import Gateway


def install_channels(app: FastAPI, gateway: Gateway) -> Dispatcher | None:
    """Mount the Slack and Teams endpoints and start the dispatcher, if configured."""
    settings = gateway.settings.channels
    notifiers: dict[str, Notifier] = {}
    if settings.slack is not None:
        notifiers["slack"] = install_slack(app, gateway, settings.slack)
    if settings.teams is not None:
        notifiers["teams"] = install_teams(app, gateway, settings.teams)
    notifiers.update(webhook_notifiers(gateway, settings.webhooks))
    if not notifiers:
        return None
    dispatcher = Dispatcher(gateway, notifiers, action_events=bool(settings.webhooks))
    dispatcher.start()
    app.state.channels = dispatcher
    return dispatcher
