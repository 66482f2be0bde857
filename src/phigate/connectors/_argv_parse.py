"""Parse a built-in tool's command line the way the tool itself does, with an allow-list of flags.

kubectl and helm parse flags with spf13/pflag: `--name=value`, `--name value`,
`-n value`, `-nvalue`, `-n=value`, clustered booleans (`-it`), flags anywhere
among the words, everything after `--` positional. terraform uses Go's `flag`:
`-name` or `--name`, `-name=value` or `-name value`. A tool declares, for its
global options and for each subcommand, the flags it accepts (`flags("…")`);
a flag not declared for the subcommand in effect where it stands makes the
command `unknown` — the gateway refuses what it does not understand rather than
listing forms it knows to be bad. A declared flag may carry a risk (pointing
the gateway's credentials elsewhere, writing a file: admin) or a check of its
value (`-v=9`, `-o jsonpath-file=…`).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from phigate.core.risk import RiskClass

# (risk, why) a flag's value raises the command to, or None when the value is harmless.
ValueCheck = Callable[[str], "tuple[RiskClass, str] | None"]


class Arity(enum.Enum):
    BOOL = "bool"
    VALUE = "value"  # `--f v`, `--f=v`, `-fv`, `-f=v`
    OPTIONAL = "optional"  # a value only when attached with `=` (pflag NoOptDefVal)
    ATTACHED = "attached"  # a value that must be attached with `=` (terraform -chdir)


@dataclass(frozen=True)
class FlagSpec:
    names: tuple[str, ...]  # as written, e.g. ("-n", "--namespace")
    arity: Arity
    risk: tuple[RiskClass, str] | None = None
    check: ValueCheck | None = None

    @property
    def name(self) -> str:
        return self.names[-1]


@dataclass(frozen=True)
class ParsedFlag:
    spec: FlagSpec
    written: str  # the argument as the caller wrote it
    value: str | None
    index: int = 0  # where `written` stands in argv
    separate: bool = False  # the value is the next argument (`-f x`), not attached


@dataclass(frozen=True)
class Parsed:
    command: str  # the subcommand whose flags applied last ("" for none)
    words: tuple[str, ...]
    flags: tuple[ParsedFlag, ...]


class ArgvProblem(Exception):
    """The command line is not understood: the command is `unknown`."""


_RISKS = {"W": RiskClass.WRITE, "E": RiskClass.EXPORT, "P": RiskClass.PRIVILEGE}
_RISKS["A"] = RiskClass.ADMIN
_ARITIES = {"=": Arity.VALUE, "?": Arity.OPTIONAL, ":": Arity.ATTACHED}
_FALSE = frozenset({"false", "0", "f", "F", "FALSE", "False"})
_BOOLS = _FALSE | {"true", "1", "t", "T", "TRUE", "True"}


def flags(
    table: str, why: str = "", checks: Mapping[str, ValueCheck] | None = None
) -> dict[str, FlagSpec]:
    """`"-n/--namespace= -A/--all --dry-run? --kubeconfig=!A -v/--v=@verbosity"`.

    `=` takes a value, `?` an optional attached value, `:` a value that must be
    attached, none is boolean; `!A`
    (W, E, P, A) is the class the flag raises the command to, for `why`;
    `@name` checks the value with `checks[name]`.
    """
    out: dict[str, FlagSpec] = {}
    for entry in table.split():
        entry, _, risk = entry.partition("!")
        entry, _, check = entry.partition("@")
        arity = Arity.BOOL
        if entry[-1] in _ARITIES:
            entry, arity = entry[:-1], _ARITIES[entry[-1]]
        spec = FlagSpec(
            names=tuple(entry.split("/")),
            arity=arity,
            risk=(_RISKS[risk], why or f"flag {entry}") if risk else None,
            check=(checks or {})[check] if check else None,
        )
        out.update(dict.fromkeys(spec.names, spec))
    return out


@dataclass(frozen=True)
class ToolGrammar:
    """Global flags and each subcommand's own flags (keyed by its words, "create secret")."""

    global_flags: Mapping[str, FlagSpec]
    command_flags: Mapping[str, Mapping[str, FlagSpec]] = field(default_factory=dict)
    go_style: bool = False  # terraform: `-name` and `--name` are one flag; no clusters
    # Subcommands that have subcommands ("providers": lock, mirror, schema): the word
    # after one must be a child the gateway knows, or the command is not understood.
    groups: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def command_of(self, words: Sequence[str]) -> str:
        """The longest run of leading words that names a subcommand with its own flags."""
        for size in range(len(words), 0, -1):
            key = " ".join(words[:size])
            if key in self.command_flags:
                return key
        return ""

    def check_subcommands(self, words: Sequence[str]) -> None:
        """Refuse a word in a subcommand's slot that is not one of its known children.

        `terraform providers mirror DIR` is not `providers` with an argument: each
        level of a command tree has its own rule, and an unlisted child has none.
        """
        for size in range(1, len(words)):
            children = self.groups.get(" ".join(words[:size]))
            if children is not None and words[size] not in children:
                shown = " ".join(words[: size + 1])
                raise ArgvProblem(f"subcommand {shown!r} is not one the gateway understands")

    def table(self, command: str) -> Mapping[str, FlagSpec]:
        # A subcommand's own flag shadows a global of the same name (as in cobra).
        return {**self.global_flags, **self.command_flags.get(command, {})}


def parse(argv: Sequence[str], grammar: ToolGrammar) -> Parsed:
    """Words and flags of argv[1:]; raises ArgvProblem for anything not understood."""
    words: list[str] = []
    found: list[ParsedFlag] = []
    command = ""
    index = 1
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            words.extend(argv[index + 1 :])
            break
        table = grammar.table(command)
        if arg.startswith("-") and arg != "-":
            take = _go_flag if grammar.go_style else _pflag
            parsed, used = take(arg, argv[index + 1 :], table)
            found.extend(_placed(parsed, index, used))
            index += used
        else:
            words.append(arg)
            command = grammar.command_of(words)
        index += 1
    grammar.check_subcommands(words)
    return Parsed(command, tuple(words), tuple(found))


def _placed(parsed: list[ParsedFlag], index: int, used: int) -> list[ParsedFlag]:
    """The flags of argv[index], each knowing where it stands (to feed a file in its place)."""
    out = [dataclasses.replace(f, index=index) for f in parsed]
    if used and out:
        out[-1] = dataclasses.replace(out[-1], separate=True)
    return out


def _pflag(
    arg: str, rest: Sequence[str], table: Mapping[str, FlagSpec]
) -> tuple[list[ParsedFlag], int]:
    """One pflag argument → its flags and how many following arguments it consumed."""
    if arg.startswith("--"):
        return _long(arg, rest, table)
    out: list[ParsedFlag] = []
    position = 1
    while position < len(arg):
        name = "-" + arg[position]
        spec = _known(name, table)
        attached = arg[position + 1 :]
        if spec.arity is Arity.BOOL and not attached.startswith("="):
            out.append(ParsedFlag(spec, arg, "true"))
            position += 1
            continue
        value = attached.removeprefix("=")
        if spec.arity is Arity.BOOL:
            _boolean(name, value)
        if spec.arity is Arity.VALUE and not attached:
            if not rest:
                raise ArgvProblem(f"flag {name} needs a value")
            out.append(ParsedFlag(spec, arg, rest[0]))
            return out, 1
        out.append(ParsedFlag(spec, arg, value))
        break
    return out, 0


def _long(
    arg: str, rest: Sequence[str], table: Mapping[str, FlagSpec]
) -> tuple[list[ParsedFlag], int]:
    name, eq, value = arg.partition("=")
    spec = _known(name, table)
    if spec.arity is Arity.BOOL:
        if eq:
            _boolean(name, value)
        return [ParsedFlag(spec, arg, value if eq else "true")], 0
    return _valued(spec, arg, value if eq else None, rest)


def _go_flag(
    arg: str, rest: Sequence[str], table: Mapping[str, FlagSpec]
) -> tuple[list[ParsedFlag], int]:
    """Go's flag package: one or two dashes, `=value` or the next argument."""
    name, eq, value = arg.lstrip("-").partition("=")
    if arg.startswith("---") or not name:
        raise ArgvProblem(f"malformed flag {arg}")
    spec = _known("-" + name, table)
    if spec.arity is Arity.BOOL:
        if eq:
            _boolean(arg, value)
        return [ParsedFlag(spec, arg, value if eq else "true")], 0
    return _valued(spec, arg, value if eq else None, rest)


def _valued(
    spec: FlagSpec, arg: str, attached: str | None, rest: Sequence[str]
) -> tuple[list[ParsedFlag], int]:
    """A long flag that is not boolean: its value attached, or the next argument."""
    if attached is not None or spec.arity is Arity.OPTIONAL:
        return [ParsedFlag(spec, arg, attached)], 0
    if spec.arity is Arity.ATTACHED or not rest:
        raise ArgvProblem(f"flag {arg} needs a value written {spec.name}=…")
    return [ParsedFlag(spec, arg, rest[0])], 1


def _known(name: str, table: Mapping[str, FlagSpec]) -> FlagSpec:
    spec = table.get(name)
    if spec is None:
        raise ArgvProblem(f"flag {name} is not one the gateway understands here")
    return spec


def _boolean(name: str, value: str) -> None:
    if value not in _BOOLS:
        raise ArgvProblem(f"flag {name} takes true or false, not {value!r}")


def flag_risks(parsed: Parsed) -> list[tuple[RiskClass, str]]:
    """(class, why) every flag raises the command to, by its name or its value."""
    out: list[tuple[RiskClass, str]] = []
    for flag in parsed.flags:
        switched_off = flag.spec.arity is Arity.BOOL and flag.value in _FALSE
        if flag.spec.risk is not None and not switched_off:
            risk, why = flag.spec.risk
            out.append((risk, f"{flag.written}: {why}"))
        if flag.spec.check is not None and flag.value is not None:
            hit = flag.spec.check(flag.value)
            if hit is not None:
                out.append((hit[0], f"{flag.written}: {hit[1]}"))
    return out


# ── value checks shared by the tools ────────────────────────────────────────
def local_path(value: str) -> tuple[RiskClass, str] | None:
    """A path the tool reads or writes on the gateway host: only below its working dir."""
    if "://" in value:
        return RiskClass.ADMIN, "fetches from a location the caller names"
    parts = value.replace("\\", "/").split("/")
    if value.startswith(("/", "~")) or ".." in parts or not value:
        return RiskClass.ADMIN, "a path outside the connection's working directory"
    return None


def pflag_slice(value: str) -> list[str]:
    """The items of a pflag StringSlice value, read as pflag reads it: one CSV record
    (Go's encoding/csv: `,` between fields, a field in `"…"` with `""` for a quote).

    `-f a.yaml,/etc/x` names two files and `-f '"/etc/x"'` one, unquoted. What
    encoding/csv refuses (a bare `"`, text after a closing quote) or reads otherwise
    than as one record (a line break: the rest of the value is dropped), and an
    empty value, are not understood.
    """
    if not value or "\n" in value or "\r" in value:
        raise ArgvProblem(f"list value {value!r} is not one CSV record the gateway reads")
    fields: list[str] = []
    rest: str | None = value
    while rest is not None:
        field, rest = _csv_field(rest, value)
        fields.append(field)
    return fields


def _csv_field(text: str, value: str) -> tuple[str, str | None]:
    """The first field of `text` and what follows its comma (None at the end)."""
    if not text.startswith('"'):
        field, comma, rest = text.partition(",")
        if '"' in field:
            raise ArgvProblem(f"list value {value!r} has a bare quote (not CSV)")
        return field, rest if comma else None
    out: list[str] = []
    position = 1
    while True:
        close = text.find('"', position)
        if close < 0:
            raise ArgvProblem(f"list value {value!r} has an unclosed quote (not CSV)")
        out.append(text[position:close])
        after = text[close + 1 : close + 2]
        if after == '"':
            out.append('"')
            position = close + 2
        elif after in ("", ","):
            return "".join(out), text[close + 2 :] if after else None
        else:
            raise ArgvProblem(f"list value {value!r} has text after a closing quote (not CSV)")
