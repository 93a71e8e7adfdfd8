"""Typed hand-over of a fake to code annotated with psycopg's own classes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from ._connection import FakeAsyncConnection

if TYPE_CHECKING:
    import psycopg

__all__ = ["as_connection"]


def as_connection(fake: FakeAsyncConnection) -> psycopg.AsyncConnection[Any]:
    """Return ``fake`` itself, typed as ``psycopg.AsyncConnection`` for code annotated with that class.

    ``UserRepository(as_connection(conn))`` type-checks where the repository takes a
    ``psycopg.AsyncConnection``, without a ``cast`` or ``# type: ignore`` in the test. Nothing is
    wrapped: the object is the fake, scripted and asserted on through ``fake``.
    """
    _check(fake)
    return cast("psycopg.AsyncConnection[Any]", fake)


def _check(fake: object) -> None:
    if not isinstance(fake, FakeAsyncConnection):
        msg = f"as_connection() takes an asyncfakes.psycopg.FakeAsyncConnection, got {fake!r}."
        raise TypeError(msg)
