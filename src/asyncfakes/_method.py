"""``fake_method``: an awaitable, recorded, scriptable method with a driver's real signature."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, cast, overload

from ._answers import VALUE
from ._binder import make_binder
from ._calls import EMPTY_KWARGS, UNSET, Call, CallLog
from ._errors import FakeAssertionError, render
from ._loops import is_cancellation, sleep, within
from ._stubs import Scriptable, Stub

if TYPE_CHECKING:
    from types import CoroutineType

    from ._answers import AnswerQueue
    from ._connection import BaseConnection
    from ._transaction import BaseTransaction

__all__ = ["FakeHost", "FakeMethod", "MethodSpec", "fake_method", "specs_of"]

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
    ) -> None:
        target: object = func
        if not callable(target) or not hasattr(target, "__code__"):
            msg = f"fake_method() decorates an async def with the driver's signature, got {func!r}."
            raise TypeError(msg)
        self.func = func
        self.name: str = name or func.__name__
        self.shape = shape
        self.strict = strict
        self.bind: Callable[..., tuple[str | None, Any]] = make_binder(func, sql, params)
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
        # Cache on the instance: the next lookup is a plain attribute read, off the descriptor.
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
    ``strict=False`` lets the natural answer stand even on a ``strict=True`` connection.
    """

    def decorate(function: Callable[Concatenate[Any, P], Awaitable[R]]) -> DeclaredMethod[P, R]:
        spec = MethodSpec(function, name=name, sql=sql, params=params, shape=shape, strict=strict)
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


class FakeMethod(Scriptable, Generic[P, R]):
    """A fake method bound to its host: await it like the driver's, script it, assert on it."""

    __slots__ = ("_conn", "_host", "_spec", "_tx")

    def __init__(self, spec: MethodSpec[P, R], host: Any) -> None:
        self._spec = spec
        self._host = host
        context: tuple[BaseConnection, BaseTransaction | None] = host.fake_context()
        self._conn, self._tx = context

    @property
    def name(self) -> str:
        """The name calls are recorded under."""
        return self._spec.name

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Coroutine[Any, Any, R]:
        spec = self._spec
        sql, params = spec.bind(self._host, *args, **kwargs)
        token = next(_tokens)
        self._conn._script.pending[token] = (spec.name, sql)
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
        conn = self._conn
        script = conn._script
        del script.pending[token]
        spec = self._spec
        name = spec.name
        tx = self._tx
        if tx is None and conn._transaction_stack:
            tx = conn._transaction_stack[-1]
        history = script.history
        call = Call(name, sql, params, args, kwargs or EMPTY_KWARGS, len(history), tx)
        history.append(call)
        try:
            if conn._closed or conn._checks_calls:
                conn.check_call(call)
            stub = script.find_stub(name, sql, params) if script.stubs else None
            if stub is not None:
                stub._calls.append(call)
                answer = stub._queue.take()
            else:
                queue = script.answers.get(name)
                answer = None if queue is None else queue.take()
                if answer is None and spec.strict and conn.strict:
                    raise script.unexpected_call(
                        call, f"the connection is strict and nothing is scripted for {name}"
                    )
            conn._in_flight += 1
            try:
                if conn.checkpoint_calls:
                    await sleep(0)  # be "on the wire" for a moment, as a networked driver is
                if answer is None:
                    value: R = await spec.func(self._host, *args, **kwargs)
                else:
                    if answer.kind == VALUE and not answer.delay:
                        value = answer.payload
                    else:
                        limit = conn.call_timeout(call) if conn._times_calls else None
                        produced = answer.produce(call)
                        value = await (produced if limit is None else within(limit, produced))
                    if spec.shape is not None:
                        try:
                            value = spec.shape(self._host, call, value)
                        except (TypeError, ValueError) as misfit:
                            # A scripting mistake: remembered, so verify() fails even if the code
                            # under test swallows the error.
                            script.misfits.append(f"{call.describe(outcome=False)}: {misfit}")
                            raise
            finally:
                conn._in_flight -= 1
        except BaseException as error:
            replacement = conn.call_failed(call, error)
            if replacement is not None:
                error = replacement
            call._outcome = "cancelled" if is_cancellation(error) else error
            if replacement is None:
                raise
            raise replacement from None
        call._outcome = "returned"
        return value

    def _answer_queue(self) -> AnswerQueue:
        return self._conn._script.queue_for(self._spec.name)

    def when(self, *, sql: object = UNSET, params: object = UNSET) -> Stub:
        """Return a stub that answers only this method's calls matching ``sql`` and ``params``."""
        return self._conn._script.add_stub(self._spec.name, sql, params, None)

    def expect(self, *, sql: object = UNSET, params: object = UNSET, times: int = 1) -> Stub:
        """Like :meth:`when`, but ``verify()`` fails unless it is used exactly ``times`` times."""
        return self._conn._script.add_stub(self._spec.name, sql, params, times)

    @property
    def calls(self) -> CallLog:
        """The calls of this method, in order (a snapshot)."""
        name = self._spec.name
        history = self._conn._script.history
        return CallLog([c for c in history if c._method == name], history=history, title=f"{name} calls")

    @property
    def await_count(self) -> int:
        """How many times this method was awaited."""
        return len(self.calls)

    def _fail(
        self, headline: str, expected: str | None = None, nearest: str | None = None
    ) -> FakeAssertionError:
        return FakeAssertionError(
            render(headline, expected=expected, history=self._conn._script.history, nearest=nearest)
        )

    def _expected(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str | None, Any]:
        return self._spec.bind(self._host, *args, **kwargs)

    def assert_awaited(self) -> None:
        """Assert the method was awaited at least once."""
        __tracebackhide__ = True
        if not self.await_count:
            msg = f"Expected {self.name} to have been awaited, but it was not."
            raise self._fail(msg)

    def assert_awaited_once(self) -> None:
        """Assert the method was awaited exactly once."""
        __tracebackhide__ = True
        count = self.await_count
        if count != 1:
            msg = f"Expected {self.name} to have been awaited once, but it was awaited {count} times."
            raise self._fail(msg)

    def assert_not_awaited(self) -> None:
        """Assert the method was never awaited."""
        __tracebackhide__ = True
        count = self.await_count
        if count:
            msg = f"Expected {self.name} not to have been awaited, but it was awaited {count} times."
            raise self._fail(msg)

    def assert_awaited_with(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Assert the last await sent this SQL (normalised) and these parameters."""
        __tracebackhide__ = True
        sql, params = self._expected(args, kwargs)
        calls = self.calls
        if not calls:
            msg = f"Expected {self.name} to have been awaited, but it was not."
            raise self._fail(
                msg,
                f"{sql!r}, {params!r}",
            )
        last = calls[-1]
        if not last.matches(UNSET if sql is None else sql, params):
            from ._calls import nearest_call

            msg = f"The last await of {self.name} differs from the expected one."
            raise self._fail(
                msg,
                f"{sql!r}, {params!r}",
                nearest_call([last], UNSET if sql is None else sql, params),
            )

    def assert_awaited_once_with(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Assert the method was awaited exactly once, with this SQL and these parameters."""
        __tracebackhide__ = True
        self.assert_awaited_once()
        self.assert_awaited_with(*args, **kwargs)

    def assert_any_await(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Assert some await sent this SQL (normalised) and these parameters."""
        __tracebackhide__ = True
        sql, params = self._expected(args, kwargs)
        calls = self.calls
        if not any(c.matches(UNSET if sql is None else sql, params) for c in calls):
            from ._calls import nearest_call

            msg = f"Expected {self.name} to have been awaited with these arguments, but it was not."
            raise self._fail(
                msg,
                f"{sql!r}, {params!r}",
                nearest_call(list(calls), UNSET if sql is None else sql, params),
            )

    def __repr__(self) -> str:
        return f"conn.{self._spec.name}"


_tokens = itertools.count()
