"""terraform and helm as they read their command lines: the flags each subcommand accepts.

Flags that write files on the gateway host (`plan -out`, `--output-dir`), read
files outside the working directory (`-var-file=/etc/…`), run programs
(`--post-renderer`) or point the gateway's credentials elsewhere
(`--kube-apiserver`) are admin; flags that print sensitive values
(`terraform output -json`, `show -json`) are export, and so is a helm render
that contacts the cluster (`--dry-run=server`, `--validate`, a dry-run upgrade):
the chart's `lookup` then reads live objects, Secrets included, with the
gateway's credentials. Anything not listed makes the command `unknown`.
"""

from __future__ import annotations

from phigate.connectors._argv_parse import (
    ArgvProblem,
    Parsed,
    ToolGrammar,
    flags,
    local_path,
    pflag_slice,
)
from phigate.core.risk import RiskClass


def _release_output(value: str) -> tuple[RiskClass, str] | None:
    # helm encodes the whole release in any format but its table, only the chart
    # stripped: the values given to it (`config`) and every rendered manifest.
    if value.strip().lower() != "table":
        return RiskClass.EXPORT, "prints the release whole: its values and rendered Secrets"
    return None


def _values_files(value: str) -> tuple[RiskClass, str] | None:
    """helm's `-f/--values` is a pflag StringSlice: one value names several files."""
    hits = [hit for path in pflag_slice(value) if (hit := local_path(path)) is not None]
    return hits[0] if hits else None


def _sprig_template(value: str) -> tuple[RiskClass, str] | None:
    """helm renders `--name-template` with text/template and sprig's whole function map,
    `env` and `expandenv` included (the two it takes from charts' templates): a value
    with an action in it reads the gateway's environment, credentials too, and writes
    them into the release name every rendered manifest carries. Text without `{{` is
    a literal name."""
    if "{{" in value:
        return RiskClass.ADMIN, "a template that can read the gateway's environment"
    return None


_CHECKS = {
    "path": local_path,
    "release": _release_output,
    "values": _values_files,
    "sprig": _sprig_template,
}


# ── terraform (Go flag syntax: `-name` ≡ `--name`) ─────────────────────────
_TF_GLOBAL = flags("-chdir:@path -help -version", checks=_CHECKS)
_TF_VARS = "-var= -var-file=@path -input? -lock? -lock-timeout= -no-color -compact-warnings"
_TF_PLAN = f"{_TF_VARS} -target= -replace= -refresh? -refresh-only -destroy -parallelism= -json"
_TF_STATE_FILES = "-state=!A -state-out=!A -backup=!A"
_TF_WRITES = "writes or reads a state or plan file on the gateway host"
_TF_TABLES = {
    "plan": f"{_TF_PLAN} -detailed-exitcode -out=!A -generate-config-out=!A {_TF_STATE_FILES}",
    "apply": f"{_TF_PLAN} -auto-approve {_TF_STATE_FILES}",
    "destroy": f"{_TF_PLAN} -auto-approve {_TF_STATE_FILES}",
    "refresh": f"{_TF_VARS} -target= -parallelism= {_TF_STATE_FILES}",
    "import": f"{_TF_VARS} -allow-missing-config -config=@path -parallelism= {_TF_STATE_FILES}",
    "init": "-input? -lock? -lock-timeout= -no-color -upgrade -reconfigure -migrate-state "
    "-force-copy -backend? -get? -lockfile= -backend-config=!A -plugin-dir=!A -from-module=!A",
    "validate": "-json -no-color -no-tests -test-directory=@path",
    "show": "-no-color -json!E",
    "output": "-no-color -json!E -raw!E -state=!A",
    "version": "-json",
    "providers": "-test-directory=@path",
    "providers schema": "-json",
    "providers lock": "-platform= -enable-plugin-cache -fs-mirror=!A -net-mirror=!A",
    "providers mirror": "-platform= -lock-file?",
    "metadata functions": "-json",
    "graph": "-type= -draw-cycles -plan=!A",
    "fmt": "-list? -write? -diff -check -recursive -no-color",
    "taint": "-allow-missing -lock? -lock-timeout= -ignore-remote-version " + _TF_STATE_FILES,
    "untaint": "-allow-missing -lock? -lock-timeout= -ignore-remote-version " + _TF_STATE_FILES,
    "state list": "-id= -state=!A",
    "state show": "-state=!A",
    "state rm": f"-dry-run -lock? -lock-timeout= -ignore-remote-version {_TF_STATE_FILES}",
    "state mv": f"-dry-run -lock? -lock-timeout= -ignore-remote-version {_TF_STATE_FILES}",
    "state pull": "",
    "state push": "-force -lock? -lock-timeout= -ignore-remote-version",
    "state replace-provider": "-auto-approve -lock? -lock-timeout= -ignore-remote-version",
    "workspace list": "",
    "workspace show": "",
    "workspace new": "-lock? -lock-timeout= -state=!A",
    "workspace select": "-or-create",
    "workspace delete": "-force -lock? -lock-timeout=",
    "force-unlock": "-force",
}
# Every level of terraform's command tree: `providers mirror` is its own command.
_TF_GROUPS = {
    "providers": frozenset({"lock", "mirror", "schema"}),
    "state": frozenset({"list", "mv", "pull", "push", "replace-provider", "rm", "show"}),
    "workspace": frozenset({"delete", "list", "new", "select", "show"}),
    "metadata": frozenset({"functions"}),
}
TERRAFORM_GRAMMAR = ToolGrammar(
    _TF_GLOBAL,
    {key: flags(table, _TF_WRITES, _CHECKS) for key, table in _TF_TABLES.items()},
    go_style=True,
    groups=_TF_GROUPS,
)

# mitchellh/cli, which terraform's main hands its whole argv, acts on these words
# wherever they stand before `--`, even as another flag's value (`-var
# -install-autocomplete`): it edits the gateway user's shell rc files and runs nothing
# else. The gateway matches them in every word, with any dashes and any `=value`.
# The other words it scans for (`-h`, `-help`, `-version`) only print.
_TF_SCANNED = frozenset({"install-autocomplete", "uninstall-autocomplete"})


def terraform_risks(parsed: Parsed) -> list[tuple[RiskClass, str]]:
    """Admin for any argv word terraform's CLI library acts on wherever it stands."""
    why = "terraform edits the gateway user's shell rc files wherever this word stands"
    return [(RiskClass.ADMIN, f"{word}: {why}") for word in scanned_words(parsed, _TF_SCANNED)]


def scanned_words(parsed: Parsed, names: frozenset[str]) -> list[str]:
    """The words of `parsed` (operands, flags, flag values) that name one of `names`,
    with any dashes (none too) and any `=value`: a tool that scans its raw argv before
    parsing it acts on them wherever they stand."""
    written = [*parsed.words, *(f.written for f in parsed.flags)]
    written += [f.value for f in parsed.flags if f.value is not None]
    return [w for w in dict.fromkeys(written) if w.lstrip("-").partition("=")[0] in names]


# ── helm (pflag syntax) ─────────────────────────────────────────────────────
_HELM_GLOBAL = {
    **flags("-n/--namespace= --burst-limit= --qps="),
    # `status --debug` prints the user-supplied and computed values, every hook and the
    # rendered manifests (Secrets included) as a table: what `helm get all` prints.
    **flags("--debug!E", "debug output prints the release's values and rendered manifests"),
    **flags(
        "--kube-context=!A --kubeconfig=!A --kube-token=!A --kube-apiserver=!A "
        "--kube-ca-file=!A --kube-tls-server-name=!A --kube-insecure-skip-tls-verify!A "
        "--registry-config=!A --repository-cache=!A --repository-config=!A",
        "points the gateway's credentials or configuration at what the caller names",
    ),
    **flags("--kube-as-user=!P --kube-as-group=!P", "impersonates another identity"),
}
_HELM_VALUES = "-f/--values=@values --set= --set-string= --set-json= --version= --devel"
_HELM_RENDER = (
    f"{_HELM_VALUES} --include-crds --skip-crds --skip-tests --no-hooks -s/--show-only= "
    "-a/--api-versions= --kube-version= --name-template=@sprig --release-name --is-upgrade "
    "--validate --create-namespace --description= --dry-run? --disable-openapi-validation "
    "--set-file=!A --post-renderer=!A --post-renderer-args=!A --output-dir=!A --repo=!A "
    "--dependency-update!A"
)
_HELM_RUN = "--wait --wait-for-jobs --timeout= --atomic --force --cleanup-on-fail --history-max="
_HELM_OUT = "-o/--output="
_HELM_RELEASE_OUT = "-o/--output=@release"  # commands whose output is the release itself
_HELM_TABLES = {
    "list": f"-A/--all-namespaces -a/--all {_HELM_OUT} -q/--short -d/--date -r/--reverse "
    "--deployed --failed --pending --superseded --uninstalled --uninstalling "
    "-l/--selector= -m/--max= --offset= --filter= --no-headers --time-format=",
    "status": f"{_HELM_RELEASE_OUT} --revision= --show-desc --show-resources",
    "get": f"--revision= {_HELM_OUT} -a/--all",
    "history": f"{_HELM_OUT} --max=",
    "show": "--version= --devel --jsonpath= --repo=!A",
    "search repo": f"{_HELM_OUT} --versions --version= -r/--regexp --devel --max-col-width=",
    "template": _HELM_RENDER,
    "install": f"{_HELM_RENDER} {_HELM_RUN} -g/--generate-name {_HELM_RELEASE_OUT}",
    "upgrade": f"{_HELM_RENDER} {_HELM_RUN} -i/--install --reuse-values --reset-values "
    f"--reset-then-reuse-values {_HELM_RELEASE_OUT}",
    "rollback": f"{_HELM_RUN} --dry-run? --no-hooks --recreate-pods",
    "uninstall": "--wait --timeout= --keep-history --dry-run? --no-hooks --cascade= "
    "--description= --ignore-not-found",
    "test": "--timeout= --logs --filter=",
    "lint": f"{_HELM_VALUES} --strict --with-subcharts --quiet --kube-version=",
    "version": "--short --template=",
    "repo list": _HELM_OUT,
    "repo update": "--fail-on-repo-update-fail",
    "dependency list": "",
    "verify": "--keyring=!A",
}
_HELM_TABLES["ls"] = _HELM_TABLES["list"]
_HELM_TABLES["delete"] = _HELM_TABLES["uninstall"]
_HELM_TABLES |= {f"show {s}": _HELM_TABLES["show"] for s in ("all", "chart", "values", "readme")}
_HELM_TABLES |= {f"get {s}": _HELM_TABLES["get"] for s in ("all", "values", "manifest", "notes")}
_HELM_TABLES |= {"get hooks": _HELM_TABLES["get"], "get metadata": _HELM_TABLES["get"]}
_HELM_GROUPS = {
    "get": frozenset({"all", "hooks", "manifest", "metadata", "notes", "values"}),
    "show": frozenset({"all", "chart", "crds", "readme", "values"}),
    "repo": frozenset({"add", "index", "list", "ls", "remove", "rm", "update", "up"}),
    "dependency": frozenset({"build", "list", "update", "up"}),
    "search": frozenset({"hub", "repo"}),
    "registry": frozenset({"login", "logout"}),
    "plugin": frozenset({"install", "list", "uninstall", "update", "package", "verify"}),
}
HELM_GRAMMAR = ToolGrammar(
    _HELM_GLOBAL,
    {
        key: flags(table, "writes, fetches or runs something the caller names", _CHECKS)
        for key, table in _HELM_TABLES.items()
    },
    groups=_HELM_GROUPS,
)

# Subcommands whose positional words include a chart: a path or a URL helm reads
# (`dependency list PATH` reads PATH/Chart.yaml and PATH/charts, `verify` an archive
# and its .prov file). `push CHART REMOTE`: only the chart is a path of this host.
_CHART_COMMANDS = frozenset(
    {"install", "upgrade", "template", "show", "pull", "lint", "package", "dependency", "verify"}
)


def helm_risks(parsed: Parsed) -> list[tuple[RiskClass, str]]:
    """Everything helm's words and flags reach beyond the command's own class."""
    _check_helm_preparse(parsed)
    return [*helm_chart_risks(parsed), *helm_render_risks(parsed)]


def _check_helm_preparse(parsed: Parsed) -> None:
    """Refuse a subcommand flag's separate value that starts with `-`.

    Before cobra runs, helm parses its whole argv with its global flags alone (and
    klog's hidden ones), unknown flags let through: an unknown flag takes the next
    word as its value only when that word does not start with `-`. So in
    `template chart --set --kube-apiserver=URL` the value of `--set` is, to that
    first parse, the global flag itself, and it stays set. A global's own value is
    taken by both parses alike.
    """
    for flag in parsed.flags:
        value = flag.value or ""
        global_flag = HELM_GRAMMAR.global_flags.get(flag.spec.name) is flag.spec
        if flag.separate and len(value) > 1 and value.startswith("-") and not global_flag:
            raise ArgvProblem(
                f"{flag.written} {value}: helm's first parse reads the value as a flag"
            )


# The only `--dry-run` values with which helm renders without the cluster (helm >= 3.13:
# a bare `--dry-run` means `client`); `server` lets the chart's `lookup` read live
# objects, and `none`, `false` or any other word is no dry run at all, so helm
# connects (and `template` then looks up too).
_OFFLINE_DRY_RUNS = frozenset({"client", "true"})
_FALSE_WORDS = frozenset({"false", "0", "f", "F", "FALSE", "False"})  # `--validate=0`
_RENDERS = frozenset({"template", "install", "upgrade"})
_LIVE = "renders against the live cluster: the chart's lookup reads its objects, Secrets too"


def helm_render_risks(parsed: Parsed) -> list[tuple[RiskClass, str]]:
    """A render that contacts the cluster is an export, whatever else the command is.

    `template` is a read because it renders offline; `--dry-run=server` (or any value
    but `client`/`true`) and `--validate` make it connect with the gateway's
    credentials, and the chart's `lookup` prints what it finds (bitnami's charts
    render the existing Secret's password). `upgrade --dry-run` always reads the
    live release and renders with its values when none are given.
    """
    if parsed.command not in _RENDERS:
        return []
    out: list[tuple[RiskClass, str]] = []
    for flag in parsed.flags:
        name = flag.spec.name
        if name == "--validate" and flag.value not in _FALSE_WORDS:
            out.append((RiskClass.EXPORT, f"{flag.written}: {_LIVE}"))
        if name != "--dry-run":
            continue
        if parsed.command == "upgrade":
            why = "a dry-run upgrade renders with the live release's values and prints them"
            out.append((RiskClass.EXPORT, f"{flag.written}: {why}"))
        elif flag.value is not None and flag.value not in _OFFLINE_DRY_RUNS:
            out.append((RiskClass.EXPORT, f"{flag.written}: {_LIVE}"))
    return out


def helm_chart_risks(parsed: Parsed) -> list[tuple[RiskClass, str]]:
    """A chart fetched from a URL, or read outside the working directory, is admin."""
    head = parsed.words[:1]
    if head == ("push",):
        charts = parsed.words[1:2]
    elif head and head[0] in _CHART_COMMANDS:
        charts = parsed.words[1:]
    else:
        return []
    out = []
    for word in charts:
        if "://" in word or word.startswith(("/", "~")) or ".." in word.split("/"):
            out.append((RiskClass.ADMIN, f"chart {word}: read from where the caller names"))
    return out
