"""Prepared statements and cursors: hosts whose calls record on (and answer from) their connection."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any

from asyncfakes import BaseTransaction, fake_method, output_columns
from asyncfakes.postgres import command_tag, parameters

from ._describe import attributes, parameter_types, place, sources
from ._errors import interface_error, postgres_error
from ._record import Record, record_type
from ._shapes import execute_status, many_answer, shape_fetch, shape_fetchrow, shape_fetchval

if TYPE_CHECKING:
    from typing_extensions import Self

    from asyncfakes import Call

    from ._connection import FakeConnection

__all__ = ["FakeCursor", "FakeCursorFactory", "FakeCursorIterator", "FakePreparedStatement"]

_names = itertools.count(1)
_OUTSIDE = "cursor cannot be created outside of a transaction"


def _query_of(statement: FakePreparedStatement) -> str:
    return statement._query


def _statement_rows(host: FakePreparedStatement, call: Call, value: Any) -> list[Record]:
    """Rows in the statement's column order; a row count or status for a statement without rows."""
    columns = host._columns
    if columns == () and (isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))):
        host._scripted_status = execute_status(host._query, value, call.method)
        return []
    return place(shape_fetch(host, call, value), columns, call.method, sources(host._query))


def _statement_row(host: FakePreparedStatement, call: Call, value: Any) -> Record | None:
    shape_fetchrow(host, call, value)  # the same checks and messages as conn.fetchrow's
    found = _statement_rows(host, call, [] if value is None else value)
    return found[0] if found else None


class FakePreparedStatement:
    """A fake ``asyncpg.PreparedStatement``, made by ``await conn.prepare(query)``.

    Its ``fetch``, ``fetchrow``, ``fetchval``, ``fetchmany`` and ``executemany`` are recorded on
    the connection under those names, with the statement's query as SQL, and answer from the
    connection's script: ``conn.fetch.returns(...)`` answers ``stmt.fetch(...)`` too.
    """

    def __init__(
        self, connection: FakeConnection, query: str, name: str | None, record_class: type[Any] | None
    ) -> None:
        self._connection = connection
        self._query = query
        self._name = name or f"__asyncpg_stmt_{next(_names):x}__"
        self.record_class: type[Any] | None = (
            record_class if record_class is not None else connection.record_class
        )
        self._status: str | None = None
        self._scripted_status: str | None = None
        self._columns = output_columns(query)

    def fake_context(self) -> tuple[FakeConnection, BaseTransaction | None]:
        """The statement's calls record on its connection."""
        return self._connection, None

    def _check(self, method: str) -> None:
        self._connection._check_usable("PreparedStatement", method)

    def _start(self) -> None:
        self._scripted_status = None

    def _done(self, count: int) -> None:
        status = self._scripted_status or command_tag(self._query, count)
        self._status = self._connection._executed(self._query, status)

    def get_query(self) -> str:
        """The statement's query text."""
        self._check("get_query")
        return self._query

    def get_name(self) -> str:
        """The statement's name."""
        self._check("get_name")
        return self._name

    def get_attributes(self) -> tuple[Any, ...]:
        """The columns the statement returns, as ``asyncpg.types.Attribute`` tuples (``name``, ``type``).

        Read from the SQL before anything runs, as asyncpg has them from the server: the
        top-level ``SELECT`` list or ``RETURNING`` clause; ``()`` for a statement that returns no
        rows, or whose columns the text does not name (``SELECT *``). Types are ``unknown``.
        """
        self._check("get_attributes")
        return attributes(self._query)

    def get_parameters(self) -> tuple[Any, ...]:
        """One ``asyncpg.types.Type`` per ``$n`` parameter of the statement (``unknown`` types)."""
        self._check("get_parameters")
        return parameter_types(max(parameters(self._query), default=0))

    def get_statusmsg(self) -> str | None:
        """The status of the last run, ``None`` before the first.

        From the rows it answered (``"SELECT 2"``, ``"INSERT 0 1"``), or the row count or status
        scripted for a statement that returns no rows (``returns(2)``: ``"UPDATE 2"``).
        """
        self._check("get_statusmsg")
        return self._status

    @fake_method(name="fetch", sql=_query_of, shape=_statement_rows)
    async def _fetch(self, *args: Any, timeout: float | None = None) -> list[Record]:
        return []

    @fake_method(name="fetchrow", sql=_query_of, shape=_statement_row)
    async def _fetchrow(self, *args: Any, timeout: float | None = None) -> Record | None:
        return None

    @fake_method(name="fetchval", sql=_query_of, shape=shape_fetchval)
    async def _fetchval(self, *args: Any, column: int | str = 0, timeout: float | None = None) -> Any:
        return None

    @fake_method(name="fetchmany", sql=_query_of, shape=shape_fetch)
    async def _fetchmany(self, args: Any, *, timeout: float | None = None) -> list[Record]:
        return []

    @fake_method(name="executemany", sql=_query_of, shape=many_answer)
    async def _executemany(self, args: Any, *, timeout: float | None = None) -> None:
        return None

    @fake_method(name="cursor", sql=_query_of, shape=shape_fetch)
    async def _open_cursor(
        self, *args: Any, prefetch: int | None = None, timeout: float | None = None
    ) -> list[Record]:
        return []

    async def fetch(self, *args: Any, timeout: float | None = None) -> list[Record]:
        """Run the statement; answers a list of records."""
        self._check("fetch")
        self._start()
        found = await self._fetch(*args, timeout=timeout)
        self._done(len(found))
        return found

    async def fetchrow(self, *args: Any, timeout: float | None = None) -> Record | None:
        """Run the statement; answers its first row, or ``None``."""
        self._check("fetchrow")
        self._start()
        found = await self._fetchrow(*args, timeout=timeout)
        self._done(0 if found is None else 1)
        return found

    async def fetchval(self, *args: Any, column: int | str = 0, timeout: float | None = None) -> Any:
        """Run the statement; answers one value, or ``None``."""
        self._check("fetchval")
        value = await self._fetchval(*args, column=column, timeout=timeout)
        self._done(0 if value is None else 1)
        return value

    async def fetchmany(self, args: Any, *, timeout: float | None = None) -> list[Record]:
        """Run the statement once per argument set; answers the rows of all runs."""
        self._check("fetchmany")
        return await self._fetchmany(args, timeout=timeout)

    async def executemany(self, args: Any, *, timeout: float | None = None) -> None:
        """Run the statement once per argument set; answers ``None``."""
        self._check("executemany")
        await self._executemany(args, timeout=timeout)

    def cursor(
        self, *args: Any, prefetch: int | None = None, timeout: float | None = None
    ) -> FakeCursorFactory:
        """A cursor over the statement's rows (recorded as a ``cursor`` call when opened)."""
        self._check("cursor")

        def open_call() -> Awaitable[list[Record]]:
            return self._open_cursor(*args, prefetch=prefetch, timeout=timeout)

        return FakeCursorFactory(
            self._connection, self._query, open_call, prefetch, record_type(self.record_class)
        )

    def __repr__(self) -> str:
        return f"<asyncfakes.asyncpg.FakePreparedStatement {self._name} {self._query!r}>"


def _where(connection: FakeConnection) -> object:
    """What identifies the transaction a cursor lives in: its outermost transaction, or BEGIN."""
    stack = connection._transaction_stack
    return stack[0] if stack else "manual"


def _check_in_transaction(connection: FakeConnection) -> None:
    if not connection._in_transaction():
        error = postgres_error("25P01", _OUTSIDE)
        raise error


class FakeCursorFactory:
    """What ``conn.cursor(...)`` returns: ``await`` it for a :class:`FakeCursor`, or ``async for``."""

    def __init__(
        self,
        connection: FakeConnection,
        query: str,
        open_call: Callable[[], Awaitable[list[Record]]],
        prefetch: int | None,
        kind: type[Record],
    ) -> None:
        self._connection = connection
        self._query = query
        self._open_call = open_call
        self._prefetch = prefetch
        self._kind = kind

    def __await__(self) -> Generator[Any, None, FakeCursor]:
        self._connection._check_usable("CursorFactory", "__await__")
        if self._prefetch is not None:
            msg = "prefetch argument can only be specified for iterable cursor"
            raise interface_error(msg)
        return self._open().__await__()

    async def _open(self) -> FakeCursor:
        _check_in_transaction(self._connection)
        found = await self._open_call()
        return FakeCursor(self._connection, self._query, found, self._kind)

    def __aiter__(self) -> FakeCursorIterator:
        self._connection._check_usable("CursorFactory", "__aiter__")
        prefetch = 50 if self._prefetch is None else self._prefetch
        if prefetch <= 0:
            msg = "prefetch argument must be greater than zero"
            raise interface_error(msg)
        return FakeCursorIterator(self._connection, self._open_call)


class FakeCursorIterator:
    """``async for row in conn.cursor(...)``: opens the cursor (one ``cursor`` call), yields rows."""

    def __init__(self, connection: FakeConnection, open_call: Callable[[], Awaitable[list[Record]]]) -> None:
        self._connection = connection
        self._open_call = open_call
        self._buffer: deque[Record] | None = None

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Record:
        self._connection._check_usable("CursorIterator", "__anext__")
        if self._buffer is None:
            _check_in_transaction(self._connection)
            self._buffer = deque(await self._open_call())
        if self._buffer:
            return self._buffer.popleft()
        raise StopAsyncIteration


class FakeCursor:
    """A fake ``asyncpg.Cursor``: an open portal over the rows its ``cursor`` call answered.

    ``fetch(n)``, ``fetchrow()`` and ``forward(n)`` are recorded as ``cursor_fetch``,
    ``cursor_fetchrow`` and ``cursor_forward`` calls (no SQL; ``n`` is in ``call.args``); unless
    scripted, they move through those rows.
    """

    def __init__(
        self, connection: FakeConnection, query: str, found: list[Record], kind: type[Record]
    ) -> None:
        self._connection = connection
        self._query = query
        self._rows = found
        self._position = 0
        self._where = _where(connection)
        self._portal = f"__asyncpg_portal_{next(_names):x}__"
        self.record_class = kind

    def fake_context(self) -> tuple[FakeConnection, BaseTransaction | None]:
        """The cursor's calls record on its connection."""
        return self._connection, None

    def _ready(self, method: str) -> None:
        connection = self._connection
        connection._check_usable("Cursor", method)
        _check_in_transaction(connection)
        if _where(connection) is not self._where:
            error = postgres_error("34000", f'cursor "{self._portal}" does not exist')
            raise error

    def _take(self, count: int) -> list[Record]:
        taken = self._rows[self._position : self._position + count]
        self._position += len(taken)
        return taken

    @fake_method(name="cursor_fetch", sql=None, params=None, shape=shape_fetch)
    async def _fetch(self, n: int, *, timeout: float | None = None) -> list[Record]:
        return self._take(n)

    @fake_method(name="cursor_fetchrow", sql=None, params=None, shape=shape_fetchrow)
    async def _fetchrow(self, *, timeout: float | None = None) -> Record | None:
        taken = self._take(1)
        return taken[0] if taken else None

    @fake_method(name="cursor_forward", sql=None, params=None)
    async def _forward(self, n: int, *, timeout: float | None = None) -> int:
        return len(self._take(n))

    async def fetch(self, n: int, *, timeout: float | None = None) -> list[Record]:
        """The next ``n`` rows (fewer at the end, then ``[]``)."""
        self._ready("fetch")
        if n <= 0:
            msg = "n must be greater than zero"
            raise interface_error(msg)
        return await self._fetch(n, timeout=timeout)

    async def fetchrow(self, *, timeout: float | None = None) -> Record | None:
        """The next row, or ``None`` at the end."""
        self._ready("fetchrow")
        return await self._fetchrow(timeout=timeout)

    async def forward(self, n: int, *, timeout: float | None = None) -> int:
        """Skip ``n`` rows; answers how many were skipped."""
        self._ready("forward")
        if n <= 0:
            msg = "n must be greater than zero"
            raise interface_error(msg)
        return await self._forward(n, timeout=timeout)

    def __repr__(self) -> str:
        return f'<asyncfakes.asyncpg.FakeCursor "{self._query[:30]}">'
