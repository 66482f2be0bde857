"""Call an internal HTTP API with gateway-held credentials; mask what comes back.

An action's body is `{"method", "path", "query", "headers", "body"}`. The path
is joined to the connection's base URL (never another host); only headers on
the connection's allow-list pass, and the gateway's own credential header is
added last. Redirects are not followed, so credentials never travel elsewhere.
JSON answers are masked value by value (nested included), text as text,
binary refused unless the connection allows it. An upstream status ≥ 400 is an
`UpstreamError` naming the status, with the masked body.
"""

from __future__ import annotations

import base64
import binascii
import http
import json
import re
import time
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import httpx

from phigate.config import HttpConnection
from phigate.connectors import _unreadable as unreadable
from phigate.connectors._binary_phi import masked_binary
from phigate.connectors._byte_guard import GuardedMasker
from phigate.connectors._cut import cut_marker, json_prefix, text_cut
from phigate.connectors._http_answer import (
    NOT_JSON,
    as_utf8,
    content_kind,
    read_capped,
    read_json,
)
from phigate.connectors._http_decode import ACCEPTED
from phigate.connectors._http_rules import (
    HttpVerdict,
    classify_request,
    method_overrides,
    path_problem,
    sent_json,
)
from phigate.connectors._secrets import GatewaySecrets
from phigate.connectors.base import Result
from phigate.connectors.held_secrets import HeldSecrets
from phigate.core.actions import Action, Description
from phigate.core.errors import ConfigError, InvalidRequestError, NotAllowedError, UpstreamError
from phigate.core.risk import RiskClass
from phigate.masking.engine import Masker

# Headers a caller may never set, whatever the allow-list says: they would
# override the gateway's credential or confuse framing.
_NEVER_FROM_CALLER = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "authorization",
        "cookie",
        "proxy-authorization",
        "te",
        "upgrade",
        "keep-alive",
        "trailer",
    }
)
_RESPONSE_HEADERS = ("content-type", "etag", "last-modified", "location", "retry-after")
_ERROR_SNIPPET = 1000
_STANDARD_PHRASES = frozenset(status.phrase for status in http.HTTPStatus)
_QueryValue = str | int | float | bool


def http_body(
    method: str,
    path: str,
    *,
    query: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    body: Any = None,
) -> dict[str, Any]:
    """The `Action.body` of an http action (what approvals bind to)."""
    return {
        "method": method.upper(),
        "path": path,
        "query": query or {},
        "headers": headers or {},
        "body": body,
    }


# RFC 9110 field names (tokens) and the values every client library sends as is.
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = re.compile(r"[\x20-\x7e\t]*")


class HttpConnector:
    kind = "http"

    def __init__(
        self, name: str, settings: HttpConnection, held: HeldSecrets | None = None
    ) -> None:
        self.name = name
        self.settings = settings
        self.held = held or HeldSecrets()  # every secret of the gateway's (`held_secrets`)
        unreadable.prepare(settings.allow_unreadable_text)

    # ── describe ────────────────────────────────────────────────────────────
    def describe(self, action: Action) -> Description:
        request, problem = _parse(action)
        if problem is None:
            problem = self._request_problem(request)
        if problem is not None:
            return Description(
                RiskClass.UNKNOWN, reasons=(problem,), detail={"request": _request_line(request)}
            )
        verdict = self._classify(request)
        detail = {"request": _request_line(request), "rule": verdict.rule}
        return Description(verdict.risk, reasons=verdict.reasons, detail=detail)

    def _classify(self, request: dict[str, Any]) -> HttpVerdict:
        """The request's class under its own method and each method it asks servers
        to route it as (`_method=DELETE`): the most severe wins, and is said."""
        methods = [request["method"], *method_overrides(request)]
        verdicts = [
            classify_request(
                method,
                request["path"],
                self.settings.rules,
                case_sensitive=self.settings.case_sensitive_paths,
            )
            for method in methods
        ]
        worst = max(verdicts, key=lambda v: v.risk.severity)  # the first of equals: its own
        if worst is verdicts[0]:
            return worst
        routed = methods[verdicts.index(worst)]
        why = f"the request asks servers to route it as {routed} (a method override)"
        return HttpVerdict(worst.risk, worst.rule, (*worst.reasons, why))

    # ── prepare ─────────────────────────────────────────────────────────────
    def prepare(self, action: Action) -> Action:
        """Refuse (400) headers HTTP cannot carry, and a query holding a NUL: the
        caller's bad input, found before policy and audit treat the request as one that
        could run (servers cut a name or value at a NUL, or do not: two readings)."""
        query = action.body.get("query")
        for name, value in query.items() if isinstance(query, dict) else ():
            values = value if isinstance(value, list) else [value]
            if any("\x00" in str(text) for text in (name, *values)):
                raise InvalidRequestError(
                    f"query parameter {str(name)!r} holds a NUL character (\\u0000); "
                    "send text without it"
                )
        headers = action.body.get("headers")
        for name, value in headers.items() if isinstance(headers, dict) else ():
            if not _HEADER_NAME.fullmatch(str(name)) or not _HEADER_VALUE.fullmatch(str(value)):
                raise InvalidRequestError(
                    f"header {str(name)!r} cannot be sent: names are ASCII tokens, values "
                    "printable ASCII (encode anything else, e.g. RFC 8187)"
                )
        twice = _duplicate_header(headers)
        if twice is not None:
            raise InvalidRequestError(twice)
        return action

    def _request_problem(self, request: dict[str, Any]) -> str | None:
        twice = _duplicate_header(request["headers"])
        if twice is not None:  # refused at admission; an older action still never runs
            return twice
        auth_header = self.settings.auth.header.lower() if self.settings.auth else None
        for name in request["headers"]:
            lowered = name.lower()
            if lowered in _NEVER_FROM_CALLER or lowered == auth_header:
                return f"header {name} is set by the gateway, never by the caller"
            if lowered not in self.settings.headers_allowed:
                return f"header {name} is not on this connection's allow-list"
        fixed = self._fixed_query_names(request) if request["query"] else set()
        for name in request["query"]:
            if query_name_key(str(name)) in fixed:
                return f"query parameter {name!r} is set by this connection's base_url"
        if len(_encode_body(request["body"])[0]) > self.settings.max_body_bytes:
            return "the request body is larger than this connection accepts"
        return None

    def _fixed_query_names(self, request: dict[str, Any]) -> set[str]:
        """The query names `base_url` sets. Where its secret cannot be read here
        (`phigate policy check` on a machine without the connection's secrets), the
        check waits for the run, which reads the secret or fails, and repeats it."""
        try:
            return base_query_names(self.settings.base_url.reveal())
        except ConfigError:
            return set()

    # ── run ─────────────────────────────────────────────────────────────────
    async def run(self, action: Action, description: Description, masker: Masker) -> Result:
        request, problem = _parse(action)
        problem = problem or self._request_problem(request) or path_problem(request["path"])
        if problem is not None:  # describe said unknown; policy should never let it here
            raise InvalidRequestError(problem)
        secrets = self._secrets()
        started = time.monotonic()
        status, reason, headers, raw, truncated = await self._send(request, secrets.reach)
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        content_type = headers.get("content-type", "")
        cap, size = self.settings.max_response_bytes, len(raw)
        kind, raw, cap = as_utf8(content_kind(content_type, raw), content_type, raw, cap)
        masked: dict[str, int] = {}
        body = self._masked_body(kind, raw, truncated, cap, secrets, masker, masked)
        # The status line is upstream text like the body: it can quote the request's
        # own credential or a patient, so it leaves only scrubbed and masked.
        # A standard phrase ("Internal Server Error") is no PHI: masked, it would read
        # "Internal [PERSON]" to callers and reviewers alike.
        # Headers and the phrase pass the byte guard too: a note can be written in them
        # in any encoding (never kept as a blob: they are no binary body).
        guarded = GuardedMasker(masker, secrets, keep_blobs=False)
        if reason not in _STANDARD_PHRASES:
            reason = guarded.text(secrets.scrub(reason, masked), masked)
        if status >= 400:
            snippet = body if isinstance(body, str) else json.dumps(body, default=str)
            raise UpstreamError(
                f"upstream {self.name!r} answered {status} {reason}: {snippet[:_ERROR_SNIPPET]}"
            )
        shown = {
            k: guarded.text(secrets.scrub(v, masked), masked)
            for k, v in headers.items()
            if k in _RESPONSE_HEADERS
        }
        payload = {
            "status": status,
            "reason": reason,
            "headers": shown,
            "content": kind,
            "body": body,
            "truncated": truncated,
            "masked": masked,
            "duration_ms": duration_ms,
        }
        summary = {
            "status": status,
            "bytes": min(size, self.settings.max_response_bytes),
            "content": kind,
            "truncated": truncated,
            "masked": masked,
            "duration_ms": duration_ms,
        }
        return Result(payload=payload, masked=masked, summary=summary)

    def _secrets(self) -> GatewaySecrets:
        """Every secret the gateway holds, this connection's first, so none comes back
        if the upstream echoes it."""
        return self.held.scrubber(self.own_secrets())

    def own_secrets(self) -> list[tuple[str, str]]:
        """This connection's credentials, in each spelling its upstream is handed."""
        named = [("gateway credential", v) for v in url_secrets(self.settings.base_url.reveal())]
        if self.settings.auth is not None:
            named += [
                ("gateway credential", v) for v in auth_secrets(self.settings.auth.value.reveal())
            ]
        return named

    def _client(self) -> httpx.AsyncClient:
        # One client per request: actions are few and slow next to a TCP handshake, and a
        # client never outlives the event loop that made it (the gateway may serve several).
        # trust_env=False: no proxy or .netrc from the gateway's environment sneaks in.
        return httpx.AsyncClient(
            timeout=self.settings.timeout_seconds,
            follow_redirects=False,
            trust_env=False,
            verify=self.settings.verify_tls,
        )

    async def _send(
        self, request: dict[str, Any], reach: int
    ) -> tuple[int, str, dict[str, str], bytes, bool]:
        """The upstream's answer; a body over the cap is read `reach` bytes past it, so a
        credential the cut runs through is still found whole when scrubbed."""
        content, content_type = _encode_body(request["body"])
        headers = {k.lower(): v for k, v in request["headers"].items()}
        if content and content_type and "content-type" not in headers:
            headers["content-type"] = content_type
        headers.setdefault("accept-encoding", ACCEPTED)  # the codings `read_capped` reads
        headers.update(self._auth_headers())
        url = target_url(self.settings.base_url.reveal(), request)
        cap = self.settings.max_response_bytes
        try:
            async with self._client() as client:
                req = client.build_request(
                    request["method"],
                    url,
                    headers=headers,
                    content=content or None,
                )
                response = await client.send(req, stream=True)
                try:
                    raw, truncated = await read_capped(response, cap, reach)
                finally:
                    await response.aclose()
        except httpx.TimeoutException as exc:
            raise UpstreamError(
                f"upstream {self.name!r} did not answer within {self.settings.timeout_seconds:g}s"
            ) from exc
        except httpx.HTTPError as exc:
            # The exception text may hold the URL (and credentials in it): name only the type.
            raise UpstreamError(
                f"cannot reach upstream {self.name!r}: {type(exc).__name__}"
            ) from exc
        shown = {k.lower(): v for k, v in response.headers.items()}
        return response.status_code, response.reason_phrase, shown, raw, truncated

    def _auth_headers(self) -> dict[str, str]:
        auth = self.settings.auth
        if auth is None:
            return {}
        value = auth.value.reveal()
        if auth.scheme == "bearer":
            return {"authorization": f"Bearer {value}"}
        return {auth.header.lower(): value}

    def _masked_body(
        self,
        kind: str,
        raw: bytes,
        truncated: bool,
        cap: int,
        secrets: GatewaySecrets,
        masker: Masker,
        counts: dict[str, int],
    ) -> Any:
        """The body as it may leave; a text or JSON body comes as UTF-8 (`as_utf8`),
        `cap` where the connection's cap falls in it."""
        if kind == "empty":
            return None
        if kind == "binary":
            if not self.settings.allow_binary:
                raise NotAllowedError(
                    f"upstream {self.name!r} sent a binary response, which "
                    f"this connection does not allow"
                )
            # Scrubbed as bytes (its text read as Latin-1, every escape decoded; a gzip
            # or zlib body inflated), its text views masked for PHI, then scrubbed as
            # base64 text: the credential's base64 forms cover every alignment.
            scrubbed = masked_binary(raw, secrets, masker, counts)
            encoded = base64.b64encode(scrubbed)
            if not truncated:
                return secrets.scrub(encoded.decode(), counts)
            # Cut at whole groups of three bytes within the cap, scrubbed with what follows.
            return secrets.scrub_cut(encoded, 4 * (self.settings.max_response_bytes // 3), counts)
        shown = GuardedMasker(
            masker, secrets, self.settings.allow_binary, self.settings.allow_unreadable_text
        )
        if truncated:
            return self._cut_body(kind, raw, cap, secrets, shown, counts)
        text = raw.decode("utf-8", "replace")
        if kind == "json":
            value = read_json(text, self.name)
            if value is not NOT_JSON:
                return shown.json(secrets.scrub_json(value, counts), counts)
        return shown.text(secrets.scrub(text, counts), counts)

    def _cut_body(
        self,
        kind: str,
        raw: bytes,
        cap: int,
        secrets: GatewaySecrets,
        shown: GuardedMasker,
        counts: dict[str, int],
    ) -> Any:
        """A body over the cap, cut after its last whole unit (`_cut`) and scrubbed with
        the bytes read past the cut, so no head of a value or a credential is shown: a
        JSON document up to its last whole member or element, closed and masked as JSON;
        a text up to its last line end or blank, masked as text, then marked as cut."""
        if kind == "json":
            masked = _cut_json(raw, cap, secrets, shown, counts, self.name)
            if masked is not None:
                return masked
        text = shown.text(secrets.scrub_cut(raw, text_cut(raw, cap), counts), counts)
        return text + cut_marker(self.settings.max_response_bytes)

    async def close(self) -> None:
        return None


def _cut_json(
    raw: bytes,
    cap: int,
    secrets: GatewaySecrets,
    shown: GuardedMasker,
    counts: dict[str, int],
    upstream: str,
) -> Any:
    """The JSON document's whole members and elements before `cap`, closed and masked
    as a whole answer's are; None when it is no JSON document's head."""
    prefix = json_prefix(raw, cap)
    if prefix is None:
        return None
    end, closers = prefix
    scrubbed: dict[str, int] = {}
    text = secrets.scrub_cut(raw, end, scrubbed) + closers.decode()
    value = read_json(text, upstream)
    if value is NOT_JSON:
        return None  # a redaction broke the document: cut as text instead
    _add(counts, scrubbed)
    return shown.json(secrets.scrub_json(value, counts), counts)


def url_secrets(url: str) -> list[str]:
    """The credentials a base URL carries, in each spelling an upstream could echo.

    httpx sends userinfo as `Authorization: Basic base64(user:pass)`; an upstream
    that echoes the header, decoded or not, or quotes the URL it was called with,
    shows the password percent-encoded, decoded, or joined to the user name.
    `GatewaySecrets` adds the encoded forms of each (base64, base32, hex) and finds
    them escaped or in another case too. Query values of the base URL
    (an `?api_key=`) are credentials too, and so are the path segments that look
    like one (`path_secrets`). The user name alone is no secret.
    """
    parts = urlsplit(url)
    out: list[str] = []
    if parts.password is not None:
        user, password = parts.username or "", parts.password
        for text in {password, unquote(password)}:
            out += [text, quote(text, safe=""), f"{unquote(user)}:{text}"]
    out += [v for _, v in parse_qsl(parts.query)]
    return out + path_secrets(parts.path)


def path_secrets(path: str) -> list[str]:
    """The segments of a base URL's path that may be a credential, as written and
    percent-decoded: capability URLs carry theirs in the path (Slack's and Discord's
    webhooks, `/services/T…/B…/<secret>`), and an upstream echoes its path in a
    redirect's `location` or a 404 page without being hostile. A segment counts when
    it has 16 characters or more, or 8 or more mixing two of lower case, upper case
    and digits: `q8Jf3LmN2pR7sT1v`, `T0A1B2C3D4`, a UUID or a numeric id of 16+ digits,
    never `api`, `v1`, `fhir`, `R4`, `patients` or `2024-01-01`."""
    out: list[str] = []
    for segment in path.split("/"):
        for text in dict.fromkeys([segment, unquote(segment)]):
            if _looks_secret(text):
                out.append(text)
    return out


def _looks_secret(segment: str) -> bool:
    kinds = sum(any(test(c) for c in segment) for test in (str.islower, str.isupper, str.isdigit))
    return len(segment) >= 16 or (len(segment) >= 8 and kinds >= 2)


def auth_secrets(value: str) -> list[str]:
    """An auth value, and for a `Basic` one its decoded `user:pass` and password."""
    out = [value, quote(value, safe="")]
    token = value.split()[-1] if value.split() else ""
    try:
        decoded = base64.b64decode(token, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return out
    if ":" in decoded and decoded.isprintable():
        out += [decoded, decoded.partition(":")[2]]
    return out


def _parse(action: Action) -> tuple[dict[str, Any], str | None]:
    """The request as a normalised dict, and a problem that makes it `unknown`."""
    body = action.body
    request = {
        "method": str(body.get("method", "")).upper(),
        "path": body.get("path"),
        "query": body.get("query") or {},
        "headers": body.get("headers") or {},
        "body": body.get("body"),
    }
    if action.kind != "http":
        return request, "not an http action"
    if not isinstance(request["path"], str) or not request["method"]:
        return request, "an http action needs a method and a path"
    if not isinstance(request["headers"], dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in request["headers"].items()
    ):
        return request, "headers must map names to strings"
    if not isinstance(request["query"], dict) or not all(
        _query_ok(v) for v in request["query"].values()
    ):
        return request, "query must map names to values or lists of values"
    return request, None


def _duplicate_header(headers: Any) -> str | None:
    """Why a header given in two spellings (`Content-Type`, `content-type`) cannot be
    sent, or None. HTTP names are case-insensitive, so the two are one header: sending
    one would drop a line the reviewer saw, sending both leaves the upstream to pick.
    Refused rather than merged: fail closed, and the caller says which one it means."""
    spelled: dict[str, str] = {}
    for name in headers if isinstance(headers, dict) else ():
        lowered = str(name).lower()
        if lowered in spelled:
            return (
                f"duplicate header {lowered!r} (given as {spelled[lowered]!r} and "
                f"{str(name)!r}): header names are case-insensitive, send it once"
            )
        spelled[lowered] = str(name)
    return None


def _query_ok(value: Any) -> bool:
    if isinstance(value, list):
        return all(isinstance(v, _QueryValue) for v in value)
    return isinstance(value, _QueryValue)


def _query_pairs(query: dict[str, Any]) -> list[tuple[str, _QueryValue | None]]:
    pairs: list[tuple[str, _QueryValue | None]] = []
    for key, value in query.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, json.dumps(item) if isinstance(item, bool) else str(item)))
    return pairs


def _request_line(request: dict[str, Any]) -> str:
    """`METHOD /path?query`: the bytes the gateway appends to `base_url`'s path and
    query, as sent. The query is encoded as it travels: `{"q": "1&role=admin"}` is
    `q=1%26role%3Dadmin`, never the same text as `{"q": "1", "role": "admin"}`."""
    return f"{request.get('method')} {sent_target(request)}"


def sent_target(request: dict[str, Any]) -> str:
    """The path and query the gateway appends to `base_url`'s, as the bytes sent; a
    path it never sends as written, saying so."""
    raw = request.get("path")
    if not isinstance(raw, str) or path_problem(raw) is not None:  # never sent: as written
        return f"{raw} (a path the gateway does not send)"
    try:
        path, query = _sent_parts(request)
    except (TypeError, ValueError, httpx.InvalidURL):  # not sendable either: say so
        return f"{raw} (a URL the gateway cannot encode)"
    return (path + (b"?" + query if query else b"")).decode("ascii")


def _sent_parts(request: dict[str, Any]) -> tuple[bytes, bytes]:
    """The caller's path and query as the bytes that travel: the path percent-encoded as
    httpx encodes it (`/é` is `/%C3%A9`), the query as `urlencode` writes it."""
    given = request.get("query") or {}
    if not isinstance(given, dict):
        raise TypeError("the query is not a mapping")
    path = httpx.URL("http://gateway.invalid" + str(request.get("path"))).raw_path
    query = str(httpx.QueryParams(_query_pairs(given)))
    return path, query.encode("ascii")


def target_url(base_url: str, request: dict[str, Any]) -> httpx.URL:
    """The URL sent: `base_url`'s path then the caller's path, and `base_url`'s query
    then the caller's, in that order. Built as bytes, never by gluing text onto the
    whole URL (a path glued after `?api-version=1` would land inside the query) nor
    by letting httpx merge `params` (which replaces the base's query)."""
    base = httpx.URL(base_url)
    path, query = _sent_parts(request)
    joined = base.raw_path.split(b"?", 1)[0].rstrip(b"/") + path
    queries = [q for q in (base.query, query) if q]
    return base.copy_with(raw_path=joined + (b"?" + b"&".join(queries) if queries else b""))


def base_query_names(base_url: str) -> set[str]:
    """The query names `base_url` sets, as `query_name_key` reads them: a caller may
    not send them again (servers take the first of two values or the last: the
    caller's could win)."""
    return {query_name_key(name) for name, _ in parse_qsl(urlsplit(base_url).query, True)}


_PHP_UNDERSCORES = str.maketrans({".": "_", " ": "_", "[": "_"})


def query_name_key(name: str) -> str:
    """A query name as the most forgiving common server reads it, so two names one of
    them reads alike compare equal: percent-decoded (again, for servers that decode
    twice), spaces around it trimmed, an array suffix dropped (`id[]`, `id[x]` are
    `id` to PHP, Rack and `qs`), `.`, space and an unmatched `[` read as `_` (PHP:
    `tenant.id`, `tenant id` and `tenant[id` are `tenant_id`), and case folded."""
    for _ in range(len(name)):  # each pass shortens the name, or stops
        decoded = unquote(name)
        if decoded == name:
            break
        name = decoded
    name = name.strip()
    opened = name.find("[")
    if opened > 0 and "]" in name[opened:]:
        name = name[:opened]
    return name.translate(_PHP_UNDERSCORES).casefold()


def _encode_body(body: Any) -> tuple[bytes, str | None]:
    if body is None:
        return b"", None
    if isinstance(body, str):
        return body.encode(), "text/plain; charset=utf-8"
    return sent_json(body).encode(), "application/json"


def _add(counts: dict[str, int], more: dict[str, int]) -> None:
    for entity, count in more.items():
        counts[entity] = counts.get(entity, 0) + count
