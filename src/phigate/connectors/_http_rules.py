"""Classify an HTTP request (method + path) into a risk class.

GET and HEAD are `read`, the other standard methods `write`, anything else
`unknown`. A connection's rules, tried in order, override that: the first rule
whose methods and path pattern match gives the class (`POST /users/*/roles` →
privilege). In a path pattern `*` matches one segment and `**` any number
(`/admin/**` covers `/admin` too).

Rules match the path the way servers read it (`normal_path`): escapes decoded,
`;` matrix parameters dropped from each segment (`/admin;x/stats` is
`/admin/stats` to Tomcat or Spring), `.` and `..` resolved, a trailing slash
dropped, case ignored unless the connection says otherwise. A format
suffix on the last segment (`/admin.json`, `/patients/export.csv`) may be routed as
the path without it (Rails, Spring), and Windows servers (IIS) drop the trailing dots
and spaces of every segment (`/admin./users`, `/admin%20/users` are `/admin/users`),
so every such reading is matched and the most severe class wins. A path that
servers could read in more than one way (an encoded slash, backslash, percent
sign or `;`, an empty segment (`//x/admin` is host `x` to a WHATWG parser), NUL
or other control characters, a `..` above the root, escapes that
are not UTF-8, a query or fragment inside the path, a segment of only dots and
spaces) is `unknown`.
A method override (`_method=DELETE`, Salesforce's `_HttpMethod`, an
`X-HTTP-Method-Override` header or field: `OVERRIDE_NAMES`) is routed as that method
by Rails, Symfony, Laravel, Salesforce, ASP.NET and others, so the request is
classified under each method it may be read as, and the most severe class wins.
A body is read every way a server may parse it, a form in the charset its
content-type names and multipart names as RFC 7578/2231 write them; a body that
cannot be read so with certainty overrides to `UNREADABLE`, a method nobody knows.
The rule model (`HttpRule`) is a settings leaf in `rule_settings`.
"""

from __future__ import annotations

import codecs
import email.errors
import email.header
import email.message
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.parser import HeaderParser
from typing import Any
from urllib.parse import parse_qsl, unquote

from phigate.connectors.rule_settings import HttpRule
from phigate.core.risk import RiskClass

READ_METHODS = frozenset({"GET", "HEAD"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
METHODS = READ_METHODS | WRITE_METHODS | {"OPTIONS"}


@dataclass(frozen=True)
class HttpVerdict:
    risk: RiskClass
    rule: str | None
    reasons: tuple[str, ...]


class UnclearPathError(ValueError):
    """The path could reach the upstream as more than one path; the reason says why."""


# Escapes whose character would change how the path splits or decodes on one server
# and not another: slash, backslash, percent (double decoding), `;`, `?`, `#`.
_STRUCTURAL = frozenset("/\\%;?#")
_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})|%[0-9A-Fa-f]{2}")


def normal_path(path: str) -> str:
    """`path` the way a server reads it: escapes decoded, `;` parameters dropped from
    each segment, `.`/`..` resolved, the trailing slash removed.
    Raises UnclearPathError when servers could read it differently."""
    if not path.startswith("/"):
        raise UnclearPathError("the path must start with /")
    if any(c in path for c in "?#\\") or any(ord(c) < 0x21 or ord(c) == 0x7F for c in path):
        raise UnclearPathError(
            "the path holds ?, #, \\, spaces or control characters (send query separately)"
        )
    raws = path.split("/")[1:]
    # An empty segment is read three ways: dropped (most servers), kept (`//x` is a
    # path to Express), or a host (`//x/admin` is host `x`, path `/admin` to WHATWG
    # parsers: Node's `new URL(req.url, base)`, Deno, browsers). Refused, not guessed.
    if any(not raw.split(";", 1)[0] for raw in raws[:-1]):
        raise UnclearPathError(
            "the path holds an empty segment (// or /;…/), which servers read differently"
        )
    segments: list[str] = []
    for raw in raws:
        segment = _decoded(raw.split(";", 1)[0])  # Tomcat, Jetty, Spring drop ;params
        if segment == "..":
            if not segments:
                raise UnclearPathError("the path's .. segments climb above its root")
            segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
    plain = "/" + "/".join(segments)
    windows_path(plain)  # refuses a segment Windows would read as empty
    return plain


def _decoded(segment: str) -> str:
    def one(escape: re.Match[str]) -> str:
        text = escape.group()
        if len(text) != 3:
            raise UnclearPathError("the path holds a % that starts no escape")
        char = chr(int(text[1:], 16))
        if char in _STRUCTURAL or ord(char) < 0x20 or ord(char) == 0x7F:
            raise UnclearPathError(f"the path holds {text} (an encoded {char!r})")
        return text

    checked = _ESCAPE.sub(one, segment)
    try:
        return unquote(checked, errors="strict")
    except UnicodeDecodeError as exc:
        raise UnclearPathError("the path's escapes are not UTF-8") from exc


def path_problem(path: str) -> str | None:
    """Why `path` is not one plain path on the upstream, or None."""
    try:
        normal_path(path)
    except UnclearPathError as exc:
        return str(exc)
    return None


def classify_request(
    method: str, path: str, rules: Sequence[HttpRule], *, case_sensitive: bool = False
) -> HttpVerdict:
    """The first matching rule's class on the normal path, else the method's default
    class; `unknown` for a path servers could read in more than one way."""
    method = method.upper()
    if method not in METHODS:
        return HttpVerdict(RiskClass.UNKNOWN, None, (f"method {method} is not understood",))
    try:
        plain = normal_path(path)
    except UnclearPathError as exc:
        return HttpVerdict(RiskClass.UNKNOWN, None, (str(exc),))
    # Reviewers see the path as written; say how the upstream will read it.
    read_as: tuple[str, ...] = (f"the upstream reads the path as {plain}",) if plain != path else ()
    verdicts = [_first_match(method, each, rules, case_sensitive) for each in readings(plain)]
    worst = max(verdicts, key=lambda v: v.risk.severity)  # the first of equals: `plain`
    if worst is not verdicts[0]:
        other = readings(plain)[verdicts.index(worst)]
        read_as += (f"{_why_read(plain, other)} read {plain} as {other}",)
    return HttpVerdict(worst.risk, worst.rule, (*worst.reasons, *read_as))


def readings(plain: str) -> list[str]:
    """`plain` and the paths a server may route it to instead: Windows (IIS, and
    anything behind it) drops the trailing dots and spaces of every segment, so
    `/admin./users` and `/admin%20/users` are `/admin/users`; Rails' `(.:format)`
    and Spring's suffix patterns drop a format suffix from the last segment, so
    `/admin.json` and `/patients/export.csv` are `/admin` and `/patients/export`."""
    out = [plain]
    for path in dict.fromkeys([plain, windows_path(plain)]):
        head, _, last = path.rpartition("/")
        stems = [last, last.split(".", 1)[0], last.rsplit(".", 1)[0]]
        out += [f"{head}/{s}" for s in stems if s]
    return list(dict.fromkeys(out))


def windows_path(plain: str) -> str:
    """`plain` as Windows reads it: each segment's trailing dots and spaces dropped.
    A segment that would vanish (`...`, `. .`) leaves the path unclear."""
    segments = [s.rstrip(". ") for s in plain.split("/")[1:]]
    if plain != "/" and not all(segments):
        raise UnclearPathError("a path segment is only dots and spaces (Windows drops them)")
    return "/" + "/".join(segments)


def _why_read(plain: str, other: str) -> str:
    if other == windows_path(plain):
        return "Windows servers, which drop trailing dots and spaces,"
    return "servers that route a format suffix"


def _first_match(
    method: str, path: str, rules: Sequence[HttpRule], case_sensitive: bool
) -> HttpVerdict:
    """The first rule covering `method` on `path`, else the method's default class."""
    for rule in rules:
        if rule.matches(method, path, case_sensitive=case_sensitive):
            why = f"rule {rule.name!r}: {method} {rule.path} → {rule.risk}"
            return HttpVerdict(rule.risk, rule.name, (why,))
    risk = RiskClass.READ if method in READ_METHODS else RiskClass.WRITE
    return HttpVerdict(risk, None, (f"{method} is {risk}",))


# The names servers read as "route this request as that method", wherever they sit
# (a header, the query, a form, multipart or JSON field), compared case-insensitively:
#   _method                 Rails (Rack::MethodOverride), Symfony, Laravel, Express's
#                           method-override (as a body field), Sinatra, CakePHP
#   _httpmethod             Salesforce's REST API (`?_HttpMethod=PATCH`)
#   x-http-method-override  Google APIs, Express, Symfony, ASP.NET MVC (header, form
#                           field and query string: GetHttpMethodOverride)
#   x-http-method           OData and SharePoint, ASP.NET MVC
#   x-method-override       IBM API gateways, Express's method-override examples
OVERRIDE_NAMES = frozenset(
    {"_method", "_httpmethod", "x-http-method-override", "x-http-method", "x-method-override"}
)
OVERRIDE_HEADERS = OVERRIDE_NAMES  # one table for headers and fields alike
# Methods a field can ask for. A field whose name merely contains "method" (`method`,
# `httpMethod`, a FHIR batch entry's `request.method`) holding one of these, other than
# the request's own, may be routed by some framework the gateway does not know.
HTTP_METHODS = METHODS | frozenset(
    {"TRACE", "CONNECT", "MERGE", "PURGE", "COPY", "MOVE", "LOCK", "UNLOCK", "MKCOL"}
    | {"PROPFIND", "PROPPATCH", "SEARCH", "REPORT", "LINK", "UNLINK", "QUERY"}
)
_NAME_ALTERNATIVES = "|".join(re.escape(n) for n in sorted(OVERRIDE_NAMES, key=len, reverse=True))
# An override name used as a name (`_method: DELETE`, `<_method>`), in any syntax.
_NAMED_OVERRIDE = re.compile(rf"(?:{_NAME_ALTERNATIVES})\s*[\"']?\s*[:=>]", re.IGNORECASE)
_MULTIPART_FIELD = re.compile(
    rb'name="?([^"\r\n;]*)"?[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n([^\r\n]*)', re.IGNORECASE
)


UNREADABLE = "(UNREADABLE _METHOD)"


def sent_json(body: Any) -> str:
    """The text the gateway sends for a body given as JSON (`"body": {…}`)."""
    return json.dumps(body, separators=(",", ":"))


def method_overrides(request: dict[str, Any]) -> list[str]:
    """The methods a server may route this request as besides its own: an override
    name (`OVERRIDE_NAMES`) in a header, the query, or a form, multipart or JSON body,
    and any field whose name contains "method" holding another HTTP method. A body
    the gateway cannot read with certainty as the upstream will asks for
    `UNREADABLE`, a method nobody knows: never a read."""
    own = str(request.get("method") or "").strip().upper()
    headers = request.get("headers") or {}
    pairs = [(str(k), str(v)) for k, v in headers.items()]
    for name, value in (request.get("query") or {}).items():
        pairs += [(str(name), str(v)) for v in (value if isinstance(value, list) else [value])]
    content_type = next((str(v) for k, v in headers.items() if k.lower() == "content-type"), None)
    body = request.get("body")
    text: str | None = body if isinstance(body, str) else None
    if body is not None and text is None:  # the gateway sends it as JSON: read that JSON
        pairs += _json_pairs(sent_json(body))
        if content_type is not None and not _is_utf8_json(content_type):
            text = sent_json(body)  # and as what the caller's content-type calls it
    readable = True
    if text is not None:
        read, readable = _text_body_pairs(text, content_type or "text/plain; charset=utf-8")
        pairs += read
    found = [v.strip().upper() for k, v in pairs if _is_override(k) or _asks_other(k, v, own)]
    if text is not None and not found and _NAMED_OVERRIDE.search(unquote(text)):
        readable = False
    return list(dict.fromkeys(found + ([] if readable else [UNREADABLE])))


def _is_utf8_json(content_type: str) -> bool:
    """Whether a server reads a body of this type as the UTF-8 JSON the gateway sends."""
    message = email.message.Message()
    message["content-type"] = content_type
    media = message.get_content_type()
    charset = message.get_content_charset()
    json_type = media == "application/json" or media.endswith("+json")
    return json_type and charset in (None, "utf-8", "utf8")


def _asks_other(name: str, value: str, own: str) -> bool:
    """Fail closed: `name` mentions a method and `value` is a method not the request's."""
    method = value.strip().upper()
    return "method" in name.lower() and method in HTTP_METHODS and method != own


def _text_body_pairs(body: str, content_type: str) -> tuple[list[tuple[str, str]], bool]:
    """The fields of a body sent as text, read every way a server may parse it: as a
    form, as multipart, and as JSON (Laravel reads its input from a JSON body whatever
    the caller calls it); and whether every reading is certain. A body that uses an
    override name as a name in a way none of these read is taken to override to a
    method nobody knows, so it is never a read."""
    pairs, readable = _form_pairs(body, content_type)
    pairs += [
        (name.decode("utf-8", "replace"), value.decode("utf-8", "replace"))
        for name, value in _MULTIPART_FIELD.findall(body.encode())
    ]
    parts, parts_readable = _multipart_pairs(body)
    pairs += parts + _json_pairs(body)
    # HTML's `_charset_` field names the charset the other fields are written in.
    named_charset = any(name.strip().lower() == "_charset_" for name, _ in pairs)
    return pairs, readable and parts_readable and not named_charset


# The text of every field name and separator a form is made of: a charset that does
# not write these as ASCII (UTF-16, UTF-7, EBCDIC's ibm037) makes the gateway's
# UTF-8 body another text to a server that decodes the whole body first.
_FORM_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))


def _form_pairs(body: str, content_type: str) -> tuple[list[tuple[str, str]], bool]:
    """The body as a form, its escapes decoded in the charset the content-type names
    (Tomcat, Jetty, ASP.NET and Django do; UTF-8 when none is named), and whether that
    reading is certain: not when Python does not know the charset as a text encoding,
    the escapes do not decode in it, the charset does not write ASCII as ASCII (split
    then decode, or decode then split: two readings), or two charsets are named
    (servers take the first or the last)."""
    message = email.message.Message()
    message["content-type"] = content_type
    charset = message.get_content_charset() or "utf-8"
    named = {str(v).lower() for k, v in message.get_params(failobj=[]) if k == "charset"}
    if len(named) > 1:
        return parse_qsl(body, keep_blank_values=True), False
    try:
        codec = codecs.lookup(charset).name
        ascii_safe = _FORM_ASCII.encode(codec) == _FORM_ASCII.encode("ascii")
    except (LookupError, UnicodeError):
        return parse_qsl(body, keep_blank_values=True), False
    if codec == "utf-8":  # as before: escapes that are no UTF-8 read as U+FFFD
        pairs = parse_qsl(body, keep_blank_values=True)
    else:
        try:
            pairs = parse_qsl(body, keep_blank_values=True, encoding=codec, errors="strict")
        except UnicodeDecodeError:
            return parse_qsl(body, keep_blank_values=True), False
    return pairs, ascii_safe


_DISPOSITION = re.compile(r"^[ \t]*content-disposition[ \t]*:", re.IGNORECASE | re.MULTILINE)
_BLANK_LINE = re.compile(r"\r?\n[ \t]*\r?\n")
_PART_END = re.compile(r"\r?\n--|\Z")
# A `name` parameter in any spelling (`name=`, `name =`, `name*=`, `name*0*=`), not `filename`.
_NAME_PARAM = re.compile(r"(?<![\w-])name[\s*0-9]*=", re.IGNORECASE)


def _multipart_pairs(body: str) -> tuple[list[tuple[str, str]], bool]:
    """Every part's `name` and value, its Content-Disposition parameters read as RFC
    7578 and 2231 define them (`name*=UTF-8''_method`, `name*0=…; name*1=…`, spaces
    around `=`), as Go's `mime.ParseMediaType`, Werkzeug and Python's `email` read
    them; and whether each name was read with certainty (a charset Python does not
    know, bytes that do not decode, a `name` parameter the parser does not see)."""
    pairs: list[tuple[str, str]] = []
    readable = True
    for header in _DISPOSITION.finditer(body):
        end = _BLANK_LINE.search(body, header.end())
        fields = body[header.end() : end.start() if end else len(body)]
        value = ""
        if end is not None:
            stop = _PART_END.search(body, end.end())
            value = body[end.end() : stop.start() if stop else len(body)]
        names = _disposition_names(fields)
        if names is None or (not names and _NAME_PARAM.search(fields)):
            readable = False
        pairs += [(name, value) for name in names or []]
    return pairs, readable


# `form-data; name="x"` (and a plain filename) alone on its line: every parser reads
# this `x` the same, so the full parser (about ten times slower) is spared it.
_PLAIN_DISPOSITION = re.compile(
    r'[ \t]*form-data[ \t]*;[ \t]*name="([^"\\\r\n=%]*)"[ \t]*'
    r'(?:;[ \t]*filename="[^"\\\r\n]*"[ \t]*)?'
)


def _disposition_names(fields: str) -> list[str] | None:
    """The `name` parameters of a Content-Disposition value (and the header lines
    after it), RFC 2231 values decoded; None when one cannot be decoded for certain."""
    plain = _PLAIN_DISPOSITION.fullmatch(fields)
    if plain is not None:
        return [plain.group(1)]
    message = HeaderParser(policy=policy.compat32).parsestr(f"Content-Disposition:{fields}\r\n\r\n")
    names: list[str] = []
    for key, value in message.get_params(header="content-disposition", failobj=[]):
        if key.strip().lower() != "name":
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded text)
            charset, _, text = value
            try:
                raw = bytes(text, "raw-unicode-escape")
                names.append(raw.decode(charset or "us-ascii"))  # LookupError: no text codec
            except (LookupError, UnicodeError):
                return None
        else:
            names.append(value)
            if "%" in value:  # HTML writes `"` and line breaks in a name as %22, %0D%0A
                names.append(unquote(value))
            if "=?" in value:  # RFC 2047 words, which mail-minded parsers decode
                try:
                    names.append(_encoded_words(value))
                except (LookupError, UnicodeError, email.errors.HeaderParseError):
                    return None
    return names


def _encoded_words(value: str) -> str:
    """`value` with its RFC 2047 encoded words decoded (`=?UTF-8?Q?=5Fmethod?=` is
    `_method`); LookupError or UnicodeError when one cannot be."""
    text = []
    for chunk, charset in email.header.decode_header(value):
        if isinstance(chunk, str):
            text.append(chunk)
        else:  # plain runs come back as raw-unicode-escape bytes, with no charset
            text.append(chunk.decode(charset or "raw-unicode-escape"))
    return "".join(text)


def _json_pairs(body: str) -> list[tuple[str, str]]:
    """Every key of a JSON body at any depth, in objects and arrays alike, duplicates
    included (parsers differ on which of two equal keys wins). Servers read the top
    level only; a nested one is read too, which costs at most an approval."""
    pairs: list[tuple[str, Any]] = []

    def collect(items: list[tuple[str, Any]]) -> dict[str, Any]:
        pairs.extend(items)
        return {}

    try:
        json.loads(body.lstrip("\ufeff"), object_pairs_hook=collect)
    except ValueError:
        return []
    return [(k, v if isinstance(v, str) else json.dumps(v)) for k, v in pairs]


def _is_override(name: object) -> bool:
    return str(name).strip().lower() in OVERRIDE_NAMES
