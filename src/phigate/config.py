"""phigate.yaml → validated, frozen models. Errors cite the file, line and key.

Secrets are references, resolved when used: `${ENV_VAR}` or `file:/path`.
A literal value is accepted too (handy in tests) but never required.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from phigate.audit.checkpoint import trusted_key_id
from phigate.connectors.rule_settings import BUILTIN_RULE_SET_NAMES, ArgvRule, HttpRule
from phigate.core.digits import ascii_int
from phigate.core.errors import ConfigError
from phigate.core.limits import LimitsSettings
from phigate.core.risk import RiskClass
from phigate.doors.channels.settings import ChannelSettings
from phigate.doors.console.settings import ConsoleSettings
from phigate.doors.mcp.settings import McpSettings
from phigate.doors.pgwire.settings import PgWireSettings
from phigate.identity.oidc_settings import OidcSettings
from phigate.identity.principal import PrincipalKind
from phigate.identity.subjects import normal_subject
from phigate.masking.settings import MaskingSettings

_ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SecretRef(_Frozen):
    """A secret named by reference; `reveal()` reads it when needed."""

    ref: str

    def reveal(self) -> str:
        env = _ENV_REF.match(self.ref)
        if env:
            value = os.environ.get(env.group(1))
            if value is None:
                raise ConfigError(
                    f"secret {self.ref}: environment variable {env.group(1)} is not set"
                )
            return value
        if self.ref.startswith("file:"):
            path = Path(self.ref.removeprefix("file:")).expanduser()
            try:
                return path.read_text().strip()
            except OSError as exc:
                raise ConfigError(f"secret {self.ref}: cannot read {path}: {exc.strerror}") from exc
        return self.ref

    def __repr__(self) -> str:
        return f"SecretRef({self.ref if self.is_reference else '***'})"

    @property
    def is_reference(self) -> bool:
        return bool(_ENV_REF.match(self.ref)) or self.ref.startswith("file:")


def _secret(value: Any) -> Any:
    if isinstance(value, str):
        return SecretRef(ref=value)
    return value


class StateSettings(_Frozen):
    url: str = "sqlite:///.phigate/state.db"
    migrate_on_start: bool = True
    # Each replica beats this often; one silent for 6 beats counts as dead and the
    # actions it left `executing` are marked `interrupted` (phigate.ops.replicas).
    heartbeat_seconds: float = Field(default=10.0, gt=0)
    # How long a write waits for a row lock on PostgreSQL (the audit head's above all)
    # before it fails and the action is refused: a stuck session must not stall all.
    lock_timeout_seconds: float = Field(default=5.0, gt=0)


class ServerSettings(_Frozen):
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    public_url: str | None = None

    def base_url(self) -> str:
        return self.public_url or f"http://{self.http_host}:{self.http_port}"


class SecretsSettings(_Frozen):
    token_hash_key: SecretRef = SecretRef(ref="${PHIGATE_TOKEN_KEY}")
    masking_key: SecretRef = SecretRef(ref="${PHIGATE_MASKING_KEY}")

    _coerce = field_validator("token_hash_key", "masking_key", mode="before")(_secret)


class IdentitySettings(_Frozen):
    oidc: OidcSettings | None = None
    auditor_groups: tuple[str, ...] = ("auditors",)
    # Humans in these groups manage the gateway itself (e.g. re-pin changed MCP tools).
    admin_groups: tuple[str, ...] = ("admins",)
    # Person's subject -> the other subjects they reach phigate under (identity.people).
    aliases: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("aliases", mode="before")
    @classmethod
    def _normal_aliases(cls, value: Any) -> Any:
        # One normal form per person (phigate.identity.subjects): `Dana` and `dana` are
        # one key, so a differently spelled alias cannot become a second person.
        if not isinstance(value, Mapping):
            return value
        normal: dict[str, list[str]] = {}
        for person, others in value.items():
            key = normal_subject(str(person))
            if key in normal:
                raise ValueError(f"{person!r} is listed twice (subjects ignore case and width)")
            if not isinstance(others, list | tuple):
                return value  # pydantic reports the type error
            normal[key] = [normal_subject(str(alias)) for alias in others]
        return normal

    def person_of(self) -> dict[str, str]:
        """Alias → the person's own subject, all in normal form (as identity.people
        maps principals; rules and chat mappings are read the same way)."""
        return {alias: person for person, others in self.aliases.items() for alias in others}

    @field_validator("aliases")
    @classmethod
    def _one_person_per_alias(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        seen: dict[str, str] = {}
        for person, others in value.items():
            for alias in others:
                if alias in value:
                    raise ValueError(f"{alias!r} is a person of its own and an alias of {person!r}")
                if alias in seen and seen[alias] != person:
                    raise ValueError(
                        f"{alias!r} is an alias of both {seen[alias]!r} and {person!r}"
                    )
                seen[alias] = person
        return value


class PostgresConnection(_Frozen):
    type: Literal["postgres"]
    description: str = ""
    dsn: SecretRef
    statement_timeout_ms: int = Field(30_000, gt=0)
    max_rows: int = Field(10_000, gt=0)
    listen: str | None = None
    export_row_estimate: int | None = Field(
        default=None,
        gt=0,
        description="a read the planner expects to return more rows than this is an export",
    )
    read_dsn: SecretRef | None = Field(
        default=None,
        description="a role that can only SELECT; every `read` runs as it, on every front "
        "door (the second guard, docs/security-roles.md)",
    )
    pool_size: int = Field(
        default=10, ge=1, le=1000, description="upstream connections per role, all principals"
    )
    max_connections_per_principal: int = Field(
        default=4, ge=1, le=1000, description="upstream connections one principal holds at once"
    )

    _coerce = field_validator("dsn", "read_dsn", mode="before")(_secret)

    def model_post_init(self, _context: Any) -> None:
        if self.read_dsn is not None and self.read_dsn.ref == self.dsn.ref:
            raise ValueError("read_dsn must log in as a read-only role, not the same as dsn")
        if self.max_connections_per_principal > self.pool_size:
            raise ValueError(
                f"max_connections_per_principal ({self.max_connections_per_principal}) "
                f"is more than pool_size ({self.pool_size})"
            )


def _secret_map(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _secret(v) for k, v in value.items()}
    return value


def _absolute_path(value: str) -> str:
    if not value.startswith("/"):
        raise ValueError(f"{value!r} must be an absolute path")
    return os.path.normpath(value)


class ExecConnection(_Frozen):
    """Programs run as argv (never a shell) with gateway-held environment credentials."""

    type: Literal["exec"]
    description: str = ""
    programs: tuple[str, ...] = Field(min_length=1, description="absolute paths it may run")
    working_dir: str
    env: dict[str, SecretRef] = {}
    path: str = "/usr/local/bin:/usr/bin:/bin"
    timeout_seconds: float = Field(60, gt=0, le=86_400)
    max_output_bytes: int = Field(1_000_000, gt=0)
    max_stdin_bytes: int = Field(1_000_000, ge=0)
    rule_sets: tuple[str, ...] = ()
    rules: tuple[ArgvRule, ...] = ()
    value_flags: tuple[str, ...] = ()
    # Shows masked text that reads as no language (a note reversed, rot13'd, shifted)
    # instead of withholding it: for a connection whose answers carry such text on purpose.
    allow_unreadable_text: bool = False

    _coerce = field_validator("env", mode="before")(_secret_map)

    @field_validator("programs")
    @classmethod
    def _programs_absolute(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_absolute_path(p) for p in value)

    @field_validator("working_dir")
    @classmethod
    def _dir_absolute(cls, value: str) -> str:
        return _absolute_path(value)

    @field_validator("env")
    @classmethod
    def _env_names(cls, value: dict[str, SecretRef]) -> dict[str, SecretRef]:
        bad = [k for k in value if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k)]
        if bad:
            raise ValueError(f"not an environment variable name: {bad[0]!r}")
        return value

    @field_validator("rule_sets")
    @classmethod
    def _known_sets(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [v for v in value if v not in BUILTIN_RULE_SET_NAMES]
        if unknown:
            known = ", ".join(sorted(BUILTIN_RULE_SET_NAMES))
            raise ValueError(f"unknown rule set {unknown[0]!r} (known: {known})")
        return value


class HttpAuth(_Frozen):
    """Gateway-held credential: `Authorization: Bearer <value>` or `<header>: <value>`."""

    scheme: Literal["bearer", "header"] = "bearer"
    header: str = "Authorization"
    value: SecretRef

    _coerce = field_validator("value", mode="before")(_secret)


class HttpConnection(_Frozen):
    """An internal HTTP API reached with the gateway's credentials."""

    type: Literal["http"]
    description: str = ""
    base_url: SecretRef
    auth: HttpAuth | None = None
    headers_allowed: tuple[str, ...] = ("accept", "content-type", "if-match", "if-none-match")
    timeout_seconds: float = Field(30, gt=0, le=3600)
    max_response_bytes: int = Field(5_000_000, gt=0)
    max_body_bytes: int = Field(1_000_000, ge=0)
    allow_binary: bool = False
    # Shows masked text that reads as no language (a note reversed, rot13'd, shifted)
    # instead of withholding it: for a connection whose answers carry such text on purpose.
    allow_unreadable_text: bool = False
    verify_tls: bool = True
    rules: tuple[HttpRule, ...] = ()
    # Rules ignore case unless the upstream routes /Admin and /admin apart.
    case_sensitive_paths: bool = False

    _coerce = field_validator("base_url", mode="before")(_secret)

    @field_validator("headers_allowed")
    @classmethod
    def _lower(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(h.lower() for h in value)


class McpArgumentRule(_Frozen):
    """Raise a tool call's risk class when an argument value matches a glob pattern."""

    tool: str = "*"
    argument: str = Field(min_length=1)
    pattern: str = Field(min_length=1, description="glob over the value as text, e.g. '*DROP*'")
    risk: RiskClass


class McpConnection(_Frozen):
    """An upstream MCP server (streamable HTTP `url`, or a stdio `command`), reached with
    gateway-held credentials; its tools are classified by `tools` (glob → risk class)."""

    type: Literal["mcp"]
    description: str = ""
    url: str | None = None
    command: tuple[str, ...] = ()
    headers: dict[str, SecretRef] = {}
    env: dict[str, SecretRef] = {}
    tools: dict[str, RiskClass] = {}
    argument_rules: tuple[McpArgumentRule, ...] = ()
    changed_tool_risk: RiskClass = RiskClass.WRITE
    timeout_seconds: float = Field(60, gt=0, le=3600)
    list_ttl_seconds: float = Field(30, ge=0, le=86_400)
    # How long the pre-call pin check trusts a listing of an upstream that announces
    # tool changes and has announced none since; 0 re-lists before every call.
    pin_recheck_seconds: float = Field(10, ge=0, le=3600)
    # Tool calls in flight on the upstream session at once; more wait for a slot.
    max_concurrent_calls: int = Field(16, ge=1, le=10_000)
    # Shows masked text that reads as no language (a note reversed, rot13'd, shifted)
    # instead of withholding it: for a connection whose answers carry such text on purpose.
    allow_unreadable_text: bool = False

    _coerce = field_validator("headers", "env", mode="before")(_secret_map)

    @field_validator("command")
    @classmethod
    def _command_absolute(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if value and not value[0].startswith("/"):
            raise ValueError("command[0] must be an absolute path")
        return value

    def model_post_init(self, _context: Any) -> None:
        if (self.url is None) == (not self.command):
            raise ValueError("set exactly one of url (streamable HTTP) or command (stdio)")


Connection = Annotated[
    PostgresConnection | ExecConnection | HttpConnection | McpConnection,
    Field(discriminator="type"),
]


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class TimeWindow(_Frozen):
    """When a rule applies: weekdays and a daily window, in one time zone."""

    days: tuple[Weekday, ...] = _WEEKDAYS
    start: str = "00:00"
    end: str = "24:00"
    timezone: str = "UTC"

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if value != "24:00" and not _CLOCK.match(value):
            raise ValueError(f"{value!r} is not a time of day (HH:MM, 00:00 to 24:00)")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value

    def contains(self, moment: dt.datetime) -> bool:
        """A window belongs to the day it starts: `fri` 22:00 to 06:00 holds from
        Friday 22:00 to Saturday 06:00 (and not on Friday 01:00, Thursday's night)."""
        local = moment.astimezone(zoneinfo.ZoneInfo(self.timezone))
        clock = local.strftime("%H:%M")
        today = _WEEKDAYS[local.weekday()]
        if self.start <= self.end:
            return today in self.days and self.start <= clock < self.end
        if clock >= self.start:  # a window across midnight, before midnight
            return today in self.days
        yesterday = _WEEKDAYS[(local.weekday() - 1) % 7]
        return clock < self.end and yesterday in self.days


class RuleMatch(_Frozen):
    """Every listed criterion must hold; an omitted one matches anything."""

    kinds: tuple[PrincipalKind, ...] = ()
    groups: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    connections: tuple[str, ...] = ()
    action_kinds: tuple[str, ...] = ()
    risk: tuple[RiskClass, ...] = ()
    tables: tuple[str, ...] = ()
    functions: tuple[str, ...] = Field(
        default=(),
        description="globs over what the action calls: SQL functions (`dblink*`), the "
        "program of an exec action (`kubectl`, `/usr/bin/terraform`)",
    )
    reveal: tuple[str, ...] = Field(
        default=(),
        description="entity types (or '*'); the rule then matches only actions asking to "
        "reveal one of them",
    )
    time: TimeWindow | None = Field(
        default=None, description="the rule applies only within this weekly window"
    )
    predicate_columns: tuple[str, ...] = Field(
        default=(),
        description="globs over schema.table.column; matches when the action filters, "
        "joins, groups, orders or branches on one of them (oracle channels)",
    )
    predicate_masked: bool = Field(
        default=False,
        description="true: matches when the action filters, joins, groups, orders or "
        "branches on a column whose values the caller would not see as stored (masking "
        "does not keep it: its `masking.columns` type, its name, or a name nothing "
        "classifies)",
    )

    @field_validator("subjects")
    @classmethod
    def _normal_subjects(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Principals carry normal subjects; a rule naming `Dana` must still match dana.
        return tuple(normal_subject(subject) for subject in value)


class ApprovalRequirement(_Frozen):
    count: int = Field(1, ge=1, le=10)
    groups: tuple[str, ...] = Field(min_length=1)
    expires_in: int = Field(3600, gt=0, description="seconds a pending request stays open")


class Rule(_Frozen):
    name: str = Field(min_length=1)
    description: str = ""
    match: RuleMatch = RuleMatch()
    decision: Literal["allow", "deny", "approve"]
    approvals: ApprovalRequirement | None = None
    masking: str = "hipaa-safe-harbor"
    reason: str | None = None
    break_glass: bool = Field(
        default=False,
        description="with decision 'approve': humans this rule matches may run at once by "
        "asking for break-glass with a reason; reviewers judge it afterwards",
    )


class PolicySettings(_Frozen):
    rules: tuple[Rule, ...] = ()
    reveal_approvals: ApprovalRequirement = ApprovalRequirement(
        count=1, groups=("data-owners",), expires_in=3600
    )


class AuditSettings(_Frozen):
    """Signed checkpoints of the audit log's head (phigate.audit.checkpoint)."""

    # An Ed25519 private key (PEM, or its 32-byte seed in base64) as a secret
    # reference. None: a key generated once and kept beside the SQLite state.
    signing_key: SecretRef | None = None
    checkpoint_seconds: float = Field(default=60.0, gt=0, le=86_400)
    # Public keys (base64) or key ids of earlier signing keys, still trusted for the
    # checkpoints they signed before the key was replaced.
    previous_public_keys: tuple[str, ...] = ()

    _coerce = field_validator("signing_key", mode="before")(_secret)

    @field_validator("previous_public_keys")
    @classmethod
    def _public_keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for key in value:
            try:
                trusted_key_id(key, where="")
            except ConfigError as exc:
                raise ValueError(
                    f"{key[:20]!r}…: not an Ed25519 public key (base64) or key id"
                ) from exc
        return value


class Settings(_Frozen):
    state: StateSettings = StateSettings()
    server: ServerSettings = ServerSettings()
    secrets: SecretsSettings = SecretsSettings()
    identity: IdentitySettings = IdentitySettings()
    connections: dict[str, Connection] = {}
    masking: MaskingSettings = MaskingSettings()
    policy: PolicySettings = PolicySettings()
    channels: ChannelSettings = ChannelSettings()
    console: ConsoleSettings = ConsoleSettings()
    mcp: McpSettings = McpSettings()
    pgwire: PgWireSettings = PgWireSettings()
    audit: AuditSettings = AuditSettings()
    limits: LimitsSettings = LimitsSettings()

    @field_validator("connections")
    @classmethod
    def _mcp_names_split_one_way(cls, value: dict[str, Connection]) -> dict[str, Connection]:
        # Agents call `<connection>__<tool>`, split at the first `__`: a name holding
        # `__` or ending in `_` would route another connection's tools to it.
        for name, connection in value.items():
            if isinstance(connection, McpConnection) and ("__" in name or name.endswith("_")):
                raise ValueError(
                    f"MCP connection name {name!r} cannot contain '__' or end with '_' "
                    "(agents see its tools as <connection>__<tool>)"
                )
        return value

    @model_validator(mode="before")
    @classmethod
    def _rule_subjects_are_people(cls, data: Any) -> Any:
        """Rules name people: `match.subjects` listing an alias (`alice@example.org`)
        stands for its person (`alice`), since every principal is mapped to its person
        where it authenticates (identity.people) and policy compares that subject."""
        if not isinstance(data, Mapping):
            return data
        try:
            identity = IdentitySettings.model_validate(data.get("identity") or {})
            policy = PolicySettings.model_validate(data.get("policy") or {})
        except ValidationError:
            return data  # reported, with its line, when the fields are validated
        if not identity.aliases:
            return data
        person = identity.person_of()
        rules = tuple(_with_people(rule, person) for rule in policy.rules)
        return {**data, "identity": identity, "policy": policy.model_copy(update={"rules": rules})}

    def check_references(self) -> list[str]:
        """Cross-section checks pydantic cannot express: names that must exist."""
        problems: list[str] = []
        for index, rule in enumerate(self.policy.rules):
            where = f"policy.rules.{index} ({rule.name})"
            if rule.decision == "approve" and rule.approvals is None:
                problems.append(f"{where}.approvals: required when decision is 'approve'")
            if rule.break_glass and rule.decision != "approve":
                problems.append(f"{where}.break_glass: only for rules whose decision is 'approve'")
            if rule.masking not in self.masking.profiles:
                known = ", ".join(sorted(self.masking.profiles))
                problems.append(
                    f"{where}.masking: unknown profile {rule.masking!r} (known: {known})"
                )
            for name in rule.match.connections:
                if name not in self.connections:
                    problems.append(f"{where}.match.connections: unknown connection {name!r}")
        return problems + self._chat_people_problems()

    def non_human_subjects(self) -> frozenset[str]:
        """Subjects the configuration knows are agents or services: those named by
        rules that match only non-human kinds (the token registry knows the rest)."""
        return frozenset(
            subject
            for rule in self.policy.rules
            if rule.match.kinds and PrincipalKind.HUMAN not in rule.match.kinds
            for subject in rule.match.subjects
        )

    def _chat_people_problems(self) -> list[str]:
        """Chat users review as humans, so none may be mapped to an agent's or service's
        subject (known here from rules that match only non-human kinds)."""
        person = self.identity.person_of()
        not_human = self.non_human_subjects()
        return [
            f"channels.{where}.subject: {chat.subject!r} is an agent or service subject; "
            "chat users review as humans"
            for where, chat in self.channels.people().items()
            if person.get(chat.subject, chat.subject) in not_human
        ]


def _with_people(rule: Rule, person: Mapping[str, str]) -> Rule:
    """`rule` with each subject it names replaced by its person's own subject."""
    subjects = tuple(dict.fromkeys(person.get(s, s) for s in rule.match.subjects))
    if subjects == rule.match.subjects:
        return rule
    return rule.model_copy(update={"match": rule.match.model_copy(update={"subjects": subjects})})


def load_settings(path: str | Path) -> Settings:
    """Read and validate a phigate.yaml; raise ConfigError naming file, line and key."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    return parse_settings(text, source=str(path))


def parse_settings(text: str, *, source: str = "<config>") -> Settings:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"{source}{line}: not valid YAML: {getattr(exc, 'problem', exc)}"
        ) from exc
    twice = _key_given_twice(node) if node is not None else None
    if twice is not None:
        raise ConfigError(f"{source}:{twice}")
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}:1: expected a mapping of sections at the top level")
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, node, source)) from exc
    problems = settings.check_references()
    if problems:
        lines = [f"{source}:{_line_of(node, p.split(':')[0].split(' ')[0])}: {p}" for p in problems]
        raise ConfigError("\n".join(lines))
    return settings


def _key_given_twice(root: yaml.Node) -> str | None:
    """`line: message` for the first key given twice in one mapping, else None.

    YAML keys are unique (YAML 1.2, 3.2.1.1); PyYAML keeps the last silently, so a
    rule reading `decision: approve` at its top and `decision: allow` at its bottom
    would allow. Walked without recursion: a config is not a place for deep nesting.
    """
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[object, int] = {}
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else id(key)
                line = key.start_mark.line + 1
                if name in seen:
                    return (
                        f"{line}: key {name!r} is given twice in one mapping (first on line "
                        f"{seen[name]}); YAML keys are unique: keep one"
                    )
                seen[name] = line
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None


def _describe(exc: ValidationError, node: yaml.Node | None, source: str) -> str:
    lines = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"] if not str(part).startswith("function-")]
        loc = [part for part in loc if part not in {"postgres", "exec", "http"}]
        key = ".".join(loc) or "(top level)"
        lines.append(f"{source}:{_line_of(node, key)}: {key}: {error['msg']}")
    return "\n".join(lines)


def _line_of(node: yaml.Node | None, dotted: str) -> int:
    """Line (1-based) of the deepest node on the dotted path that exists."""
    line = 1
    for part in dotted.split("."):
        if node is None:
            break
        line = node.start_mark.line + 1
        node = _child(node, part)
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _child(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v  # type: ignore[no-any-return]
    index = ascii_int(key)
    if isinstance(node, yaml.SequenceNode) and index is not None and index < len(node.value):
        return node.value[index]  # type: ignore[no-any-return]
    return None
