"""Classify a command line (argv) into a risk class; built-in kubectl, terraform, helm sets.

A rule names a program (basename glob), the leading positional words it expects
(`["create", "rolebinding"]`), and optionally flags or a stdin pattern. Rules
without flags or stdin are *command* rules: the most specific one (longest word
prefix; on a tie the first listed, so a connection's own rules beat built-ins)
gives the class. Rules with flags or a stdin pattern only ever *raise* the class
(`kubectl --as=…` → privilege). No command rule → `unknown`.

Positional words are found by skipping flags. A flag before the matched words
must be known to the rule set or written `--flag=value` (so a flag that
secretly takes a value cannot shift `get` into the subcommand position); an
unknown one makes the command `unknown`.
This module imports no phigate.config so config can import it.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

from phigate.risk import RiskClass, most_severe


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


class ArgvRuleSet(_Frozen):
    """Rules for one tool plus the flags it accepts before its subcommand words."""

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
    argv: Sequence[str], rule_sets: Iterable[ArgvRuleSet], stdin: str | None = None
) -> ArgvVerdict:
    """The most specific command rule's class, raised by any matching escalation rule."""
    if not argv:
        return ArgvVerdict(RiskClass.UNKNOWN, None, ("empty command line",))
    program = argv[0]
    sets = list(rule_sets)
    rules = [r for s in sets for r in s.rules if r.matches_program(program)]
    value_flags = frozenset().union(*(s.value_flags for s in sets))
    known = value_flags | frozenset().union(*(s.bool_flags for s in sets))
    words, flags = _positionals(argv, value_flags)
    command = _best_command(rules, words)
    if command is None:
        shown = " ".join(w.text for w in words[:3]) or "(no subcommand)"
        return ArgvVerdict(
            RiskClass.UNKNOWN, None, (f"no rule for {os.path.basename(program)} {shown}",)
        )
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


def _best_command(rules: Sequence[ArgvRule], words: Sequence[_Word]) -> ArgvRule | None:
    best: ArgvRule | None = None
    for rule in rules:
        if rule.escalates or not _prefix_match(rule.args, words):
            continue
        if best is None or len(rule.args) > len(best.args):
            best = rule
    return best


def _escalate(
    command: ArgvRule, rules: Sequence[ArgvRule], flags: Sequence[_Word], stdin: str | None
) -> ArgvVerdict:
    reasons = [f"rule {command.name!r}: {command.risk}"]
    raised: list[tuple[RiskClass, str]] = []
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
    return ArgvVerdict(risk, command.name, tuple(reasons), tuple(n for _, n in raised))


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
    value_flags=frozenset(
        {
            "-n",
            "--namespace",
            "--context",
            "--cluster",
            "--user",
            "--kubeconfig",
            "-s",
            "--server",
            "--token",
            "--as",
            "--as-group",
            "--as-uid",
            "--request-timeout",
            "--cache-dir",
            "--certificate-authority",
            "--client-certificate",
            "--client-key",
            "--tls-server-name",
            "-o",
            "--output",
            "-f",
            "--filename",
            "-l",
            "--selector",
            "-c",
            "--container",
            "-v",
            "--v",
            "--profile",
            "--profile-output",
            "--field-selector",
        }
    ),
    bool_flags=frozenset(
        {
            "-A",
            "--all-namespaces",
            "--insecure-skip-tls-verify",
            "--match-server-version",
            "-w",
            "--watch",
            "--warnings-as-errors",
        }
    ),
    rules=(
        *_rules(
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
                    "kustomize",
                    "rollout status",
                    "rollout history",
                    "config view",
                    "config current-context",
                    "config get-contexts",
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
                ],
                _P: [
                    "create rolebinding",
                    "create clusterrolebinding",
                    "create role",
                    "create clusterrole",
                    "create token",
                    "create serviceaccount",
                    "auth",
                    "certificate approve",
                    "certificate deny",
                    "certificate",
                ],
                _A: ["exec", "cp", "port-forward", "attach", "proxy", "debug", "config", "plugin"],
            },
        ),
        # Impersonation, or pointing the gateway's credentials at another cluster.
        ArgvRule(
            name="kubectl impersonation",
            program="kubectl",
            flags=("--as", "--as=*", "--as-group*", "--as-uid*"),
            risk=_P,
        ),
        ArgvRule(
            name="kubectl credentials override",
            program="kubectl",
            flags=(
                "--kubeconfig*",
                "--token*",
                "--server*",
                "-s",
                "--user*",
                "--username*",
                "--password*",
                "--client-key*",
                "--client-certificate*",
                "--insecure-skip-tls-verify*",
            ),
            risk=_A,
        ),
        # A manifest on stdin that grants roles is a privilege change, not a plain write.
        ArgvRule(
            name="kubectl RBAC manifest",
            program="kubectl",
            stdin=r"(?m)^\s*kind:\s*[\"']?(Cluster)?Role(Binding)?\b",
            risk=_P,
        ),
    ),
)

TERRAFORM = ArgvRuleSet(
    name="terraform",
    bool_flags=frozenset({"-help", "-version", "--help", "--version"}),
    rules=(
        *_rules(
            "terraform",
            {
                _R: [
                    "plan",
                    "show",
                    "output",
                    "validate",
                    "version",
                    "providers",
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
                ],
                _E: ["state pull"],
                _A: ["console", "login", "logout"],
            },
        ),
        # `-chdir=` is the one global option with a value; it is always written with `=`.
    ),
)

HELM = ArgvRuleSet(
    name="helm",
    value_flags=frozenset(
        {
            "-n",
            "--namespace",
            "--kube-context",
            "--kubeconfig",
            "--kube-token",
            "--kube-as-user",
            "--kube-as-group",
            "--kube-apiserver",
            "--kube-ca-file",
            "--kube-tls-server-name",
            "--registry-config",
            "--repository-cache",
            "--repository-config",
            "--burst-limit",
            "--qps",
            "-o",
            "--output",
        }
    ),
    bool_flags=frozenset({"--debug", "-A", "--all-namespaces", "--kube-insecure-skip-tls-verify"}),
    rules=(
        *_rules(
            "helm",
            {
                _R: [
                    "list",
                    "ls",
                    "status",
                    "get",
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
                _A: ["plugin", "registry", "env"],
            },
        ),
        ArgvRule(
            name="helm impersonation",
            program="helm",
            flags=("--kube-as-user*", "--kube-as-group*"),
            risk=_P,
        ),
        ArgvRule(
            name="helm credentials override",
            program="helm",
            flags=(
                "--kubeconfig*",
                "--kube-token*",
                "--kube-apiserver*",
                "--kube-insecure-skip-tls-verify*",
            ),
            risk=_A,
        ),
    ),
)

BUILTIN_RULE_SETS: dict[str, ArgvRuleSet] = {s.name: s for s in (KUBECTL, TERRAFORM, HELM)}
