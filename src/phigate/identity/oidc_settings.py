"""The `identity.oidc` section of phigate.yaml, and the URL and algorithm rules it
checks at load time. A settings leaf: `phigate.config` imports it, and it loads
none of the verifier (`phigate.identity.oidc`)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import pydantic

from phigate.identity._jwks import KEY_TYPE_FOR_ALGORITHM


class OidcSettings(pydantic.BaseModel, frozen=True, extra="forbid"):
    """The `identity.oidc` section of phigate.yaml."""

    issuer: str
    audience: str | list[str]
    algorithms: list[str] = pydantic.Field(default_factory=lambda: ["RS256", "ES256"])
    groups_claim: str = "groups"
    subject_claim: str = "sub"
    kind_claim: str | None = None
    on_behalf_of_claim: str | None = "act.sub"
    leeway_seconds: int = pydantic.Field(default=30, ge=0, le=300)
    jwks_cache_seconds: int = pydantic.Field(default=300, ge=0, le=86_400)
    http_timeout_seconds: float = pydantic.Field(default=5.0, gt=0, le=60)

    @pydantic.field_validator("issuer")
    @classmethod
    def _issuer_is_safe_url(cls, issuer: str) -> str:
        check_provider_url(issuer, "issuer")
        return issuer

    @pydantic.field_validator("audience")
    @classmethod
    def _audience_not_empty(cls, audience: str | list[str]) -> str | list[str]:
        values = [audience] if isinstance(audience, str) else audience
        if not values or not all(value.strip() for value in values):
            raise ValueError("audience must name at least one non-empty audience")
        return audience

    @pydantic.field_validator("algorithms")
    @classmethod
    def _algorithms_are_asymmetric(cls, algorithms: list[str]) -> list[str]:
        if not algorithms:
            raise ValueError("algorithms must allow at least one signing algorithm")
        for name in algorithms:
            _check_algorithm(name)
        return algorithms

    @pydantic.field_validator("groups_claim", "subject_claim", "kind_claim", "on_behalf_of_claim")
    @classmethod
    def _claim_path_not_empty(cls, path: str | None) -> str | None:
        if path is not None and not all(path.split(".")):
            raise ValueError("a claim path must be a claim name or dotted path, e.g. 'act.sub'")
        return path


def _check_algorithm(name: str) -> None:
    if name.lower() == "none":
        raise ValueError("algorithm 'none' accepts unsigned tokens and is never allowed")
    if name.upper().startswith("HS"):
        raise ValueError(
            f"algorithm {name!r} is symmetric (shared secret); only asymmetric algorithms"
            " are allowed for tokens minted by an identity provider"
        )
    if name not in KEY_TYPE_FOR_ALGORITHM:
        allowed = ", ".join(KEY_TYPE_FOR_ALGORITHM)
        raise ValueError(f"algorithm {name!r} is not supported; choose from {allowed}")


def check_provider_url(url: str, what: str) -> None:
    """Provider URLs must be https; plain http is accepted only on a loopback host."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return
    raise ValueError(f"{what} must be an https:// URL (http:// only for localhost), got {url!r}")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
