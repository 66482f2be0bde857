"""Microsoft Teams: a bot at /teams/messages posting Adaptive Cards with Action.Execute.

    approval.requested ──► POST {serviceUrl}/v3/conversations/{id}/activities (the card)
    Approve/Deny ──► invoke `adaptiveCard/action` ──► verify JWT ──► map aadObjectId ──► vote
    approval.voted / decided ──► claim its cards ──► PUT each activity with the refreshed card

Posted cards (serviceUrl, conversation id, activity id) live in the state store
(`posted.PostedMessages`): after a restart, or on another replica, a vote still
refreshes them. The replica that took the vote claims them; the others hear it through
the dispatcher's audit tail and try too, but a claim is a compare-and-set on how far
the approval has got, so each card is refreshed exactly once per vote or decision.

Every inbound request must carry a Bot Framework JWT: RS256, signed by a key from
the OpenID metadata's JWKS (URL configurable), issuer, audience = the bot's app id,
expiry with a small skew, and a `serviceurl` claim equal to the activity's
serviceUrl, which must itself be an allowed Bot Framework endpoint. The token is
then bound to the activity in the shared state store (`replays.ReplayGuard`): an
activity seen before, or a token seen with another activity, is refused on every
replica. A body that is not an activity of the expected shape is a 400. Without a
bot, `workflow_webhook_url` gets an "Open in phigate" card instead (no inbound path).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
import jwt
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from phigate.approvals import Approval, ApprovalState
from phigate.core import clock
from phigate.core.errors import AuthenticationError, PhigateError
from phigate.doors.channels._refusals import RefusalAudit, source_of
from phigate.doors.channels._secret import reveal
from phigate.doors.channels._summary import masked_summary
from phigate.doors.channels._teams_activity import Activity, MalformedActivityError, read_activity
from phigate.doors.channels._teams_cards import (
    CARD_TYPE,
    NO_VOTE_POSTED,
    approval_card,
    card_message,
    offers_vote,
    plain,
    unshown,
)
from phigate.doors.channels.events import ChannelEvent
from phigate.doors.channels.posted import PostedMessages, drawn
from phigate.doors.channels.replays import ReplayGuard, digest
from phigate.doors.channels.settings import TeamsSettings
from phigate.identity.oidc import check_times
from phigate.identity.principal import Principal, PrincipalKind
from phigate.pipeline.gateway import Gateway

log = logging.getLogger(__name__)
KEYS_SECONDS = 3600.0
MIN_REFETCH_SECONDS = 30.0
# How long an activity id is remembered at least (its token may expire sooner).
ACTIVITY_MEMORY_SECONDS = 3600.0


class BotFrameworkKeys:
    """OpenID metadata → JWKS, cached; refetched (rate-limited) for an unknown key id."""

    def __init__(self, settings: TeamsSettings) -> None:
        self._settings = settings
        self._keys: dict[str, jwt.PyJWK] = {}
        self._endorsements: dict[str, frozenset[str]] = {}  # kid -> channels it signs for
        self._fetched = -1e9
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK:
        stale = time.monotonic() - self._fetched
        if (kid not in self._keys and stale > MIN_REFETCH_SECONDS) or stale > KEYS_SECONDS:
            async with self._lock:
                await self._refresh()
        if kid not in self._keys:
            raise AuthenticationError("token signed with an unknown Bot Framework key")
        return self._keys[kid]

    async def _refresh(self) -> None:
        self._fetched = time.monotonic()
        try:
            async with httpx.AsyncClient(timeout=10, follow_redirects=False) as http:
                meta = (await http.get(self._settings.openid_metadata_url)).json()
                jwks = (await http.get(str(meta["jwks_uri"]))).json()
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise AuthenticationError(
                f"Bot Framework keys unavailable: {type(exc).__name__}"
            ) from exc
        keys, endorsements = {}, {}
        for entry in jwks.get("keys", []):
            if entry.get("kty") == "RSA" and entry.get("kid"):
                kid = str(entry["kid"])
                keys[kid] = jwt.PyJWK(entry, algorithm="RS256")
                if isinstance(entry.get("endorsements"), list):
                    endorsements[kid] = frozenset(str(e) for e in entry["endorsements"])
        self._keys, self._endorsements = keys, endorsements

    def endorses(self, kid: str, channel_id: object) -> bool:
        """Whether key `kid` may sign for `channel_id` (keys that list no endorsements
        may sign for any channel, as in the Bot Framework SDKs)."""
        allowed = self._endorsements.get(kid)
        return allowed is None or (isinstance(channel_id, str) and channel_id in allowed)


class TeamsChannel:
    def __init__(self, gateway: Gateway, settings: TeamsSettings) -> None:
        self.gateway = gateway
        self.settings = settings
        self.keys = BotFrameworkKeys(settings)
        self._replays = ReplayGuard(gateway.db, "teams")
        self.posted = PostedMessages(gateway.db, "teams")
        self._http = httpx.Client(timeout=15, follow_redirects=False)
        self._bot_token: tuple[str, float] = ("", 0.0)
        self.refusals = RefusalAudit(gateway, "teams")

    # ── inbound ─────────────────────────────────────────────────────────────
    async def authenticate(self, request: Request, activity: dict[str, Any]) -> dict[str, Any]:
        token = _bearer(request)
        if not token:
            raise AuthenticationError("missing Bot Framework token")
        try:
            kid = str(jwt.get_unverified_header(token).get("kid", ""))
            key = await self.keys.key(kid)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.settings.app_id,
                issuer=self.settings.issuer,
                # PyJWT reads this host's clock: widened by its drift, so that only the
                # check on the clock every replica shares (check_times) decides.
                leeway=self.settings.clock_skew_seconds + abs(clock.offset()),
                options={"require": ["exp", "iss", "aud"]},
            )
            check_times(claims, self.settings.clock_skew_seconds)
        except jwt.PyJWTError as exc:
            raise AuthenticationError(f"Bot Framework token rejected: {exc}") from exc
        except AuthenticationError as exc:
            raise AuthenticationError(f"Bot Framework token rejected: {exc}") from exc
        if not self.keys.endorses(kid, activity.get("channelId")):
            raise AuthenticationError("the signing key does not endorse the activity's channel")
        service_url = str(activity.get("serviceUrl", ""))
        if claims.get("serviceurl") != service_url or not self._allowed_service(service_url):
            raise AuthenticationError("the activity's serviceUrl is not the token's or not allowed")
        return claims

    def _allowed_service(self, url: str) -> bool:
        return any(url.startswith(p) for p in self.settings.service_url_prefixes)

    async def handle(self, request: Request) -> Response:
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise MalformedActivityError("not an object")
        except ValueError:
            return await self.refusals.refuse(request, "not an activity", 400)
        try:
            claims = await self.authenticate(request, body)
        except AuthenticationError as exc:
            return await self.refusals.refuse(request, exc.message, 401)
        try:
            activity = read_activity(body)
        except MalformedActivityError as exc:
            return await self.refusals.refuse(request, f"not an activity: {exc}", 400)
        tenant = self.settings.tenant_id
        if tenant is not None and activity.tenant_id != tenant:
            return await self.refusals.refuse(request, "the activity is from another tenant", 403)
        if not await asyncio.to_thread(self._first_sighting, request, activity, claims):
            return await self.refusals.refuse(request, "replayed activity or token", 401)
        if activity.is_card_action:
            return JSONResponse(await self._on_action(request, activity))
        return Response(status_code=200)

    def _first_sighting(self, request: Request, activity: Activity, claims: dict[str, Any]) -> bool:
        """Record this activity in the shared store: it is accepted once, on any replica.
        With `one_activity_per_token`, the token too, with no other activity; it is
        keyed by its signed part (header.payload), since the base64 of a signature has
        spare bits and one token has several spellings that all verify."""
        skew = self.settings.clock_skew_seconds
        until = max(float(claims["exp"]) + skew, clock.now() + ACTIVITY_MEMORY_SECONDS + skew)
        keys = [digest("activity", activity.service_url, activity.id)]
        if self.settings.one_activity_per_token:
            keys.append(digest("token", _bearer(request).rsplit(".", 1)[0]))
        return self._replays.first_sighting(keys, until)

    async def _on_action(self, request: Request, activity: Activity) -> dict[str, Any]:
        approval_id, verb = activity.approval_id, activity.verb
        note = ""
        principal = self.principal_for(activity.aad_object_id)
        if principal is None:
            # The card shows the statement and the data it touches: only to a reviewer.
            return await self._not_authorised(request, activity)
        if verb in ("approve", "deny"):
            note = await self._unseen(approval_id) or await self._vote(
                approval_id, principal, verb, activity.reason
            )
        try:
            approval = await asyncio.to_thread(self.gateway.approval, approval_id)
        except PhigateError as exc:
            return _card_response(
                {
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [plain(exc.message)],  # may quote what an agent chose
                }
            )
        view = await asyncio.to_thread(masked_summary, self.gateway, approval)
        votable = await asyncio.to_thread(self.posted.offered_vote, approval_id)
        if votable is False and not note and approval.state is ApprovalState.PENDING:
            note = NO_VOTE_POSTED
        return _card_response(approval_card(view, note=note, interactive=votable is not False))

    async def _not_authorised(self, request: Request, activity: Activity) -> dict[str, Any]:
        """A card action from a Teams user mapped to no reviewer: audited, answered with
        a card that shows nothing of the approval."""
        why = "a card action from a Teams user not linked to a phigate reviewer"
        about = {"aad_object_id": activity.aad_object_id, "approval_id": activity.approval_id}
        await self.refusals.record(source_of(request), why, request.url.path, about)
        text = "Not authorised: your Teams account is not linked to a phigate reviewer."
        return _card_response({"type": "AdaptiveCard", "version": "1.4", "body": [plain(text)]})

    async def _vote(self, approval_id: str, principal: Principal, verb: str, reason: str) -> str:
        if verb == "deny" and len(reason) < 3:
            return "Give a reason to deny."
        try:
            await self.gateway.vote(approval_id, principal, verb, comment=reason, channel="teams")
        except PhigateError as exc:
            return f"Not recorded: {exc.message}"
        return ""

    async def _unseen(self, approval_id: str) -> str:
        """Why a vote on this approval is not recorded from Teams: its card could not
        show all of it, so it offered no vote (the action is forged or stale). The card
        as posted decides (`chat_messages.votable`, on any replica), not a form chosen
        again now: the time left on the card has changed since, and with it its size."""
        if await asyncio.to_thread(self.posted.offered_vote, approval_id) is False:
            return f"Not recorded: {NO_VOTE_POSTED}"
        try:
            approval = await asyncio.to_thread(self.gateway.approval, approval_id)
        except PhigateError:
            return ""  # the vote itself will report the missing approval
        view = await asyncio.to_thread(masked_summary, self.gateway, approval)
        why = unshown(view)
        return f"Not recorded: {why}" if why else ""

    def principal_for(self, aad_object_id: str) -> Principal | None:
        person = self.settings.users.get(aad_object_id)
        if person is None:
            return None
        return Principal(
            person.subject, PrincipalKind.HUMAN, frozenset(person.groups), authenticated_by="teams"
        )

    # ── outbound (worker thread) ────────────────────────────────────────────
    def notify(self, event: ChannelEvent) -> None:
        if event.approval is None:
            return
        if event.name == "approval.requested":
            if self.posted.claim_post(event.approval):  # a send-back is heard by every replica
                self._post(event.approval)
            # Sent back for more votes: the copies posted before still say "approved".
            self._refresh(event.approval)
        elif event.name in ("approval.voted", "approval.decided"):
            self._refresh(event.approval)

    def _post(self, approval: Approval) -> None:
        view = masked_summary(self.gateway, approval)
        if self.settings.workflow_webhook_url:
            self._http.post(
                reveal(self.settings.workflow_webhook_url),
                json=card_message(approval_card(view, interactive=False)),
            )
        for target in self.settings.conversations:
            if not self._allowed_service(target.service_url):
                log.error("Teams: %s is not an allowed service URL", target.service_url)
                continue
            base = target.service_url.rstrip("/")
            url = f"{base}/v3/conversations/{target.conversation_id}/activities"
            card = approval_card(view)
            answer = self._http.post(url, json=card_message(card), headers=self._auth())
            if answer.is_success:
                address = {
                    "service_url": target.service_url,
                    "conversation_id": target.conversation_id,
                    "activity_id": str(answer.json()["id"]),
                }
                replica = self.gateway.replica
                self.posted.record(
                    approval.id,
                    address,
                    replica,
                    shown=drawn(approval),
                    votable=offers_vote(card),
                )
            else:
                log.error("Teams: posting the card failed with %s", answer.status_code)

    def _refresh(self, approval: Approval) -> None:
        # Nothing to send when none was posted or another replica drew this step.
        self.posted.draw(approval, self.gateway.approval, self._send_card)

    def _send_card(self, approval: Approval, messages: list[dict[str, str]]) -> None:
        # A card posted without a vote is redrawn without one: a vote from it is refused.
        votable = self.posted.offered_vote(approval.id) is not False
        note = "" if votable or approval.state is not ApprovalState.PENDING else NO_VOTE_POSTED
        view = masked_summary(self.gateway, approval)
        card = approval_card(view, note=note, interactive=votable)
        for message in messages:
            base, conversation = message["service_url"].rstrip("/"), message["conversation_id"]
            url = f"{base}/v3/conversations/{conversation}/activities/{message['activity_id']}"
            answer = self._http.put(url, json=card_message(card), headers=self._auth())
            if not answer.is_success:
                log.error("Teams: updating the card failed with %s", answer.status_code)

    def _auth(self) -> dict[str, str]:
        token, until = self._bot_token
        if clock.now() >= until:
            answer = self._http.post(
                self.settings.token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.settings.app_id,
                    "client_secret": reveal(self.settings.app_password),
                    "scope": "https://api.botframework.com/.default",
                },
            )
            answer.raise_for_status()
            body = answer.json()
            token = str(body["access_token"])
            self._bot_token = (token, clock.now() + int(body.get("expires_in", 3600)) - 300)
        return {"Authorization": f"Bearer {token}"}


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _card_response(card: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 200, "type": CARD_TYPE, "value": card}


def install_teams(app: FastAPI, gateway: Gateway, settings: TeamsSettings) -> TeamsChannel:
    channel = TeamsChannel(gateway, settings)

    @app.post("/teams/messages", include_in_schema=False)
    async def teams_messages(request: Request) -> Response:
        return await channel.handle(request)

    app.state.teams = channel
    return channel
