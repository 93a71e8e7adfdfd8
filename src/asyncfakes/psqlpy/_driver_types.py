"""Typed hand-over of a fake to code annotated with psqlpy's own classes."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ._connection import FakeConnection
from ._pool import FakeConnectionPool
from ._transaction import FakeTransaction

if TYPE_CHECKING:
    import psqlpy

__all__ = ["as_connection", "as_pool", "as_transaction"]

_FUNCTIONS: dict[type, str] = {
    FakeConnection: "as_connection()",
    FakeConnectionPool: "as_pool()",
    FakeTransaction: "as_transaction()",
}


def _check(expected: type, fake: object) -> None:
    """Refuse anything but a fake of the ``expected`` class, naming the function that fits it."""
    if isinstance(fake, expected):
        return
    hint = "".join(
        f" For a {kind.__name__}, use {name}." for kind, name in _FUNCTIONS.items() if isinstance(fake, kind)
    )
    msg = f"{_FUNCTIONS[expected]} takes an asyncfakes.psqlpy.{expected.__name__}, got {fake!r}.{hint}"
    raise TypeError(msg)


def as_connection(fake: FakeConnection) -> psqlpy.Connection:
    """Return ``fake`` itself, typed as ``psqlpy.Connection`` for code annotated with that class.

    ``UserDAO().get(as_connection(conn), 1)`` type-checks where the DAO takes a
    ``psqlpy.Connection``, without a ``cast`` or ``# type: ignore`` in the test. Nothing is
    wrapped: the object is the fake, scripted and asserted on through ``fake``.
    """
    _check(FakeConnection, fake)
    return cast("psqlpy.Connection", fake)


def as_pool(fake: FakeConnectionPool) -> psqlpy.ConnectionPool:
    """Return ``fake`` itself, typed as ``psqlpy.ConnectionPool`` for code annotated with that class."""
    _check(FakeConnectionPool, fake)
    return cast("psqlpy.ConnectionPool", fake)


def as_transaction(fake: FakeTransaction) -> psqlpy.Transaction:
    """Return ``fake`` itself, typed as ``psqlpy.Transaction`` for code annotated with that class."""
    _check(FakeTransaction, fake)
    return cast("psqlpy.Transaction", fake)
