"""The scripted answers: one-shot and sticky queues, timing (delays, hangs, gates), validation.

Waiting goes through ``_loops``, so nothing here touches an event loop at import time or on the
plain path (a value or an error with no timing).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, Final, Protocol, cast

from ._copies import copier, flat_rows, snapshot
from ._errors import shorten, type_error
from ._loops import Event, sleep

if TYPE_CHECKING:
    from ._calls import Call
    from ._copies import Copier

__all__ = ["Answer", "AnswerFunction", "AnswerQueue", "Gate"]

VALUE: Final = 0
RAISE: Final = 1
CALL: Final = 2
HANG: Final = 3
GATE: Final = 4


class AnswerFunction(Protocol):
    """What ``answers(fn)`` accepts: a sync or async callable that receives the :class:`Call`."""

    def __call__(self, call: Call, /) -> Any: ...


class _Nothing:
    def __repr__(self) -> str:
        return "<no value>"


_NOTHING: Final[Any] = _Nothing()


class Gate:
    """Holds one call until the test releases it: await ``started()``, then ``release(...)``.

    A gate lets a test drive "the query is in flight" without sleeping: wait for the call to
    reach the gate, then cancel the caller, or let the call finish with a value or an error::

        gate = conn.fetch.gate()
        task = asyncio.create_task(dao.load(conn))
        call = await gate.started()          # the call is now in flight
        gate.release([{"id": 1}])            # or gate.release(error=TimeoutError())

    Each gate holds one call (it is a one-shot answer). It may be released before the call
    arrives; the call then finishes as soon as it reaches the gate.
    """

    __slots__ = ("_call", "_error", "_released", "_started", "_value")

    def __init__(self) -> None:
        self._started = Event()
        self._released = Event()
        self._call: Call | None = None
        self._value: Any = None
        self._error: BaseException | type[BaseException] | None = None

    @property
    def call(self) -> Call | None:
        """The call held at this gate, once it has started."""
        return self._call

    @property
    def is_started(self) -> bool:
        """Whether a call has reached the gate."""
        return self._started.is_set()

    @property
    def is_released(self) -> bool:
        """Whether ``release()`` was called."""
        return self._released.is_set()

    async def started(self) -> Call:
        """Wait until a call reaches the gate, and return it.

        This waits forever if no call ever comes; put a timeout around it in tests whose code
        might not make the call (``anyio.fail_after(1)``, ``asyncio.timeout(1)``).
        """
        await self._started.wait()
        assert self._call is not None
        return self._call

    def release(
        self, value: Any = _NOTHING, *, error: BaseException | type[BaseException] | None = None
    ) -> None:
        """Let the held call finish with ``value`` (shaped like any answer) or raise ``error``.

        With neither, the call answers ``None`` (shaped like any answer).
        """
        if self._released.is_set():
            msg = "Gate.release(): this gate was already released; each gate holds one call."
            raise RuntimeError(msg)
        call = self._call
        if call is not None and call.outcome == "cancelled":
            msg = (
                f"Gate.release(): the call held at this gate ({call.describe(outcome=False)}) was "
                "cancelled, so nothing receives this answer. Assert on the cancellation instead "
                "(its outcome is 'cancelled')."
            )
            raise RuntimeError(msg)
        if error is not None:
            if value is not _NOTHING:
                msg = (
                    "Gate.release() takes a value or error=..., not both: the held call either "
                    "returns or raises."
                )
                raise TypeError(msg)
            check_exception(error, "Gate.release(error=...)")
        elif _is_exception(value):
            msg = (
                f"Gate.release() got the exception {value!r} as the value to return. "
                "To make the held call raise it, use release(error=...)."
            )
            raise TypeError(msg)
        self._value = None if value is _NOTHING else snapshot(value)
        self._error = error
        self._released.set()

    async def _hold(self, call: Call) -> Any:
        self._call = call
        self._started.set()
        await self._released.wait()
        if self._error is not None:
            raise fresh_exception(self._error)
        return self._value

    def __repr__(self) -> str:
        call = self._call
        if call is not None and call.outcome == "cancelled":
            state = "cancelled"
        elif self._released.is_set():
            state = "released"
        else:
            state = "started" if call is not None else "waiting"
        return f"<Gate {state}>" if call is None else f"<Gate {state}: {call.describe(outcome=False)}>"


def _is_exception(value: object) -> bool:
    return isinstance(value, BaseException) or (isinstance(value, type) and issubclass(value, BaseException))


def check_exception(error: object, where: str) -> None:
    """Raise ``TypeError`` now unless ``error`` is an exception instance or class."""
    if isinstance(error, BaseException):
        return
    if isinstance(error, type) and issubclass(error, BaseException):
        try:
            error()
        except Exception as exc:
            msg = (
                f"{where} got the class {error.__name__}, which cannot be created without "
                f"arguments ({exc}). Pass an instance instead, e.g. {error.__name__}(...)."
            )
            raise TypeError(msg) from None
        return
    raise type_error(where, error, "an exception instance or class", "To return a value, use returns().")


def fresh_exception(error: BaseException | type[BaseException]) -> BaseException:
    """Return the exception to raise: a new instance for a class, the instance with no old traceback."""
    if isinstance(error, type):
        return error()
    return error.with_traceback(None)


class Answer:
    """One scripted answer: a value, an error, a callable, a hang or a gate, with an optional delay.

    A value is kept as a copy, and each call gets a copy of it (``copy``, compiled once for its
    shape; ``None`` when it holds no mutable container), so the code under test can mutate what
    it receives without changing later answers or the test's own data.
    """

    __slots__ = ("copy", "delay", "flat_rows", "kind", "payload")

    def __init__(self, kind: int, payload: Any, delay: float = 0.0) -> None:
        self.kind: int = kind
        self.copy: Copier | None = copier(payload) if kind == VALUE else None
        self.payload: Any = payload if self.copy is None else self.copy(payload)
        self.delay: float = delay
        self.flat_rows: bool = kind == VALUE and flat_rows(payload)
        """A list of dicts holding no container: a ``rebuilds_rows`` shape reads it uncopied."""

    def value(self) -> Any:
        """A fresh copy of the scripted value (the value itself when nothing in it is mutable)."""
        copy = self.copy
        return self.payload if copy is None else copy(self.payload)

    @property
    def is_plain(self) -> bool:
        """Whether the answer needs no await: a value, no delay."""
        return self.kind == VALUE and not self.delay

    async def produce(self, call: Call) -> Any:
        """Produce the raw answer for ``call``, sleeping, hanging or waiting at a gate if scripted."""
        if self.delay:
            await sleep(self.delay)
        kind = self.kind
        if kind == VALUE:
            return self.value()
        if kind == RAISE:
            raise fresh_exception(self.payload)
        if kind == CALL:
            result: object = self.payload(call)
            if isinstance(result, Awaitable):  # the user's callable may be a coroutine function
                result = await cast("Awaitable[object]", result)
            return snapshot(result)
        if kind == HANG:
            while True:  # only cancellation ends a hang: nothing ever sets this event
                await Event().wait()
        return await self.payload._hold(call)

    def describe(self) -> str:
        """Describe the answer for failure messages."""
        kind = self.kind
        if kind == VALUE:
            what = f"returns {shorten(self.payload, 60)}"
        elif kind == RAISE:
            what = f"raises {shorten(self.payload, 60)}"
        elif kind == CALL:
            what = f"answers with {getattr(self.payload, '__name__', repr(self.payload))}"
        else:
            what = "hangs" if kind == HANG else "waits at a gate"
        return f"{what} after {self.delay}s" if self.delay else what


class AnswerQueue:
    """One-shot answers (FIFO), then the sticky answer; ``None`` when neither is scripted."""

    __slots__ = ("_queue", "scripted", "sticky")

    def __init__(self) -> None:
        self._queue: deque[Answer] = deque()
        self.sticky: Answer | None = None
        self.scripted: bool = False

    def push(self, answer: Answer) -> None:
        """Queue a one-shot answer."""
        self._queue.append(answer)
        self.scripted = True

    def set_sticky(self, answer: Answer | None) -> None:
        """Set (or clear, with ``None``) the answer used once the queue is empty."""
        self.sticky = answer
        self.scripted = True

    def take(self) -> Answer | None:
        """Take the next answer: a queued one-shot, else the sticky one, else ``None``."""
        if self._queue:
            return self._queue.popleft()
        return self.sticky

    @property
    def exhausted(self) -> bool:
        """Whether one-shots were scripted, all are used, and there is no sticky answer."""
        return self.scripted and not self._queue and self.sticky is None

    @property
    def pending(self) -> tuple[Answer, ...]:
        """The one-shot answers nobody has used yet."""
        return tuple(self._queue)

    def clear(self) -> None:
        """Forget every scripted answer."""
        self._queue.clear()
        self.sticky = None
        self.scripted = False


def make_answer(kind: int, payload: Any, delay: float = 0.0, where: str = "") -> Answer:
    """Validate ``payload`` for ``kind`` (and the delay) at once and return the Answer."""
    if delay != delay:  # NaN slips past delays()'s ``< 0`` check; trio would refuse it only at call time
        msg = f"{where}: the delay is NaN; delays() takes a number of seconds >= 0."
        raise ValueError(msg)
    if kind == VALUE and _is_exception(payload):
        verb = where.rsplit(".", 1)[-1].replace("returns", "raises")
        msg = (
            f"{where} got the exception {shorten(payload, 80)} as the value to return. "
            f"To make the call raise it, use {verb.replace('()', '(...)')}."
        )
        raise TypeError(msg)
    if kind == RAISE:
        check_exception(payload, where)
    elif kind == CALL:
        check_answer_function(payload, where)
    return Answer(kind, payload, delay)


def check_answer_function(function: object, where: str) -> None:
    """Raise ``TypeError`` now unless ``function`` can be called with the one ``Call`` argument.

    Callables whose signature cannot be read (some builtins) are accepted as they are.
    """
    if not callable(function):
        raise type_error(where, function, "a callable that receives the Call (sync or async)")
    import inspect

    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(None)
    except TypeError as error:
        name = getattr(function, "__name__", repr(function))
        msg = (
            f"{where}: {name}{signature} cannot be called with the recorded Call ({error}); "
            "answers() calls fn(call) with one argument. Write it as fn(call) and read what you "
            "need from it: call.sql, call.params, call.args, call.kwargs (e.g. lambda call: "
            "[{'id': call.params[0]}]); to return a fixed value, use returns()."
        )
        raise TypeError(msg) from None


__all__ += [
    "CALL",
    "GATE",
    "HANG",
    "RAISE",
    "VALUE",
    "check_answer_function",
    "check_exception",
    "fresh_exception",
    "make_answer",
]
