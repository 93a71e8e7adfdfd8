"""``fake_method`` and ``MethodSpec``: declaring a driver's method, with its real signature, on a fake."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, cast, overload

from ._binder import make_binder
from ._calls import UNSET, Call
from ._method import FakeMethod
from ._stubs import ValueCheck

if TYPE_CHECKING:
    from types import CoroutineType

    from ._connection import BaseConnection
    from ._transaction import BaseTransaction

__all__ = ["FakeHost", "MethodSpec", "ShapeFunction", "fake_method", "specs_of"]

P = ParamSpec("P")
R = TypeVar("R")


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
        if rebuilds_rows and shape is None:
            msg = (
                f"fake_method(rebuilds_rows=True) on {func.__qualname__} needs a shape= that builds "
                "new rows: without one the scripted rows themselves would be returned, shared by "
                "every call. Pass the shape, or leave rebuilds_rows out."
            )
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
