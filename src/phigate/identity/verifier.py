"""The seam for access tokens minted elsewhere: one verifier, OIDC in practice.

The gateway and the console depend on this protocol, not on `oidc`, so a
verifier for another issuer (or a test's own) plugs in without touching them.
"""

from __future__ import annotations

from typing import Protocol

from phigate.identity.principal import Principal


class AccessTokenVerifier(Protocol):
    async def verify(self, token: str) -> Principal:
        """The principal a valid access token names; AuthenticationError otherwise."""
        ...

    async def discovery(self) -> dict[str, object]:
        """The issuer's metadata (endpoints) for the console's sign-in."""
        ...

    async def aclose(self) -> None: ...
