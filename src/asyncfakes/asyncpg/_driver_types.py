"""Typed hand-over of a fake to code annotated with asyncpg's own classes."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ._connection import FakeConnection
from ._pool import FakePool

if TYPE_CHECKING:
    import asyncpg

__all__ = ["as_connection", "as_pool"]

_FUNCTIONS: dict[type, str] = {FakeConnection: "as_connection()", FakePool: "as_pool()"}


def _check(expected: type, fake: object) -> None:
    """Refuse anything but a fake of the ``expected`` class, naming the function that fits it."""
    if isinstance(fake, expected):
        return
    hint = "".join(
        f" For a {kind.__name__}, use {name}." for kind, name in _FUNCTIONS.items() if isinstance(fake, kind)
    )
    msg = f"{_FUNCTIONS[expected]} takes an asyncfakes.asyncpg.{expected.__name__}, got {fake!r}.{hint}"
    raise TypeError(msg)


def as_connection(fake: FakeConnection) -> asyncpg.Connection:
    """Return ``fake`` itself, typed as ``asyncpg.Connection`` for code annotated with that class.

    ``UserRepository(as_connection(conn))`` type-checks where the repository takes an
    ``asyncpg.Connection``, without a ``cast`` or ``# type: ignore`` in the test. Nothing is
    wrapped: the object is the fake, scripted and asserted on through ``fake``.
    """
    _check(FakeConnection, fake)
    return cast("asyncpg.Connection", fake)


def as_pool(fake: FakePool) -> asyncpg.Pool:
    """Return ``fake`` itself, typed as ``asyncpg.Pool`` for code annotated with that class.

    ``OrderService(as_pool(pool))`` type-checks where the service takes an ``asyncpg.Pool``; the
    object is still the :class:`FakePool`, scripted and verified through ``pool``.
    """
    _check(FakePool, fake)
    return cast("asyncpg.Pool", fake)
