"""What will be sent upstream, drawn from the action body the way the connector sends it.

The request line carries the query string as encoded on the wire (`a=1%26b%3D2`,
not `a=1&b=2`), with the headers and body; a command shows each argument quoted as
a shell would need it, then its stdin. Values are scrubbed before they get here.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

# The connector's own encoders, so the reviewer's view cannot drift from the bytes.
from phigate.connectors.http import _duplicate_header, _encode_body, sent_target
from phigate.reviewing._reveal import Shown, reveal


def exec_sent(body: dict[str, Any]) -> Shown:
    argv = body.get("argv")
    args = [str(a) for a in argv] if isinstance(argv, list) else [json.dumps(argv)]
    shown = reveal(" ".join(shlex.quote(a) for a in args))
    stdin = body.get("stdin")
    if isinstance(stdin, str) and stdin:
        shown.add("\n--- stdin ---\n")
        shown.extend(reveal(stdin, keep_breaks=True))
    files = body.get("files")
    for name, text in sorted(files.items()) if isinstance(files, dict) else ():
        # The content bound to the approval: what the program reads in the file's place.
        shown.add("\n--- file ")
        shown.extend(reveal(str(name)))
        if not isinstance(text, str):  # by digest: the text is shown to reviewers only
            shown.add(f" ({_digest_text(text)}; its text is shown to reviewers only) ---")
            continue
        shown.add(" (as read when the request was made; this is what runs) ---\n")
        shown.extend(reveal(str(text), keep_breaks=True))
    return shown


def _digest_text(digest: object) -> str:
    if isinstance(digest, dict) and "sha256" in digest:
        return f"{digest.get('bytes')} bytes, sha256 {digest['sha256']}"
    return "unreadable"


def http_sent(body: dict[str, Any]) -> Shown:
    """Request line as sent (after base_url's path and query), the caller's headers, then
    the body."""
    request = {"path": body.get("path"), "query": _mapping(body.get("query"))}
    shown = reveal(f"{str(body.get('method', '')).upper()} {sent_target(request)}")
    content, content_type = _encode_body(body.get("body"))
    headers = _mapping(body.get("headers"))
    lines = [f"{k.lower()}: {v}" for k, v in headers.items()]
    if content and content_type and "content-type" not in {k.lower() for k in headers}:
        lines.append(f"content-type: {content_type}")
    for line in lines:
        shown.add("\n")
        shown.extend(reveal(line))
    twice = _duplicate_header(headers)
    if twice is not None:  # an action from before such requests were refused at admission
        shown.add("\n(refused, never sent: ")
        shown.extend(reveal(twice))
        shown.add(")")
    shown.add(
        "\n(+ the connection's credential, added by the gateway; the path and query above"
        " follow base_url's own)"
    )
    if content:
        shown.add("\n\n")
        shown.extend(reveal(content.decode("utf-8", "replace"), keep_breaks=True))
    return shown


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
