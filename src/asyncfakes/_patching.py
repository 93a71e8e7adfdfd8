"""DriverPatch: replace a driver's entry points (``connect``, ``create_pool``) with fakes while active.

The base of each flavour's patch helper (``asyncfakes.asyncpg.patch_asyncpg``, ...). It works as a
context manager (``with`` and ``async with``), as a decorator of sync and async functions, and
with ``start()`` / ``stop()``; it records every entry-point call and verifies its fakes on exit.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeVar

from ._registry import Verifiable

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["DriverPatch", "EntryCall"]

F = TypeVar("F", bound=Callable[..., Any])


class EntryCall(NamedTuple):
    """One call of a patched entry point: its name, and the arguments the code passed."""

    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


class DriverPatch(Verifiable):
    """Replaces entry points of the ``driver`` module, and every module that imported them, with fakes.

    A flavour subclasses it: ``driver`` names the module, :meth:`replacements` gives the fake of
    each entry point (which calls :meth:`record`), :meth:`reset` makes fresh fakes, and
    ``problems()`` reports theirs. While active, ``asyncpg.create_pool`` is the fake, and so is
    the ``create_pool`` of a module that did ``from asyncpg import create_pool`` before: every
    loaded module holding the original function under its name is patched (listed in
    ``patched``). References kept elsewhere (an attribute, a default argument) are not.
    """

    driver: ClassVar[str] = ""
    """The name of the driver's module, imported only when the patch starts."""

    def __init__(self) -> None:
        self.calls: list[EntryCall] = []
        """Every call of a patched entry point while active, in order."""
        self.patched: list[str] = []
        """``module.name`` of every place the last start() replaced."""
        self._undo: list[tuple[dict[str, Any], str, Any]] = []
        self._used = False

    # --- what a flavour provides ---------------------------------------------------------
    def replacements(self) -> dict[str, Callable[..., Any]]:
        """The fake for each entry point of ``driver``, by attribute name."""
        raise NotImplementedError

    def reset(self) -> None:
        """Make fresh fakes (when the patch starts again after stopping) and forget the calls."""
        self.calls = []

    def record(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Remember a call of the entry point ``name``; the fakes in :meth:`replacements` call it."""
        self.calls.append(EntryCall(name, args, dict(kwargs)))

    # --- patching --------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """Whether the entry points are replaced right now."""
        return bool(self._undo)

    def _driver_module(self) -> ModuleType:
        import importlib
        import importlib.util

        if importlib.util.find_spec(self.driver) is None:
            msg = (
                f"{type(self).__name__} patches the {self.driver} module, which is not installed: "
                f"install it, or hand the fakes to the code under test instead of patching."
            )
            raise ModuleNotFoundError(msg, name=self.driver)
        return importlib.import_module(self.driver)

    def start(self) -> Self:
        """Replace the entry points; fresh fakes if this patch was used before."""
        if self.active:
            msg = f"{type(self).__name__} is already active: stop() it before starting it again."
            raise RuntimeError(msg)
        module = self._driver_module()
        if self._used:
            self.reset()
        self._used = True
        self.patched = []
        fakes = self.replacements()
        originals = {name: getattr(module, name) for name in fakes}
        loaded_modules: list[tuple[str, object]] = list(sys.modules.items())
        for module_name, loaded in loaded_modules:
            if not isinstance(loaded, ModuleType):
                continue
            # object.__getattribute__: a lazily loaded module is looked at, not loaded.
            namespace: dict[str, Any] = object.__getattribute__(loaded, "__dict__")
            for name, original in originals.items():
                if namespace.get(name) is original:
                    self._undo.append((namespace, name, original))
                    namespace[name] = fakes[name]
                    self.patched.append(f"{module_name}.{name}")
        return self

    def stop(self) -> None:
        """Put the original entry points back (nothing happens if not active)."""
        while self._undo:
            namespace, name, original = self._undo.pop()
            namespace[name] = original

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
