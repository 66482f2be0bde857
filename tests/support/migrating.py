"""A process that starts as a replica does, at the same moment as its siblings.

Run in processes of the `spawn` kind (tests/test_concurrent_migrations.py): Alembic
keeps its migration context in module globals, so threads could not migrate at once.
"""

from __future__ import annotations

from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from phigate.store import Database


def start_on_each(urls: list[str], barrier: Barrier, results: Queue[tuple[str, str]]) -> None:
    """For each store in turn: wait for every sibling, then migrate on start as a worker
    of `serve --workers N` does; report (url, "" or the error) for each."""
    for url in urls:
        try:
            barrier.wait(timeout=120)
            db = Database(url)
            try:
                db.ensure_current(migrate=True)
            finally:
                db.dispose()
        except Exception as exc:  # reported, not raised: the next store still starts
            results.put((url, f"{type(exc).__name__}: {exc}"))
        else:
            results.put((url, ""))
