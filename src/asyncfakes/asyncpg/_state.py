"""The flags asyncpg's rules read on every call, kept on a plain object the connection shares.

A fake connection's own attributes are read through its ``__getattr__`` hook (the name hints),
which makes each read several times slower on CPython 3.11 and 3.12; ``check_call`` reads five
flags on every call, so they live on :class:`State`, and the connection shows them as attributes.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["State", "StateFlags"]


class _Counter(Protocol):
    count: int


class _NoCalls:
    """The in-flight count before the core made the connection's own."""

    count = 0


class State:
    """What a connection's state is: each flag is read on the hot path of ``check_call``."""

    __slots__ = ("aborted", "closed", "flight", "gone", "released", "stale")

    def __init__(self) -> None:
        self.flight: _Counter = _NoCalls()  # the connection's calls in flight: the core's counter, once made
        self.closed = False  # close() was awaited
        self.released = False  # given back to its pool
        self.gone = False  # terminated, or the connection was lost
        self.aborted = False  # a statement failed in the current transaction
        self.stale = False  # a cancelled ROLLBACK that PostgreSQL did end; asyncpg learns it next call


class _OnState:
    """A connection attribute ``_name`` kept on its :class:`State` as ``name``."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.field = name.removeprefix("_")

    def __get__(self, conn: StateFlags, owner: type | None = None) -> bool:
        value: bool = getattr(conn._state, self.field)
        return value

    def __set__(self, conn: StateFlags, value: bool) -> None:
        setattr(conn._state, self.field, value)


class StateFlags:
    """Mixin: the connection's flags as attributes, stored on its :class:`State` (``self._state``)."""

    _state: State
    _closed = _OnState()
    _released = _OnState()
    _gone = _OnState()
    _aborted = _OnState()
    _stale = _OnState()
