"""FakeCursor and FakePreparedStatement: psqlpy's Cursor and PreparedStatement, on the connection's script."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from asyncfakes import BaseTransaction, Call, fake_method

from . import exceptions as exc
from ._results import Column, QueryResult, rows_of

if TYPE_CHECKING:
    from typing_extensions import Self

    from ._connection import FakeConnection
    from ._transaction import FakeTransaction

__all__ = ["FakeCursor", "FakePreparedStatement"]

_RETURNED = "Underlying connection is returned to the pool"
_FINISHED = ("committed", "rolled_back")


def _shape_rows(host: Any, call: Call, value: Any) -> QueryResult:
    return rows_of(call.method, value)


class FakeCursor:
    """psqlpy's ``Cursor``: ``start()`` (or ``async with``), ``fetchone/fetchmany/fetchall``, ``async for``.

    Starting it is recorded as a ``cursor`` call with its query, so script its rows with
    ``conn.when(method="cursor").returns([...])`` (or ``conn.when(sql=...)``). Each fetch is
    recorded too, and answers the next rows of the started query. As in psqlpy, fetches each give
    a :class:`QueryResult`, fetching before ``start()`` or after ``close()`` raises
    ``TransactionClosedError``, and ``close()`` is sync.
    """

    def __init__(
        self,
        connection: FakeConnection,
        querystring: str | None,
        parameters: Any,
        array_size: int | None,
        *,
        origin: FakeTransaction | None = None,
        statement: tuple[str, Any] | None = None,
    ) -> None:
        self.querystring = querystring
        self.parameters: Any = parameters
        self.array_size: int = 1 if array_size is None else array_size
        self._connection = connection
        self._origin = origin
        self._statement = statement
        self._rows: list[dict[str, Any]] | None = None
        self._position = 0
        self._closed = False

    def fake_context(self) -> tuple[FakeConnection, BaseTransaction | None]:
        """Calls record on the connection, in its active transaction if any."""
        return self._connection, None

    @fake_method(name="cursor", shape=_shape_rows)
    async def _start(self, querystring: str, parameters: Any) -> QueryResult:
        return QueryResult()

    @fake_method(name="fetchone", sql=None, params=None, shape=_shape_rows, strict=False)
    async def _fetchone(self) -> QueryResult:
        return self._next(1)

    @fake_method(name="fetchmany", sql=None, params=None, shape=_shape_rows, strict=False)
    async def _fetchmany(self, size: int) -> QueryResult:
        return self._next(size)

    @fake_method(name="fetchall", sql=None, params=None, shape=_shape_rows, strict=False)
    async def _fetchall(self) -> QueryResult:
        return self._next(None)

    def _next(self, size: int | None) -> QueryResult:
        rows = self._rows or []
        end = len(rows) if size is None else self._position + size
        chunk = rows[self._position : end]
        self._position += len(chunk)
        return QueryResult(chunk)

    def _started(self) -> None:
        if self._rows is None:
            raise exc.TransactionClosedError(_RETURNED)

    async def start(self) -> None:
        """Run the query; its rows are what the fetches give."""
        if self._closed or (self._origin is not None and self._origin.state in _FINISHED):
            raise exc.ConnectionClosedError(_RETURNED)
        query = self._statement or (self.querystring, self.parameters)
        if query[0] is None:
            msg = "Cursor start error: Cannot start cursor"
            raise exc.CursorStartError(msg)
        conn = self._connection
        if conn._in_block:
            conn._notes.append(
                f"a cursor over {query[0]!r} ran inside a transaction: psqlpy 0.13 wraps a cursor in its "
                "own START TRANSACTION ... ROLLBACK, which rolls the enclosing transaction back when the "
                "cursor closes. Fetch the rows with fetch() there, or open the cursor outside."
            )
        result = await self._start(query[0], query[1])
        self._rows = result.result()
        self._position = 0

    async def execute(self, querystring: str, parameters: Any = None) -> None:
        """Start the cursor over another query; returns ``None``, as psqlpy does."""
        self.querystring, self.parameters, self._statement = querystring, parameters, None
        await self.start()

    async def fetchone(self) -> QueryResult:
        """The next row, as a :class:`QueryResult` of at most one row."""
        self._started()
        return await self._fetchone()

    async def fetchmany(self, size: int | None = None) -> QueryResult:
        """The next ``size`` rows (``array_size`` when not given)."""
        self._started()
        return await self._fetchmany(self.array_size if size is None else size)

    async def fetchall(self) -> QueryResult:
        """Every row not fetched yet."""
        self._started()
        return await self._fetchall()

    def close(self) -> None:
        """Close the cursor (sync, idempotent); later fetches raise ``TransactionClosedError``."""
        self._closed = True
        self._rows = None

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> QueryResult:
        chunk = await self.fetchmany()
        if not chunk.result():
            raise StopAsyncIteration
        return chunk

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:  # psqlpy's parameter names, so that protocols copied from psqlpy match
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "started" if self._rows is not None else "not started"
        return f"<psqlpy FakeCursor {state} {self.querystring!r}>"


class FakePreparedStatement:
    """psqlpy's ``PreparedStatement``: ``execute()`` runs the prepared query with its bound parameters.

    Each ``execute()`` is recorded as an ``execute`` call with the statement's SQL and parameters,
    so ``conn.execute.returns(...)`` and ``conn.when(sql=...)`` answer it.
    """

    def __init__(
        self, connection: FakeConnection, querystring: str, parameters: Any, columns: Sequence[str]
    ) -> None:
        self._connection = connection
        self._querystring = querystring
        self._parameters = parameters
        self._columns = tuple(columns)

    def fake_context(self) -> tuple[FakeConnection, BaseTransaction | None]:
        """Calls record on the connection, in its active transaction if any."""
        return self._connection, None

    @fake_method(name="execute", shape=_shape_rows)
    async def _execute(self, querystring: str, parameters: Any) -> QueryResult:
        return QueryResult()

    async def execute(self) -> QueryResult:
        """Run the statement (it keeps working after the connection is closed, as in psqlpy)."""
        self._connection._origin = self
        return await self._execute(self._querystring, self._parameters)

    def columns(self) -> list[Column]:
        """The statement's columns, as scripted on ``conn.prepare`` (a list of names)."""
        return [Column(name) for name in self._columns]

    def cursor(self) -> FakeCursor:
        """A cursor over the statement; its ``querystring`` and ``parameters`` read ``None``, as in psqlpy."""
        return FakeCursor(self._connection, None, None, None, statement=(self._querystring, self._parameters))

    def __repr__(self) -> str:
        return f"<psqlpy FakePreparedStatement {self._querystring!r}>"
