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


class StateFlags:
    """Mixin: the connection's flags as attributes, stored on its :class:`State` (``self._state``)."""

    _state: State

    @property
    def _closed(self) -> bool:
        return self._state.closed

    @_closed.setter
    def _closed(self, value: bool) -> None:
        self._state.closed = value

    @property
    def _released(self) -> bool:
        return self._state.released

    @_released.setter
    def _released(self, value: bool) -> None:
        self._state.released = value

    @property
    def _gone(self) -> bool:
        return self._state.gone

    @_gone.setter
    def _gone(self, value: bool) -> None:
        self._state.gone = value

    @property
    def _aborted(self) -> bool:
        return self._state.aborted

    @_aborted.setter
    def _aborted(self, value: bool) -> None:
        self._state.aborted = value

    @property
    def _stale(self) -> bool:
        return self._state.stale

    @_stale.setter
    def _stale(self, value: bool) -> None:
        self._state.stale = value
