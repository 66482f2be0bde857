"""Credentials found by what names them across lines and list items, not on one line.

`_patterns.SECRET_PATTERNS` read "password: VALUE" on one line. Tools print the same
credential where the name and the value are apart:

- a Kubernetes `env` entry, `- name: DB_PASSWORD` with `value: …` on the next line
  (the `name`/`value` pair of ECS, Helm and AWS tags too, in either order);
- a flag naming a secret and its value as the next argument: `--token VALUE` on a
  command line, `["--db-password", "VALUE"]`, a YAML list `- --db-password` / `- VALUE`;
- a YAML key naming a secret with its value on the next line (`password:` then an
  indented scalar or block);
- a change of a secret's value, `admin_password = "OLD" -> "NEW"` (terraform plan,
  with or without colour), where both sides are the secret;
- the client tools that take a password glued to a short flag or a user: `mysql
  -pVALUE`, `sshpass -p VALUE`, `redis-cli -a VALUE`, `curl -u user:VALUE`.

A value the tool itself hides (`(sensitive value)`, `(known after apply)`) stays.
"""

from __future__ import annotations

import re2

from phigate.masking._shapes import PatternSpec
from phigate.masking.entities import SECRET

__all__ = ["CREDENTIAL_PATTERNS", "HIDDEN_VALUE", "SECRET_NAME"]

# The word that makes a name a secret's. "pwd" is left out: `PWD` is the working directory.
_WORD = (
    r"(?i:password|passwd|passphrase|secret|token|api[_-]?key|private[_-]?key"
    r"|access[_-]?key|credentials?)"
)
# The last part of a NAME-like key (upper snake case or kebab case) that names a
# secret: MYSQL_PWD, RABBITMQ_DEFAULT_PASS, JWT_SIGNING_KEY, SENTRY_DSN, db-pass. A bare
# `PWD` (the working directory) or `KEY` has no part before it and is not one.
_LAST_WORD = (
    r"(?:PASS|PASSWD|PWD|PASSWORD|PASSPHRASE|SECRET|TOKEN|CREDENTIALS?|AUTH|APIKEY|DSN"
    r"|CONN_STRING|CONNECTION_STRING|PRIVATE)"
)
# A key that signs, encrypts or opens something names a secret even alone
# (ENCRYPTION_KEY); a key of a table, a cache or a lookup (PRIMARY_KEY, CACHE_KEY)
# does not, so `_KEY` alone is not enough.
_KEY_NAMES = (
    r"(?:SIGNING|SIGN|ENCRYPTION|ENCRYPT|ENC|CRYPT|CRYPTO|DECRYPTION|MASTER|HMAC|AES"
    r"|SESSION|JWT|CLIENT|SHARED|SECRET|PRIVATE|ACCESS|API|LICENSE|WEBHOOK)_KEY"
)


def _secret_name(sep: str) -> str:
    first = rf"[A-Z][A-Z0-9]*{sep}(?:[A-Z0-9]+{sep})*"
    last, key = _LAST_WORD.replace("_", sep), _KEY_NAMES.replace("_", sep)
    return rf"\b(?:{first}{last}|(?:{first})?{key})\b"


SECRET_NAME = r"(?:" + _secret_name("_") + r"|(?i:" + _secret_name("-") + r"))"
# A variable or key naming a secret: DB_PASSWORD, STRIPE_API_KEY, adminPassword,
# db.password.prod; not max_tokens or secretName (the word runs on into another).
_KEY = r"(?:[A-Za-z0-9_.-]*" + _WORD + r"(?:[_.-][A-Za-z0-9_.-]*)?|" + SECRET_NAME + ")"
# What a tool prints instead of a value it hides itself: no secret, it stays.
HIDDEN_VALUE = r"\((?:sensitive(?: value)?|known after apply)\)"
_ANSI = r"(?:\x1b\[[0-9;]*m)*"
_ARROW = r"[ \t]*" + _ANSI + r"[ \t]*(?:->|=>)[ \t]*" + _ANSI + r"[ \t]*"


def _quoted(tag: str, bare: str) -> str:
    """A value in double or single quotes (the quotes stay), in escaped double quotes
    (JSON inside a JSON string: `\\"value\\"`), or bare; groups named `<tag>q`,
    `<tag>s`, `<tag>e`, `<tag>b`."""
    return (
        rf"(?:\x22(?P<{tag}q>[^\x22\r\n]{{1,256}})\x22|'(?P<{tag}s>[^'\r\n]{{1,256}})'"
        rf"|\\\x22(?P<{tag}e>(?:[^\\\x22\r\n]|\\[^\x22\r\n]){{1,256}})\\\x22"
        rf"|(?P<{tag}b>{bare}))"
    )


def _groups(*tags: str) -> tuple[tuple[str, str], ...]:
    return tuple((f"{t}{k}", SECRET) for t in tags for k in "qseb")


# A value that runs to the end of its line (YAML, `KEY=VALUE` lists) or to a separator.
_LINE_VALUE = r"[^\s\x22'#|>][^\r\n]{0,255}"
_WORD_VALUE = r"[^\s\x22',}\]][^\s\x22',}\]]{0,255}"
_ARG_VALUE = r"[^\s\x22'\-,\]][^\s\x22',\]]{0,255}"
# A quote, or a quote escaped in a JSON string (a manifest kept in an annotation).
_QUOTE = r"(?:\\?[\x22'])"
_BETWEEN = _QUOTE + r"?[ \t]*[,;]?[ \t]*(?:\r?\n[ \t]*(?:-[ \t]+)?)?" + _QUOTE + "?"
_NAME_LABEL = r"(?i:\b(?:name|key))"
_VALUE_LABEL = r"(?i:\bvalue)"
_FLAG_START = r"(?:(?m:^)|[\s\x22'\[,(])"
# After a flag naming a secret, its value: the next word, the next item of a JSON or
# flow list, or the next item of a YAML list.
_FLAG_SEP = r"(?:[\x22']?[ \t]*,[ \t]*(?:\r?\n[ \t]*)?|[\x22']?[ \t]*\r?\n[ \t]*-[ \t]+|[ \t]+)"
# A YAML line that is itself a key ("secret:\n  name: db"): the value is a mapping.
_MAPPING_KEY = re2.compile(rb"[\x22']?[\w.\-/]+[\x22']?[ \t]*:(?:[ \t]|$)")


def _not_a_key(value: bytes) -> bool:
    return _MAPPING_KEY.match(value) is None


CREDENTIAL_PATTERNS: tuple[PatternSpec, ...] = (
    # `- name: DB_PASSWORD` / `value: …` (also `{"name": …, "value": …}`, `key=…`)
    PatternSpec(
        SECRET,
        _NAME_LABEL
        + _QUOTE
        + r"?[ \t]*[:=][ \t]*"
        + _QUOTE
        + "?"
        + _KEY
        + _BETWEEN
        + _VALUE_LABEL
        + _QUOTE
        + r"?[ \t]*[:=][ \t]*"
        + _quoted("v", _LINE_VALUE),
        groups=_groups("v"),
        head=_NAME_LABEL,
    ),
    # the same pair written value first
    PatternSpec(
        SECRET,
        _VALUE_LABEL
        + _QUOTE
        + r"?[ \t]*[:=][ \t]*"
        + _quoted("v", _WORD_VALUE)
        + _BETWEEN
        + _NAME_LABEL
        + _QUOTE
        + r"?[ \t]*[:=][ \t]*"
        + _QUOTE
        + "?"
        + _KEY
        + r"(?:[\\\x22'\s,;}]|(?m:$))",
        groups=_groups("v"),
        head=_VALUE_LABEL,
    ),
    # `MYSQL_PWD: VALUE` (`kubectl describe`), `DB_PASS=VALUE`: a NAME-like key's value
    PatternSpec(
        SECRET,
        SECRET_NAME + _QUOTE + r"?[ \t]*[=:][ \t]*" + _quoted("v", r"[^\s\x22'\\]{1,256}"),
        groups=_groups("v"),
    ),
    # `--db-password VALUE`, `"--token", "VALUE"`, `- --api-key` / `- VALUE`
    PatternSpec(
        SECRET,
        _FLAG_START + r"--?[A-Za-z0-9_.-]*" + _WORD + _FLAG_SEP + _quoted("v", _ARG_VALUE),
        groups=_groups("v"),
    ),
    # `password:` with its value on the next line (a YAML scalar or block)
    PatternSpec(
        SECRET,
        r"(?m:^)[ \t]*(?:-[ \t]+)?[\x22']?" + _KEY + r"[\x22']?[ \t]*:[ \t]*"
        r"(?:[|>][+-]?[0-9]?[ \t]*)?\r?\n[ \t]*(?P<v>[^\s#\-][^\r\n]{0,255})",
        validator=_not_a_key,
        groups=(("v", SECRET),),
    ),
    # `admin_password = "OLD" -> "NEW"`: both sides
    PatternSpec(
        SECRET,
        _WORD + r"(?:[_.-][A-Za-z0-9_.-]*)?[\x22']?[ \t]*(?:[:=]|=>)[ \t]*"
        rf"(?:{HIDDEN_VALUE}|{_quoted('o', _WORD_VALUE)})"
        + _ARROW
        + rf"(?:{HIDDEN_VALUE}|{_quoted('n', _WORD_VALUE)})",
        groups=_groups("o", "n"),
        head=_WORD,
    ),
    # `mysql -uroot -pVALUE` (mysql's `-p` with a space prompts; the next word is a database)
    PatternSpec(
        SECRET,
        r"\b(?:mysql|mariadb)[a-z_-]*\b[^\r\n|;&]{0,300}?[ \t]-p(?P<v>[^\s\x22';|&]{1,256})",
        groups=(("v", SECRET),),
    ),
    # `sshpass -p VALUE`, `redis-cli -a VALUE`, `redis-cli --pass VALUE`
    PatternSpec(
        SECRET,
        r"\b(?:sshpass\b[^\r\n|;&]{0,100}?[ \t]-p|redis-cli\b[^\r\n|;&]{0,300}?[ \t]"
        r"(?:-a|--pass))[ \t]*(?P<v>[^\s\x22';|&]{1,256})",
        groups=(("v", SECRET),),
    ),
    # `curl -u user:VALUE`, `curl --user=user:VALUE`, `--proxy-user`
    PatternSpec(
        SECRET,
        r"\bcurl\b[^\r\n|;&]{0,400}?[ \t](?:-u|-U|--user|--proxy-user)[ \t=]*[\x22']?"
        r"[^\s:\x22']{0,128}:(?P<v>[^\s\x22']{1,256})",
        groups=(("v", SECRET),),
    ),
)
