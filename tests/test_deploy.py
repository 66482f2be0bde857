"""The deployment files in deploy/: Kubernetes manifests valid against the API schema,
and consistent with what they run — the image, the CLI, the configuration model, the
app's routes — and the state database roles docs/deploy.md tells operators to create.

No Docker and no cluster: the manifests are checked as data, the roles on the test
PostgreSQL.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import shlex
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import httpx
import kubernetes_validate
import psycopg
import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner
from pydantic import BaseModel

from phigate.audit.keys import create_key_file
from phigate.cli import main
from phigate.config import PostgresConnection, SecretRef, Settings, load_settings, parse_settings
from phigate.doors.app import build_app
from phigate.identity.principal import PrincipalKind
from phigate.ops.bootstrap import build_gateway
from phigate.ops.pgserver import EmbeddedPostgres
from phigate.ops.replicas import ReplicaRegistry
from tests.support.state import audit_log, token_store

ROOT = Path(__file__).parents[1]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "kubernetes"
# The oldest Kubernetes the manifests are written for, and the newest the validator knows.
KUBERNETES_VERSIONS = ("1.33", "1.37")
# Applied by hand, on purpose: a template of the Secret, and the Job run before a rollout.
BY_HAND = {"secret.example.yaml", "migrate-job.yaml"}
SECRET_MOUNT = "/run/secrets/phigate"


# ── the manifests as data ───────────────────────────────────────────────────
def manifests() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            found += [(path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


def one(kind: str, name: str | None = None) -> dict[str, Any]:
    matches = [
        doc
        for _, doc in manifests()
        if doc["kind"] == kind and name in (None, doc["metadata"]["name"])
    ]
    assert len(matches) == 1, f"expected one {kind} {name or ''}, found {len(matches)}"
    return matches[0]


def pod_spec(kind: str) -> dict[str, Any]:
    spec: dict[str, Any] = one(kind)["spec"]["template"]["spec"]
    return spec


def container(kind: str) -> dict[str, Any]:
    containers = pod_spec(kind)["containers"]
    assert len(containers) == 1
    return dict(containers[0])


def config_text() -> str:
    return str(one("ConfigMap", "phigate-config")["data"]["phigate.yaml"])


def config_with_env(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The ConfigMap's phigate.yaml, validated with every `${VAR}` it names set."""
    for name in env_references(config_text()):
        monkeypatch.setenv(name, f"placeholder-{name.lower()}-of-32-bytes-or-more")
    return parse_settings(config_text(), source="configmap.yaml")


def env_references(text: str) -> set[str]:
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", text))


def secret_refs(value: object) -> Iterator[SecretRef]:
    if isinstance(value, SecretRef):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from secret_refs(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from secret_refs(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from secret_refs(item)


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def pod_labels(kind: str) -> dict[str, str]:
    return dict(one(kind)["spec"]["template"]["metadata"]["labels"])


# ── the Dockerfile as data ──────────────────────────────────────────────────
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per logical line: continuations joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    current = ""
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if line.lstrip().startswith("#") or (not current and not line.strip()):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        keyword, _, arguments = (current + line).strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        current = ""
    return instructions


def instruction(keyword: str) -> list[str]:
    return [arguments for name, arguments in dockerfile() if name == keyword]


def image_env() -> dict[str, str]:
    pairs = [pair for arguments in instruction("ENV") for pair in shlex.split(arguments)]
    return dict(pair.split("=", 1) for pair in pairs)


def exec_form(arguments: str) -> list[str]:
    """An instruction's JSON (exec) form; a shell form would run through /bin/sh."""
    parsed = json.loads(arguments)
    assert isinstance(parsed, list) and all(isinstance(a, str) for a in parsed), arguments
    return parsed


def run_cli_args(args: list[str]) -> click.Context:
    """Let click parse `phigate ARGS` as it would at start: unknown commands or flags
    raise here."""
    command: click.Command = main
    words = list(args)
    while isinstance(command, click.Group):
        name = words.pop(0)
        assert name in command.commands, f"no command {name!r} in {command.name}"
        command = command.commands[name]
    return command.make_context(command.name, words)


# ── schema validation ───────────────────────────────────────────────────────
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize(
    ("where", "manifest"),
    manifests(),
    ids=[f"{where}:{doc['kind']}/{doc['metadata']['name']}" for where, doc in manifests()],
)
def test_manifest_validates_against_the_kubernetes_schema(
    where: str, manifest: dict[str, Any], version: str
) -> None:
    assert kubernetes_validate.validate(manifest, version, strict=True) == version


def test_strict_validation_rejects_a_misspelt_field() -> None:
    deployment = copy.deepcopy(one("Deployment"))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)


def test_kustomization_lists_every_manifest_but_those_applied_by_hand() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    files = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert files >= BY_HAND
    assert sorted(kustomization["resources"]) == sorted(files - BY_HAND)
    for where, doc in manifests():
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == kustomization["namespace"], where


# ── the manifests against the app, the configuration and the image ──────────
def probe_paths() -> dict[str, str]:
    gateway = container("Deployment")
    probes = ("startupProbe", "livenessProbe", "readinessProbe")
    return {probe: gateway[probe]["httpGet"]["path"] for probe in probes}


def test_probes_are_liveness_and_readiness_on_the_http_port() -> None:
    assert probe_paths() == {
        "startupProbe": "/healthz",
        "livenessProbe": "/healthz",
        "readinessProbe": "/readyz",
    }
    gateway = container("Deployment")
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert gateway[probe]["httpGet"]["port"] == "http"


async def test_probe_paths_are_routes_of_the_served_app_and_answer(tmp_path: Path) -> None:
    settings = parse_settings(
        f'state: {{url: "sqlite:///{tmp_path / "state.db"}"}}\n'
        f'secrets: {{token_hash_key: "{"t" * 32}", masking_key: "{"m" * 32}"}}\n'
    )
    gateway = build_gateway(settings, migrate=True)
    app = build_app(gateway)
    health_url = urlsplit(image_env()["PHIGATE_HEALTHCHECK_URL"])
    paths = {*probe_paths().values(), health_url.path}
    try:
        routes = {getattr(route, "path", None) for route in app.routes}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://phigate") as client:
            for path in sorted(paths):
                assert path in routes
                response = await client.get(path)  # no token: probes carry none
                assert response.status_code == 200, (path, response.text)
    finally:
        await gateway.close()


def test_container_ports_are_the_ports_phigate_listens_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = config_with_env(monkeypatch)
    wire = [
        connection.listen
        for connection in settings.connections.values()
        if isinstance(connection, PostgresConnection) and connection.listen is not None
    ]
    ports = {port["name"]: port["containerPort"] for port in container("Deployment")["ports"]}
    assert ports.pop("http") == settings.server.http_port
    assert sorted(ports.values()) == sorted(int(listen.rsplit(":", 1)[1]) for listen in wire)
    # Probes and Services reach the pod's address, not its loopback.
    assert settings.server.http_host == "0.0.0.0"
    assert all(listen.rsplit(":", 1)[0] == "0.0.0.0" for listen in wire)
    exposed = {int(port) for arguments in instruction("EXPOSE") for port in arguments.split()}
    assert exposed == {settings.server.http_port, *(int(w.rsplit(":", 1)[1]) for w in wire)}
    assert urlsplit(image_env()["PHIGATE_HEALTHCHECK_URL"]).port == settings.server.http_port


def test_services_and_network_policy_name_the_container_ports() -> None:
    names = {port["name"] for port in container("Deployment")["ports"]}
    targets = [
        port["targetPort"]
        for _, doc in manifests()
        if doc["kind"] == "Service"
        for port in doc["spec"]["ports"]
    ]
    assert sorted(targets) == sorted(names)
    ingress = one("NetworkPolicy")["spec"]["ingress"]
    assert sorted(port["port"] for rule in ingress for port in rule["ports"]) == sorted(names)


def test_configmap_config_passes_phigate_validation_with_the_deployment_env(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {variable["name"] for variable in container("Deployment")["env"]}
    missing = env_references(config_text()) - env
    assert not missing, f"phigate.yaml names variables the Deployment does not set: {missing}"
    settings = config_with_env(monkeypatch)
    assert settings.identity.oidc is not None
    assert not settings.console.demo_sign_in
    for ref in secret_refs(settings):
        assert ref.is_reference, "a literal secret in the ConfigMap"
        if not ref.ref.startswith("file:"):
            assert ref.reveal().startswith("placeholder-")


def mounted_secret_files(kind: str) -> set[str]:
    """Paths of the Secret's files as the pod sees them."""
    spec = pod_spec(kind)
    mounts = {m["name"]: m["mountPath"] for m in container(kind)["volumeMounts"]}
    return {
        f"{mounts[volume['name']]}/{item['path']}"
        for volume in spec["volumes"]
        if "secret" in volume and volume["name"] in mounts
        for item in volume["secret"]["items"]
    }


@pytest.mark.parametrize("kind", ["Deployment", "Job"])
def test_every_file_the_config_names_is_mounted(kind: str) -> None:
    text = config_text()
    wanted = set(re.findall(rf"{SECRET_MOUNT}/[\w.-]+", text))
    if kind == "Job":  # `phigate migrate` only connects to the state store
        wanted = set(re.findall(rf"{SECRET_MOUNT}/[\w.-]+", yaml.safe_load(text)["state"]["url"]))
    assert wanted, "the config names no secret files"
    assert wanted <= mounted_secret_files(kind)


def secret_keys_used(kind: str) -> set[str]:
    env = container(kind).get("env", [])
    keys = {v["valueFrom"]["secretKeyRef"]["key"] for v in env if "valueFrom" in v}
    items = {
        item["key"]
        for volume in pod_spec(kind)["volumes"]
        if "secret" in volume
        for item in volume["secret"]["items"]
    }
    return keys | items


def test_the_secret_template_has_every_key_and_only_placeholders() -> None:
    template = one("Secret", "phigate-secrets")["stringData"]
    assert secret_keys_used("Deployment") | secret_keys_used("Job") <= set(template)
    for key, value in template.items():
        assert value.startswith("REPLACE-ME"), f"{key}: not a marked placeholder"


def test_state_credentials_come_from_the_secret_not_the_configmap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = sa.engine.make_url(config_with_env(monkeypatch).state.url)
    assert url.get_backend_name() == "postgresql"
    assert url.username is None and url.password is None
    assert url.query["sslmode"] == "verify-full"
    users = {}
    for kind in ("Deployment", "Job"):
        env = {v["name"]: v for v in container(kind)["env"]}
        assert env["PGPASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "phigate-secrets"
        users[kind] = env["PGUSER"]["value"]
    assert users == {"Deployment": "phigate_app", "Job": "phigate_migrate"}
    assert not config_with_env(monkeypatch).state.migrate_on_start  # the Job migrates


# ── the Dockerfile ──────────────────────────────────────────────────────────
def test_image_is_built_in_stages_on_a_pinned_python() -> None:
    base = next(a for a in instruction("ARG") if a.startswith("PYTHON_IMAGE="))
    assert re.fullmatch(
        r"PYTHON_IMAGE=python:3\.(1[1-9])\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base
    )
    stages = instruction("FROM")
    assert stages == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE} AS runtime"]
    assert any("from=build" in run for run in instruction("RUN"))


def test_image_runs_as_the_non_root_user_of_the_pods() -> None:
    user = instruction("USER")[-1]
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) != 0 and gid.isdigit() and int(gid) != 0
    for kind in ("Deployment", "Job"):
        assert pod_spec(kind)["securityContext"]["runAsUser"] == int(uid)
        assert pod_spec(kind)["securityContext"]["runAsGroup"] == int(gid)


def test_image_healthcheck_asks_healthz_with_python() -> None:
    (healthcheck,) = instruction("HEALTHCHECK")
    options, _, command = healthcheck.partition("CMD ")
    argv = exec_form(command)
    assert argv[:2] == ["python", "-c"] and "PHIGATE_HEALTHCHECK_URL" in argv[2]
    assert "curl" not in healthcheck and "wget" not in healthcheck
    assert urlsplit(image_env()["PHIGATE_HEALTHCHECK_URL"]).path == "/healthz"
    assert "--timeout=" in options


def test_entrypoint_is_the_console_script_and_the_commands_parse() -> None:
    (entrypoint,) = instruction("ENTRYPOINT")
    assert exec_form(entrypoint) == ["phigate"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["phigate"] == "phigate.cli:main"
    (cmd,) = instruction("CMD")
    config = Path("/etc/phigate/phigate.yaml")
    assert run_cli_args(exec_form(cmd)).params["config_path"] == config
    assert container("Deployment")["args"] == exec_form(cmd)
    migrate = run_cli_args(container("Job")["args"])
    assert migrate.command is main.commands["migrate"]
    assert migrate.params["config_path"] == config
    mounted = {m["mountPath"] for m in container("Deployment")["volumeMounts"]}
    assert str(config.parent) in mounted


def test_cli_check_refuses_an_unknown_flag() -> None:
    with pytest.raises(click.NoSuchOption):
        run_cli_args(["serve", "--configuration", "/etc/phigate/phigate.yaml"])


def test_build_context_holds_only_the_wheel_sources() -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    ignore = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert ignore[0] == "*"  # everything out, then the wheel's sources allow-listed
    allowed = {line.removeprefix("!").rstrip("/") for line in ignore if line.startswith("!")}
    copied = {
        source.rstrip("/")
        for arguments in instruction("COPY")
        if "--from" not in arguments
        for source in arguments.split()[:-1]
    }
    assert copied == allowed == {"pyproject.toml", "README.md", "LICENSE", "src"}


# ── selectors, rollout and pod security ─────────────────────────────────────
def test_selectors_pick_the_gateway_pods_and_not_the_migration_job() -> None:
    gateway, job = pod_labels("Deployment"), pod_labels("Job")
    deployment = one("Deployment")
    assert selects(deployment["spec"]["selector"]["matchLabels"], gateway)
    pdb = one("PodDisruptionBudget")["spec"]["selector"]["matchLabels"]
    assert selects(pdb, gateway) and not selects(pdb, job)
    for _, doc in manifests():
        if doc["kind"] == "Service":
            assert selects(doc["spec"]["selector"], gateway)
            assert not selects(doc["spec"]["selector"], job)
    for spread in pod_spec("Deployment")["topologySpreadConstraints"]:
        assert selects(spread["labelSelector"]["matchLabels"], gateway)
    policy = one("NetworkPolicy")["spec"]["podSelector"]["matchLabels"]
    assert selects(policy, gateway) and selects(policy, job)


def test_migration_job_runs_the_image_the_deployment_rolls_out() -> None:
    image = container("Deployment")["image"]
    assert container("Job")["image"] == image
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    (pinned,) = kustomization["images"]
    assert image == f"{pinned['name']}:{pinned['newTag']}"


def test_rollout_keeps_every_replica_serving() -> None:
    spec = one("Deployment")["spec"]
    assert spec["replicas"] == 3
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    pdb = one("PodDisruptionBudget")["spec"]
    assert pdb.get("maxUnavailable") == 1 or pdb.get("minAvailable") == 2


@pytest.mark.parametrize("kind", ["Deployment", "Job"])
def test_pods_run_non_root_read_only_without_capabilities(kind: str) -> None:
    spec, security = pod_spec(kind), container(kind)["securityContext"]
    assert one("ServiceAccount")["automountServiceAccountToken"] is False
    assert spec["automountServiceAccountToken"] is False
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}
    assert "/tmp" in {mount["mountPath"] for mount in container(kind)["volumeMounts"]}
    resources = container(kind)["resources"]
    assert set(resources) == {"requests", "limits"}


# ── the state database roles of docs/deploy.md, on a real PostgreSQL ────────
def documented_sql(marker: str, names: dict[str, str]) -> list[str]:
    """The statements of the ```sql block after `<!-- state-roles:MARKER -->`, with the
    documented role and database names replaced by this run's."""
    text = (ROOT / "docs/deploy.md").read_text()
    block = re.search(rf"<!-- state-roles:{marker} -->\n```sql\n(.*?)```", text, re.DOTALL)
    assert block is not None, f"docs/deploy.md has no state-roles:{marker} block"
    sql = block.group(1)
    for documented, actual in names.items():
        sql = re.sub(rf"\b{documented}\b", actual, sql)
    return [statement.strip() for statement in sql.split(";") if statement.strip()]


def run_sql(dsn: str, statements: list[str]) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for statement in statements:  # one by one: CREATE DATABASE refuses a transaction
            conn.execute(statement.encode())


async def test_documented_state_roles_migrate_and_run_the_gateway(
    pg_server: EmbeddedPostgres, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suffix = uuid.uuid4().hex[:8]
    migrator, app_role, database = f"pm_{suffix}", f"pa_{suffix}", f"phigate_{suffix}"
    names = {"phigate_migrate": migrator, "phigate_app": app_role, "phigate": database}
    passwords = {role: secrets.token_urlsafe(12) for role in (migrator, app_role)}
    run_sql(pg_server.dsn(), documented_sql("cluster", names))
    run_sql(
        pg_server.dsn(),
        [f"ALTER ROLE {role} PASSWORD '{password}'" for role, password in passwords.items()],
    )
    as_migrator = pg_server.dsn(database, user=migrator, password=passwords[migrator])
    run_sql(as_migrator, documented_sql("before-migrate", names))

    # As in the ConfigMap: no user or password in the URL; libpq takes them from env.
    config = tmp_path / "phigate.yaml"
    create_key_file(tmp_path / "audit.pem")
    config.write_text(
        f'state: {{url: "postgresql://127.0.0.1:{pg_server.port}/{database}", '
        "migrate_on_start: false}\n"
        f'secrets: {{token_hash_key: "{"t" * 32}", masking_key: "{"m" * 32}"}}\n'
        f'audit: {{signing_key: "file:{tmp_path / "audit.pem"}"}}\n'
    )
    migrated = CliRunner().invoke(
        main,
        ["migrate", "--config", str(config)],
        env={"PGUSER": migrator, "PGPASSWORD": passwords[migrator]},
    )
    assert migrated.exit_code == 0, migrated.output
    run_sql(as_migrator, documented_sql("after-migrate", names))

    monkeypatch.setenv("PGUSER", app_role)
    monkeypatch.setenv("PGPASSWORD", passwords[app_role])
    gateway = build_gateway(load_settings(config))
    try:
        token, _ = token_store(gateway).create(subject="dana", kind=PrincipalKind.HUMAN)
        assert (await gateway.authenticate(token)).subject == "dana"
        assert gateway.verify_audit().ok
        transport = httpx.ASGITransport(app=build_app(gateway))
        async with httpx.AsyncClient(transport=transport, base_url="http://phigate") as client:
            assert (await client.get("/readyz")).status_code == 200
        replica = ReplicaRegistry(gateway.db, audit_log(gateway), f"replica-{suffix}")
        replica.beat()
        replica.beat()
        assert replica.recover(stale_after=60.0) == 0
        replica.prune(older_than=0.0)
        with gateway.db.read() as conn:
            assert conn.execute(sa.text("SELECT current_user")).scalar() == app_role
        for forbidden in (
            "DELETE FROM audit_log",
            "UPDATE audit_checkpoints SET seq = seq",
            "CREATE TABLE planted (id int)",
            "DELETE FROM alembic_version",
        ):
            with (
                pytest.raises(sa.exc.ProgrammingError, match="permission denied"),
                gateway.db.write() as conn,
            ):
                conn.execute(sa.text(forbidden))
    finally:
        await gateway.close()
