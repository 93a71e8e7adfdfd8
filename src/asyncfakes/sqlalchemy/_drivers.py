"""The fake drivers FakeEngine runs SQLAlchemy's dialects on, by URL scheme.

Each entry says which flavour's connection stands in for the driver's, which of its recorded
methods carry SQLAlchemy's statements (they get the natural answers), and what the dialect needs
told (psycopg's dialect would look up hstore with ``isinstance`` checks against psycopg's class).
A flavour is imported only when an engine for it is made.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from asyncfakes import BaseConnection

__all__ = ["Driver", "driver_for"]


class Driver(NamedTuple):
    """A fake driver for one of SQLAlchemy's dialects."""

    connection: type[BaseConnection]
    statement_methods: tuple[str, ...]
    """The recorded methods that run SQLAlchemy's statements."""
    many_method: str | None
    """The connection's own ``executemany`` method, if it has one (it answers ``None``: the
    flavour's natural answer); psycopg's is the cursor's, answered by the flavour unscripted."""
    options: dict[str, Any]
    """Options ``create_async_engine`` needs for this driver, unless the test gives its own."""


def _asyncpg() -> Driver:
    from asyncfakes.asyncpg import FakeConnection

    return Driver(FakeConnection, ("fetch", "executemany", "cursor"), "executemany", {})


def _psycopg() -> Driver:
    from asyncfakes.psycopg import FakeAsyncConnection

    return Driver(FakeAsyncConnection, ("execute", "executemany"), None, {"use_native_hstore": False})


_DRIVERS = {"postgresql+asyncpg": _asyncpg, "postgresql+psycopg": _psycopg}


def driver_for(url: str) -> Driver:
    """The fake driver for ``url``'s scheme; a clear error for a scheme without one."""
    scheme = url.split("://", 1)[0]
    make = _DRIVERS.get(scheme)
    if make is None:
        msg = (
            f"FakeEngine({url!r}): no fake driver for {scheme!r}; it fakes "
            f"{', '.join(f'{name}://' for name in _DRIVERS)}."
        )
        raise ValueError(msg)
    return make()
