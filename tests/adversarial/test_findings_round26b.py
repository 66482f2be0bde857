"""Round 26b: a promises-only attack on identities and approvals (an OIDC agent acting,
by an on-behalf-of claim, for an agent the IdP marks as one) and on connector output
(kubectl printing the credentials of a pod's env in YAML, `describe` tables and the
JSON of its last-applied configuration).

Each finding was a strict xfail through a real door; all three are fixed (branch
fix26b), and these are ordinary tests now.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.adversarial.test_findings_round3 import cluster, kube, needs_kubectl, run_kubectl
from tests.conftest import Harness, demo_config, make_harness
from tests.connectors import kube_standin
from tests.support.oidc_provider import OidcProvider, oidc_provider

__all__ = ["cluster", "kube"]  # fixtures shared with round 3


def _oidc_identity(idp: OidcProvider, **extra: Any) -> dict[str, Any]:
    return {
        "auditor_groups": ["auditors"],
        "oidc": {"issuer": idp.issuer, "audience": idp.audience, **extra},
    }


async def _close(h: Harness) -> None:
    await h.client.aclose()
    await h.gateway.close()


# ── 1. an OIDC agent acting for an OIDC agent, no token exchange ────────────────
async def test_an_oidc_agent_cannot_act_for_an_agent_the_idp_marked(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """Promise 7: an agent acts only for a human, and the person behind an agent never
    approves its request. With `kind_claim: kind` and `on_behalf_of_claim: obo`, the
    IdP marks `planner-bot` an agent acting for dana (`kind: agent, obo: dana`), and
    phigate authenticates it as such. Another agent's token names planner-bot as its
    person (`kind: agent, obo: planner-bot`, no `act`). Round 24c's fix reads the
    kind of the party acted for only in exchanged tokens (`oidc.acted_for_not_human`
    runs for `act` only); for `obo` tokens, `TokenStore.refuse_acting_for_non_human`
    and `Settings.non_human_subjects` know API tokens and rules, not the kinds the IdP
    stated. So sub-bot acts for planner-bot, the approval's chain (`behind`) is read
    from API tokens only, and dana (a data owner, behind planner-bot) approves
    sub-bot's write."""
    with oidc_provider() as idp:
        identity = _oidc_identity(idp, kind_claim="kind", on_behalf_of_claim="obo")
        h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides={"identity": identity}))
        try:
            planner = idp.issue(
                sub="planner-bot", groups=["agents"], extra_claims={"kind": "agent", "obo": "dana"}
            )
            seen = await h.client.get(
                "/v1/approvals", headers={"Authorization": f"Bearer {planner}"}
            )
            assert seen.status_code == 200, seen.text  # planner-bot: an agent acting for dana
            h.tokens["sub-bot"] = idp.issue(
                sub="sub-bot",
                groups=["agents"],
                extra_claims={"kind": "agent", "obo": "planner-bot"},
            )
            h.tokens["dana-oidc"] = idp.issue(sub="dana", groups=["data-owners"])
            asked = await h.submit("sub-bot", "UPDATE claims SET status = 'paid' WHERE id = 72")
            if asked.status_code == 401:
                return  # refused at sign-in: the promise held
            assert asked.status_code == 202, asked.text
            approval_id = asked.json()["approval"]["id"]
            voted = await h.client.post(
                f"/v1/approvals/{approval_id}/approve", headers=h.auth("dana-oidc"), json={}
            )
            state = h.gateway.approval(approval_id).state
        finally:
            await _close(h)
    assert voted.status_code == 403 and state == "pending", (
        f"dana, behind planner-bot, approved the write of the agent acting for it: "
        f"vote {voted.status_code}, approval {state}"
    )


# ── 2. kubectl: credentials under the names official images read ────────────────
_ENV = {
    "MYSQL_PWD": "Mq4Lk9Zx2Wp7",  # mysql client's own password variable
    "RABBITMQ_DEFAULT_PASS": "Rb8Kx3Lq6Zm2",  # rabbitmq image
    "REDIS_PASS": "Rd5Wq8Lm3Xk9",
    "DB_PASS": "Dp2Zk7Qm4Lx8",
    "JWT_SIGNING_KEY": "Js6Pm1Xq9Kz4",
    "ENCRYPTION_KEY": "Ek3Lz8Wq5Mx1",
    "DB_PASSWORD": "Xy7pQ2mZ9wLk",  # the control: masked since round 24
}
_POD = {
    "kind": "Pod",
    "apiVersion": "v1",
    "metadata": {"name": "api-1", "namespace": "default"},
    "spec": {
        "containers": [
            {
                "name": "api",
                "image": "ehr/api:4.2",
                "env": [{"name": k, "value": v} for k, v in _ENV.items()],
            }
        ]
    },
    "status": {"phase": "Running"},
}


@pytest.fixture
def pod_with_env(monkeypatch: pytest.MonkeyPatch) -> None:
    path = "/api/v1/namespaces/default/pods/api-1"
    monkeypatch.setitem(kube_standin._ANSWERS, path, _POD)


async def _pod_output(h: Harness, *argv: str) -> str:
    response = await run_kubectl(h, *argv)
    assert response.status_code == 200, response.text[:300]
    stdout = str(response.json()["result"]["stdout"])
    assert "api-1" in stdout, stdout[:300]
    return stdout


def _kubectl_argv(form: str) -> list[str]:
    if form == "describe":
        return ["describe", "pod", "api-1"]
    return ["get", "pod", "api-1", "-o", form]


@needs_kubectl
@pytest.mark.parametrize("form", ["yaml", "describe"])
async def test_a_pods_env_credentials_are_masked(
    kube: Harness, cluster: kube_standin.KubeStandIn, pod_with_env: None, form: str
) -> None:
    """Promise 2: credentials are masked in command output. `kubectl get pod NAME -o
    yaml` and `kubectl describe pod NAME` are reads and run at once. The masker knows
    an env entry for a credential by its name holding one of a few words
    (`_credentials._WORD`: password, secret, token, api_key, private_key, access_key,
    credentials; `_patterns.py`'s `[A-Z_]*(PASSWORD|SECRET|TOKEN|API_KEY)` for
    `NAME: value`): `pwd` is left out on purpose and `pass` and a bare `key` are not
    there. So in YAML (`- name: X` / `value: …`) the values of `MYSQL_PWD` (the mysql
    client's own password variable), `RABBITMQ_DEFAULT_PASS` (the official image's),
    `REDIS_PASS`, `DB_PASS` and `JWT_SIGNING_KEY` come back as written, and in
    `describe`'s `Environment:` table all but `MYSQL_PWD` (and `ENCRYPTION_KEY` too),
    while `DB_PASSWORD`'s value is masked in both and `-o json` masks every value
    (held below)."""
    stdout = await _pod_output(kube, *_kubectl_argv(form))
    shown = {k: v for k, v in _ENV.items() if v in stdout}
    assert not shown, stdout


@needs_kubectl
async def test_held_a_pods_env_values_are_masked_in_json(
    kube: Harness, cluster: kube_standin.KubeStandIn, pod_with_env: None
) -> None:
    response = await run_kubectl(kube, "get", "pod", "api-1", "-o", "json")
    assert response.status_code == 200, response.text[:300]
    stdout = str(response.json()["result"]["stdout"])
    assert '"env"' in stdout, stdout[:300]
    shown = {k: v for k, v in _ENV.items() if v in stdout}
    assert not shown, stdout


# ── 3. kubectl -o json: the last-applied configuration, a JSON string ───────────
APPLIED_PASSWORD = "La7pQ2mZ9wLk"


def _applied_pod() -> dict[str, Any]:
    """A pod created with `kubectl apply`: kubectl keeps the manifest applied, minified,
    in the `kubectl.kubernetes.io/last-applied-configuration` annotation, env values
    included; the live spec here holds none."""
    env = [{"name": "DB_PASSWORD", "value": APPLIED_PASSWORD}]
    applied = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "api-1", "namespace": "default"},
        "spec": {"containers": [{"name": "api", "image": "ehr/api:4.2", "env": env}]},
    }
    annotation = json.dumps(applied, separators=(",", ":")) + "\n"
    return {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {
            "name": "api-1",
            "namespace": "default",
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": annotation},
        },
        "spec": {"containers": [{"name": "api", "image": "ehr/api:4.2"}]},
        "status": {"phase": "Running"},
    }


@needs_kubectl
async def test_a_password_in_the_last_applied_configuration_is_masked_in_json(
    kube: Harness, cluster: kube_standin.KubeStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Promise 2: credentials are masked in command output. Every object made with
    `kubectl apply` carries its applied manifest as one minified JSON string in the
    `last-applied-configuration` annotation. `kubectl get pod NAME -o json` is a read
    and runs at once. Its env entries in the live spec are masked (the `-o json` held
    test above), and so is this annotation when the pod is printed as YAML; in the
    JSON form the string is read as JSON again and masked value by value: the entry's
    `name` becomes `[PERSON]`, and the `value` beside it, which only that name marks as
    a password, comes back as written:
    `{\\"name\\":\\"[PERSON]\\",\\"value\\":\\"La7pQ2mZ9wLk\\"}`."""
    path = "/api/v1/namespaces/default/pods/api-1"
    monkeypatch.setitem(kube_standin._ANSWERS, path, _applied_pod())
    response = await run_kubectl(kube, "get", "pod", "api-1", "-o", "json")
    assert response.status_code == 200, response.text[:300]
    stdout = str(response.json()["result"]["stdout"])
    assert "annotations" in stdout, stdout[:300]
    assert APPLIED_PASSWORD not in stdout, stdout
