"""FakePool: asyncpg's Pool, with acquire/release, a size limit, waiting, shortcuts and leak reports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar

from asyncfakes import Event, NameHints, Verifiable, add_note, call_site

from ._acquire import FakePoolAcquireContext
from ._connection import FakeConnection
from ._errors import exceptions_only, interface_error
from ._pool_shortcuts import PoolShortcuts
from ._record import record_type
from ._unfaked import UNFAKED_POOL
from ._waiting import HandOff, timeout_error

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["FakePool", "FakePoolAcquireContext", "Hook"]

Hook = Callable[[FakeConnection], Awaitable[Any]]


def _check_sizes(min_size: int, max_size: int) -> None:
    if max_size <= 0:
        msg = "max_size is expected to be greater than zero"
        raise ValueError(msg)
    if min_size < 0:
        msg = "min_size is expected to be greater or equal to zero"
        raise ValueError(msg)
    if min_size > max_size:
        msg = "min_size is greater than max_size"
        raise ValueError(msg)


class FakePool(PoolShortcuts, Verifiable, NameHints):
    """A fake ``asyncpg.Pool``: hand it to the code under test, or patch ``asyncpg.create_pool``.

    ``acquire()`` works as ``async with pool.acquire() as conn`` and as ``conn = await
    pool.acquire()`` + ``await pool.release(conn)``. At most ``max_size`` connections are out at
    once; ``acquire`` waits for a release, and raises ``asyncio.TimeoutError`` after
    ``timeout``. The shortcuts (``execute``, ``fetch``, ``fetchrow``, ``fetchval``,
    ``executemany``, ``fetchmany``) acquire a connection for one call, as asyncpg's do.

    Each acquire hands out a new :class:`FakeConnection` (unusable after release, as asyncpg's
    proxy) recording into one of the pool's connections:

    - ``shared=True`` (default): all into ``pool.connection``: script and assert there.
    - ``shared=False``: into ``pool.connections[i]``, the lowest-numbered one not in use, each
      with its own script and history, as a real pool reuses its physical connections.

    ``verify()`` reports, besides every script's problems, connections acquired and never
    released and transactions left open; ``close()`` waits for acquired connections, as asyncpg's.
    To patch the driver: ``monkeypatch.setattr(asyncpg, "create_pool", pool.create_pool)``.
    """

    unfaked_methods: ClassVar[Mapping[str, str]] = UNFAKED_POOL

    def __init__(
        self,
        *,
        max_size: int = 10,
        min_size: int = 0,
        shared: bool = True,
        strict: bool = False,
        ordered: bool = False,
        optional_stubs: bool = False,
        record_class: type[Any] | None = None,
    ) -> None:
        self._shared = shared
        self._strict = strict
        self._ordered = ordered
        self._optional_stubs = optional_stubs
        self._hooks: tuple[Hook | None, Hook | None] = (None, None)
        self.create_args: dict[str, Any] | None = None
        """The arguments the code under test passed to ``create_pool()``, once it has."""
        self._connections: tuple[FakeConnection, ...] = ()
        self._configure(min_size, max_size, record_class)
        self._initialized = True
        self._closed = False
        self._closing = False
        self._drained: Event | None = None  # set when the last acquired connection comes back
        self._taken: dict[int, FakeConnection | None] = {}  # slot -> its connection, None: reserved
        self._handed_out: list[FakeConnection] = []
        self._used_slots: set[int] = set()
        self._handoff: HandOff[int] = HandOff()
        self._creation_errors: list[BaseException] = []

    def _configure(self, min_size: int, max_size: int, record_class: type[Any] | None) -> None:
        # Keeps the connections (and so what the test scripted on them) across create_pool().
        _check_sizes(min_size, max_size)
        record_type(record_class)
        self._min_size, self._max_size = min_size, max_size
        self._record_class = record_class
        wanted = 1 if self._shared else max_size
        existing = list(dict.fromkeys(self._connections))
        kept = existing[:wanted]
        scripted = [
            i for i, c in enumerate(existing) if i >= wanted and (c._script.answers or c._script.stubs)
        ]
        if scripted:
            msg = (
                f"create_pool(max_size={max_size}) makes the pool smaller than the test scripted it: "
                f"pool.connections{scripted} would be dropped with their answers. Script only "
                f"connections the pool will have, or make FakePool(max_size={max_size})."
            )
            raise ValueError(msg)
        for connection in kept:
            connection.record_class = record_class
        kept += [
            FakeConnection(
                strict=self._strict,
                ordered=self._ordered,
                optional_stubs=self._optional_stubs,
                record_class=record_class,
            )
            for _ in range(wanted - len(kept))
        ]
        for connection in kept:
            self.adopt(connection)
        self._connections = tuple(kept * max_size if self._shared else kept)

    def create_pool(
        self,
        dsn: str | None = None,
        *,
        min_size: int = 10,
        max_size: int = 10,
        setup: Hook | None = None,
        init: Hook | None = None,
        record_class: type[Any] | None = None,
        **connect_kwargs: Any,
    ) -> Self:
        """``asyncpg.create_pool``'s shape: configure this pool from the arguments and return it.

        As with asyncpg, the pool must be awaited (or entered with ``async with``) before use.
        ``init(conn)`` runs the first time each of the pool's connections is handed out,
        ``setup(conn)`` on every acquire. The arguments are kept in ``create_args``.
        """
        if self._handed_out:
            msg = "FakePool.create_pool(): connections were already acquired from this pool."
            raise RuntimeError(msg)
        self._configure(min_size, max_size, record_class)
        self._hooks = (init, setup)
        self.create_args = {"dsn": dsn, "min_size": min_size, "max_size": max_size, **connect_kwargs}
        self._initialized = False
        return self

    # --- what the test scripts and inspects ---------------------------------------------------
    def fail_creation(self, *errors: BaseException) -> None:
        """Make the next awaits of ``create_pool()`` raise ``errors``, one each, in order.

        As asyncpg's does when it cannot open its first connections (``invalid_password(user)``,
        ``ConnectionRefusedError(...)``); ``verify()`` reports failures that were never used.
        """
        self._creation_errors += exceptions_only("fail_creation", errors)

    @property
    def connection(self) -> FakeConnection:
        """The connection every handed-out connection answers from and records into (``shared=True``)."""
        if not self._shared:
            msg = (
                "this FakePool was made with shared=False: each connection has its own script, "
                "in pool.connections[i]."
            )
            raise AttributeError(msg)
        return self._connections[0]

    @property
    def connections(self) -> tuple[FakeConnection, ...]:
        """The pool's ``max_size`` connections, in the order acquire uses them (shared: all the same)."""
        return self._connections

    @property
    def in_use(self) -> tuple[FakeConnection, ...]:
        """The connections acquired and not yet released."""
        return tuple(held for held in self._taken.values() if held is not None)

    # --- lifecycle ------------------------------------------------------------------------
    def __await__(self) -> Generator[Any, None, Self]:
        return self._initialize().__await__()

    async def _initialize(self) -> Self:
        if self._creation_errors and not self._initialized:
            raise self._creation_errors.pop(0).with_traceback(None)
        self._initialized = True
        return self

    async def __aenter__(self) -> Self:
        return await self._initialize()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def _check_open(self) -> None:
        if not self._initialized:
            msg = "pool is not initialized"
            raise interface_error(msg)
        if self._closed:
            msg = "pool is closed"
            raise interface_error(msg)

    async def close(self) -> None:
        """Close the pool once every acquired connection is released, as asyncpg's ``close()``.

        A close that is cancelled or times out terminates the pool, as asyncpg's does.
        """
        if self._closed:
            return
        self._check_open()
        self._closing = True
        try:
            while self.in_use and not self._closed:  # terminate() ends the wait
                self._drained = Event()
                await self._drained.wait()
        except BaseException:
            self.terminate()
            raise
        finally:
            self._closing = False
            self._closed = True
        self._handoff.fail_all()

    def terminate(self) -> None:
        """Close the pool and every connection at once, without waiting for releases."""
        self._closed = True
        for connection in self.in_use:
            connection._released = True  # asyncpg's proxies act as released after terminate()
        self._handoff.fail_all()
        if self._drained is not None:
            self._drained.set()

    def is_closing(self) -> bool:
        """Whether ``close()`` (even one still waiting for releases) or ``terminate()`` was called."""
        return self._closed or self._closing

    def get_size(self) -> int:
        """How many connections the pool has open (at least ``min_size``; none once closed)."""
        return 0 if self._closed else max(self._min_size, len(self._used_slots))

    def get_idle_size(self) -> int:
        """How many opened connections are not acquired."""
        return max(self.get_size() - len(self._taken), 0)

    def get_min_size(self) -> int:
        """``min_size``."""
        return self._min_size

    def get_max_size(self) -> int:
        """``max_size``."""
        return self._max_size

    async def expire_connections(self) -> None:
        """Accepted and ignored: a fake connection never goes stale."""

    # --- acquire and release --------------------------------------------------------------
    def acquire(self, *, timeout: float | None = None) -> FakePoolAcquireContext:
        """Acquire a connection: ``async with pool.acquire() as conn`` or ``await pool.acquire()``."""
        return FakePoolAcquireContext(self, timeout)

    def _free_slot(self) -> int | None:
        for slot in range(self._max_size):
            if slot not in self._taken:
                return slot
        return None

    async def _acquire(self, timeout: float | None) -> FakeConnection:
        self._check_open()
        slot = self._free_slot()
        if slot is None:
            served, given = await self._handoff.wait(timeout, self._free)
            if not served:
                self._check_open()  # woken because the pool closed
                raise add_note(timeout_error(), self._exhausted())
            assert given is not None
            slot = given
        connection = FakeConnection(
            strict=self._strict, share_with=self._connections[slot], record_class=self._record_class
        )
        connection._pool = self
        connection._acquired_at = call_site()
        self.adopt(connection)
        self._taken[slot] = connection
        self._handed_out.append(connection)
        init, setup = self._hooks
        try:
            if init is not None and slot not in self._used_slots:
                await init(connection)
            self._used_slots.add(slot)
            if setup is not None:
                await setup(connection)
        except BaseException:
            self._let_go(connection)
            raise
        return connection

    def _exhausted(self) -> str:
        held = [
            f"#{number} at {connection._acquired_at}"
            for number, connection in enumerate(self._handed_out)
            if connection in self._taken.values()
        ]
        return (
            f"asyncfakes: the pool is exhausted: {len(self._taken)}/{self._max_size} in use, acquired by "
            f"{', '.join(held) or 'tasks that were handed a connection'}; release them (`async with "
            "pool.acquire()`), or make the pool larger."
        )

    def _free(self, slot: int) -> None:
        """Hand ``slot`` to the longest waiter (reserved for it), or mark it free."""
        if self._handoff.give(slot):
            self._taken[slot] = None
        else:
            del self._taken[slot]

    def _let_go(self, connection: FakeConnection) -> None:
        connection._released = True
        self._free(next(slot for slot, held in self._taken.items() if held is connection))
        if self._drained is not None and not self.in_use:
            self._drained.set()

    async def release(self, connection: Any, *, timeout: float | None = None) -> None:
        """Give ``connection`` back; using it afterwards raises ``InterfaceError``, as in asyncpg."""
        if not (isinstance(connection, FakeConnection) and connection._pool is self):
            msg = f"Pool.release() received invalid connection: {connection!r} is not a member of this pool"
            raise interface_error(msg)
        if not connection._released:
            self._let_go(connection)

    # --- verification -----------------------------------------------------------------------
    def problems(self) -> list[str]:
        """What ``verify()`` reports: every connection's problems, and connections never released."""
        found = super().problems()
        found += [
            f"pool.fail_creation({error!r}) was never used: the pool was not awaited that many times."
            for error in self._creation_errors
        ]
        scripts: dict[int, list[str]] = {}
        for connection in dict.fromkeys(self._connections):
            scripts[id(connection._script)] = own = connection.problems()
            found += own
        for number, connection in enumerate(self._handed_out):
            shared = scripts[id(connection._script)]
            found += [
                f"acquired connection #{number}: {text}"
                for text in connection.problems()
                if text not in shared
            ]
            if not connection._released:
                found.append(
                    f"acquired connection #{number} was never released: use `async with pool.acquire()` "
                    "or `await pool.release(conn)`."
                )
        return found

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<asyncfakes.asyncpg.FakePool {state}, {len(self._taken)}/{self._max_size} in use>"
