"""The working-directory files a command reads, bound to the action a reviewer approved.

`kubectl apply -f deploy.yaml` is classified by the kinds in `deploy.yaml`. If
kubectl read the file again when the approved command runs, whoever can write the
working directory could swap a Deployment for a ClusterRoleBinding between the
vote and the run. So the gateway reads each such file once, when the action is
made, into the action's body (`files`: name → text), where the fingerprint, the
approval, the reviewer's view and the audit record all cover it; at run time the
program gets that snapshot through an anonymous in-memory file (`/dev/fd/N`
in the flag's place) and never opens the name in the working directory. There
is no check-then-use window to race: the path on disk is not read at run time.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence

from phigate.connectors._argv_parse import ParsedFlag
from phigate.core.errors import NotAllowedError

FILES_KEY = "files"


def snapshot(flags: Sequence[ParsedFlag], read: Callable[[str], str | None]) -> dict[str, str]:
    """name → text of every file the flags name that the gateway can read.

    A file it cannot read is left out: the command is then `unknown` when
    described, and refused if it ever reaches `fed`.
    """
    out: dict[str, str] = {}
    for flag in flags:
        name = flag.value or ""
        text = read(name) if name not in out else out[name]
        if text is not None:
            out[name] = text
    return out


@contextlib.contextmanager
def fed(
    argv: Sequence[str], flags: Sequence[ParsedFlag], files: Mapping[str, str]
) -> Iterator[tuple[list[str], tuple[int, ...]]]:
    """(argv reading the snapshots, the descriptors to pass); closed on exit.

    Refuses a flag whose file has no snapshot: what would run is not what was
    described and approved.
    """
    missing = sorted({f.value or "" for f in flags} - set(files))
    if missing:
        raise NotAllowedError(
            f"the file {missing[0]!r} was not read when this action was made; "
            "submit the command again so the gateway can bind its content"
        )
    descriptors: dict[str, int] = {}
    try:
        for name in sorted({f.value or "" for f in flags}):
            descriptors[name] = _in_memory(files[name])
        yield _rewritten(argv, flags, descriptors), tuple(descriptors.values())
    finally:
        for fd in descriptors.values():
            os.close(fd)


def _in_memory(text: str) -> int:
    """A descriptor of an unnamed file holding `text`, at offset 0."""
    create = getattr(os, "memfd_create", None)
    if create is not None:
        fd: int = create("phigate-manifest", 0)  # no MFD_CLOEXEC: the child inherits it
    else:  # pragma: no cover - platforms without memfd
        with tempfile.TemporaryFile() as temp:
            fd = os.dup(temp.fileno())
    data = memoryview(text.encode())
    while data:
        data = data[os.write(fd, data) :]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _rewritten(
    argv: Sequence[str], flags: Sequence[ParsedFlag], descriptors: Mapping[str, int]
) -> list[str]:
    out = list(argv)
    for flag in flags:
        value = flag.value or ""
        path = f"/dev/fd/{descriptors[value]}"
        if flag.separate:
            out[flag.index + 1] = path
        else:  # attached: `-fNAME`, `-f=NAME`, `--filename=NAME` all end with the value
            out[flag.index] = out[flag.index][: len(out[flag.index]) - len(value)] + path
    return out
