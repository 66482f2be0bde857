"""Files only the gateway's own user may read: 0600 files in 0700 directories.

The state store holds raw action bodies (the exact statements, before scrubbing),
console CSRF tokens and PKCE verifiers; the demo's secrets directory holds keys and
tokens. Created with these modes from the start (never widened and tightened later)
so no other user on the host can open them in between.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)
FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> None:
    """Create `path` and any missing parents 0700; directories that exist are the
    operator's choice (a shared /var/lib, say) and are left as they are."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    for created in missing:
        created.chmod(DIR_MODE)  # mkdir's mode passes through the umask; parents get none


def private_file(path: Path) -> None:
    """Make sure `path` exists and is 0600 (an older, wider file is tightened)."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    tighten(path)


def write_private(path: Path, text: str) -> None:
    """Write `text` to a new or existing 0600 file."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    tighten(path)


def tighten(path: Path) -> None:
    if not path.exists() or path.stat().st_mode & 0o077 == 0:
        return
    try:
        path.chmod(FILE_MODE)
    except PermissionError:  # not ours: say so rather than refuse to start
        log.warning("%s is readable by other users and not ours to tighten", path)
