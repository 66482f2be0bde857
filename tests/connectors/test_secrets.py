"""GatewaySecrets: the gateway's credentials are recognised in every form output carries them."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from phigate.connectors._secrets import GatewaySecrets

TOKEN = "tok-3c9f1a7e5d2b8046"


@pytest.mark.parametrize("before", ["", "a", "ab", "abc", "user:", '{"t": "'])
@pytest.mark.parametrize("after", ["", "z", "\n", '"}'])
def test_base64_of_a_secret_inside_other_bytes_is_scrubbed(before: str, after: str) -> None:
    secrets = GatewaySecrets([("TOKEN", TOKEN)])
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        encoded = encode(f"{before}{TOKEN}{after}".encode()).decode()
        counts: dict[str, int] = {}
        out = secrets.scrub(f"data: {encoded}\n", counts)
        assert "[REDACTED:TOKEN]" in out and counts == {"GATEWAY_SECRET": 1}, encoded


def test_a_header_value_and_its_token_alone() -> None:
    secrets = GatewaySecrets([("header Authorization", f"Bearer {TOKEN}")])
    assert TOKEN not in secrets.scrub(f"token={TOKEN}", {})
    assert "Bearer" in secrets.scrub("Bearer other", {})


def test_prose_values_are_not_split_into_words() -> None:
    secrets = GatewaySecrets([("NOTE", "a passphrase with ordinary words inside")])
    assert secrets.scrub("ordinary words", {}) == "ordinary words"


def test_kubeconfig_credentials_are_scrubbed(tmp_path: Path) -> None:
    body = "MHcCAQEEIKeyMaterialLine1xxxxxxxxxxxxxxxx"
    key = f"-----BEGIN EC PRIVATE KEY-----\n{body}\n-----END EC PRIVATE KEY-----\n"
    (tmp_path / "client.key").write_text(key)
    data = base64.b64encode(key.encode()).decode()
    config = tmp_path / "config"
    config.write_text(
        "users:\n- name: a\n  user: {token: " + TOKEN + ", client-key-data: " + data + "}\n"
        "- name: b\n  user: {client-key: client.key, password: hunter2hunter2}\n"
    )
    secrets = GatewaySecrets.from_env({"KUBECONFIG": f"/nonexistent:{config}"}, ["KUBECONFIG"])
    text = f"{TOKEN} {data} {body} hunter2hunter2"
    out = secrets.scrub(text, {})
    assert out.count("[REDACTED:KUBECONFIG]") == 4, out


def test_a_kubeconfig_given_inline_is_scrubbed_too() -> None:
    inline = f"users:\n- name: a\n  user: {{token: {TOKEN}}}\n"
    secrets = GatewaySecrets.from_env({"KUBECONFIG": inline}, ["KUBECONFIG"])
    assert TOKEN not in secrets.scrub(f"token: {TOKEN}", {})


PLUGIN_USER = """users:
- name: gw
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: /usr/local/bin/vault-kube-login
      args: ["--role=gateway", "--secret-id=s3cr3t-id-9f8e7d6c"]
      env: [{name: VAULT_TOKEN, value: hvs.CAESIJ7x9kQ2}]
      interactiveMode: Never
- name: old
  user:
    auth-provider: {name: oidc, config: {idp-issuer-url: https://idp.example/x}}
    some-future-field: {nested: future-secret-value}
"""


def test_every_value_of_a_kubeconfig_user_is_a_credential_but_the_plain_ones() -> None:
    """Round 3, finding 11: exec-plugin args and env values, auth-provider config and
    fields nobody listed are scrubbed; the plugin's program and variable names are not."""
    secrets = GatewaySecrets.from_env({"KUBECONFIG": PLUGIN_USER}, ["KUBECONFIG"])
    hidden = ["s3cr3t-id-9f8e7d6c", "hvs.CAESIJ7x9kQ2", "https://idp.example/x"]
    out = secrets.scrub(" ".join([*hidden, "future-secret-value"]), {})
    assert out.split() == ["[REDACTED:KUBECONFIG]"] * 4, out
    plain = "/usr/local/bin/vault-kube-login VAULT_TOKEN Never oidc"
    assert secrets.scrub(plain, {}) == plain
