"""kubectl as kubectl reads it: its flags per subcommand, resource names, `--raw` paths, manifests.

Rules match normalised words: the resource slot of `get pods,Secrets` becomes
two command lines, `get pods` and `get secrets` (lowercase plural names, `type/name`
and `.version.group` stripped, short names expanded), and the most severe one
counts. `get --raw /api/v1/namespaces/x/secrets` is `get secrets`. Manifests
(`-f -` on stdin, or a file in the working directory) are read as YAML or
JSON in any style, if written plainly (`_argv_manifest`), and every `kind` in
them counts. Flags that point the
gateway's credentials elsewhere, write files on its host or print its
credentials are admin; flags not listed here make the command `unknown`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from phigate.connectors._argv_manifest import manifest_kinds
from phigate.connectors._argv_parse import (
    ArgvProblem,
    Parsed,
    ParsedFlag,
    ToolGrammar,
    flags,
    local_path,
)
from phigate.connectors._argv_tools import scanned_words
from phigate.core.digits import ascii_int
from phigate.core.risk import RiskClass

ReadManifest = Callable[[str], "str | None"]
_MAX_VERBOSITY = 5  # -v=6 and up log request URLs, headers and (8+) response bodies


def _verbosity(value: str) -> tuple[RiskClass, str] | None:
    level = ascii_int(value)
    if level is None:
        raise ArgvProblem(f"-v takes a number, not {value!r}")
    if level > _MAX_VERBOSITY:
        return RiskClass.ADMIN, "verbose logs print requests and responses, credentials included"
    return None


def _output(value: str) -> tuple[RiskClass, str] | None:
    if "file" in value.lower():
        return RiskClass.ADMIN, "reads a template file on the gateway host"
    return None


def _config_output(value: str) -> tuple[RiskClass, str] | None:
    # The scrubber finds the gateway's credentials as the kubeconfig spells them; a
    # template can print them re-encoded (`printf "%x"`), so only whole documents.
    if value not in ("yaml", "json"):
        return RiskClass.ADMIN, "a template can print the gateway's credentials re-encoded"
    return None


_CHECKS = {
    "verbosity": _verbosity,
    "output": _output,
    "config_output": _config_output,
    "path": local_path,
}
_ELSEWHERE = "points the gateway's credentials at a cluster or identity the caller names"
# kubectl >= 1.33 finds `--kuberc` in its raw argv before parsing it (`kuberc_risks`).
_KUBERC = "kubectl reads its preferences (aliases, default flags) from the file it names"
_KUBERC_NAMES = frozenset({"kuberc"})

GLOBAL = {
    **flags(
        "-n/--namespace= --request-timeout= --match-server-version --warnings-as-errors "
        "--disable-compression -v/--v=@verbosity",
        checks=_CHECKS,
    ),
    **flags(
        "--kubeconfig=!A --context=!A --cluster=!A --user=!A -s/--server=!A --token=!A "
        "--username=!A --password=!A --client-key=!A --client-certificate=!A "
        "--certificate-authority=!A --tls-server-name=!A --insecure-skip-tls-verify!A",
        _ELSEWHERE,
    ),
    **flags("--as=!P --as-group=!P --as-uid=!P", "impersonates another identity"),
    **flags(
        "--cache-dir=!A --profile=!A --profile-output=!A",
        "writes files or logs on the gateway host",
    ),
    **flags("--kuberc=!A", _KUBERC),
}

_OUT = "-o/--output=@output --template=@output --show-managed-fields --allow-missing-template-keys"
_LIST = "--no-headers --show-labels --sort-by= -L/--label-columns= --show-kind"
_SELECT = "-l/--selector= --field-selector= -A/--all-namespaces --all --chunk-size="
_FILES = "-f/--filename= -R/--recursive"
_DRY = "--dry-run? --field-manager= --validate? -o/--output=@output"
_WAIT = "--wait? --timeout= --grace-period= --force --cascade?"
_TABLES = {
    "get": f"{_OUT} {_LIST} {_SELECT} {_FILES} -w/--watch --watch-only --output-watch-events "
    "--ignore-not-found --raw= --subresource= --server-print",
    "describe": f"{_SELECT} {_FILES} --show-events?",
    "logs": "-c/--container= -f/--follow -p/--previous --tail= --since= --since-time= "
    "--timestamps --all-containers --prefix -l/--selector= --max-log-requests= "
    "--limit-bytes= --pod-running-timeout= --ignore-errors",
    "explain": "--recursive --api-version= -o/--output=",
    "api-resources": "--namespaced? --verbs= --api-group= -o/--output= --no-headers "
    "--sort-by= --cached --categories=",
    "version": "--client -o/--output=",
    "top pods": f"{_SELECT} --containers --no-headers --sort-by= --sum --use-protocol-buffers",
    "top pod": f"{_SELECT} --containers --no-headers --sort-by= --sum --use-protocol-buffers",
    "top nodes": "-l/--selector= --no-headers --sort-by= --show-capacity",
    "top node": "-l/--selector= --no-headers --sort-by= --show-capacity",
    "diff": f"{_FILES} --server-side --force-conflicts --field-manager= -l/--selector=",
    "events": f"-A/--all-namespaces --for= --types= -w/--watch {_OUT} --no-headers --chunk-size=",
    "wait": f"--for= --timeout= {_SELECT} {_FILES} -o/--output=@output",
    "rollout status": f"-w/--watch --timeout= --revision= -l/--selector= {_FILES}",
    "rollout history": f"--revision= -l/--selector= {_FILES} -o/--output=@output",
    "rollout restart": f"-l/--selector= {_FILES} {_DRY}",
    "rollout undo": f"--to-revision= -l/--selector= {_FILES} {_DRY}",
    "rollout pause": f"-l/--selector= {_FILES} {_DRY}",
    "rollout resume": f"-l/--selector= {_FILES} {_DRY}",
    "config view": "--minify -o/--output=@config_output",
    "config get-contexts": "-o/--output= --no-headers",
    "apply": f"{_FILES} {_DRY} {_WAIT} --server-side --force-conflicts --prune -l/--selector= "
    "--all --overwrite?",
    # view-last-applied prints an object's last-applied manifest: a Secret's, data included.
    "apply view-last-applied": f"{_FILES} -l/--selector= --all -o/--output=",
    "apply edit-last-applied": f"{_FILES} -o/--output=@output --windows-line-endings "
    "--field-manager= --validate?",
    "apply set-last-applied": f"{_FILES} --create-annotation --dry-run? -o/--output=@output",
    "create": f"{_FILES} {_DRY} --save-config",
    "create deployment": f"{_DRY} --image= --replicas= --port=",
    "create namespace": _DRY,
    "create configmap": f"{_DRY} --from-literal= --append-hash",
    "create secret generic": f"{_DRY} --from-literal= --type= --append-hash",
    "create job": f"{_DRY} --image= --from=",
    "create cronjob": f"{_DRY} --image= --schedule= --restart=",
    "create rolebinding": f"{_DRY} --role= --clusterrole= --user= --group= --serviceaccount=",
    "create clusterrolebinding": f"{_DRY} --clusterrole= --user= --group= --serviceaccount=",
    "create role": f"{_DRY} --verb= --resource= --resource-name=",
    "create clusterrole": f"{_DRY} --verb= --resource= --resource-name= --non-resource-url=",
    "create serviceaccount": _DRY,
    "create token": "--duration= --audience= -o/--output=",
    "delete": f"{_FILES} {_SELECT} {_WAIT} --now --ignore-not-found --dry-run? -o/--output=",
    "scale": f"--replicas= --current-replicas= --resource-version= {_SELECT} {_FILES} {_DRY}",
    "patch": f"-p/--patch= --type= --subresource= {_FILES} {_DRY}",
    "replace": f"{_FILES} {_DRY} {_WAIT} --save-config",
    "label": f"--overwrite --list --resource-version= {_SELECT} {_FILES} {_DRY}",
    "annotate": f"--overwrite --list --resource-version= {_SELECT} {_FILES} {_DRY}",
    "set image": f"{_SELECT} {_FILES} {_DRY}",
    "set resources": f"-c/--containers= --limits= --requests= {_SELECT} {_FILES} {_DRY}",
    "autoscale": f"--min= --max= --cpu-percent= --name= {_FILES} {_DRY}",
    "expose": f"--port= --target-port= --type= --name= --protocol= --selector= {_FILES} {_DRY}",
    "cordon": "-l/--selector= --dry-run?",
    "uncordon": "-l/--selector= --dry-run?",
    "drain": "--force --ignore-daemonsets --delete-emptydir-data --grace-period= --timeout= "
    "--disable-eviction -l/--selector= --pod-selector= --dry-run?",
    "taint": f"--overwrite --all -l/--selector= {_DRY}",
    "auth can-i": "--list -A/--all-namespaces --subresource= -q/--quiet --no-headers",
    "auth whoami": "-o/--output=",
    "exec": "-i/--stdin -t/--tty -c/--container= -q/--quiet --pod-running-timeout=",
    "cp": "-c/--container= --no-preserve --retries=",
    "port-forward": "--address= --pod-running-timeout=",
    "attach": "-i/--stdin -t/--tty -c/--container= -q/--quiet",
    "run": f"--image= --port= --env= -l/--labels= --annotations= --restart= --command "
    f"--image-pull-policy= --rm -i/--stdin -t/--tty --attach? --timeout= "
    f"--pod-running-timeout= {_DRY}",
    "set env": f"-e/--env= -c/--containers= --keys= --prefix= --overwrite? --all "
    f"-l/--selector= {_FILES} {_DRY}",
    "edit": f"{_FILES} {_DRY} --output-patch --save-config --subresource=",
    "certificate approve": "--force -o/--output=",
    "certificate deny": "--force -o/--output=",
    "cluster-info dump": "-A/--all-namespaces --namespaces= -o/--output=@output",
    "proxy": "-p/--port= --address= --accept-hosts= --api-prefix= --www= --www-prefix=",
}
# Each subcommand's own flags; `config view --raw` prints the gateway's own keys.
COMMAND_FLAGS = {key: flags(table, checks=_CHECKS) for key, table in _TABLES.items()}
COMMAND_FLAGS["config view"] |= flags(
    "--raw!A --flatten!A", "prints the gateway's own kubeconfig credentials"
)
for _key in ("create secret generic", "create configmap"):
    COMMAND_FLAGS[_key] |= flags(
        "--from-file=!A --from-env-file=!A", "uploads a file from the gateway host"
    )
COMMAND_FLAGS["run"] |= flags("--overrides=!A --privileged!A", "can give the pod host access")
COMMAND_FLAGS["set env"] |= flags(
    "--from=!E --list!E --resolve!E", "copies or prints Secret and ConfigMap values"
)
COMMAND_FLAGS["cluster-info dump"] |= flags(
    "--output-directory=!A", "writes files on the gateway host"
)
# Every level of kubectl's command tree; aliases (`create sa`) are left out on purpose,
# so they are `unknown` rather than the parent's class (`create`: write).
_GROUPS = {
    "apply": "edit-last-applied set-last-applied view-last-applied",
    "rollout": "history pause restart resume status undo",
    "config": "current-context delete-cluster delete-context delete-user get-clusters "
    "get-contexts get-users rename-context set set-cluster set-context set-credentials "
    "unset use-context view",
    "top": "node nodes pod pods",
    "auth": "can-i reconcile whoami",
    "certificate": "approve deny",
    "set": "env image resources selector serviceaccount subject",
    "create": "clusterrole clusterrolebinding configmap cronjob deployment ingress job "
    "namespace poddisruptionbudget priorityclass quota role rolebinding secret service "
    "serviceaccount token",
    "create secret": "docker-registry generic tls",
    "create service": "clusterip externalname loadbalancer nodeport",
    "cluster-info": "dump",
    "plugin": "list",
}
GRAMMAR = ToolGrammar(
    GLOBAL, COMMAND_FLAGS, groups={k: frozenset(v.split()) for k, v in _GROUPS.items()}
)

# ── resources ───────────────────────────────────────────────────────────────
_ALIASES = {
    "po": "pods",
    "pod": "pods",
    "svc": "services",
    "service": "services",
    "deploy": "deployments",
    "deployment": "deployments",
    "rs": "replicasets",
    "replicaset": "replicasets",
    "sts": "statefulsets",
    "statefulset": "statefulsets",
    "ds": "daemonsets",
    "daemonset": "daemonsets",
    "cm": "configmaps",
    "configmap": "configmaps",
    "secret": "secrets",
    "sa": "serviceaccounts",
    "serviceaccount": "serviceaccounts",
    "ns": "namespaces",
    "namespace": "namespaces",
    "no": "nodes",
    "node": "nodes",
    "ing": "ingresses",
    "ingress": "ingresses",
    "job": "jobs",
    "cj": "cronjobs",
    "cronjob": "cronjobs",
    "pv": "persistentvolumes",
    "pvc": "persistentvolumeclaims",
    "ev": "events",
    "event": "events",
    "role": "roles",
    "clusterrole": "clusterroles",
    "rolebinding": "rolebindings",
    "clusterrolebinding": "clusterrolebindings",
    "csr": "certificatesigningrequests",
    "ep": "endpoints",
    "hpa": "horizontalpodautoscalers",
}
# Where the resource type stands in the words of a subcommand (by its flag table's key).
_RESOURCE_SLOT = {
    "apply view-last-applied": 2,
    "apply edit-last-applied": 2,
    "get": 1,
    "describe": 1,
    "delete": 1,
    "edit": 1,
    "patch": 1,
    "label": 1,
    "annotate": 1,
    "explain": 1,
    "scale": 1,
    "wait": 1,
    "autoscale": 1,
    "expose": 1,
    "replace": 1,
}


def resource(text: str) -> str:
    """`Secrets`, `secret/x`, `secrets.v1.`, `Secret.v1` → `secrets`."""
    kind = text.split("/", 1)[0].lower().split(".", 1)[0]
    return _ALIASES.get(kind, kind)


def variants(parsed: Parsed) -> list[tuple[str, ...]]:
    """The word lists rules are matched against (one per resource named)."""
    words = parsed.words
    slot = _RESOURCE_SLOT.get(parsed.command)
    raw = [f.value for f in parsed.flags if f.value is not None and _is_raw_path(f)]
    out: list[tuple[str, ...]] = []
    if slot is not None and len(words) > slot:
        out.extend(_resource_variants(words[:slot], words[slot:]))
    for path in raw:
        out.append((words[0] if words else "get", *raw_path_words(path)))
    return out or [words]


# Words of `label`/`annotate` that set or remove a key rather than name an object.
_KEY_WORD = re.compile(r"=|-$")


def _resource_variants(head: tuple[str, ...], args: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Every object the arguments name, as kubectl's resource builder reads them.

    `TYPE[,TYPE…] [NAME…]`, or only `TYPE/NAME` words (kubectl refuses a mix):
    each `TYPE/NAME` is an object of its own, so `get pod/a secret/b` is two
    command lines and the secret counts.
    """
    keys = tuple(a for a in args if head[0] in ("label", "annotate") and _KEY_WORD.search(a))
    names = [a for a in args if a not in keys]
    if not names:
        return []
    if not any("/" in n for n in names):
        return [(*head, resource(t), *names[1:], *keys) for t in _types(names[0])]
    out = []
    for item in names:
        for pair in _types(item):
            kind, slash, name = pair.partition("/")
            if not slash or not kind or not name or "/" in name:
                raise ArgvProblem(f"{item!r} is not in the TYPE/NAME form the gateway reads")
            out.append((*head, resource(kind), name, *keys))
    return out


def _types(item: str) -> list[str]:
    parts = item.split(",")
    if not all(parts):
        raise ArgvProblem(f"empty resource in {item!r}")
    return parts


_NON_RESOURCE = re.compile(
    r"^/(healthz|livez|readyz|version|metrics|openapi/v[23]|api|apis)(/[a-z0-9.-]*)?/?$"
)
_API_PATH = re.compile(
    r"^/(?:api/v1|apis/[a-z0-9.-]+/[a-z0-9]+)(?:/namespaces/[a-z0-9-]+)?/([a-z0-9.-]+)"
    r"(?:/([^/?]+)(?:/([a-z]+))?)?/?(?:\?[^#]*)?$"
)
_SAFE_SUBRESOURCES = frozenset({"status", "log", "scale"})
_REACHING_SUBRESOURCES = frozenset({"proxy", "exec", "attach", "portforward"})


# The API server's legacy prefixes stand where a resource type would: `/api/v1/watch/
# secrets` streams every Secret. A watch reads what the rest of its path names.
_WATCH = re.compile(r"^(/(?:api/v1|apis/[a-z0-9.-]+/[a-z0-9]+))/watch(?=/)")
_NOT_KINDS = frozenset({"watch", "proxy"})


# One segment of a `--raw` path as the API server's names and types are spelt (an
# API group and an object name may hold dots, a service proxy `name:port`). A `.` or
# `..` segment, an empty one, percent-encoding, a fragment or anything else the
# server (or kubectl's URL parsing) would normalise into another path is refused
# rather than guessed at: `/api/v1/./secrets` reads Secrets.
_RAW_SEGMENT = re.compile(r"[a-z0-9](?:[a-z0-9.:-]*[a-z0-9])?")


def _check_raw_path(path: str) -> None:
    where = path.partition("?")[0]  # the query is not a path: kubectl sends it as it is
    segments = where.removesuffix("/").split("/")
    plain = (
        where.startswith("/")
        and "%" not in path
        and "#" not in path
        and all(_RAW_SEGMENT.fullmatch(s) for s in segments[1:])
    )
    if not plain:
        raise ArgvProblem(f"--raw path {path!r} is not in a form the gateway reads")


def raw_path_words(path: str) -> tuple[str, ...]:
    """`/api/v1/namespaces/d/secrets` → ("secrets",); what `get --raw` reads, as words."""
    _check_raw_path(path)
    path = _WATCH.sub(r"\1", path, count=1)
    if _NON_RESOURCE.match(path):
        return ()
    match = _API_PATH.match(path)
    if match is None:
        raise ArgvProblem(f"--raw path {path!r} is not one the gateway understands")
    kind, _, sub = match.groups()
    if kind in _NOT_KINDS:
        raise ArgvProblem(f"--raw path {path!r} uses the {kind!r} prefix the gateway does not read")
    if kind == "namespaces" and match.group(2) is None:
        return ("namespaces",)
    if sub in _REACHING_SUBRESOURCES:
        return ("--raw", sub)  # matched by no read rule; escalated below
    if sub is not None and sub not in _SAFE_SUBRESOURCES:
        raise ArgvProblem(f"--raw subresource {sub!r} is not one the gateway understands")
    return (resource(kind),)


def _is_raw_path(flag: ParsedFlag) -> bool:
    # `get --raw PATH`, not `config view --raw` (a boolean of another subcommand).
    return flag.spec is COMMAND_FLAGS["get"]["--raw"]


def raw_risks(parsed: Parsed) -> list[tuple[RiskClass, str]]:
    out = []
    for flag in parsed.flags:
        if flag.value is not None and _is_raw_path(flag):
            words = raw_path_words(flag.value)
            if words[:1] == ("--raw",):
                out.append((RiskClass.ADMIN, f"--raw {words[1]} reaches into the cluster"))
    return out


# ── manifests ───────────────────────────────────────────────────────────────
_KIND_RISK = {
    **dict.fromkeys(
        (
            "role",
            "clusterrole",
            "rolebinding",
            "clusterrolebinding",
            "serviceaccount",
            "certificatesigningrequest",
        ),
        RiskClass.PRIVILEGE,
    ),
    **dict.fromkeys(
        (
            "mutatingwebhookconfiguration",
            "validatingwebhookconfiguration",
            "validatingadmissionpolicy",
            "validatingadmissionpolicybinding",
            "apiservice",
        ),
        RiskClass.ADMIN,
    ),
}


# Commands that print the objects they name: a Secret among them is an export. Any
# other command prints them too once given an output format other than `name`
# (`wait -o yaml`, `label … -o json`, `apply -o yaml`): kubectl's printer writes
# each object it acted on, whole.
_PRINTING = frozenset(
    {"get", "describe", "edit", "apply view-last-applied", "apply edit-last-applied"}
)


def prints_objects(parsed: Parsed) -> bool:
    """Whether the command writes the objects it names to its output, whole."""
    if parsed.command in _PRINTING:
        return True
    return any(
        f.spec.name in ("--output", "--template") and (f.value or "").strip().lower() != "name"
        for f in parsed.flags
    )


# What `wait --for` may wait for without reading an object's content: that it exists.
_EXISTENCE = frozenset({"create", "delete"})


def tests_objects(parsed: Parsed) -> str | None:
    """The flag (or verb) with which the command tests the objects it names against
    what the caller wrote, or None.

    Such a command prints little (`condition met`, a diff of `***`), but its exit
    code or its output says whether the object holds the caller's guess: `wait
    --for=jsonpath={.data.k}=GUESS`, a `--field-selector`, `diff -f` of a manifest
    against the live object. On a Secret that is an oracle on its data, one request
    per guess. A `--for` the gateway does not know as an existence test counts.
    """
    for flag in parsed.flags:
        if flag.spec.name == "--field-selector":
            return flag.written
        if flag.spec.name == "--for" and (flag.value or "").strip().lower() not in _EXISTENCE:
            return flag.written
    if parsed.words[:1] == ("diff",):
        return "diff"
    return None


_ORACLE = "tests the Secrets it names against the caller's guess: an oracle on their data"


def kuberc_risks(parsed: Parsed) -> list[tuple[RiskClass, str]]:
    """Admin for any word written as the `--kuberc` flag, even another flag's value
    (`-l --kuberc=/tmp/k`): kubectl scans its argv for it before parsing, and its
    aliases can turn a `get` into a `delete`."""
    words = [w for w in scanned_words(parsed, _KUBERC_NAMES) if w.startswith("-")]
    return [(RiskClass.ADMIN, f"{word}: {_KUBERC} wherever this word stands") for word in words]


def printed_secret_risks(parsed: Parsed) -> list[tuple[RiskClass, str]]:
    """A command that prints the Secrets it names, or tests their content against
    the caller's guess (`tests_objects`), is an export, whatever its verb."""
    slot = _RESOURCE_SLOT.get(parsed.command, 1)
    if not any(words[slot : slot + 1] == ("secrets",) for words in variants(parsed)):
        return []
    out: list[tuple[RiskClass, str]] = []
    # The printing commands: the rules name their Secrets themselves.
    if parsed.command not in _PRINTING and prints_objects(parsed):
        out.append((RiskClass.EXPORT, "prints the Secrets it names, data included"))
    oracle = tests_objects(parsed)
    if oracle is not None:
        out.append((RiskClass.EXPORT, f"{oracle}: {_ORACLE}"))
    return out


def manifest_risks(
    parsed: Parsed, stdin: str | None, read: ReadManifest | None
) -> list[tuple[RiskClass, str]]:
    """The class every manifest named with `-f` raises the command to, by its kinds."""
    out: list[tuple[RiskClass, str]] = []
    kind_risk = dict(_KIND_RISK)
    if prints_objects(parsed) or tests_objects(parsed) is not None:
        kind_risk["secret"] = RiskClass.EXPORT
    for flag in parsed.flags:
        if flag.spec.name != "--filename" or flag.value is None:
            continue
        text = _manifest_text(flag.value, stdin, read)
        for kind in sorted(manifest_kinds(text)):
            risk = kind_risk.get(kind.lower())
            if risk is not None:
                out.append((risk, f"manifest kind {kind} → {risk}"))
    return out


def manifest_files(parsed: Parsed) -> list[ParsedFlag]:
    """The `-f` flags that name a file the gateway reads from the working directory.

    These are the files an approval binds: the exec connector snapshots them
    when the action is made and feeds the snapshot in their place at run time.
    """
    return [
        f
        for f in parsed.flags
        if f.spec.name == "--filename"
        and f.value
        and f.value != "-"
        and "://" not in f.value
        and local_path(f.value) is None
    ]


def _manifest_text(where: str, stdin: str | None, read: ReadManifest | None) -> str:
    if where == "-":
        return stdin or ""
    if "://" in where:
        raise ArgvProblem(f"manifest {where} is fetched by kubectl; the gateway cannot see it")
    if local_path(where) is not None:
        raise ArgvProblem(f"manifest {where} is outside the connection's working directory")
    text = read(where) if read is not None else None
    if text is None:
        raise ArgvProblem(f"manifest {where} cannot be read by the gateway to classify it")
    return text
