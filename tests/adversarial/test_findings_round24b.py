"""Round 24b: a promises-only attack on the connectors (exec, http, MCP) through the
REST door, as a hostile agent.

Each finding is a strict xfail through a real door (`@finding`); attacks that held are
ordinary tests.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import AsyncIterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.adversarial.harness import http_upstream
from tests.adversarial.test_findings_round3 import cluster, kube, needs_kubectl, run_kubectl
from tests.conftest import Harness
from tests.connectors import kube_standin
from tests.connectors.support import harness_with

__all__ = ["cluster", "kube"]  # fixtures shared with round 3

# ── kubectl: a pod's own spec prints the passwords written into it ──────────────
DB_PASSWORD = "Xy7pQ2mZ9wLk"
STRIPE_KEY = "rk_prod_51Habc9Kd83hfQ0z"
ARG_PASSWORD = "Pw3Lk9Mx2Qz8"
MYSQL_PASSWORD = "My5Lk9Qx2Wz7"
_POD = {
    "kind": "Pod",
    "apiVersion": "v1",
    "metadata": {"name": "api-1", "namespace": "default"},
    "spec": {
        "containers": [
            {
                "name": "api",
                "image": "ehr/api:4.2",
                "args": ["--db-password", ARG_PASSWORD],
                "command": ["sh", "-c", f"mysql -uroot -p{MYSQL_PASSWORD} ehr < /init.sql"],
                "env": [
                    {"name": "DB_PASSWORD", "value": DB_PASSWORD},
                    {"name": "STRIPE_API_KEY", "value": STRIPE_KEY},
                ],
            }
        ]
    },
    "status": {"phase": "Running"},
}
POD_SECRETS = {"env": DB_PASSWORD, "env-key": STRIPE_KEY, "arg": ARG_PASSWORD}
POD_SECRETS["mysql -p"] = MYSQL_PASSWORD


@pytest.fixture
def pod_with_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in API server holds a pod whose spec carries credentials inline, as
    many manifests do (`env[].value`, a password flag, a `mysql -p…` start command)."""
    path = "/api/v1/namespaces/default/pods/api-1"
    monkeypatch.setitem(kube_standin._ANSWERS, path, _POD)


@needs_kubectl
@pytest.mark.parametrize("secret", list(POD_SECRETS))
async def test_a_pods_inline_credentials_are_masked(
    kube: Harness, cluster: kube_standin.KubeStandIn, pod_with_passwords: None, secret: str
) -> None:
    """Promise 2: credentials and secrets are masked in command output. `kubectl get
    pod NAME -o yaml` is a read and runs at once. kubectl prints `env` as `- name:
    DB_PASSWORD` with its `value:` on the next line, and a container's arguments one
    item a line; the masker reads a label and its value on one line only, so
    `value: Xy7pQ2mZ9wLk` (and the key, the `--db-password` flag's value, the
    `mysql -p…` password) come back as written. The same value in `DB_PASSWORD=…` or in
    `-o json` is masked."""
    response = await run_kubectl(kube, "get", "pod", "api-1", "-o", "yaml")
    assert response.status_code == 200, response.text[:300]
    stdout = response.json()["result"]["stdout"]
    assert "api-1" in stdout, stdout[:300]
    assert POD_SECRETS[secret] not in stdout, stdout


# ── terraform: a plan shows the value an attribute changes from and to ─────────
TERRAFORM = shutil.which("terraform")
needs_terraform = pytest.mark.skipif(TERRAFORM is None, reason="no terraform on PATH")
OLD_PASSWORD, NEW_PASSWORD = "Tf9Lm2Qx7Kp5", "Tf9Lm2Qx7Kp6"
MAIN_TF = """variable "admin_password" {
  default = "%s"
}
resource "terraform_data" "db" {
  input = {
    admin_password = var.admin_password
  }
}
"""


@pytest.fixture
def tf_work(tmp_path: Path) -> Path:
    """A working directory whose state was applied with one password and whose
    configuration now names the next (a rotation under way); `terraform_data` needs no
    provider, so this runs offline."""
    work = tmp_path / "work"
    work.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    (work / "main.tf").write_text(MAIN_TF % OLD_PASSWORD)
    subprocess.run(
        [str(TERRAFORM), "apply", "-auto-approve", "-no-color"],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    (work / "main.tf").write_text(MAIN_TF % NEW_PASSWORD)
    return work


@pytest.fixture
async def terraform(tmp_path: Path, tf_work: Path) -> AsyncIterator[Harness]:
    """The REST door over an exec connection running the real terraform in `tf_work`."""
    work = tf_work
    settings = {
        "type": "exec",
        "programs": [str(TERRAFORM)],
        "working_dir": str(work),
        "env": {"HOME": str(tmp_path)},
        "timeout_seconds": 60,
        "rule_sets": ["terraform"],
    }
    h = await harness_with(tmp_path, {"tf": settings})
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


@needs_terraform
@pytest.mark.parametrize("argv", [["plan", "-no-color"], ["plan"]], ids=["plain", "color"])
async def test_a_planned_password_change_is_masked(terraform: Harness, argv: list[str]) -> None:
    """Promise 2: credentials are masked in command output. `terraform plan` is a read
    and runs at once; an attribute the provider does not mark sensitive is printed in
    full, and a change as `~ admin_password = "OLD" -> "NEW"`. The masker masks
    `+ admin_password = "…"` (a created one) and the value before `->`, but not the
    one after it: the password about to be set comes back as written."""
    body = {"connection": "tf", "argv": ["terraform", *argv]}
    response = await terraform.client.post(
        "/v1/actions", headers=terraform.auth("claims-bot"), json=body
    )
    assert response.status_code == 200, response.text[:300]
    stdout = response.json()["result"]["stdout"]
    assert "admin_password" in stdout, stdout[-600:]
    shown = [p for p in (OLD_PASSWORD, NEW_PASSWORD) if p in stdout]
    assert not shown, stdout[-900:]


# ── HTTP: an answer over the cap is cut inside a value ─────────────────────────
SSNS = [f"5{i:02d}4{i:01d}{8000 + i * 37}" for i in range(1, 9)]
CAP = 2000


class _Bundle(BaseHTTPRequestHandler):
    """A FHIR server's search: a Bundle whose `self` link repeats the query it was
    asked (as FHIR servers do), then one Patient per entry, all on one line."""

    def do_GET(self) -> None:
        entries = [
            {"resource": {"resourceType": "Patient", "id": f"p{i}", "ssn": ssn}}
            for i, ssn in enumerate(SSNS)
        ]
        bundle = {
            "resourceType": "Bundle",
            "link": [{"relation": "self", "url": f"/Patient{self.path[len('/Patient') :]}"}],
            "entry": entries * 4,
        }
        body = json.dumps(bundle).encode()
        self.send_response(200)
        self.send_header("content-type", "application/fhir+json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


def _padding_to_cut_inside_an_ssn(digits: int) -> str:
    """A query value that moves the cap `digits` characters into an SSN: the agent
    knows the answer's layout from any earlier (masked) answer."""
    for pad in range(1, 400):
        url = f"/Patient?name={'x' * pad}"
        text = json.dumps(
            {
                "resourceType": "Bundle",
                "link": [{"relation": "self", "url": url}],
                "entry": [
                    {"resource": {"resourceType": "Patient", "id": f"p{i}", "ssn": s}}
                    for i, s in enumerate(SSNS)
                ]
                * 4,
            }
        )
        if any(text.startswith(s[:digits], CAP - digits) for s in SSNS):
            return "x" * pad
    raise AssertionError("no padding found")


async def test_an_answer_cut_at_the_cap_shows_no_part_of_a_value(tmp_path: Path) -> None:
    """Promise 2: nothing reaches a caller unmasked. docs/http.md: a body over
    `max_response_bytes` is cut at the cap's last line end, or at the cap, and a cut
    "shows no part of a credential" — of the gateway's own; a JSON answer is then
    masked as text. A JSON answer is one line, so the cut falls at the cap, inside
    whatever value is there, and the masker does not know the head of a value for
    what it is: `"ssn": "50141803` comes back as written (cut inside a hyphenated
    `501-41-80`, the label makes it an `[MRN]`; 8 bare digits are not). The agent
    steers where the cut falls by the length of its own query, which the server echoes
    in the Bundle's `self` link, and reads any prefix of any value it likes, one
    request each."""
    name = _padding_to_cut_inside_an_ssn(8)
    with http_upstream(_Bundle, "bundle") as address:
        settings = {"type": "http", "base_url": f"http://{address}", "max_response_bytes": CAP}
        h = await harness_with(tmp_path, {"fhir": settings})
        try:
            request = {"method": "GET", "path": "/Patient", "query": {"name": name}}
            answer = await h.client.post(
                "/v1/actions",
                headers=h.auth("claims-bot"),
                json={"connection": "fhir", "request": request},
            )
        finally:
            await h.client.aclose()
            await h.gateway.close()
    assert answer.status_code == 200, answer.text[:300]
    result = answer.json()["result"]
    assert result["truncated"], result
    shown = [s[:8] for s in SSNS if s[:8] in answer.text]
    assert not shown, (shown, str(result["body"])[-200:])
