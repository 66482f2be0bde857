"""Child: a started program's output, and its reader's cancellation.

A streamed run whose caller goes away is cancelled (`Execution.stream`); the
cancellation must reach the run even when output arrives in the same loop turn,
or the program runs on, unread, until its timeout, and the action stays
`executing` (the race `asyncio.wait_for` has on Python 3.11: a cancellation that
meets a completed inner wait is swallowed and the result returned).
"""

from __future__ import annotations

import asyncio
import sys

import pytest

from phigate.connectors._exec_child import STDOUT, Child


async def _sleeper() -> Child:
    return await Child.start(
        [sys.executable, "-c", "import time; time.sleep(30)"],
        stdin=None,
        env={},
        cwd="/",
        cap=1 << 16,
        time_limit=30,
        name="sleeper",
    )


async def test_a_cancelled_reader_stays_cancelled_when_output_arrives_in_the_same_turn() -> None:
    child = await _sleeper()
    try:
        reader = asyncio.create_task(anext(aiter(child.lines())))
        await asyncio.sleep(0.05)  # the reader waits on the queue
        # Output and the cancellation in one loop turn: the caller went away as a line came.
        child._queue.put_nowait((STDOUT, b"working\n"))
        reader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reader
    finally:
        child.close()
        await child.proc.wait()  # reaped here, not warned about in a later test
