"""Classification tables: argv rules (kubectl, terraform, helm, own rules) and HTTP rules."""

from __future__ import annotations

import pytest

from phigate.connectors._argv_rules import BUILTIN_RULE_SETS, ArgvRuleSet, classify_argv
from phigate.connectors._http_rules import UNREADABLE, classify_request, method_overrides
from phigate.connectors.rule_settings import BUILTIN_RULE_SET_NAMES, ArgvRule, HttpRule
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

ARGV_TABLE = [
    ("kubectl get pods", R),
    ("kubectl -n prod get pods -o wide", R),
    ("kubectl --namespace=prod describe deploy/api", R),
    ("kubectl logs api-7d9 -c app", R),
    ("kubectl rollout status deploy/api", R),
    ("kubectl rollout restart deploy/api", W),
    ("kubectl apply -f -", W),
    ("kubectl create deployment api --image=nginx", W),
    ("kubectl create -n rolebinding deployment x", W),  # -n takes "rolebinding" as its value
    ("kubectl delete pod api-1", W),
    ("kubectl scale deploy/api --replicas=3", W),
    ("kubectl patch deploy api -p {}", W),
    ("kubectl create rolebinding x --role=admin", P),
    ("kubectl create clusterrolebinding x --clusterrole=cluster-admin", P),
    ("kubectl auth can-i delete pods", P),
    ("kubectl certificate approve csr-1", P),
    ("kubectl --as=admin get pods", P),
    ("kubectl get pods --as system:admin", P),
    ("kubectl get pods --kubeconfig=/tmp/other", A),
    ("kubectl exec -it api-1 -- sh", A),
    ("kubectl cp api-1:/etc/passwd .", A),
    ("kubectl port-forward svc/db 5432", A),
    ("kubectl config use-context prod", A),
    ("kubectl frobnicate", U),
    ("kubectl", U),
    ("kubectl --vmodule get delete pod x", U),  # unknown flag could take "get" as its value
    ("terraform plan -out=tfplan", A),  # writes a plan file (with secrets) on the host
    ("terraform -chdir=infra plan", R),
    ("terraform state list", R),
    ("terraform apply -auto-approve", W),
    ("terraform destroy", W),
    ("terraform import aws_s3_bucket.b b", W),
    ("terraform state rm aws_s3_bucket.b", W),
    ("terraform state pull", E),
    ("terraform console", A),
    ("terraform -chdir infra apply", U),  # -chdir takes no separate value: "infra" is the word
    ("helm list -A", R),
    ("helm status api -n prod", R),
    ("helm get values api", E),  # values carry the release's passwords
    ("helm install api ./chart", W),
    ("helm upgrade --install api ./chart", W),
    ("helm rollback api 3", W),
    ("helm uninstall api", W),
    ("helm upgrade api ./chart --kube-as-user admin", P),
    ("helm plugin install x", A),
    ("aws iam attach-role-policy", U),
]


@pytest.mark.parametrize(("line", "risk"), ARGV_TABLE)
def test_builtin_rule_sets(line: str, risk: RiskClass) -> None:
    verdict = classify_argv(line.split(), SETS)
    assert verdict.risk is risk, verdict.reasons


def test_program_is_matched_by_basename_and_the_rule_is_named() -> None:
    verdict = classify_argv(["/usr/local/bin/kubectl", "get", "pods"], SETS)
    assert verdict.risk is R
    assert verdict.rule == "kubectl get"


def test_everything_after_double_dash_is_positional() -> None:
    verdict = classify_argv(["kubectl", "--", "get", "pods"], SETS)
    assert verdict.risk is R


def test_rbac_manifest_on_stdin_is_privilege() -> None:
    manifest = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
    assert classify_argv(["kubectl", "apply", "-f", "-"], SETS, manifest).risk is P
    plain = "apiVersion: apps/v1\nkind: Deployment\n"
    assert classify_argv(["kubectl", "apply", "-f", "-"], SETS, plain).risk is W


def test_own_rules_beat_builtins_on_a_tie_and_escalations_only_raise() -> None:
    own = ArgvRuleSet(
        name="own",
        rules=(
            ArgvRule(
                name="secrets are exports", program="kubectl", args=("get", "secret*"), risk=E
            ),
            ArgvRule(name="get is read here too", program="kubectl", args=("get",), risk=R),
            ArgvRule(
                name="dry run lowers nothing", program="kubectl", flags=("--dry-run*",), risk=R
            ),
        ),
    )
    assert classify_argv(["kubectl", "get", "secrets"], [own, *SETS]).risk is E
    verdict = classify_argv(["kubectl", "delete", "pod", "x", "--dry-run=client"], [own, *SETS])
    assert verdict.risk is W


def test_custom_program_with_value_flags() -> None:
    own = ArgvRuleSet(
        name="own",
        value_flags=frozenset({"--env"}),
        rules=(
            ArgvRule(name="status", program="deploy-tool", args=("status",), risk=R),
            ArgvRule(name="deploy", program="deploy-tool", args=("deploy",), risk=W),
        ),
    )
    assert classify_argv(["deploy-tool", "--env", "prod", "deploy", "api"], [own]).risk is W
    assert classify_argv(["deploy-tool", "--env", "deploy", "status"], [own]).risk is R
    assert classify_argv(["deploy-tool", "--verbose", "deploy", "api"], [own]).risk is U
    assert classify_argv(["deploy-tool", "deploy", "api", "--verbose"], [own]).risk is W


HTTP_RULES = (
    HttpRule(name="role changes", methods=("POST", "PUT", "DELETE"), path="/users/*/roles", risk=P),
    HttpRule(name="admin area", path="/admin/**", risk=A),
    HttpRule(name="bulk export", methods=("GET",), path="/patients/export", risk=E),
    HttpRule(name="search is a read", methods=("POST",), path="/patients/search", risk=R),
)

HTTP_TABLE = [
    ("GET", "/patients/1", R),
    ("HEAD", "/patients", R),
    ("get", "/patients/1", R),
    ("POST", "/patients/1/notes", W),
    ("PATCH", "/patients/1", W),
    ("DELETE", "/patients/1", W),
    ("POST", "/users/42/roles", P),
    ("POST", "/users/42/roles/", P),
    ("GET", "/users/42/roles", R),
    ("GET", "/admin/settings", A),
    ("GET", "/Admin/settings", A),
    ("GET", "/%61dmin/settings", A),
    # Issue 15 item 9: paths are read the way servers read them before rules match.
    # Round 25b finding 10: an empty segment is read three ways (`//x` is a host to
    # WHATWG parsers), so it is refused rather than dropped.
    ("GET", "//admin/settings", U),
    ("GET", "//x/admin/settings", U),
    ("GET", "/admin//settings", U),
    ("GET", "/;x/admin/settings", U),
    ("GET", "/.//admin", U),
    ("GET", "/admin/;x", A),
    ("GET", "/x/../admin/settings", A),
    ("GET", "/x/%2e%2e/admin", A),
    ("GET", "/./admin", A),
    ("GET", "/admin", A),
    ("GET", "/admin/", A),
    ("GET", "/ADMIN", A),
    ("GET", "/%41dmin/stats", A),
    ("GET", "/admin;x/stats", A),
    ("GET", "/admin;jsessionid=1", A),
    ("GET", "/x/..;/admin/stats", A),
    ("POST", "/users/42;v=2/roles", P),
    ("POST", "/users/42/./roles/", P),
    ("POST", "/users/42/./roles//", U),
    ("GET", "/administrator", R),
    ("GET", "/x%2fadmin", U),
    ("GET", "/x%2Fadmin", U),
    ("GET", "/x%5cadmin", U),
    ("GET", "/x\\admin", U),
    ("GET", "/admin%00", U),
    ("GET", "/admin\x00", U),
    ("GET", "/admin%3bx/stats", U),
    ("GET", "/%252e%252e/admin", U),
    ("GET", "/x/%zz", U),
    ("GET", "/%ff", U),
    ("GET", "/..", U),
    ("GET", "/x/../../admin", U),
    ("GET", "/x/..;/..;/admin", U),
    ("GET", "/patients?id=1", U),
    ("GET", "patients", U),
    ("GET", "/patients/export", E),
    # Round 6 finding 2: a format suffix is routed as the path without it.
    ("GET", "/admin.json", A),
    ("GET", "/ADMIN.JSON", A),
    ("GET", "/admin.tar.gz", A),
    ("GET", "/admin;x.json", A),
    ("GET", "/%61dmin%2ejson", A),
    ("GET", "/patients/export.csv", E),
    ("GET", "/patients/export.csv/", E),
    ("GET", "/patients/export.", E),
    ("POST", "/users/42/roles.json", P),
    ("GET", "/patients/1.json", R),
    ("GET", "/admin.json/x", R),
    ("POST", "/patients/search.json", W),  # a rule only raises through a suffix
    ("BREW", "/coffee", U),
]


@pytest.mark.parametrize(("method", "path", "risk"), HTTP_TABLE)
def test_http_rules(method: str, path: str, risk: RiskClass) -> None:
    verdict = classify_request(method, path, HTTP_RULES)
    assert verdict.risk is risk, verdict.reasons


@pytest.mark.parametrize(("path", "risk"), [("/admin/x", A), ("/ADMIN/x", R), ("/Admin", R)])
def test_http_rules_can_be_case_sensitive(path: str, risk: RiskClass) -> None:
    """`case_sensitive_paths: true`, for an upstream that routes /Admin apart from /admin."""
    assert classify_request("GET", path, HTTP_RULES, case_sensitive=True).risk is risk


def test_http_reasons_say_how_the_upstream_reads_an_unusual_path() -> None:
    verdict = classify_request("POST", "/users/7;v=2/./roles/", HTTP_RULES)
    assert verdict.reasons[-1] == "the upstream reads the path as /users/7/roles"
    assert len(classify_request("GET", "/patients/1", HTTP_RULES).reasons) == 1


def test_a_format_suffix_is_matched_as_well_and_said() -> None:
    """The most severe reading wins, and the reviewer is told which reading it was."""
    verdict = classify_request("GET", "/patients/export.csv", HTTP_RULES)
    assert verdict.rule == "bulk export"
    assert verdict.reasons[-1] == (
        "servers that route a format suffix read /patients/export.csv as /patients/export"
    )
    plain = HttpRule(name="spec", methods=("GET",), path="/openapi.json", risk=A)
    assert classify_request("GET", "/openapi.json", (plain,)).rule == "spec"


@pytest.mark.parametrize("path", ["/admin./x", "/admin%20/x", "/admin.%20./x", "/admin%20./x"])
def test_a_windows_spelling_is_matched_as_well_and_said(path: str) -> None:
    """IIS drops a segment's trailing dots and spaces: /admin./x is /admin/x there."""
    verdict = classify_request("GET", path, HTTP_RULES)
    assert verdict.risk is A, verdict.reasons
    assert verdict.reasons[-1].startswith("Windows servers, which drop"), verdict.reasons


@pytest.mark.parametrize("path", ["/admin/.../x", "/admin/%20/x", "/.%20./admin"])
def test_a_segment_windows_reads_as_empty_is_unclear(path: str) -> None:
    verdict = classify_request("GET", path, HTTP_RULES)
    assert verdict.risk is RiskClass.UNKNOWN, verdict.reasons
    assert "only dots and spaces" in verdict.reasons[0]


@pytest.mark.parametrize(
    ("request_", "methods"),
    [
        ({"body": "_method=delete&name=x"}, ["DELETE"]),
        ({"body": {"_method": "put"}}, ["PUT"]),
        ({"query": {"_METHOD": "DELETE"}}, ["DELETE"]),
        ({"headers": {"X-HTTP-Method-Override": "PATCH"}}, ["PATCH"]),
        (
            {"body": '--b\r\nContent-Disposition: form-data; name="_method"\r\n\r\nDELETE\r\n'},
            ["DELETE"],
        ),
        ({"body": "name=_method", "query": {"q": "DELETE"}}, []),
        # Salesforce and ASP.NET MVC, as query, form, multipart and JSON fields
        ({"query": {"_HttpMethod": "DELETE"}}, ["DELETE"]),
        ({"body": "_httpmethod=DELETE"}, ["DELETE"]),
        ({"body": "X-HTTP-Method-Override=PATCH&a=1"}, ["PATCH"]),
        ({"query": {"x-http-method": ["MERGE"]}}, ["MERGE"]),
        (
            {
                "body": '--b\r\nContent-Disposition: form-data; name="_HttpMethod"\r\n'
                "Content-Type: text/plain\r\n\r\nDELETE\r\n"
            },
            ["DELETE"],
        ),
        ({"headers": {"_method": "DELETE"}}, ["DELETE"]),
        # fail closed: a field whose name mentions a method, holding another method
        ({"method": "POST", "query": {"method": "DELETE"}}, ["DELETE"]),
        ({"method": "POST", "body": {"httpMethod": "put"}}, ["PUT"]),
        ({"method": "POST", "body": {"entry": [{"request": {"method": "DELETE"}}]}}, ["DELETE"]),
        ({"method": "POST", "body": {"method": "POST", "paymentMethod": "card"}}, []),
        # structured bodies at any depth, arrays included (round 10 finding 13)
        ({"body": [{"_method": "DELETE"}]}, ["DELETE"]),
        ({"body": [[{"x": {"_METHOD": "patch"}}]]}, ["PATCH"]),
        ({"body": '{"_method": "GET", "_method": "delete"}'}, ["GET", "DELETE"]),
        ({"body": '{"q": "_method"}'}, []),
        ({"body": "<_method>DELETE</_method>"}, ["(UNREADABLE _METHOD)"]),
    ],
)
def test_method_overrides_are_found_where_servers_read_them(
    request_: dict[str, object], methods: list[str]
) -> None:
    """Round 6 finding 8: Rails, Symfony and Laravel route `_method` as the method;
    round 10 finding 6: Salesforce `_HttpMethod`, ASP.NET MVC's override as a field."""
    assert method_overrides(request_) == methods


def test_the_settings_leaf_names_every_built_in_rule_set() -> None:
    """config validates `rule_sets:` against the leaf's names, the classifier uses the sets."""
    assert set(BUILTIN_RULE_SETS) == BUILTIN_RULE_SET_NAMES


FORM = "application/x-www-form-urlencoded"
_PART = "--b\r\nContent-Disposition: {}\r\n\r\nDELETE\r\n--b--\r\n"


@pytest.mark.parametrize(
    ("content_type", "body", "methods"),
    [
        # round 21c finding 3: a form is read in the charset its content-type names
        (f"{FORM}; charset=iso-8859-1", "_method=DEL%C9TE", ["DELÉTE"]),
        (f"{FORM}; charset=utf-16le", "%5F%00m%00=%00", [UNREADABLE]),  # not ASCII as ASCII
        (f"{FORM}; charset=ibm037", "a=b", [UNREADABLE]),
        (f"{FORM}; charset=utf-7", "+AF8-method=DELETE", ["DELETE", UNREADABLE]),
        (f"{FORM}; charset=x-unheard-of", "a=b", [UNREADABLE]),
        (f"{FORM}; charset=base64", "a=b", [UNREADABLE]),  # no text encoding
        (f"{FORM}; charset=us-ascii", "a=%FF", [UNREADABLE]),  # does not decode
        (f"{FORM}; charset=utf-8", "a=%FF", []),
        (f"{FORM}; charset=utf-8; charset=utf-16le", "a=b", [UNREADABLE]),  # first or last?
        (f"{FORM}; charset=UTF-8; charset=utf-8", "a=b", []),
        (FORM, "_charset_=utf-16&a=b", [UNREADABLE]),  # HTML's charset override field
        # round 21c finding 4: Content-Disposition parameters as RFC 7578 and 2231 read them
        (
            "multipart/form-data; boundary=b",
            _PART.format("form-data; name*=UTF-8''_method"),
            ["DELETE"],
        ),
        (
            "multipart/form-data; boundary=b",
            _PART.format("form-data; name*=utf-8''%5Fmethod"),
            ["DELETE"],
        ),
        (
            "multipart/form-data; boundary=b",
            _PART.format('form-data; name*0="_me"; name*1=thod'),
            ["DELETE"],
        ),
        (
            "multipart/form-data; boundary=b",
            _PART.format('form-data; name = "_method"'),
            ["DELETE"],
        ),
        (
            "multipart/form-data; boundary=b",
            _PART.format('form-data; name="a"; name=_method'),
            ["DELETE"],
        ),
        (
            "multipart/form-data; boundary=b",
            _PART.format("form-data;\r\n name=_method"),
            ["DELETE"],
        ),
        (
            "multipart/form-data; boundary=b",
            _PART.format("form-data; name*=x-bogus''_method"),
            [UNREADABLE],
        ),
        (
            "multipart/form-data; boundary=b",
            _PART.format("form-data; name*=utf-8''%FF"),
            [UNREADABLE],
        ),
        (
            "multipart/form-data; boundary=b",
            _PART.format('form-data; filename="_method"'),
            ["DELETE"],  # the older, looser reading of `name=` counts as well
        ),
        ("multipart/form-data; boundary=b", _PART.format('form-data; name="note"'), []),
        (
            "multipart/form-data; boundary=b",
            _PART.format('form-data; name="%5Fmethod"'),
            ["DELETE"],
        ),
        (
            "multipart/form-data; boundary=b",
            _PART.format('form-data; name="=?UTF-8?Q?=5Fmethod?="'),  # RFC 2047
            ["DELETE"],
        ),
        (
            "multipart/form-data; boundary=b",
            _PART.format('form-data; name="=?x-bogus?Q?=5Fmethod?="'),
            ["DELETE", UNREADABLE],  # a name mentioning "method" holding one counts too
        ),
    ],
)
def test_a_text_body_is_read_in_its_declared_charset_and_syntax(
    content_type: str, body: str, methods: list[str]
) -> None:
    request = {"method": "POST", "headers": {"Content-Type": content_type}, "body": body}
    assert method_overrides(request) == methods


@pytest.mark.parametrize(
    ("content_type", "methods"),
    [
        (FORM, ["DELETE"]),  # round 21c finding 5: the JSON text read as the form it is sent as
        ("text/plain", ["DELETE"]),
        ("application/json", []),
        ("application/fhir+json; charset=UTF-8", []),
        ("application/json; charset=utf-16", ["DELETE", UNREADABLE]),
        (None, []),  # sent as application/json
    ],
)
def test_a_json_body_is_read_as_its_content_type_says(
    content_type: str | None, methods: list[str]
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    request = {"method": "POST", "headers": headers, "body": {"q": "&_method=DELETE&"}}
    assert method_overrides(request) == methods
