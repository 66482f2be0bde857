"""The rule models a connection's settings hold: argv rules (exec) and HTTP rules.

A settings leaf: `phigate.config` imports these models and the names of the
built-in argv rule sets from here, and loads none of the classifiers that apply
them (`_argv_rules`, `_http_rules`) or anything else of the connectors.
"""

from __future__ import annotations

import fnmatch
import os
import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator

from phigate.core.risk import RiskClass

# The built-in argv rule sets a connection may name (`_argv_rules.BUILTIN_RULE_SETS`).
BUILTIN_RULE_SET_NAMES = frozenset({"kubectl", "terraform", "helm"})


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ArgvRule(_Frozen):
    """One argv pattern mapped to a risk class."""

    name: str = Field(min_length=1)
    program: str = Field(default="*", description="basename glob (or absolute path) of argv[0]")
    args: tuple[str, ...] = Field(default=(), description="globs over the leading positional words")
    flags: tuple[str, ...] = Field(default=(), description="globs; any flag matching one")
    stdin: str | None = Field(default=None, description="regular expression searched in stdin")
    risk: RiskClass

    @field_validator("stdin")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value

    @property
    def escalates(self) -> bool:
        return bool(self.flags) or self.stdin is not None

    def matches_program(self, program: str) -> bool:
        if self.program.startswith("/"):
            return program == self.program
        return fnmatch.fnmatchcase(os.path.basename(program), self.program)


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

    def matches(self, method: str, path: str, *, case_sensitive: bool = False) -> bool:
        """Whether the rule covers `method` on `path` (a `normal_path`)."""
        if self.methods and method not in self.methods:
            return False
        return _pattern(self.path, case_sensitive).fullmatch(path) is not None


_GLOB = {"/**": "(?:/.*)?", "**": ".*", "*": "[^/]+"}


@lru_cache(maxsize=512)
def _pattern(glob: str, case_sensitive: bool) -> re.Pattern[str]:
    # `/admin/**` is the area and `/admin` itself, as `/admin/` is to a server.
    parts = re.split(r"(/\*\*|\*\*|\*)", glob.rstrip("/") or "/")
    regex = "".join(_GLOB.get(p) or re.escape(p) for p in parts)
    # Case-insensitive unless configured: many upstreams route /Admin like /admin.
    return re.compile(regex, 0 if case_sensitive else re.IGNORECASE)
