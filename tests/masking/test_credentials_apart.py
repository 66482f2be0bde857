"""Credentials whose name and value are apart: on the next line, the next list item,
the next argument, or both sides of a change (phigate.masking._credentials)."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

SECRET = "Qz8Lk2Wp9Mx4"

MASKED = {
    "env, name then value": f"env:\n- name: DB_PASSWORD\n  value: {SECRET}\n",
    "env, quoted": f'  - name: "SMTP_PASS_TOKEN"\n    value: "{SECRET}"\n',
    "env, value first": f"- value: {SECRET}\n  name: GITHUB_TOKEN\n",
    "flow mapping": f"{{name: AWS_SECRET_ACCESS_KEY, value: {SECRET}}}",
    "json text pair": f'{{\n  "name": "api.key",\n  "value": "{SECRET}"\n}}',
    "tag key/value": f'{{"Key": "ADMIN_PASSWORD", "Value": "{SECRET}"}}',
    "yaml arg list": f"    args:\n    - --db-password\n    - {SECRET}\n",
    "json arg list": f'"args": ["--api-key", "{SECRET}", "--verbose"]',
    "command line": f"app serve --token {SECRET} --port 80",
    "quoted argument": f'app --client-secret "{SECRET}" --x',
    "next line": f"password:\n  {SECRET}\n",
    "block scalar": f"stripeSecret: |\n  {SECRET}\n",
    "change": f'~ admin_password = "Tf9Lm2Qx7Kp5" -> "{SECRET}"',
    "change, bare": f"db.token: old-Lp2Kx9 => {SECRET}",
    "change, colour": f'\x1b[33m~\x1b[0m api_key = "x" \x1b[33m->\x1b[0m\x1b[0m "{SECRET}"',
    "change from hidden": f'~ password = (sensitive value) -> "{SECRET}"',
    "mysql -p": f"mysql -h db -uroot -p{SECRET} ehr < init.sql",
    "mysqldump -p": f"mysqldump --single-transaction -u app -p{SECRET} ehr",
    "sshpass": f"sshpass -p {SECRET} ssh deploy@host",
    "redis-cli": f"redis-cli -h cache -a {SECRET} ping",
    "curl -u": f"curl -s -u admin:{SECRET} https://api.example.test/x",
    "curl --user=": f"curl --user=svc:{SECRET} https://api.example.test/x",
    "--password=": f"app --password={SECRET}",
}


@pytest.mark.parametrize("text", list(MASKED.values()), ids=list(MASKED))
def test_a_credential_apart_from_its_name_is_masked(safe_harbor: Masker, text: str) -> None:
    result = safe_harbor.mask_text(text)
    assert SECRET not in result.text, result.text
    assert result.counts, result.text


KEPT = {
    "hidden by terraform": ("  password = (sensitive value)", "(sensitive value)"),
    "hidden both sides": (
        "~ db_password = (sensitive value) -> (known after apply)",
        "(sensitive value) -> (known after apply)",
    ),
    "a flag that takes no value": ("docker login --password-stdin -u bob", "--password-stdin"),
    "a secret's reference": (
        "env:\n- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: db-creds",
        "name: db-creds",
    ),
    "an unrelated name": ("- name: LOG_LEVEL\n  value: debug-verbose", "debug-verbose"),
    "a flag's next flag": ("psql --no-password -h db.internal", "-h db.internal"),
    "mysql prompting": ("mysql -h db -u root -p ehr", "-p ehr"),
    "a word run on": ("max_tokens = 100", "max_tokens"),
}


@pytest.mark.parametrize(("text", "kept"), list(KEPT.values()), ids=list(KEPT))
def test_what_names_no_credential_value_stays(safe_harbor: Masker, text: str, kept: str) -> None:
    assert kept in safe_harbor.mask_text(text).text


# Round 26b: a NAME-like key (upper snake or kebab case) whose last part names a secret,
# on one line (`NAME: value`, `NAME=value`) and as a name/value pair.
SECRET_NAMES = [
    "MYSQL_PWD",
    "RABBITMQ_DEFAULT_PASS",
    "REDIS_PASS",
    "DB_PASS",
    "DB_PASSWD",
    "JWT_SIGNING_KEY",
    "ENCRYPTION_KEY",
    "GPG_PASSPHRASE",
    "APP_SECRET",
    "VAULT_TOKEN",
    "GCP_CREDENTIALS",
    "REDIS_AUTH",
    "MAPS_APIKEY",
    "SENTRY_DSN",
    "DB_CONN_STRING",
    "DB_CONNECTION_STRING",
    "SSH_PRIVATE",
    "db-pass",
    "x-api-key",
]


@pytest.mark.parametrize("name", SECRET_NAMES)
@pytest.mark.parametrize(
    "form",
    [
        "{name}: {secret}",  # kubectl describe's `Environment:` table
        "{name}={secret}",  # env, .env
        '"{name}": "{secret}"',
        "- name: {name}\n  value: {secret}\n",
        '{{\\"name\\":\\"{name}\\",\\"value\\":\\"{secret}\\"}}',  # JSON inside a JSON string
    ],
    ids=["colon", "equals", "json", "pair", "escaped pair"],
)
def test_a_secret_under_a_name_like_key_is_masked(
    safe_harbor: Masker, name: str, form: str
) -> None:
    text = form.format(name=name, secret=SECRET)
    result = safe_harbor.mask_text(text)
    assert SECRET not in result.text, result.text


NOT_SECRET_NAMES = [
    "PUBLIC_KEY",
    "SSH_PUBLIC_KEY",
    "PUB_KEY",
    "PRIMARY_KEY",
    "SORT_KEY",
    "PARTITION_KEY",
    "CACHE_KEY",
    "IDEMPOTENCY_KEY",
    "KEY_ID",
    "KEY",
    "BYPASS",
    "sort-key",
]


@pytest.mark.parametrize("name", NOT_SECRET_NAMES)
def test_a_key_that_names_no_secret_keeps_its_value(safe_harbor: Masker, name: str) -> None:
    text = f"- name: {name}\n  value: order-items-v2\n{name}=order-items-v2\n"
    assert safe_harbor.mask_text(text).text.count("order-items-v2") == 2


def test_an_escaped_pair_masks_the_value_only(safe_harbor: Masker) -> None:
    """The manifest kubectl keeps in `last-applied-configuration`, printed in JSON: the
    value is masked inside its escaped quotes and the JSON around it stays."""
    text = '"{\\"env\\":[{\\"name\\":\\"DB_PASSWORD\\",\\"value\\":\\"' + SECRET + '\\"}]}\\n"'
    masked = safe_harbor.mask_text(text).text
    assert SECRET not in masked and masked.endswith('\\"}]}\\n"'), masked
