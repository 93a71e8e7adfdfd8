"""FakeConnectionPool: psqlpy's ConnectionPool, with its size limit, and leaks reported by verify()."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, cast

from asyncfakes import CallLog, Event, NameHints, Verifiable, add_note, call_site

from . import exceptions as exc
from ._connection import FakeConnection
from ._leases import Lease, holds_taken, reclaim, reworded
from ._pool_args import check_connect_args
from ._pool_status import ConnectionPoolStatus
from ._sessions import Session, resume, session_of
from ._unfaked import UNFAKED_POOL

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["FakeConnectionPool"]


def _pool_closed() -> Exception:
    return exc.BaseConnectionPoolError("Database engine pool exception: Pool has been closed")


def _exceptions(verb: str, errors: tuple[BaseException, ...]) -> list[BaseException]:
    for error in errors:
        given = cast("object", error)
        if not isinstance(given, BaseException):
            msg = f"{verb}() takes exception instances, got {given!r}."
            raise TypeError(msg)
    return list(errors)


_RECLAIM_EVERY = 0.02  # seconds before the first collection while an acquisition waits (then doubling)


class _Waiter:
    __slots__ = ("error", "session", "signal")

    def __init__(self) -> None:
        self.signal = Event()
        self.error: BaseException | None = None
        self.session: Session | None = None  # the server session of the connection handed to it


class FakeConnectionPool(Verifiable, NameHints):
    """A fake psqlpy ``ConnectionPool`` handing out :class:`FakeConnection` objects.

    ``await pool.connection()`` and ``async with pool.acquire() as conn`` take one of
    ``max_db_pool_size`` slots until the connection is closed, or dropped by the code and collected
    (as psqlpy frees it); when none is free they block, as psqlpy's pool does (``await
    pool.until_blocked()`` lets a test wait for that moment). ``verify()`` reports connections
    still referenced and never closed, with every connection's problems.

    By default all connections answer from one script and record into one history: script
    ``pool.script`` (a FakeConnection never handed out) and assert on ``pool.calls``. With
    ``shared=False`` each connection has its own; ``pool.add_connection()`` gives the fake that a
    later acquisition hands out, so a test can script it first.
    """

    unfaked_methods: ClassVar[Mapping[str, str]] = UNFAKED_POOL
    verify_title = "pool.verify()"

    def __init__(
        self,
        max_db_pool_size: int | None = None,
        *,
        dsn: str | None = None,
        shared: bool = True,
        strict: bool = False,
        ordered: bool = False,
        optional_stubs: bool = False,
        **connect_args: Any,
    ) -> None:
        self._max_size = self._checked_size(max_db_pool_size)
        check_connect_args(connect_args)
        self.create_args: dict[str, Any] = {"dsn": dsn, "max_db_pool_size": max_db_pool_size, **connect_args}
        """The psqlpy arguments the pool was made with (by ``connect_pool()``, or the constructor)."""
        self._creation_errors: list[BaseException] = []
        self._connection_errors: list[BaseException] = []
        self._shared = shared
        self._strict = strict
        self._ordered = ordered
        self._optional_stubs = optional_stubs
        self._script = (
            FakeConnection(strict=strict, ordered=ordered, optional_stubs=optional_stubs) if shared else None
        )
        if self._script is not None:
            self.adopt(self._script)
        self._queued: deque[FakeConnection] = deque()
        self._handed: list[Lease] = []
        self._in_use = 0
        self._size = 0
        self._idle: deque[Session | None] = deque()  # the idle server sessions, oldest first
        self._waiters: deque[_Waiter] = deque()
        self._watchers: list[Event] = []
        self._closed = False

    @staticmethod
    def _checked_size(max_db_pool_size: int | None) -> int:
        size = cast("object", max_db_pool_size)
        if size is None:
            # psqlpy (deadpool) defaults to four connections per CPU.
            size = (os.cpu_count() or 1) * 4
        if isinstance(size, bool) or not isinstance(size, int):
            msg = f"max_db_pool_size takes an int > 1, got {max_db_pool_size!r}."
            raise TypeError(msg)
        if size < 2:
            msg = "Connection pool configuration error: Maximum database pool size must be more than 1."
            raise exc.ConnectionPoolConfigurationError(msg)
        return size

    def connect_pool(
        self, dsn: str | None = None, *, max_db_pool_size: int | None = None, **connect_args: Any
    ) -> Self:
        """Configure this pool from psqlpy's ``ConnectionPool(...)`` / ``connect_pool(...)`` arguments.

        Patch the driver with it (``monkeypatch.setattr(psqlpy, "ConnectionPool", pool.connect_pool)``)
        so the code under test makes "its" pool while the test keeps the script. The arguments are
        checked against psqlpy's and kept in ``create_args``; a failure scripted with
        ``fail_creation()`` is raised here, as psqlpy raises a bad configuration at construction.
        """
        check_connect_args(connect_args)
        if self._handed:
            msg = "FakeConnectionPool.connect_pool(): connections were already taken from this pool."
            raise RuntimeError(msg)
        self.create_args = {"dsn": dsn, "max_db_pool_size": max_db_pool_size, **connect_args}
        if self._creation_errors:
            raise self._creation_errors.pop(0).with_traceback(None)
        self._max_size = self._checked_size(max_db_pool_size)
        return self

    def fail_creation(self, *errors: BaseException) -> None:
        """Make the next ``connect_pool()`` calls raise ``errors``, one each (a bad configuration).

        psqlpy connects lazily: a database that is down or refuses the password fails at
        ``connection()``, which :meth:`fail_connection` scripts.
        """
        self._creation_errors += _exceptions("fail_creation", errors)

    def fail_connection(self, *errors: BaseException) -> None:
        """Make the next ``connection()`` / ``acquire()`` raise ``errors``, one each, taking no slot.

        As psqlpy's pool when it cannot open a connection: ``connection_refused()`` gives its error.
        """
        self._connection_errors += _exceptions("fail_connection", errors)

    # --- psqlpy's pool API ----------------------------------------------------------------------
    async def connection(self) -> FakeConnection:
        """Take a connection (blocking while the pool is exhausted); ``close()`` gives it back."""
        session = await self.take_slot()
        conn = self._next()
        resume(conn, session)
        conn._handle = "ready"
        conn._acquired_at = call_site()
        return conn

    def acquire(self) -> FakeConnection:
        """Return a connection to use as ``async with pool.acquire() as conn`` (it takes a slot on entry)."""
        conn = self._next()
        conn._handle = "pending"
        return conn

    def status(self) -> ConnectionPoolStatus:
        """Return the counts: ``max_size``, ``size``, ``available``, ``waiting``.

        Once the pool is closed only the connections still out count, as ``size``.
        """
        self._reclaim()
        if self._closed:
            return ConnectionPoolStatus(0, self._in_use, 0, 0)
        return ConnectionPoolStatus(self._max_size, self._size, self._size - self._in_use, len(self._waiters))

    def resize(self, new_max_size: int) -> None:
        """Change the maximum size.

        A larger pool serves blocked acquisitions at once; a smaller one closes idle connections
        now and busy ones as they come back.
        """
        self._max_size = new_max_size
        self._size = max(self._in_use, min(self._size, new_max_size))
        while len(self._idle) > self._size - self._in_use:
            self._idle.popleft()  # the oldest idle connections are closed first
        while self._waiters and self._in_use < self._max_size:
            self._in_use += 1
            self._size = max(self._size, self._in_use)
            self._waiters.popleft().signal.set()

    def close(self) -> None:
        """Close the pool: later acquisitions raise; connections already taken keep working."""
        self._closed = True
        error = _pool_closed()
        while self._waiters:
            waiter = self._waiters.popleft()
            waiter.error = error
            waiter.signal.set()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- slots (the PoolSlots protocol its connections use) ---------------------------------------
    async def take_slot(self) -> Session | None:
        """Take a free slot, or wait in line for one; the state its server session was left in."""
        if self._closed:
            raise _pool_closed()
        if self._connection_errors:
            raise self._connection_errors.pop(0).with_traceback(None)
        if not self._free() or (not self._idle and self._any_out_in_transaction()):
            # Connections the code dropped give their slots back when collected; one dropped with a
            # transaction is held in a cycle, so collect before opening another, as psqlpy reuses it.
            self._reclaim()
        if self._free():
            self._in_use += 1
            self._size = max(self._size, self._in_use)
            return self._idle.popleft() if self._idle else None
        waiter = _Waiter()
        self._waiters.append(waiter)
        watchers, self._watchers = self._watchers, []
        for watcher in watchers:
            watcher.set()
        try:
            pause = _RECLAIM_EVERY
            while not await waiter.signal.wait(pause):
                self._reclaim()  # a dropped connection in a cycle comes back only when collected
                pause = min(pause * 2, 1.0)
        except BaseException as error:
            if waiter.signal.is_set() and waiter.error is None:
                self._give_back(waiter.session)  # it was handed a slot as it was cancelled: pass it on
            else:
                self._waiters.remove(waiter)
                add_note(error, self._exhausted())
            raise
        if waiter.error is not None:
            raise waiter.error
        return waiter.session

    def _any_out_in_transaction(self) -> bool:
        """Whether an unfinished transaction holds a connection still out (the code may have dropped both)."""
        if self._script is not None:
            transactions = self._script._transactions
        else:
            transactions = [
                tx for lease in self._handed if lease.out for tx in lease.connection._transactions
            ]
        return any(holds_taken(tx) is not None for tx in transactions)

    def _free(self) -> bool:
        return self._in_use < self._max_size and not self._waiters

    def _reclaim(self) -> None:
        if self._script is None:  # each connection keeps its own records, which never keep it
            reclaim(self._handed, (), [])
        else:
            reclaim(self._handed, self.calls, self._script._transactions)

    def _exhausted(self) -> str:
        held = [
            f"#{n} at {lease.connection._acquired_at}" for n, lease in enumerate(self._handed) if lease.out
        ]
        return (
            f"asyncfakes: cancelled while waiting for a connection: the pool is exhausted: "
            f"{self._in_use}/{self._max_size} in use, acquired by {', '.join(held) or 'nobody now'}; close() "
            "them (`async with pool.acquire()`), or make the pool larger."
        )

    def give_back_slot(self, connection: FakeConnection) -> None:
        """Hand ``connection``'s slot and server session to the first acquisition waiting, or the pool."""
        self._give_back(session_of(connection))

    def _give_back(self, session: Session | None) -> None:
        if self._waiters and self._in_use <= self._max_size:
            waiter = self._waiters.popleft()
            waiter.session = session
            waiter.signal.set()
        else:
            self._in_use -= 1
            size = self._size
            self._size = min(size, max(self._max_size, self._in_use))
            if self._size == size:  # else the pool shrank: the connection is closed
                self._idle.append(session)

    async def until_blocked(self, count: int = 1) -> None:
        """Return once ``count`` acquisitions are blocked on the exhausted pool (for tests of exhaustion)."""
        while len(self._waiters) < count:
            watcher = Event()
            self._watchers.append(watcher)
            await watcher.wait()

    # --- scripting and assertions ---------------------------------------------------------------
    def _new(self) -> FakeConnection:
        conn = FakeConnection(
            strict=self._strict,
            ordered=self._ordered,
            optional_stubs=self._optional_stubs,
            share_with=self._script,
        )
        self.adopt(conn)
        return conn

    def _next(self) -> FakeConnection:
        conn = self._queued.popleft() if self._queued else self._new()
        conn._home = self
        conn._lease = Lease(conn, self)
        conn._asyncfakes_uncached = True  # no cycle: dropped, it is freed (and gives its slot) at once
        self._handed.append(conn._lease)
        return conn

    def add_connection(self) -> FakeConnection:
        """Make the fake a later ``connection()``/``acquire()`` hands out (in order), to script it first."""
        conn = self._new()
        self._queued.append(conn)
        return conn

    @property
    def script(self) -> FakeConnection:
        """The connection whose script and history every connection shares (``shared=True`` only)."""
        if self._script is None:
            msg = (
                "FakeConnectionPool(shared=False) has no shared script: each connection has its own. "
                "Script one with pool.add_connection() before the code takes it, and read "
                "pool.connections afterwards."
            )
            raise AttributeError(msg)
        return self._script

    @property
    def connections(self) -> tuple[FakeConnection, ...]:
        """Every connection handed out so far, in order."""
        return tuple(lease.connection for lease in self._handed)

    @property
    def calls(self) -> CallLog:
        """Every call on the pool's connections: the shared history, or each connection's in turn."""
        if self._script is not None:
            return self._script.calls
        every = [call for lease in self._handed for call in lease.connection.calls]
        return CallLog(every, title="calls on the pool's connections")

    def _problems(self) -> Iterator[str]:
        shared = self._script.problems() if self._script is not None else []
        yield from shared
        for verb, errors in (
            ("fail_creation", self._creation_errors),
            ("fail_connection", self._connection_errors),
        ):
            yield from (f"pool.{verb}({error!r}) was never used." for error in errors)
        self._reclaim()
        for number, lease in enumerate(self._handed):
            conn = lease.connection
            for problem in reworded(lease, conn.problems()):
                if problem not in shared:
                    yield f"connection #{number}: {problem}"
            if lease.out:
                yield (
                    f"connection #{number} (taken at {conn._acquired_at}) is still out: never closed, and "
                    "still referenced, so psqlpy keeps its slot busy for as long as that reference lives. "
                    "close() it when done, or use `async with pool.acquire() as conn`. (Dropping a "
                    "connection without close() is fine: psqlpy gives its slot back when it is "
                    "garbage-collected.)"
                )
        if self._waiters:
            yield (
                f"{len(self._waiters)} acquisition(s) are still blocked waiting for a connection "
                f"(max_size={self._max_size})."
            )

    def problems(self) -> list[str]:
        """What ``verify()`` reports: every connection's problems, connections still out and referenced."""
        return super().problems() + list(self._problems())

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<psqlpy FakeConnectionPool {state}, {self.status()!r}>"
