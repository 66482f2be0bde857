"""Round 31b findings 1, 3, 4: a kubectl manifest is understood only when written plainly.

kubectl reads YAML with go-yaml v2 and the gateway with PyYAML; where the two could
disagree (tags, anchors, aliases, merge keys, duplicate keys, directives, a kind that
is not a string), the command is `unknown` rather than classified by a guess. A List's
items without a kind take the List's kind without its `List` suffix, as kubectl gives it.
"""

from __future__ import annotations

import json

import pytest

from phigate.connectors._argv_manifest import manifest_kinds
from phigate.connectors._argv_parse import ArgvProblem
from phigate.connectors._argv_rules import BUILTIN_RULE_SETS, classify_argv
from phigate.core.risk import RiskClass

SETS = list(BUILTIN_RULE_SETS.values())
META = "metadata: {name: db-pass}\n"

NOT_PLAIN = [
    ("kind: !!binary U2VjcmV0\n", "a tag"),
    ("kind: !!str Secret\n", "a tag"),
    ("kind: !x Secret\n", "a tag"),
    ("kind: ! Secret\n", "a tag"),
    ("!!map {kind: ConfigMap}\n", "a tag"),
    ("kind: &k ConfigMap\n", "an anchor"),
    ("a: &m {kind: Secret}\nkind: ConfigMap\nb: *m\n", "an anchor"),
    (f"kind: ConfigMap\n<<: {{kind: Secret}}\n{META}", "a merge key"),
    (f"kind: ConfigMap\n<<: [{{kind: Secret}}]\n{META}", "a merge key"),
    (f'kind: ConfigMap\n"<<": {{kind: Secret}}\n{META}', "a merge key"),
    (f"kind: ConfigMap\nkind: Secret\n{META}", "written twice"),
    ('{"kind": "ConfigMap", "kind": "Secret"}', "written twice"),
    ("kind: ConfigMap\nmetadata: {name: a, name: b}\n", "written twice"),
    ("%YAML 1.1\n---\nkind: ConfigMap\n", "directive"),
    ("%TAG !k! tag:example.org,2000:\n---\nkind: ConfigMap\n", "directive"),
    (f"apiVersion: v1\n{META}", "kind is not a string"),
    ("kind: 12\n", "kind is not a string"),
    ("kind: [Secret]\n", "kind is not a string"),
    ("kind: ''\n", "kind is not a string"),
    ("- kind: Secret\n", "not a mapping"),
    ("kind: ConfigMap\n? [a]\n: b\n", "not a plain string"),
    ("kind: ConfigMap\n1: b\n", "not a plain string"),
    ("kind: ConfigMap\ny: b\n", "not a plain string"),
    ('{"kind": "List", "items": [{"metadata": {"name": "x"}}]}', "kind is not a string"),
    ('{"kind": "SecretList", "items": [{"apiVersion": "v1"}]}', "kind is not a string"),
    ('{"kind": "SecretList", "items": {"a": {"kind": "Secret"}}}', "not a list"),
    ('{"kind": "SecretList", "items": ["x"]}', "not a mapping"),
    # Round 32b finding 2: kubectl cuts documents at a line `---` then nothing, blanks
    # or a `#` comment; YAML only at `---` then a blank. Any line where the two could
    # part, and anything PyYAML splits inside one of kubectl's documents, is refused.
    ("kind: Pod\n---#: |\n  kind: Secret\n", "document separator"),
    ("---#\nkind: Secret\n", "document separator"),
    ("kind: Pod\n--- !!map\nkind: Secret\n", "document separator"),
    ("kind: Pod\n--- {kind: Secret}\n", "document separator"),
    ("kind: Pod\n----\nkind: Secret\n", "document separator"),
    ("kind: Pod\n---\v\nkind: Secret\n", "document separator"),
    ("kind: Pod\n---\u0085kind: Secret\n", "document separator"),
    ("kind: Pod\n...\nkind: Secret\n", "document end"),
    ("kind: Pod\n...\n", "document end"),
    ("kind: Pod\r---\rkind: Secret\n", "documents"),
    ("kind: Pod\n\ufeff---\nkind: Secret\n", "byte order mark"),
]


@pytest.mark.parametrize(("manifest", "why"), NOT_PLAIN)
def test_a_manifest_not_written_plainly_is_not_understood(manifest: str, why: str) -> None:
    with pytest.raises(ArgvProblem, match=why):
        manifest_kinds(manifest)
    verdict = classify_argv(["kubectl", "get", "-f", "-", "-o", "yaml"], SETS, manifest)
    assert verdict.risk is RiskClass.UNKNOWN, verdict.reasons
    assert "not plain YAML" in verdict.reasons[0]


PLAIN = [
    ("kind: Secret\n", {"Secret"}),
    ("kind: 'Secret'\n---\n", {"Secret"}),
    ('---\n"kind": "ConfigMap"\n---\n# only a comment\n', {"ConfigMap"}),
    ('{"kind": "SecretList", "items": [{"metadata": {"name": "x"}}]}', {"SecretList", "Secret"}),
    ('{"kind": "List", "items": [{"kind": "Pod"}, {"kind": "Role"}]}', {"List", "Pod", "Role"}),
    ("kind: PodList\nitems: []\n", {"PodList"}),
    (
        "kind: Deployment\nspec: {template: {spec: {volumes: [{secret: {items: [{key: a}]}}]}}}\n",
        {"Deployment"},
    ),
    (
        "kind: CustomResourceDefinition\nspec: {properties: {kind: {type: string}}}\n",
        {"CustomResourceDefinition"},
    ),
    ("kind: CronJob\nspec: {jobTemplate: {kind: Job}}\n", {"CronJob", "Job"}),
    ("kind: Pod\n--- # next\nkind: Role\n", {"Pod", "Role"}),
    ("--- # first\nkind: Pod\n---\t \nkind: Role\n---", {"Pod", "Role"}),
    ("kind: Pod\r\n---\r\nkind: Role\r\n", {"Pod", "Role"}),
    ("\ufeffkind: Pod\n", {"Pod"}),
    ("kind: ConfigMap\ndata:\n  a: |\n    x\n    ---#\n    ...\n", {"ConfigMap"}),
]


@pytest.mark.parametrize(("manifest", "kinds"), PLAIN)
def test_a_plain_manifest_names_its_kinds(manifest: str, kinds: set[str]) -> None:
    assert manifest_kinds(manifest) == kinds


@pytest.mark.parametrize("list_kind", ["SecretList", "List"])
def test_a_secret_in_a_list_is_an_export_when_printed(list_kind: str) -> None:
    item = {"metadata": {"name": "db"}}
    if list_kind == "List":
        item["kind"] = "Secret"  # type: ignore[assignment]
    manifest = json.dumps({"apiVersion": "v1", "kind": list_kind, "items": [item]})
    verdict = classify_argv(["kubectl", "get", "-f", "-", "-o", "yaml"], SETS, manifest)
    assert verdict.risk is RiskClass.EXPORT, verdict.reasons
