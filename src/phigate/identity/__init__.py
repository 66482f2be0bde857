"""Who is calling: principals, API tokens and OIDC access tokens."""

from __future__ import annotations

from phigate.identity.principal import Principal, PrincipalKind

__all__ = ["Principal", "PrincipalKind"]
