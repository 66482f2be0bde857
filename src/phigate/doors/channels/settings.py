"""The `channels:` section of phigate.yaml: Slack, Microsoft Teams and outbound webhooks.

Secrets (`bot_token`, `signing_secret`, `app_token`, `app_password`, webhook `secret`)
are references resolved when used: `${ENV_VAR}`, `file:/path`, or a literal.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from phigate.identity.subjects import normal_subject

WEBHOOK_EVENTS = ("approval.requested", "approval.decided", "action.executed", "action.denied")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Person(_Frozen):
    """The phigate principal a chat user stands for (chat platforms carry no groups)."""

    subject: str = Field(min_length=1)
    groups: tuple[str, ...] = ()
    kind: Literal["human"] = "human"  # only humans review

    @field_validator("subject")
    @classmethod
    def _normal(cls, subject: str) -> str:
        # Compared with requesters and voters in one normal form; a mapping to `Dana`
        # is dana (phigate.identity.subjects).
        return normal_subject(subject)


class SlackSettings(_Frozen):
    bot_token: str
    # The HTTP interactivity endpoint's secret; not needed (and the endpoint not
    # mounted) in Socket Mode, where Slack delivers clicks over the WebSocket.
    signing_secret: str | None = None
    socket_mode: bool = False
    app_token: str | None = None  # the app-level `xapp-…` token Socket Mode connects with
    api_url: str = "https://slack.com/api/"
    channels: tuple[str, ...] = ()  # channel ids that hear every request
    rule_channels: dict[str, tuple[str, ...]] = {}  # rule name -> further channel ids
    dm_reviewers: bool = False  # also DM every mapped eligible reviewer
    users: dict[str, Person] = {}  # Slack user id -> principal
    # The Slack workspace (team) id reviewers click from: when set, an interaction from
    # any other team (or naming none) is refused and audited.
    team_id: str | None = None
    people_by_email: dict[str, Person] = {}  # email from users.info -> principal
    console_only: tuple[str, ...] = ()  # risk classes whose buttons open the console
    timestamp_window_seconds: int = Field(default=300, ge=30, le=900)

    @model_validator(mode="after")
    def _transport_is_complete(self) -> SlackSettings:
        if self.socket_mode and not self.app_token:
            raise ValueError("socket_mode: true needs app_token (the app-level xapp-… token)")
        if (
            self.app_token
            and _is_literal(self.app_token)
            and not self.app_token.startswith("xapp-")
        ):
            raise ValueError("app_token must be an app-level token (xapp-…), not a bot token")
        if not self.socket_mode and not self.signing_secret:
            raise ValueError("signing_secret is required unless socket_mode is true")
        return self


def _is_literal(ref: str) -> bool:
    return not (ref.startswith("${") or ref.startswith("file:"))


class TeamsConversation(_Frozen):
    service_url: str
    conversation_id: str


class TeamsSettings(_Frozen):
    app_id: str = ""  # the bot's Microsoft App ID: the audience of inbound tokens
    app_password: str = ""
    openid_metadata_url: str = "https://login.botframework.com/v1/.well-known/openidconfiguration"
    issuer: str = "https://api.botframework.com"
    token_url: str = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"  # noqa: S105 - a URL
    service_url_prefixes: tuple[str, ...] = ("https://smba.trafficmanager.net/",)
    conversations: tuple[TeamsConversation, ...] = ()
    users: dict[str, Person] = {}  # aadObjectId -> principal
    # The Microsoft Entra tenant id reviewers click from: when set, an activity from
    # any other tenant (or naming none) is refused and audited.
    tenant_id: str | None = None
    clock_skew_seconds: int = Field(default=300, ge=0, le=600)
    # Refuse a token seen before with another activity. Off by default: Microsoft's
    # Bot Connector reuses its token across activities for up to an hour (its SDKs
    # cache it), so binding would refuse real clicks. Each activity is seen once
    # either way, on every replica.
    one_activity_per_token: bool = False
    # Tenants without a bot: post an "Open in phigate" card to a Workflows webhook.
    workflow_webhook_url: str | None = None


class WebhookTarget(_Frozen):
    url: str
    secret: str
    events: tuple[str, ...] = WEBHOOK_EVENTS
    max_attempts: int = Field(default=6, ge=1, le=20)
    timeout_seconds: float = Field(default=5.0, gt=0, le=60)


class ChannelSettings(_Frozen):
    slack: SlackSettings | None = None
    teams: TeamsSettings | None = None
    webhooks: tuple[WebhookTarget, ...] = ()

    def people(self) -> dict[str, Person]:
        """Every chat mapping, by where it is configured (for cross-checks)."""
        found: dict[str, Person] = {}
        if self.slack is not None:
            found |= {f"slack.users.{k}": p for k, p in self.slack.users.items()}
            by_email = self.slack.people_by_email
            found |= {f"slack.people_by_email.{k}": p for k, p in by_email.items()}
        if self.teams is not None:
            found |= {f"teams.users.{k}": p for k, p in self.teams.users.items()}
        return found
