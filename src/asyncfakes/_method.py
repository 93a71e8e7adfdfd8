"""``FakeMethod``: a declared method bound to its host; awaiting it records, checks and answers a call."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar

from ._answers import VALUE
from ._awaited import AwaitAssertions
from ._calls import EMPTY_KWARGS, UNSET, Call, CallLog
from ._errors import add_note
from ._loops import is_cancellation, others_may_run, sleep, within
from ._stubs import Scriptable, Stub, ValueCheck

if TYPE_CHECKING:
    from ._answers import Answer, AnswerQueue
    from ._connection import BaseConnection
    from ._script import Script
    from ._spec import MethodSpec
    from ._transaction import BaseTransaction

__all__ = ["FakeMethod", "InFlight"]

P = ParamSpec("P")
R = TypeVar("R")


class FakeMethod(Scriptable, AwaitAssertions[P], Generic[P, R]):
    """A fake method bound to its host: await it like the driver's, script it, assert on it."""

    __slots__ = (
        "_check",
        "_checkpoint",
        "_conn",
        "_flight",
        "_host",
        "_scr",
        "_spec",
        "_stack",
        "_timed",
        "_tx",
    )

    def __init__(self, spec: MethodSpec[P, R], host: Any) -> None:
        self._spec = spec
        self._host = host
        context: tuple[BaseConnection, BaseTransaction | None] = host.fake_context()
        conn, self._tx = context
        self._conn = conn
        # What every call reads, kept here: a connection's attributes go through its
        # __getattr__ hook (NameHints), which makes each read several times slower.
        self._scr = conn._script
        self._stack = conn._transaction_stack
        self._flight = conn._flight
        self._checkpoint: bool = conn.checkpoint_calls
        self._timed: bool = conn._times_calls
        kind = type(conn)
        self._check: Callable[[Any, Call], None] | None = kind.check_call if kind._checks_calls else None

    @property
    def name(self) -> str:
        """The name calls are recorded under."""
        return self._spec.name

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Coroutine[Any, Any, R]:
        spec = self._spec
        # Without keywords, no dict is passed on: the common call binds a little faster.
        sql, params = spec.bind(self._host, *args, **kwargs) if kwargs else spec.bind(self._host, *args)
        token = next(_tokens)
        self._scr.pending[token] = (spec.name, sql)
        return self._run(token, sql, params, args, kwargs)

    async def _run(
        self,
        token: int,
        sql: str | None,
        params: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> R:
        # The hot path of every fake call: kept flat and free of avoidable calls on purpose.
        script = self._scr
        script.pending.pop(token, None)
        spec = self._spec
        name = spec.name
        tx = self._tx
        if tx is None and self._stack:
            tx = self._stack[-1]
        history = script.history
        call = _new(Call)  # Call(...), without calling the class: half the cost on CPython 3.11
        call.__init__(name, sql, params, args, kwargs or EMPTY_KWARGS, len(history), tx)  # type: ignore[misc]
        history.append(call)
        conn = self._conn
        near = False
        flight = self._flight
        try:
            check = self._check
            if check is not None:
                check(conn, call)
            elif conn._closed:
                conn.check_call(call)
            if script.unfinished:
                script.check_unfinished(call)
            if script.stubs:
                stub = script.find_stub(name, sql, params)
                if stub is not None:
                    stub._calls.append(call)
                    answer = stub._queue.take()
                else:
                    answer, near = self._unstubbed(call)
            else:
                queue = script.answers.get(name)
                answer = None if queue is None else queue.take()
                if answer is None and spec.strict and conn.strict:
                    raise script.unexpected_call(call)
            flight.count += 1
            try:
                if self._checkpoint and others_may_run():
                    # Be "on the wire" for a moment, as a networked driver is, whenever another
                    # task could run meanwhile and find this call in flight. A lone task skips the
                    # loop round trip (nothing could observe it); any ready task, due timer or a
                    # loop that does not tell (uvloop, trio) gets the yield. Weighed and left out:
                    # marking the connection busy until the next loop step (one call_soon) costs
                    # a handle per call and, clearing in an order relative to other callbacks
                    # that the fake does not control, could refuse a correct sequential use.
                    await sleep(0)
                if answer is None:
                    value: R = await spec.func(self._host, *args, **kwargs)
                else:
                    if answer.kind == VALUE and not answer.delay:
                        copy = answer.copy  # each call gets its own copy of the scripted data,
                        if copy is None or (spec.rebuilds_rows and answer.flat_rows):
                            value = answer.payload  # unless nothing in it can change
                        else:
                            value = copy(answer.payload)
                    else:
                        limit = conn.call_timeout(call) if self._timed else None
                        produced = answer.produce(call)
                        value = await (produced if limit is None else within(limit, produced))
                    shape = spec.shape
                    if shape is not None:
                        try:
                            value = shape(self._host, call, value)
                        except (TypeError, ValueError) as misfit:
                            # A scripting mistake: remembered, so verify() fails even if the code
                            # under test swallows the error.
                            script.misfits.append((call, str(misfit)))
                            raise
            finally:
                flight.count -= 1
        except BaseException as error:
            replacement = conn.call_failed(call, error)
            if replacement is not None:
                for note in getattr(error, "__notes__", ()):  # the same failure, in the driver's shape
                    add_note(replacement, note)
                error = replacement
            if near and isinstance(error, Exception):
                note = script.near_miss_note(call)
                if note is not None:
                    add_note(error, note)
            call._outcome = "cancelled" if is_cancellation(error) else error
            if replacement is None:
                raise
            raise replacement from None
        call._outcome = "returned"
        return value

    def _unstubbed(self, call: Call) -> tuple[Answer | None, bool]:
        """The answer to a call no stub answered, and whether the call is a near miss of a stub."""
        script = self._scr
        queue = script.answers.get(call._method)
        answer = None if queue is None else queue.take()
        conn = self._conn
        if answer is None and self._spec.strict:
            if conn.strict:
                raise script.unexpected_call(call)
            if call._sql is not None and not conn.natural_answer_is_scripted(call):
                # Cheap here; verify() decides later whether a stub was nearly matched.
                script.near_misses.append((call, len(script.stubs)))
                return None, True
        return answer, False

    def _answer_queue(self) -> AnswerQueue:
        return self._scr.queue_for(self._spec.name)

    def _value_check(self) -> ValueCheck | None:
        return self._spec.check

    def _home(self) -> Script:
        return self._scr

    def _method_name(self) -> str:
        return self._spec.name

    def when(self, *, sql: object = UNSET, params: object = UNSET, optional: bool = False) -> Stub:
        """Return a stub that answers only this method's calls matching ``sql`` and ``params``.

        ``verify()`` reports a stub that answered no call, unless it is ``optional=True``.
        """
        stub = self._scr.add_stub(self._spec.name, sql, params, None, optional=optional)
        stub._check = self._spec.check
        return stub

    def expect(self, *, sql: object = UNSET, params: object = UNSET, times: int = 1) -> Stub:
        """Like :meth:`when`, but ``verify()`` fails unless it is used exactly ``times`` times."""
        stub = self._scr.add_stub(self._spec.name, sql, params, times)
        stub._check = self._spec.check
        return stub

    def reset(self) -> None:
        """Forget this method's calls, answers and stubs, as ``AsyncMock.reset_mock()`` does.

        ``calls``, ``await_count`` and the ``assert_*`` methods then see only later calls;
        ``conn.calls`` keeps the whole history. ``conn.reset_mock()`` resets every method.
        """
        self._scr.forget(self._spec.name)

    def _expected(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str | None, Any]:
        return self._spec.bind(self._host, *args, **kwargs)

    @property
    def calls(self) -> CallLog:
        """The calls of this method, in order (a snapshot)."""
        name = self._spec.name
        script = self._scr
        history = script.history
        since = script.since.get(name, 0)
        return CallLog(
            [c for c in history[since:] if c._method == name], history=history, title=f"{name} calls"
        )

    def __repr__(self) -> str:
        return f"conn.{self._spec.name}"


class InFlight:
    """How many calls on one connection are being answered right now (``conn.in_flight``)."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


_tokens = itertools.count()
_new = object.__new__
