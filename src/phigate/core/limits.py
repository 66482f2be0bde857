"""How much one request may make the gateway hold or compute (the `limits:` section).

One request must not starve the others: values and results are counted in bytes
as they arrive and refused past their caps (`ResultBudget`), and masking work
large enough to be felt runs on a small pool of its own (`off_loop`), so the
event loop keeps answering and masking cannot crowd out the threads that
authentication and the audit log use. This module must not import
phigate.config (config imports it).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from phigate.core.errors import ResultTooLargeError

MIB = 1024 * 1024
# The most one inflater hands out in one step (zlib `max_length`): HTTP content-codings
# and compressed text inside an answer are both undone this many bytes at a time.
INFLATE_PIECE = 64 * 1024

P = ParamSpec("P")
T = TypeVar("T")


class LimitsSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    max_value_bytes: int = Field(
        default=8 * MIB, ge=1024, description="one value of a result, as the upstream sent it"
    )
    max_result_bytes: int = Field(
        default=64 * MIB, ge=1024, description="all values of one statement's result together"
    )
    max_body_bytes: int = Field(
        default=16 * MIB, ge=1024, description="one HTTP request body, checked before it is read"
    )
    masking_threads: int = Field(
        default=2, ge=1, le=64, description="threads that mask large results off the event loop"
    )
    inline_mask_bytes: int = Field(
        default=4096,
        ge=0,
        description="masking work smaller than this stays on the event loop (a thread hop "
        "costs ~30 µs; masking 4 kB of PHI-dense rows ~9 ms)",
    )


class ResultBudget:
    """Counts one result's bytes; raises `ResultTooLargeError` past a cap."""

    def __init__(self, limits: LimitsSettings) -> None:
        self.limits = limits
        self.used = 0

    def value(self, size: int) -> None:
        if size > self.limits.max_value_bytes:
            raise ResultTooLargeError(
                f"a value of {size} bytes is over limits.max_value_bytes "
                f"({self.limits.max_value_bytes}); select less of it (substr, length)"
            )

    def add(self, size: int) -> None:
        self.used += size
        if self.used > self.limits.max_result_bytes:
            raise ResultTooLargeError(
                f"the result is over limits.max_result_bytes ({self.limits.max_result_bytes}); "
                "select fewer rows or columns"
            )


_pools: dict[int, ThreadPoolExecutor] = {}


def _pool(threads: int) -> ThreadPoolExecutor:
    # One pool per size for the process (settings are frozen); never the default
    # executor, which authentication and the audit log's writes wait on.
    pool = _pools.get(threads)
    if pool is None:
        pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="phigate-mask")
        _pools[threads] = pool
    return pool


async def off_loop(
    limits: LimitsSettings, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`fn(*args)` on the masking pool; the event loop serves others meanwhile."""
    loop = asyncio.get_running_loop()
    call = functools.partial(fn, *args, **kwargs)
    return await loop.run_in_executor(_pool(limits.masking_threads), call)
