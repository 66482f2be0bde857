"""The loop `phigate serve` (and the demo) serve on, and the wire's tests run on."""

from __future__ import annotations

import asyncio
import sys

import pytest

from phigate.core import event_loop


async def _loop_module() -> str:
    await asyncio.sleep(0)
    return type(asyncio.get_running_loop()).__module__


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop has no Windows build")
def test_serving_runs_on_uvloop() -> None:
    assert event_loop.run(_loop_module()).startswith("uvloop")


def test_run_returns_and_raises_as_asyncio_run() -> None:
    async def fails() -> None:
        raise LookupError("from the coroutine")

    assert event_loop.run(asyncio.sleep(0, "done")) == "done"
    with pytest.raises(LookupError, match="from the coroutine"):
        event_loop.run(fails())
