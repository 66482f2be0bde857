"""Round 31b findings 2, 5 and 6: every path helm reads is checked as helm reads it,
and kubectl `apply`'s children have rules of their own.

helm's `-f/--values` is a pflag StringSlice, a CSV record naming several files; helm
subcommands that read a chart (`dependency …`, `verify`, `push`) check its path as
`show chart` does. `kubectl apply view-last-applied` prints an object's last-applied
manifest (a Secret's: an export), `edit-`/`set-last-applied` write; any other child
of `apply` is unknown.
"""

from __future__ import annotations

import shlex

import pytest

from phigate.connectors._argv_parse import ArgvProblem, pflag_slice
from phigate.connectors._argv_rules import BUILTIN_RULE_SETS, classify_argv
from phigate.core.risk import RiskClass

R, W, A, U = RiskClass.READ, RiskClass.WRITE, RiskClass.ADMIN, RiskClass.UNKNOWN
SETS = list(BUILTIN_RULE_SETS.values())


@pytest.mark.parametrize(
    ("value", "fields"),
    [
        ("a.yaml", ["a.yaml"]),
        ("a.yaml,b.yaml", ["a.yaml", "b.yaml"]),
        ('"/etc/x"', ["/etc/x"]),
        ('"a,b.yaml",c', ["a,b.yaml", "c"]),
        ('"say ""hi""",x', ['say "hi"', "x"]),
        ("a,", ["a", ""]),
        (",a", ["", "a"]),
        (' "a"', None),  # encoding/csv: a quote after a space is bare
        ('a"b', None),
        ('"a"b', None),
        ('"a', None),
        ("a\n/etc/x", None),  # encoding/csv reads one line: /etc/x would be dropped
        ("a\r", None),
        ("", None),
    ],
)
def test_a_string_slice_value_is_read_as_one_csv_record(
    value: str, fields: list[str] | None
) -> None:
    if fields is None:
        with pytest.raises(ArgvProblem):
            pflag_slice(value)
    else:
        assert pflag_slice(value) == fields


HELM = [
    ("helm template api ./chart -f values.yaml,prod.yaml", R),
    ("helm template api ./chart -f values.yaml,/etc/passwd", A),
    ("helm template api ./chart --values=values.yaml,../x.yaml", A),
    ("helm template api ./chart -f '\"/etc/passwd\"'", A),
    ("helm template api ./chart -f 'values.yaml,https://evil.example/v.yaml'", A),
    ("helm lint ./chart -f values.yaml,/etc/passwd", A),
    ("helm upgrade api ./chart -f ok.yaml -f a.yaml,/etc/passwd", A),
    ("helm template api ./chart -f 'a\"b'", U),
    ("helm template api ./chart -f ''", U),
    ("helm dependency list ./chart", R),
    ("helm dependency list /srv/other-team/chart", A),
    ("helm dependency update ../other", A),
    ("helm dependency build /srv/x", A),
    ("helm verify chart.tgz", R),
    ("helm verify /srv/x/chart.tgz", A),
    ("helm push chart.tgz oci://registry.example/charts", W),
    ("helm push /srv/x/chart.tgz oci://registry.example/charts", A),
    ("helm dependency up ./chart", U),
    ("helm repo index .", U),
    ("helm create mychart", U),
    ("helm completion bash", U),
]


@pytest.mark.parametrize(("line", "risk"), HELM)
def test_helm_paths(line: str, risk: RiskClass) -> None:
    verdict = classify_argv(shlex.split(line), SETS)
    assert verdict.risk is risk, verdict.reasons


# Finding 6: `kubectl apply`'s children have their own rules; any other child is unknown.
SECRET = "kind: Secret\nmetadata: {name: db}\n"
CONFIG = "kind: ConfigMap\nmetadata: {name: c}\n"
APPLY = [
    ("kubectl apply view-last-applied deploy/api", None, R),
    ("kubectl apply view-last-applied deploy/api -o json", None, R),
    ("kubectl apply view-last-applied secret/db-pass", None, RiskClass.EXPORT),
    ("kubectl apply view-last-applied secrets db-pass -o yaml", None, RiskClass.EXPORT),
    ("kubectl apply view-last-applied pods/a Secret/b", None, RiskClass.EXPORT),
    ("kubectl apply view-last-applied -f -", SECRET, RiskClass.EXPORT),
    ("kubectl apply view-last-applied -f -", CONFIG, R),
    ("kubectl apply edit-last-applied deploy/api", None, W),
    ("kubectl apply edit-last-applied secret/db", None, RiskClass.EXPORT),
    ("kubectl apply set-last-applied -f - --create-annotation", SECRET, W),
    ("kubectl apply set-last-applied -f - -o yaml", SECRET, RiskClass.EXPORT),
    ("kubectl apply -f -", CONFIG, W),
    ("kubectl apply view-last-applied secret/db --wat", None, U),
    ("kubectl apply show-last-applied secret/db", None, U),
    ("kubectl apply deploy/api", None, U),
]


@pytest.mark.parametrize(("line", "stdin", "risk"), APPLY)
def test_kubectl_apply_children(line: str, stdin: str | None, risk: RiskClass) -> None:
    verdict = classify_argv(shlex.split(line), SETS, stdin)
    assert verdict.risk is risk, verdict.reasons
