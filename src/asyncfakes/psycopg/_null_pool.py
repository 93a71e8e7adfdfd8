"""FakeAsyncNullConnectionPool: psycopg_pool's AsyncNullConnectionPool, a new fake connection per request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from psycopg.pq import TransactionStatus

from ._connection import FakeAsyncConnection
from ._pool import Callback, FakeAsyncConnectionPool

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["FakeAsyncNullConnectionPool"]


class FakeAsyncNullConnectionPool(FakeAsyncConnectionPool):
    """A fake ``psycopg_pool.AsyncNullConnectionPool``: no idle connection, a new one for each request.

    :class:`FakeAsyncConnectionPool`'s API and scripting (``pool.script``, ``shared=False``,
    ``pool.add_connection()``, ``pool.connections``, ``verify()``), with the null pool's rules:
    ``min_size`` is 0 and must stay 0; each ``getconn()`` / ``connection()`` makes a new
    :class:`FakeAsyncConnection` (``configure`` runs on it); ``putconn()`` closes it, unless a
    caller is waiting, who gets it (rolled back if in a transaction, then ``reset``). ``max_size``
    limits the connections out at once (``0``, the default, means no limit), with psycopg_pool's
    waiting, ``PoolTimeout`` and ``TooManyRequests``. ``wait()`` makes one connection and closes
    it; ``check()`` does nothing; ``resize()`` changes ``max_size`` only.
    """

    driver_class = "AsyncNullConnectionPool"

    def __init__(
        self,
        conninfo: str = "",
        *,
        kwargs: dict[str, Any] | None = None,
        min_size: int = 0,
        max_size: int | None = None,
        open: bool | None = None,  # psycopg_pool's own name
        configure: Callback | None = None,
        check: Callback | None = None,
        reset: Callback | None = None,
        name: str | None = None,
        timeout: float = 30.0,
        max_waiting: int = 0,
        shared: bool = True,
        strict: bool = False,
        ordered: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(
            conninfo,
            kwargs=kwargs,
            min_size=min_size,
            max_size=max_size,
            open=open,
            configure=configure,
            check=check,
            reset=reset,
            name=name,
            timeout=timeout,
            max_waiting=max_waiting,
            shared=shared,
            strict=strict,
            ordered=ordered,
            **options,
        )

    def construct(self, conninfo: str = "", *, min_size: int = 0, **arguments: Any) -> Self:
        """Configure this pool from ``psycopg_pool.AsyncNullConnectionPool(...)``'s arguments, once.

        The arguments of :meth:`FakeAsyncConnectionPool.construct`, with ``min_size=0`` by default.
        """
        return super().construct(conninfo, min_size=min_size, **arguments)

    def _checked_sizes(self, min_size: int, max_size: int | None) -> tuple[int, int]:
        if max_size is None:
            max_size = min_size
        if min_size != 0:
            msg = "null pools must have min_size = 0"
            raise ValueError(msg)
        if max_size < min_size:
            msg = "max_size must be greater or equal than min_size"
            raise ValueError(msg)
        return min_size, max_size

    async def wait(self, timeout: float = 30.0) -> None:
        """Check that a connection can be made, as psycopg_pool does: make one, then close it."""
        self._check_open_getconn()
        conn = await self._connect(self._new())  # not one add_connection() queued for getconn()
        await conn.close()

    async def resize(self, min_size: int, max_size: int | None = None) -> None:
        """Change ``max_size`` (``min_size`` must stay 0); callers already waiting keep waiting."""
        self._min_size, self._max_size = self._checked_sizes(min_size, max_size)

    async def putconn(self, conn: FakeAsyncConnection) -> None:
        """Give a connection back: closed, or handed to a waiting caller (rolled back first, then reset)."""
        if self._waiting and not self._closed:
            await super().putconn(conn)
            return
        self._own(conn)
        status = conn.info.transaction_status
        if status is TransactionStatus.UNKNOWN:
            self._stats["returns_bad"] += 1
        elif status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
            self._notes.append(
                f"connection #{self._made.index(conn)} was returned to the pool in a transaction "
                f"({status.name}): psycopg_pool closed it, discarding its work. commit() first, "
                "or use `async with pool.connection() as conn`."
            )
        await conn.close()

    async def _park(self, conn: FakeAsyncConnection) -> None:
        await conn.close()  # every waiting caller gave up: nobody wants it
