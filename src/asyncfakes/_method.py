"""``fake_method``: an awaitable, recorded, scriptable method with a driver's real signature."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, cast, overload

from ._answers import VALUE
from ._awaited import AwaitAssertions
from ._binder import make_binder
from ._calls import EMPTY_KWARGS, UNSET, Call, CallLog
from ._errors import add_note
from ._loops import is_cancellation, others_may_run, sleep, within
from ._stubs import Scriptable, Stub, ValueCheck

if TYPE_CHECKING:
    from types import CoroutineType

    from ._answers import Answer, AnswerQueue
    from ._connection import BaseConnection
    from ._script import Script
    from ._transaction import BaseTransaction

__all__ = ["FakeHost", "FakeMethod", "InFlight", "MethodSpec", "fake_method", "specs_of"]

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class FakeHost(Protocol):
    """What an object needs to carry fake methods: the connection that records them.

    ``FakeConnection`` and ``FakeTransaction`` implement it; a flavour's prepared statement or
    cursor implements it to record its calls on its connection.
    """

    def fake_context(self) -> tuple[BaseConnection, BaseTransaction | None]:
        """Return the connection that records the calls, and the transaction they run in.

        ``None`` for the transaction means "whatever transaction is active on the connection".
        """
        ...


class ShapeFunction(Protocol):
    """Turns a scripted answer (plain data) into the driver's return type."""

    def __call__(self, host: Any, call: Call, value: Any, /) -> Any: ...


class MethodSpec(Generic[P, R]):
    """A fake method declared on a class with :func:`fake_method`; a descriptor.

    Reading it from an instance gives that instance's :class:`FakeMethod`.
    """

    def __init__(
        self,
        func: Callable[Concatenate[Any, P], Awaitable[R]],
        *,
        name: str | None = None,
        sql: Any = UNSET,
        params: Any = UNSET,
        shape: ShapeFunction | None = None,
        strict: bool = True,
        check: ValueCheck | None = None,
        rebuilds_rows: bool = False,
    ) -> None:
        target: object = func
        if not callable(target) or not hasattr(target, "__code__"):
            msg = f"fake_method() decorates an async def with the driver's signature, got {func!r}."
            raise TypeError(msg)
        self.func = func
        self.name: str = name or func.__name__
        self.shape = shape
        self.strict = strict
        self.check = check
        self.rebuilds_rows = rebuilds_rows
        self.bind: Callable[..., tuple[str | None, Any]] = make_binder(func, sql, params, self.name)
        self.__doc__ = func.__doc__
        self._attribute = func.__name__

    def __set_name__(self, owner: type, attribute: str) -> None:
        self._attribute = attribute

    @overload
    def __get__(self, host: None, owner: type) -> MethodSpec[P, R]: ...
    @overload
    def __get__(self, host: object, owner: type) -> FakeMethod[P, R]: ...
    def __get__(self, host: object, owner: type) -> MethodSpec[P, R] | FakeMethod[P, R]:
        if host is None:
            return self
        bound = FakeMethod(self, host)
        # Cache on the instance: the next lookup is a plain attribute read, off the descriptor. A
        # host whose lifetime is observable (a pooled psqlpy connection gives its slot back when
        # collected) sets ``_asyncfakes_uncached`` so that no cycle through the cache delays it.
        if not host.__dict__.get("_asyncfakes_uncached"):
            host.__dict__[self._attribute] = bound
        return bound

    def __repr__(self) -> str:
        return f"<fake_method {self.name}>"


if TYPE_CHECKING:

    class DeclaredMethod(MethodSpec[P, R]):
        """How a type checker sees a ``fake_method`` in its class body: callable like the method.

        pyright matches a class against a ``Protocol`` with the declared type of the class
        attribute, without applying the descriptor's ``__get__`` (mypy applies it). Declaring the
        attribute callable with the driver's signature lets a fake satisfy a protocol of
        ``async def`` methods in both checkers. Only a type: at run time the attribute is a
        :class:`MethodSpec`, and reading it from the class gives that (not callable) as well.
        """

        def __call__(self, *args: P.args, **kwargs: P.kwargs) -> CoroutineType[Any, Any, R]: ...


@overload
def fake_method(func: Callable[Concatenate[Any, P], Awaitable[R]], /) -> DeclaredMethod[P, R]: ...
@overload
def fake_method(
    *,
    name: str | None = None,
    sql: str | Callable[[Any], str] | None = ...,
    params: str | tuple[str, ...] | None = ...,
    shape: ShapeFunction | None = None,
    strict: bool = True,
    check: ValueCheck | None = None,
    rebuilds_rows: bool = False,
) -> Callable[[Callable[Concatenate[Any, P], Awaitable[R]]], DeclaredMethod[P, R]]: ...
def fake_method(
    func: Callable[Concatenate[Any, P], Awaitable[R]] | None = None,
    /,
    *,
    name: str | None = None,
    sql: Any = UNSET,
    params: Any = UNSET,
    shape: ShapeFunction | None = None,
    strict: bool = True,
    check: ValueCheck | None = None,
    rebuilds_rows: bool = False,
) -> DeclaredMethod[P, R] | Callable[[Callable[Concatenate[Any, P], Awaitable[R]]], DeclaredMethod[P, R]]:
    """Declare a faked driver method on a FakeConnection subclass (or any :class:`FakeHost`).

    Write the driver's real signature; the body is the natural answer given when nothing is
    scripted. Calls are recorded and scriptable like the built-in methods::

        class MyDriverConnection(FakeConnection):
            @fake_method
            async def fetch_arrow(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
                return []

    By default the SQL is the first parameter and the parameters are the one named
    ``parameters``, ``params``, ``args`` or ``parameters_list``, or the ``*args``. Options:
    ``sql=`` / ``params=`` name other parameters (``sql`` may be a function of the host, for
    prepared statements; ``None`` means none), ``name=`` records the call under another name,
    ``shape(host, call, value)`` turns scripted plain data into the driver's type, and
    ``strict=False`` lets the natural answer stand even on a ``strict=True`` connection, and
    ``check(value)`` refuses a scripted value that cannot be what the method returns, raising
    ``TypeError`` or ``ValueError``, when the test scripts it (``returns(5)``) instead of at the call.
    ``rebuilds_rows=True`` says the ``shape`` builds new rows from scripted ones and returns none of
    the scripted list or dicts: a list of dicts holding no list, dict or set then reaches it without
    the per-call copy (a speed-up only; anything else is still copied).
    """

    def decorate(function: Callable[Concatenate[Any, P], Awaitable[R]]) -> DeclaredMethod[P, R]:
        spec = MethodSpec(
            function,
            name=name,
            sql=sql,
            params=params,
            shape=shape,
            strict=strict,
            check=check,
            rebuilds_rows=rebuilds_rows,
        )
        return cast("DeclaredMethod[P, R]", spec)  # MethodSpec, as a type checker sees it in a class

    return decorate if func is None else decorate(func)


def specs_of(cls: type) -> dict[str, MethodSpec[Any, Any]]:
    """Return the fake methods a class declares (through its whole MRO), by recorded name."""
    return {
        value.name: value
        for klass in reversed(cls.__mro__)
        for value in vars(klass).values()
        if isinstance(value, MethodSpec)
    }


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
        sql, params = spec.bind(self._host, *args, **kwargs)
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
