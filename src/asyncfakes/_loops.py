"""The only module that looks at the running event loop: detection, sleeping, waiting, timeouts.

It works under asyncio (uvloop included) and trio, importing neither at import time: the running
library is found from ``sys.modules`` and imported lazily, the first time a delay, hang, gate or
wait needs it.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable
from typing import Any

__all__ = ["Event", "current_async_library", "is_cancellation", "others_may_run", "sleep", "within"]


def current_async_library() -> str:
    """Return ``"trio"`` inside a trio run, else ``"asyncio"``; imports neither to find out."""
    asyncio = sys.modules.get("asyncio")
    if asyncio is not None and asyncio._get_running_loop() is not None:
        return "asyncio"  # the common case, answered without trio's raise-and-catch probe
    trio = sys.modules.get("trio")
    if trio is not None:
        try:
            trio.lowlevel.current_task()
        except RuntimeError:
            pass
        else:
            return "trio"
    return "asyncio"


def others_may_run() -> bool:
    """Whether yielding to the event loop now could let another task (or an expired timer) run.

    ``False`` only when asyncio's own loop says so for sure: no callback is ready and no timer
    is due. Then a yield would come straight back, so a fake call may skip it. Loops that do not
    tell get ``True``: uvloop, and trio (whose current batch of runnable tasks is not visible).
    """
    try:
        loop = _running_loop[0]()  # asyncio's _get_running_loop, kept once asyncio is imported
    except IndexError:
        asyncio = sys.modules.get("asyncio")
        if asyncio is None:
            return True  # no asyncio loop can be running
        _running_loop.append(asyncio._get_running_loop)
        loop = asyncio._get_running_loop()
    if loop is None:
        return True  # no asyncio loop is running: trio
    try:
        ready = loop._ready
    except AttributeError:  # a loop that does not show its queue (uvloop)
        return True
    if ready:
        return True
    scheduled = loop._scheduled
    if not scheduled:
        return False
    due: bool = scheduled[0]._when <= loop.time() + loop._clock_resolution
    return due


_running_loop: list[Any] = []


def is_cancellation(error: BaseException) -> bool:
    """Return whether ``error`` is asyncio's or trio's cancellation, without importing either."""
    return not isinstance(error, Exception) and type(error).__name__ in (
        "CancelledError",
        "Cancelled",
    )


async def sleep(seconds: float) -> None:
    """Sleep on whichever async library is running."""
    if current_async_library() == "trio":
        import trio

        await trio.sleep(seconds)
    else:
        import asyncio

        await asyncio.sleep(seconds)


async def within(seconds: float, awaitable: Awaitable[Any]) -> Any:
    """Await ``awaitable``, giving up after ``seconds`` with the running library's timeout error.

    On asyncio that is ``asyncio.TimeoutError`` (what ``asyncio.wait_for`` raises, and so what
    drivers built on it raise); on trio, ``trio.TooSlowError``.
    """
    if current_async_library() == "trio":
        import trio

        with trio.fail_after(seconds):
            return await awaitable
    import asyncio

    return await asyncio.wait_for(awaitable, seconds)


class Event:
    """An event that works under asyncio and trio: for flavours that make callers wait (pools).

    The running library's own event is made at the first wait, so creating one touches no
    event loop. ``wait(timeout)`` returns ``False`` if the timeout passed first.
    """

    __slots__ = ("_event", "_is_set")

    def __init__(self) -> None:
        self._is_set = False
        self._event: Any = None

    def set(self) -> None:
        """Wake every waiter, now and later."""
        self._is_set = True
        if self._event is not None:
            self._event.set()

    def is_set(self) -> bool:
        """Whether ``set()`` was called."""
        return self._is_set

    async def wait(self, timeout: float | None = None) -> bool:
        """Wait until set (``True``), or until ``timeout`` seconds pass (``False``)."""
        if self._is_set:
            return True
        trio_running = current_async_library() == "trio"
        if self._event is None:
            if trio_running:
                import trio

                self._event = trio.Event()
            else:
                import asyncio

                self._event = asyncio.Event()
        if timeout is None:
            await self._event.wait()
        elif trio_running:
            import trio

            with trio.move_on_after(timeout):
                await self._event.wait()
        else:
            import asyncio

            # asyncio.wait, not wait_for: before Python 3.12 wait_for loses a cancellation that
            # arrives as the event is set, and a cancelled waiter must raise.
            waiting = asyncio.ensure_future(self._event.wait())
            try:
                await asyncio.wait((waiting,), timeout=timeout)
            finally:
                waiting.cancel()
        return self._is_set
