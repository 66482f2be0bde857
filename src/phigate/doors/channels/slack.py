"""Slack: Block Kit approval messages, the signed interactivity endpoint, live updates.

    approval.requested ──► chat.postMessage to the configured channels (and DMs)
    click ──► POST /slack/interactions ──► verify signature ──┐
    click ──► Socket Mode envelope (_slack_socket) ──► ack ──┴► interaction ──► map user ──► vote
    approval.voted / decided (any channel) ──► claim its messages ──► chat.update them

Posted messages (channel, ts) live in the state store (`posted.PostedMessages`), not
in this process: after a restart, or on another replica, a vote still updates them.
The replica that took the vote claims them; other replicas hear the vote through the
dispatcher's audit tail and try too, but a claim is a compare-and-set on how far the
approval has got, so each message is updated exactly once per vote or decision (and
still updated if the voting replica stopped before it could).

The signature (HMAC-SHA256 with the signing secret over `v0:<timestamp>:<raw body>`)
is checked, within `timestamp_window_seconds` (default 5 minutes) and with a
constant-time compare, before the body is parsed; a signature seen before, by this
replica or any other on the same state store (`replays.ReplayGuard`), is a replay and
is refused.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from phigate.approvals import Approval
from phigate.core import clock
from phigate.core.digits import ascii_int
from phigate.core.errors import InvalidRequestError, PhigateError
from phigate.doors.channels import _slack_blocks as blocks
from phigate.doors.channels._refusals import RefusalAudit
from phigate.doors.channels._secret import reveal
from phigate.doors.channels._slack_socket import SocketModeLink
from phigate.doors.channels._summary import masked_summary
from phigate.doors.channels.events import ChannelEvent
from phigate.doors.channels.posted import PostedMessages, drawn
from phigate.doors.channels.replays import ReplayGuard, digest
from phigate.doors.channels.settings import Person, SlackSettings
from phigate.identity.principal import Principal, PrincipalKind
from phigate.pipeline.gateway import Gateway

log = logging.getLogger(__name__)
MAX_BODY = 256 * 1024


def _object(value: Any, what: str) -> dict[str, Any]:
    """A part of a signed payload that must be a JSON object; any other shape is a
    payload the gateway does not understand (400), never a crash."""
    if not isinstance(value, dict):
        raise InvalidRequestError(f"the payload's {what} is not an object")
    return value


def _team_of(payload: dict[str, Any]) -> str:
    """The Slack team (workspace) id an interaction names ("" when it names none)."""
    team = payload.get("team")
    found = team.get("id") if isinstance(team, dict) else None
    return found if isinstance(found, str) else ""


def principal_of(person: Person) -> Principal:
    return Principal(
        person.subject, PrincipalKind.HUMAN, frozenset(person.groups), authenticated_by="slack"
    )


class SlackChannel:
    """The Slack notifier (on its worker thread) and the interaction handler (in the app)."""

    def __init__(
        self, gateway: Gateway, settings: SlackSettings, client: WebClient | None = None
    ) -> None:
        self.gateway = gateway
        self.settings = settings
        self.client = client or WebClient(
            token=reveal(settings.bot_token), base_url=settings.api_url
        )
        secret = settings.signing_secret
        self._secret = reveal(secret).encode() if secret else None
        self._replays = ReplayGuard(gateway.db, "slack")
        self.posted = PostedMessages(gateway.db, "slack")
        self.socket: SocketModeLink | None = None  # set when clicks arrive over Socket Mode
        self.refusals = RefusalAudit(gateway, "slack")

    # ── outbound (worker thread) ────────────────────────────────────────────
    def notify(self, event: ChannelEvent) -> None:
        if event.approval is None:
            return
        if event.name == "approval.requested":
            if self.posted.claim_post(event.approval):  # a send-back is heard by every replica
                self._post(event.approval)
            # Sent back for more votes: the copies posted before still say "approved".
            self._update(event.approval)
        elif event.name in ("approval.voted", "approval.decided"):
            self._update(event.approval)

    def _render(self, view: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        console_only = view["action"]["risk"] in self.settings.console_only
        return blocks.headline(view), blocks.approval_blocks(view, console_only=console_only)

    def _post(self, approval: Approval) -> None:
        view = masked_summary(self.gateway, approval)
        text, body = self._render(view)
        for channel in self._destinations(approval, view["rules"]):
            try:
                answer = self.client.chat_postMessage(channel=channel, text=text, blocks=body)
            except SlackApiError as exc:
                log.error("Slack chat.postMessage to %s failed: %s", channel, exc.response["error"])
                continue
            self.posted.record(
                approval.id,
                {"channel": str(answer["channel"]), "ts": str(answer["ts"])},
                self.gateway.replica,
                shown=drawn(approval),
            )

    def _destinations(self, approval: Approval, rules: list[str]) -> list[str]:
        """Where the request is posted, each place once: the channels for every request,
        the `rule_channels` of every rule whose vote it needs (a claims write that needs
        a data owner and billing-security is told to both), and mapped reviewers' DMs."""
        targets = list(self.settings.channels)
        for rule in rules:
            targets += self.settings.rule_channels.get(rule, ())
        if self.settings.dm_reviewers:
            eligible = frozenset(approval.eligible_groups)
            targets += [
                uid
                for uid, p in self.settings.users.items()
                if eligible & set(p.groups)
                and p.subject != approval.requester
                and p.subject != approval.on_behalf_of
            ]
        return list(dict.fromkeys(targets))

    def _update(self, approval: Approval) -> None:
        # Nothing to send when none was posted or another replica drew this step.
        self.posted.draw(approval, self.gateway.approval, self._send_update)

    def _send_update(self, approval: Approval, messages: list[dict[str, str]]) -> None:
        text, body = self._render(masked_summary(self.gateway, approval))
        for message in messages:
            channel = message["channel"]
            try:
                self.client.chat_update(channel=channel, ts=message["ts"], text=text, blocks=body)
            except SlackApiError as exc:
                log.error("Slack chat.update in %s failed: %s", channel, exc.response["error"])

    # ── inbound (the app's event loop) ──────────────────────────────────────
    async def handle(self, request: Request) -> Response:
        """The HTTP transport: signature first, then the shared `interaction`."""
        body = await request.body()
        timestamp = self._signed_at(body, request) if len(body) <= MAX_BODY else None
        if timestamp is None:
            return await self.refusals.refuse(request, "invalid signature", 401)
        if not await asyncio.to_thread(self._first_sighting, request, timestamp):
            return await self.refusals.refuse(request, "replayed request", 401)
        try:
            payload = json.loads(parse_qs(body.decode())["payload"][0])
        except (KeyError, ValueError, UnicodeDecodeError):
            payload = None
        if not isinstance(payload, dict):
            return await self.refusals.refuse(request, "not an interaction payload", 400)
        if why := self._foreign(payload):
            return await self.refusals.refuse(request, why, 403)
        try:
            answer = await self.interaction(payload)
        except InvalidRequestError as exc:
            return await self.refusals.refuse(request, exc.message, 400)
        return JSONResponse(answer) if answer is not None else Response(status_code=200)

    async def interaction(self, payload: dict[str, Any]) -> dict[str, Any] | None:
        """One authenticated interaction, from either transport (HTTP or Socket Mode).

        Returns the body Slack expects back (modal errors), or None for a bare ack.
        """
        if why := self._foreign(payload):  # over Socket Mode: acknowledged, not acted on
            about = {"team_id": _team_of(payload)}
            await self.refusals.record("socket-mode", why, "socket-mode", about)
            return None
        if payload.get("type") == "block_actions":
            await self._on_click(payload)
        elif payload.get("type") == "view_submission":
            return await self._on_deny_reason(payload)
        return None

    def _foreign(self, payload: dict[str, Any]) -> str | None:
        """Why an interaction is refused for the team it comes from, or None: with
        `team_id` set, one from another Slack team, or naming none, is not acted on."""
        team = self.settings.team_id
        if team is None or _team_of(payload) == team:
            return None
        return "the interaction is from another Slack team"

    def _signed_at(self, body: bytes, request: Request) -> int | None:
        """The request's timestamp if it is inside the configured window and the body
        is signed with the secret, else None. (slack_sdk's verifier has a fixed
        5-minute window and decodes the body as UTF-8; this compares the raw bytes.)"""
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        signature = request.headers.get("x-slack-signature", "")
        at = ascii_int(timestamp)
        if self._secret is None or at is None or not signature:
            return None
        if abs(clock.now() - at) > self.settings.timestamp_window_seconds:
            return None
        signed = b"v0:" + timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(self._secret, signed, hashlib.sha256).hexdigest()
        return at if hmac.compare_digest(expected, signature) else None

    def _first_sighting(self, request: Request, timestamp: int) -> bool:
        # The signature covers the timestamp and the body: it names the request.
        keys = [digest("signature", request.headers.get("x-slack-signature", ""))]
        until = timestamp + self.settings.timestamp_window_seconds + 1
        return self._replays.first_sighting(keys, until)

    async def _on_click(self, payload: dict[str, Any]) -> None:
        actions = payload.get("actions") or [{}]
        if not isinstance(actions, list):
            raise InvalidRequestError("the payload's actions are not a list")
        action = _object(actions[0], "an action")
        action_id, approval_id = action.get("action_id"), str(action.get("value", ""))
        if action_id not in (blocks.APPROVE, blocks.DENY):
            return  # "open in console" is a link; nothing to record
        user_id = str(_object(payload.get("user", {}), "user").get("id", ""))
        where = str(_object(payload.get("channel", {}), "channel").get("id") or user_id)
        principal = await asyncio.to_thread(self.principal_for, user_id)
        if principal is None:
            return await self._tell(
                where,
                user_id,
                "Your Slack account is not linked to a phigate "
                "reviewer, so this click was not recorded.",
            )
        if why := await self._console_only(approval_id):
            return await self._tell(where, user_id, why)
        if action_id == blocks.DENY:
            await asyncio.to_thread(
                self.client.views_open,
                trigger_id=payload.get("trigger_id"),
                view=blocks.deny_modal(approval_id),
            )
            return None
        await self._vote(approval_id, principal, "approve", "", where, user_id)
        return None

    async def _on_deny_reason(self, payload: dict[str, Any]) -> dict[str, Any] | None:
        view = _object(payload.get("view", {}), "view")
        if view.get("callback_id") != blocks.DENY_MODAL:
            return None
        user_id = str(_object(payload.get("user", {}), "user").get("id", ""))
        field: Any = view
        for key in ("state", "values", "reason", "reason"):
            field = _object(field.get(key, {}), key)
        reason = str(field.get("value") or "").strip()
        principal = await asyncio.to_thread(self.principal_for, user_id)
        problem = None
        if principal is None:
            problem = "Your Slack account is not linked to a phigate reviewer."
        elif why := await self._console_only(str(view.get("private_metadata", ""))):
            problem = why
        else:
            problem = await self._vote(
                str(view.get("private_metadata", "")), principal, "deny", reason, None, user_id
            )
        if problem:
            return {"response_action": "errors", "errors": {"reason": problem}}
        return None

    async def _vote(
        self,
        approval_id: str,
        principal: Principal,
        decision: str,
        comment: str,
        where: str | None,
        user_id: str,
    ) -> str | None:
        try:
            await self.gateway.vote(
                approval_id, principal, decision, comment=comment, channel="slack"
            )
        except PhigateError as exc:
            if where is not None:
                await self._tell(where, user_id, f"Not recorded: {exc.message}")
            return exc.message
        return None

    async def _console_only(self, approval_id: str) -> str | None:
        """Why a click on this approval is not recorded from Slack: its risk class is
        decided in the console, or the message could not show all of it (so it offered
        no vote; a click is forged or stale). None when Slack may record the vote."""
        try:
            approval = await asyncio.to_thread(self.gateway.approval, approval_id)
            record = await asyncio.to_thread(self.gateway.action, approval.action_id)
        except PhigateError:
            return None  # the vote itself will report the missing approval
        if record.description.risk.value in self.settings.console_only:
            return "This request can only be decided in the phigate console."
        view = await asyncio.to_thread(masked_summary, self.gateway, approval)
        return blocks.unshown(view)

    async def _tell(self, channel: str, user_id: str, text: str) -> None:
        try:
            await asyncio.to_thread(
                self.client.chat_postEphemeral,
                channel=channel,
                user=user_id,
                text=blocks.escape(text),  # an error may quote what an agent chose
            )
        except SlackApiError as exc:
            log.warning("Slack chat.postEphemeral failed: %s", exc.response["error"])

    def principal_for(self, user_id: str) -> Principal | None:
        """Configured Slack user id first, then the account's email via users.info."""
        person = self.settings.users.get(user_id)
        if person is None and self.settings.people_by_email and user_id:
            try:
                profile = self.client.users_info(user=user_id)["user"]["profile"]
            except (SlackApiError, KeyError, TypeError):
                return None
            emails = {k.lower(): v for k, v in self.settings.people_by_email.items()}
            person = emails.get(str(profile.get("email", "")).lower())
        return principal_of(person) if person is not None else None


def install_slack(app: FastAPI, gateway: Gateway, settings: SlackSettings) -> SlackChannel:
    """Clicks arrive over Socket Mode (`socket_mode: true`) or at POST /slack/interactions.

    Never both: in Socket Mode the HTTP endpoint is not mounted, so there is no
    unauthenticated-by-default surface for a secret nobody configured.
    """
    channel = SlackChannel(gateway, settings)
    app.state.slack = channel
    if settings.socket_mode:
        link = open_socket_mode(channel)
        app.state.on_shutdown.append(link.stop)
        return channel

    @app.post("/slack/interactions", include_in_schema=False)
    async def slack_interactions(request: Request) -> Response:
        return await channel.handle(request)

    return channel


def open_socket_mode(channel: SlackChannel) -> SocketModeLink:
    """Start the Socket Mode connection; its envelopes go through `channel.interaction`."""
    settings = channel.settings
    assert settings.app_token is not None  # SlackSettings requires it with socket_mode
    web = WebClient(base_url=settings.api_url)  # apps.connections.open sends the app token
    link = SocketModeLink(reveal(settings.app_token), web, channel.interaction)
    link.start()
    channel.socket = link
    return link
