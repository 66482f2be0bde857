"""Classify an HTTP request (method + path) into a risk class.

GET and HEAD are `read`, the other standard methods `write`, anything else
`unknown`. A connection's rules, tried in order, override that: the first rule
whose methods and path pattern match gives the class (`POST /users/*/roles` →
privilege). In a path pattern `*` matches one segment and `**` any number.
Paths that could mean something other than what they say (`..`, encoded
slashes, a query or fragment inside the path) are `unknown`.
This module imports no phigate.config so config can import it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict, Field, field_validator

from phigate.risk import RiskClass

READ_METHODS = frozenset({"GET", "HEAD"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
METHODS = READ_METHODS | WRITE_METHODS | {"OPTIONS"}


class HttpRule(BaseModel):
    """Requests whose method and path match get `risk`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    methods: tuple[str, ...] = Field(default=(), description="empty: any method")
    path: str = Field(min_length=1, description="`/users/*/roles`; `*` one segment, `**` any")
    risk: RiskClass

    @field_validator("methods")
    @classmethod
    def _upper(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(m.upper() for m in value)

    @field_validator("path")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with /")
        return value

    def matches(self, method: str, path: str) -> bool:
        if self.methods and method not in self.methods:
            return False
        return _pattern(self.path).fullmatch(path) is not None


@lru_cache(maxsize=512)
def _pattern(glob: str) -> re.Pattern[str]:
    parts = re.split(r"(\*\*|\*)", glob.rstrip("/") or "/")
    regex = "".join(".*" if p == "**" else "[^/]+" if p == "*" else re.escape(p) for p in parts)
    # Case-insensitive: some upstreams route /Admin like /admin, so a rule must catch both.
    return re.compile(regex + "/?", re.IGNORECASE)


@dataclass(frozen=True)
class HttpVerdict:
    risk: RiskClass
    rule: str | None
    reasons: tuple[str, ...]


def path_problem(path: str) -> str | None:
    """Why `path` is not a plain absolute path on the upstream, or None."""
    if not path.startswith("/") or path.startswith("//"):
        return "the path must start with a single /"
    if any(c in path for c in "?#\\") or any(ord(c) < 0x21 or ord(c) == 0x7F for c in path):
        return "the path holds ?, #, \\, spaces or control characters (send query separately)"
    lowered = path.lower()
    if "%2f" in lowered or "%5c" in lowered or "%25" in lowered:
        return "the path holds an encoded slash, backslash or percent sign"
    if any(seg in {".", ".."} for seg in unquote(path).split("/")):
        return "the path holds . or .. segments"
    return None


def match_path(path: str) -> str:
    """The path as rules see it: percent-decoded, repeated slashes collapsed."""
    return re.sub(r"/{2,}", "/", unquote(path))


def classify_request(method: str, path: str, rules: Sequence[HttpRule]) -> HttpVerdict:
    """The first matching rule's class, else the method's default class."""
    method = method.upper()
    if method not in METHODS:
        return HttpVerdict(RiskClass.UNKNOWN, None, (f"method {method} is not understood",))
    problem = path_problem(path)
    if problem is not None:
        return HttpVerdict(RiskClass.UNKNOWN, None, (problem,))
    plain = match_path(path)
    for rule in rules:
        if rule.matches(method, plain):
            return HttpVerdict(
                rule.risk, rule.name, (f"rule {rule.name!r}: {method} {rule.path} → {rule.risk}",)
            )
    risk = RiskClass.READ if method in READ_METHODS else RiskClass.WRITE
    return HttpVerdict(risk, None, (f"{method} is {risk}",))
