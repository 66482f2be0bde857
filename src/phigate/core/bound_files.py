"""The files an action binds (an exec command's `-f` manifests), as they may leave.

The gateway reads such a file into the action's body so the approval binds its
content (`phigate.connectors._exec_files`). The caller did not have the file: it is
the gateway's to read, and a view of an action must not be a way to read it. So
everything but a reviewer's view — the requester's view, the audit record — names
each file by size and sha256 instead of its text (the digest still proves which
content was bound and lets anyone holding the file check it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

FILES_KEY = "files"


def digest(text: str) -> dict[str, Any]:
    """`{"bytes", "sha256"}` of a bound file's text (UTF-8, as it is fed to the program)."""
    data = text.encode("utf-8", "surrogatepass")
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def without_contents(body: dict[str, Any]) -> dict[str, Any]:
    """`body` with each bound file's text replaced by its digest; a value that is not
    text (never written by the gateway) is dropped rather than passed on."""
    files = body.get(FILES_KEY)
    if files is None:
        return body
    shown = {}
    for name, text in files.items() if isinstance(files, dict) else ():
        shown[str(name)] = digest(text) if isinstance(text, str) else {"unreadable": True}
    return {**body, FILES_KEY: shown}


def scrubbed_without_contents(body: dict[str, Any], scrub: Callable[[Any], Any]) -> Any:
    """`body` scrubbed of PHI and secrets, bound files by digest. The digests are added
    after scrubbing: a sha256 is no secret, and masked it would bind nothing."""
    files = without_contents(body).get(FILES_KEY)
    scrubbed = scrub({k: v for k, v in body.items() if k != FILES_KEY})
    if files is not None and isinstance(scrubbed, dict):
        scrubbed[FILES_KEY] = files
    return scrubbed
