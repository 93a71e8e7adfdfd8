"""The connections a psqlpy pool has handed out, held weakly: psqlpy gives a slot back at garbage collection.

A real psqlpy connection dropped without ``close()`` returns its slot when CPython frees it. The
fake's records (the shared history, finished transactions) must not keep it alive, so the pool
holds each connection through a :class:`Lease`: weakly while it is out, strongly once the code
dropped it (its ``__del__`` hands it back here), so ``pool.connections`` and ``verify()`` still
see it afterwards.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from asyncfakes import Call

    from ._connection import FakeConnection

__all__ = ["Lease", "SlotOwner", "reclaim"]


class SlotOwner(Protocol):
    """The pool a lease gives its slot back to."""

    def give_back_slot(self) -> None:
        """Return a slot to the pool."""
        ...


class Lease:
    """One connection a pool handed out: its slot, and the connection once the code dropped it."""

    __slots__ = ("_kept", "_ref", "collected", "pool")

    def __init__(self, connection: FakeConnection, pool: SlotOwner) -> None:
        self._ref = weakref.ref(connection)
        self._kept: FakeConnection | None = None
        self.pool = pool
        self.collected = False
        """Whether the code dropped the connection without ``close()`` and it was garbage-collected."""

    @property
    def connection(self) -> FakeConnection:
        """The connection (alive: the code still has it, or the lease keeps it after its collection)."""
        kept = self._kept
        if kept is not None:
            return kept
        alive = self._ref()
        assert alive is not None, "a leased connection is kept by its lease when it is collected"
        return alive

    @property
    def out(self) -> bool:
        """Whether the connection is taken, not closed, and still referenced."""
        return self._kept is None and (alive := self._ref()) is not None and alive._handle == "ready"

    def dropped(self, connection: FakeConnection) -> None:
        """The code let go of ``connection`` (its finalizer calls this): keep it, give its slot back."""
        self._kept = connection
        if connection._handle == "ready":
            self.collected = True
            connection._handle = "closed"
            self.pool.give_back_slot()


def _forget_frames(error: BaseException | None, seen: set[int]) -> None:
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        error.__traceback__ = None
        _forget_frames(error.__cause__, seen)
        error = error.__context__


def reclaim(leases: Iterable[Lease], history: Iterable[Call]) -> None:
    """Collect the connections the code dropped while out, so their slots come back.

    The errors recorded in ``history`` lose their tracebacks first: their frames hold the
    connection the failing call ran on, and a real psqlpy pool does not keep them.
    """
    if not any(lease.out for lease in leases):
        return
    seen: set[int] = set()
    for call in history:
        _forget_frames(call.error, seen)
    gc.collect()
