"""The fields of an inbound Bot Framework activity phigate uses, read strictly.

An activity is JSON the gateway did not write; every field it reads has a type, and
one of another type (`"value": "x"`, `"from": "alice"`) makes the whole activity
malformed (400), never a crash (500) and never a default that means something else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CARD_ACTION = "adaptiveCard/action"


class MalformedActivityError(ValueError):
    """The activity does not have the shape the Bot Framework gives it."""


@dataclass(frozen=True)
class Activity:
    id: str
    service_url: str
    is_card_action: bool
    aad_object_id: str = ""
    tenant_id: str = ""  # the Microsoft Entra tenant it came from ("" when not said)
    verb: str = ""
    approval_id: str = ""
    reason: str = ""


def read_activity(body: dict[str, Any]) -> Activity:
    """The activity's id, serviceUrl, sender and (for a card action) verb and data."""
    activity_id = _text(body, "id", required=True)
    service_url = _text(body, "serviceUrl", required=True)
    sender = _object(body, "from")
    aad = _text(sender, "aadObjectId")
    tenant = _tenant(body)
    if not (body.get("type") == "invoke" and body.get("name") == CARD_ACTION):
        return Activity(activity_id, service_url, False, aad, tenant)
    action = _object(_object(body, "value", required=True), "action", required=True)
    data = _object(action, "data")
    return Activity(
        activity_id,
        service_url,
        True,
        aad,
        tenant,
        verb=_text(action, "verb"),
        approval_id=_text(data, "approval_id"),
        reason=_text(data, "reason").strip(),
    )


def _tenant(body: dict[str, Any]) -> str:
    """The tenant Teams names in `channelData.tenant.id`; `conversation.tenantId`, where
    present too, must say the same (two answers are not guessed between)."""
    tenant = _text(_object(_object(body, "channelData"), "tenant"), "id")
    other = _text(_object(body, "conversation"), "tenantId")
    if tenant and other and tenant != other:
        raise MalformedActivityError("channelData.tenant.id and conversation.tenantId differ")
    return tenant or other


def _object(parent: dict[str, Any], name: str, *, required: bool = False) -> dict[str, Any]:
    value = parent.get(name)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise MalformedActivityError(f"{name} must be an object")
    return value


def _text(parent: dict[str, Any], name: str, *, required: bool = False) -> str:
    value = parent.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise MalformedActivityError(f"{name} must be a non-empty string")
    return value
