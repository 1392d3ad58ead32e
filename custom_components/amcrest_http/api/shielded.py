"""Work that must finish even when its caller is cancelled (closing a device's search
cursor, say): :func:`run_shielded`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

_LOGGER = logging.getLogger(__name__)

_PENDING: set[asyncio.Future[Any]] = set()


async def run_shielded[T](coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion even when the awaiting task is cancelled meanwhile.

    The caller still sees its cancellation at once; the work carries on in the background
    (referenced until done, its outcome retrieved so nothing is reported as lost).
    """
    task = asyncio.ensure_future(coro)
    _PENDING.add(task)
    task.add_done_callback(_forget)
    return await asyncio.shield(task)


def _forget(task: asyncio.Future[Any]) -> None:
    _PENDING.discard(task)
    if not task.cancelled() and (error := task.exception()) is not None:
        _LOGGER.debug("background cleanup ended with %r", error)
