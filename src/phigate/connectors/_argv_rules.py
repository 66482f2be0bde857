"""Classify a command line (argv) into a risk class; built-in kubectl, terraform, helm sets.

A rule names a program (basename glob), the leading positional words it expects
(`["create", "rolebinding"]`), and optionally flags or a stdin pattern. Rules
without flags or stdin are *command* rules: the most specific one (longest word
prefix; on a tie the first listed, so a connection's own rules beat built-ins)
gives the class. Rules with flags or a stdin pattern only ever *raise* the class
(`kubectl --as=…` → privilege). No command rule → `unknown`.

The built-in tools are read the way they read themselves (`_argv_parse`): each
subcommand has an allow-list of flags, and a flag not on it makes the command
`unknown`; flags that point the gateway's credentials elsewhere, write or read
files on its host or print its credentials raise the class (`_argv_kubectl`,
`_argv_tools`). kubectl's resource words, `--raw` paths and manifests are
normalised first, so `get pods,Secrets` matches a rule for `get secret*`.

For other programs, positional words are found by skipping flags. A flag
before the matched words must be known to the rule set or written
`--flag=value` (so a flag that secretly takes a value cannot shift `get` into
the subcommand position); an unknown one makes the command `unknown`.
The rule model (`ArgvRule`) is a settings leaf in `rule_settings`.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from phigate.connectors import _argv_kubectl as kubectl
from phigate.connectors._argv_kubectl import ReadManifest
from phigate.connectors._argv_parse import (
    ArgvProblem,
    Parsed,
    ParsedFlag,
    ToolGrammar,
    flag_risks,
    parse,
)
from phigate.connectors._argv_parse import flags as parse_flags
from phigate.connectors._argv_tools import (
    HELM_GRAMMAR,
    TERRAFORM_GRAMMAR,
    helm_risks,
    terraform_risks,
)
from phigate.connectors.rule_settings import BUILTIN_RULE_SET_NAMES, ArgvRule
from phigate.core.risk import RiskClass, most_severe


class ArgvRuleSet(BaseModel):
    """Rules for one tool plus the flags it accepts before its subcommand words."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    value_flags: frozenset[str] = frozenset()  # take the next argument as their value
    bool_flags: frozenset[str] = frozenset()
    rules: tuple[ArgvRule, ...] = ()


@dataclass(frozen=True)
class ArgvVerdict:
    """The class of a command line and why."""

    risk: RiskClass
    rule: str | None
    reasons: tuple[str, ...]
    escalations: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Word:
    index: int  # position in argv
    text: str


def _positionals(
    argv: Sequence[str], value_flags: frozenset[str]
) -> tuple[list[_Word], list[_Word]]:
    """(positional words, flags) of argv[1:], each with its position in argv."""
    words: list[_Word] = []
    flags: list[_Word] = []
    index = 1
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            words.extend(_Word(i, a) for i, a in enumerate(argv[index + 1 :], index + 1))
            break
        if arg.startswith("-") and arg != "-":
            flags.append(_Word(index, arg))
            if "=" not in arg and arg in value_flags:
                index += 1  # its value is not a positional word
        else:
            words.append(_Word(index, arg))
        index += 1
    return words, flags


def _prefix_match(patterns: Sequence[str], words: Sequence[_Word]) -> bool:
    if len(patterns) > len(words):
        return False
    return all(fnmatch.fnmatchcase(w.text, p) for p, w in zip(patterns, words, strict=False))


def _flag_match(patterns: Sequence[str], flags: Sequence[_Word]) -> str | None:
    for flag in flags:
        if any(fnmatch.fnmatchcase(flag.text, p) for p in patterns):
            return flag.text
    return None


def classify_argv(
    argv: Sequence[str],
    rule_sets: Iterable[ArgvRuleSet],
    stdin: str | None = None,
    read_manifest: ReadManifest | None = None,
) -> ArgvVerdict:
    """The most specific command rule's class, raised by any matching escalation rule.

    A built-in tool (kubectl, terraform, helm) is parsed as the tool parses it,
    with its flag allow-list; `read_manifest` reads a `-f` file of the working
    directory so its kinds can be classified.
    """
    if not argv:
        return ArgvVerdict(RiskClass.UNKNOWN, None, ("empty command line",))
    sets = list(rule_sets)
    rules = [r for s in sets for r in s.rules if r.matches_program(argv[0])]
    tool = _tool_for(argv[0], sets)
    if tool is None:
        return _classify_generic(argv, sets, rules, stdin)
    try:
        return _classify_tool(tool, argv, sets, rules, stdin, read_manifest)
    except ArgvProblem as exc:
        return ArgvVerdict(RiskClass.UNKNOWN, None, (str(exc),))


def files_read(argv: Sequence[str], rule_sets: Iterable[ArgvRuleSet]) -> list[ParsedFlag]:
    """The flags of argv naming a working-directory file the gateway reads to classify
    the command (kubectl `-f NAME`); empty for a command line it cannot parse."""
    sets = list(rule_sets)
    tool = _tool_for(argv[0], sets) if argv else None
    if tool is None:
        return []
    try:
        return tool.files(parse(argv, _with_own_flags(tool.grammar, sets)))
    except ArgvProblem:
        return []


def _classify_generic(
    argv: Sequence[str], sets: Sequence[ArgvRuleSet], rules: Sequence[ArgvRule], stdin: str | None
) -> ArgvVerdict:
    program = argv[0]
    value_flags = frozenset().union(*(s.value_flags for s in sets))
    known = value_flags | frozenset().union(*(s.bool_flags for s in sets))
    words, flags = _positionals(argv, value_flags)
    command = _best_command(rules, words)
    if command is None:
        return _no_rule(program, [w.text for w in words])
    end = words[len(command.args) - 1].index if command.args else 1
    # `--flag=value` cannot shift the words; a bare unknown flag might swallow the next one.
    stray = [f.text for f in flags if f.index < end and "=" not in f.text and f.text not in known]
    if stray:
        return ArgvVerdict(
            RiskClass.UNKNOWN,
            command.name,
            (f"unrecognised flag {stray[0]} before the subcommand",),
        )
    return _escalate(command, rules, flags, stdin)


def _no_rule(program: str, words: Sequence[str]) -> ArgvVerdict:
    shown = " ".join(words[:3]) or "(no subcommand)"
    reason = f"no rule for {os.path.basename(program)} {shown}"
    return ArgvVerdict(RiskClass.UNKNOWN, None, (reason,))


def _tool_for(program: str, sets: Sequence[ArgvRuleSet]) -> BuiltinTool | None:
    name = os.path.basename(program)
    return next((TOOLS[s.name] for s in sets if s.name == name and name in TOOLS), None)


def _classify_tool(
    tool: BuiltinTool,
    argv: Sequence[str],
    sets: Sequence[ArgvRuleSet],
    rules: Sequence[ArgvRule],
    stdin: str | None,
    read_manifest: ReadManifest | None,
) -> ArgvVerdict:
    parsed = parse(argv, _with_own_flags(tool.grammar, sets))
    commands: list[ArgvRule] = []
    for words in tool.variants(parsed):
        command = _best_command(rules, [_Word(i, w) for i, w in enumerate(words, 1)])
        if command is None:
            return _no_rule(argv[0], words)
        commands.append(command)
    worst = most_severe(c.risk for c in commands)
    command = next(c for c in commands if c.risk is worst)
    raised = [*flag_risks(parsed), *tool.risks(parsed, stdin, read_manifest)]
    flags = [_Word(0, form) for f in parsed.flags for form in _flag_forms(f)]
    return _escalate(command, rules, flags, stdin, raised)


def _with_own_flags(grammar: ToolGrammar, sets: Sequence[ArgvRuleSet]) -> ToolGrammar:
    """A connection's own `value_flags` (a plugin's, say) join the tool's; built-ins win."""
    own = [f for s in sets if s.name not in TOOLS for f in s.value_flags]
    if not own:
        return grammar
    extra = parse_flags(" ".join(f"{f}=" for f in own))
    return dataclasses.replace(grammar, global_flags={**extra, **grammar.global_flags})


def _flag_forms(flag: ParsedFlag) -> list[str]:
    """How a connection's flag globs see a parsed flag: as written and in long form."""
    forms = [flag.written]
    for name in flag.spec.names:
        forms.append(name)
        if flag.value is not None:
            forms.append(f"{name}={flag.value}")
    return forms


def _best_command(rules: Sequence[ArgvRule], words: Sequence[_Word]) -> ArgvRule | None:
    best: ArgvRule | None = None
    for rule in rules:
        if rule.escalates or not _prefix_match(rule.args, words):
            continue
        if best is None or len(rule.args) > len(best.args):
            best = rule
    return best


def _escalate(
    command: ArgvRule,
    rules: Sequence[ArgvRule],
    flags: Sequence[_Word],
    stdin: str | None,
    parsed: Sequence[tuple[RiskClass, str]] = (),
) -> ArgvVerdict:
    reasons = [f"rule {command.name!r}: {command.risk}", *(f"{w} → {r}" for r, w in parsed)]
    raised: list[tuple[RiskClass, str]] = list(parsed)
    for rule in rules:
        if not rule.escalates:
            continue
        hit = _flag_match(rule.flags, flags) if rule.flags else None
        if rule.flags and hit is None:
            continue
        if rule.stdin is not None and not (stdin and re.search(rule.stdin, stdin)):
            continue
        raised.append((rule.risk, rule.name))
        what = f"flag {hit}" if hit else "stdin"
        reasons.append(f"rule {rule.name!r}: {what} → {rule.risk}")
    risk = most_severe([command.risk, *(r for r, _ in raised)])
    escalations = tuple(dict.fromkeys(n for _, n in raised))
    return ArgvVerdict(risk, command.name, tuple(reasons), escalations)


# ── built-in rule sets ──────────────────────────────────────────────────────
def _rules(program: str, table: dict[RiskClass, Iterable[str]]) -> tuple[ArgvRule, ...]:
    """Command rules from `{risk: ["get", "rollout status", …]}`."""
    out = []
    for risk, commands in table.items():
        for command in commands:
            words = tuple(command.split())
            out.append(
                ArgvRule(name=f"{program} {command}", program=program, args=words, risk=risk)
            )
    return tuple(out)


_R, _W, _E = RiskClass.READ, RiskClass.WRITE, RiskClass.EXPORT
_P, _A = RiskClass.PRIVILEGE, RiskClass.ADMIN

KUBECTL = ArgvRuleSet(
    name="kubectl",
    rules=_rules(
        "kubectl",
        {
            _R: [
                "get",
                "describe",
                "logs",
                "explain",
                "api-resources",
                "api-versions",
                "version",
                "cluster-info",
                "top",
                "diff",
                "events",
                "wait",
                "rollout status",
                "rollout history",
                "config view",
                "config current-context",
                "config get-contexts",
                "apply view-last-applied",
            ],
            _W: [
                "apply",
                "create",
                "delete",
                "scale",
                "rollout",
                "edit",
                "patch",
                "replace",
                "label",
                "annotate",
                "set",
                "autoscale",
                "expose",
                "run",
                "cordon",
                "uncordon",
                "drain",
                "taint",
                "apply edit-last-applied",
                "apply set-last-applied",
            ],
            # Secret values leave base64-encoded, not masked: as much an export as a dump.
            _E: [
                "get secrets",
                "edit secrets",
                "apply view-last-applied secrets",
                "apply edit-last-applied secrets",
                "cluster-info dump",
            ],
            _P: [
                "create rolebinding",
                "create clusterrolebinding",
                "create role",
                "create clusterrole",
                "create token",
                "create serviceaccount",
                "set subject",
                "auth",
                "certificate approve",
                "certificate deny",
                "certificate",
            ],
            _A: [
                "exec",
                "cp",
                "port-forward",
                "attach",
                "proxy",
                "debug",
                "config",
                "plugin",
                "kustomize",
            ],
        },
    ),
)

TERRAFORM = ArgvRuleSet(
    name="terraform",
    rules=_rules(
        "terraform",
        {
            _R: [
                "plan",
                "show",
                "output",
                "validate",
                "version",
                "providers",
                "providers schema",
                "metadata functions",
                "graph",
                "state list",
                "state show",
                "workspace list",
                "workspace show",
            ],
            _W: [
                "apply",
                "destroy",
                "import",
                "init",
                "refresh",
                "taint",
                "untaint",
                "fmt",
                "state rm",
                "state mv",
                "state push",
                "state replace-provider",
                "workspace new",
                "workspace select",
                "workspace delete",
                "force-unlock",
                "providers lock",
            ],
            # A named output is printed even when sensitive; a named file is read from the host.
            _E: ["state pull", "output *", "show *"],
            # `providers mirror DIR` downloads plugins into a directory of the gateway host.
            _A: ["console", "login", "logout", "providers mirror"],
        },
    ),
)

HELM = ArgvRuleSet(
    name="helm",
    rules=_rules(
        "helm",
        {
            _R: [
                "list",
                "ls",
                "status",
                "get notes",
                "get metadata",
                "history",
                "show",
                "search",
                "template",
                "version",
                "lint",
                "verify",
                "repo list",
                "dependency list",
            ],
            _W: [
                "install",
                "upgrade",
                "rollback",
                "uninstall",
                "delete",
                "test",
                "repo add",
                "repo update",
                "repo remove",
                "dependency update",
                "dependency build",
                "pull",
                "push",
                "package",
            ],
            # Values and rendered manifests carry the release's passwords and Secrets.
            _E: ["get"],
            _A: ["plugin", "registry", "env"],
        },
    ),
)

BUILTIN_RULE_SETS: dict[str, ArgvRuleSet] = {s.name: s for s in (KUBECTL, TERRAFORM, HELM)}
assert set(BUILTIN_RULE_SETS) == BUILTIN_RULE_SET_NAMES, "rule_settings names every set"


@dataclass(frozen=True)
class BuiltinTool:
    """How a built-in tool's command line is read before its rules match."""

    grammar: ToolGrammar
    variants: Callable[[Parsed], list[tuple[str, ...]]] = lambda parsed: [parsed.words]
    risks: Callable[[Parsed, str | None, ReadManifest | None], list[tuple[RiskClass, str]]] = (
        lambda parsed, stdin, read: []
    )
    files: Callable[[Parsed], list[ParsedFlag]] = lambda parsed: []


def _kubectl_risks(
    parsed: Parsed, stdin: str | None, read: ReadManifest | None
) -> list[tuple[RiskClass, str]]:
    return [
        *kubectl.raw_risks(parsed),
        *kubectl.kuberc_risks(parsed),
        *kubectl.printed_secret_risks(parsed),
        *kubectl.manifest_risks(parsed, stdin, read),
    ]


TOOLS: dict[str, BuiltinTool] = {
    "kubectl": BuiltinTool(
        kubectl.GRAMMAR, kubectl.variants, _kubectl_risks, kubectl.manifest_files
    ),
    "terraform": BuiltinTool(
        TERRAFORM_GRAMMAR, risks=lambda parsed, stdin, read: terraform_risks(parsed)
    ),
    "helm": BuiltinTool(HELM_GRAMMAR, risks=lambda parsed, stdin, read: helm_risks(parsed)),
}
