"""DriverPatch: replace a driver's entry points (``connect``, ``create_pool``) with fakes while active.

The base of each flavour's patch helper (``asyncfakes.asyncpg.patch_asyncpg``, ...). It works as a
context manager (``with`` and ``async with``), as a decorator of sync and async functions, and
with ``start()`` / ``stop()``; it records every entry-point call, hands out fake connections
sharing one script and a fake pool, and verifies them all on exit.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, NamedTuple, NoReturn, TypeVar

from ._registry import Verifiable

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["DriverPatch", "EntryCall"]

F = TypeVar("F", bound=Callable[..., Any])
ConnT = TypeVar("ConnT", bound=Verifiable)
PoolT = TypeVar("PoolT", bound=Verifiable)
_MISSING: Any = object()


class EntryCall(NamedTuple):
    """One call of a patched entry point: its name, and the arguments the code passed."""

    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


class DriverPatch(Verifiable, Generic[ConnT, PoolT]):
    """Replaces a driver's entry points with fakes while active, wherever the code finds them.

    A flavour subclasses it with its connection and pool classes: ``driver`` names the module,
    :meth:`new_connection` and :meth:`new_pool` make the fakes (with ``strict`` and ``ordered``),
    and :meth:`replacements` gives the fake of each entry point, which calls :meth:`record`, then
    hands out :meth:`hand_out` connections or ``pool``. A place in :meth:`replacements` is

    - ``"connect"``, a function of the driver module: replaced in the module and in every loaded
      module holding the same function under that name (``from asyncpg import create_pool``
      included); listed in ``patched``. References kept elsewhere (an attribute, a default
      argument) are not reached.
    - ``"AsyncConnection.connect"``, an attribute of a class of the module: set on the class
      itself (as a ``staticmethod``), so every module holding the class and every subclass that
      does not override it sees the fake. A bound method taken before the patch started is not.
    - either of these after ``"module:"`` for a module other than ``driver``
      (``"psycopg_pool:AsyncConnectionPool"``).
    """

    driver: ClassVar[str] = ""
    """The name of the driver's module, imported only when the patch starts."""

    def __init__(self, *, strict: bool = False, ordered: bool = False) -> None:
        self.strict = strict
        """``strict`` of every fake this patch makes (unscripted calls fail)."""
        self.ordered = ordered
        """``ordered`` of every fake this patch makes (expectations are met in order)."""
        self.calls: list[EntryCall] = []
        """Every call of a patched entry point while active, in order."""
        self.patched: list[str] = []
        """``module.name`` of every place the last start() replaced."""
        self._undo: list[Callable[[], None]] = []
        self._used = False
        self.reset()

    # --- what a flavour provides ---------------------------------------------------------
    def replacements(self) -> dict[str, Callable[..., Any]]:
        """The fake for each entry point, by place (see the class): ``{"connect": ...}``."""
        self._undefined("replacements")

    def new_connection(self, share_with: ConnT | None, **options: Any) -> ConnT:
        """A new fake connection with ``strict`` and ``ordered``, sharing the script of ``share_with``.

        ``share_with=None`` makes ``connection``, the script every handed-out connection shares;
        ``options`` are what :meth:`hand_out` was given.
        """
        self._undefined("new_connection")

    def new_pool(self) -> PoolT:
        """A new fake pool with ``strict`` and ``ordered``: ``pool``."""
        self._undefined("new_pool")

    def _undefined(self, hook: str) -> NoReturn:
        msg = f"{type(self).__name__} must define {hook}(): DriverPatch is the base of a flavour's patch."
        raise NotImplementedError(msg)

    # --- the fakes -------------------------------------------------------------------------
    def reset(self) -> None:
        """Fresh fakes (when the patch starts again after stopping), and no calls."""
        self.calls = []
        self.connection: ConnT = self.new_connection(None)
        """The script and history every connection the patch hands out shares."""
        self.connections: list[ConnT] = []
        """Every connection handed out to the code under test, in order."""
        self.pool: PoolT = self.new_pool()
        """The pool the code under test gets."""
        self.adopt(self.connection)
        self.adopt(self.pool)

    def hand_out(self, **options: Any) -> ConnT:
        """A connection for the code under test: it shares ``connection``'s script; in ``connections``."""
        conn = self.new_connection(self.connection, **options)
        self.adopt(conn)
        self.connections.append(conn)
        return conn

    def record(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Remember a call of the entry point ``name``; the fakes in :meth:`replacements` call it."""
        self.calls.append(EntryCall(name, args, dict(kwargs)))

    def problems(self) -> list[str]:
        """The problems of the shared script, of every connection handed out, and of the pool."""
        found = super().problems()
        shared = self.connection.problems()
        found += shared
        for number, conn in enumerate(self.connections):
            found += [f"connection #{number}: {text}" for text in conn.problems() if text not in shared]
        found += [f"pool: {text}" for text in self.pool.problems()]
        return found

    # --- patching --------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """Whether the entry points are replaced right now."""
        return bool(self._undo)

    def _module(self, name: str) -> ModuleType:
        import importlib
        import importlib.util

        if importlib.util.find_spec(name) is None:
            msg = (
                f"{type(self).__name__} patches the {name} module, which is not installed: "
                f"install it, or hand the fakes to the code under test instead of patching."
            )
            raise ModuleNotFoundError(msg, name=name)
        return importlib.import_module(name)

    def start(self) -> Self:
        """Replace the entry points; fresh fakes if this patch was used before."""
        if self.active:
            msg = f"{type(self).__name__} is already active: stop() it before starting it again."
            raise RuntimeError(msg)
        self._module(self.driver)
        if self._used:
            self.reset()
        self._used = True
        self.patched = []
        functions: list[tuple[str, object, Callable[..., Any]]] = []
        try:
            for place, fake in self.replacements().items():
                module_name, _, path = place.rpartition(":")
                module = self._module(module_name or self.driver)
                owner_name, _, name = path.rpartition(".")
                if owner_name:
                    self._replace_on_class(getattr(module, owner_name), name, fake)
                    self.patched.append(f"{module.__name__}.{path}")
                else:
                    functions.append((name, getattr(module, name), fake))
        except BaseException:
            self.stop()  # all or nothing
            raise
        self._replace_in_modules(functions)
        return self

    def _replace_on_class(self, owner: type, name: str, fake: Callable[..., Any]) -> None:
        original = owner.__dict__.get(name, _MISSING)

        def undo() -> None:
            if original is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, original)

        setattr(owner, name, staticmethod(fake))
        self._undo.append(undo)

    def _replace_in_modules(self, functions: list[tuple[str, object, Callable[..., Any]]]) -> None:
        loaded_modules: list[tuple[str, object]] = list(sys.modules.items())
        for module_name, loaded in loaded_modules:
            if not isinstance(loaded, ModuleType):
                continue
            # object.__getattribute__: a lazily loaded module is looked at, not loaded.
            namespace: dict[str, Any] = object.__getattribute__(loaded, "__dict__")
            for name, original, fake in functions:
                if namespace.get(name) is original:
                    self._undo.append(functools.partial(namespace.__setitem__, name, original))
                    namespace[name] = fake
                    self.patched.append(f"{module_name}.{name}")

    def stop(self) -> None:
        """Put the original entry points back (nothing happens if not active)."""
        while self._undo:
            self._undo.pop()()

    def __repr__(self) -> str:
        state = "active" if self.active else "inactive"
        return f"<{type(self).__name__} {state}, {len(self.calls)} calls>"

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        __tracebackhide__ = True
        self.stop()
        if exc_type is None:  # when the body raised, its error is the one to see
            self.verify()

    async def __aenter__(self) -> Self:
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        __tracebackhide__ = True
        self.__exit__(exc_type, exc, tb)

    def __call__(self, func: F) -> F:
        """Decorate a sync or async function: each call runs with the patch active, then verifies."""
        import inspect

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                __tracebackhide__ = True
                with self:
                    return await func(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            __tracebackhide__ = True
            with self:
                return func(*args, **kwargs)

        return run  # type: ignore[return-value]
