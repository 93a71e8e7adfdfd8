"""FakeAsyncCursor: psycopg's AsyncCursor over the fake connection's recorded, scripted statements."""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.pq import ExecStatus

from ._params import query_text
from ._results import Column, FakePGResult

if TYPE_CHECKING:
    from typing_extensions import Self

    from ._connection import FakeAsyncConnection

__all__ = ["FakeAsyncCursor", "FakeAsyncServerCursor"]

TUPLES_OK = ExecStatus.TUPLES_OK


class FakeAsyncCursor:
    """psycopg's ``AsyncCursor``: ``execute`` returns the cursor, then fetch the rows it produced.

    Statements are recorded on the connection as ``execute`` / ``executemany`` calls and answered
    from its script (``conn.execute.returns([...])``). Rows go through the cursor's
    ``row_factory`` (psycopg's own ``dict_row``, ``class_row(...)``, ... work unchanged), and the
    errors for fetching before ``execute``, after a command, or on a closed cursor are psycopg's.
    """

    __slots__ = (
        "__weakref__",
        "_closed",
        "_conn",
        "_index",
        "_make_row",
        "_pos",
        "_results",
        "_row_factory",
        "_rowcount",
        "_status",
        "arraysize",
        "pgresult",
    )

    _encoding = "utf-8"

    def __init__(self, connection: FakeAsyncConnection, *, row_factory: Any = None) -> None:
        self._conn = connection
        self._row_factory: Any = row_factory or connection.row_factory
        self.arraysize: int = 1
        self._closed = False
        self.pgresult: FakePGResult | None = None
        self._results: list[FakePGResult] = []
        self._index = 0
        self._pos = 0
        self._rowcount = -1
        self._status: str | None = None
        self._make_row: Any = None

    # --- what psycopg's cursor exposes ------------------------------------------------------------
    @property
    def connection(self) -> FakeAsyncConnection:
        """The connection this cursor runs on."""
        return self._conn

    @property
    def closed(self) -> bool:
        """Whether the cursor is closed."""
        return self._closed

    @property
    def row_factory(self) -> Any:
        """The function that makes rows of this cursor's results (writable)."""
        return self._row_factory

    @row_factory.setter
    def row_factory(self, row_factory: Any) -> None:
        self._row_factory = row_factory
        if self.pgresult is not None:
            self._make_row = row_factory(self)

    @property
    def description(self) -> list[Column] | None:
        """The columns of the current result, or ``None`` after a command."""
        res = self.pgresult
        if res is not None and (res.nfields or res.status == TUPLES_OK):
            return list(res.columns)
        return None

    @property
    def rowcount(self) -> int:
        """Rows of the last query, rows affected by the last command, -1 before any."""
        return self._rowcount

    @property
    def rownumber(self) -> int | None:
        """The index of the next row to fetch, ``None`` without rows."""
        res = self.pgresult
        return self._pos if res is not None and res.status == TUPLES_OK else None

    @property
    def statusmessage(self) -> str | None:
        """The status of the last statement (``"SELECT 2"``, ``"INSERT 0 1"``), ``None`` before any."""
        return self._status

    # --- running statements -----------------------------------------------------------------------
    def _start(self) -> None:
        if self._closed:
            msg = "the cursor is closed"
            raise psycopg.InterfaceError(msg)
        if self._conn._gone:
            self._conn._check_connection_ok()
        self.pgresult = None
        self._results = []
        self._index = self._pos = 0
        self._rowcount = -1
        self._status = None

    async def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> Self:
        """Run ``query`` (recorded as an ``execute`` call); returns the cursor, to fetch from."""
        self._start()
        conn = self._conn
        if not conn._autocommit and not conn._transaction_stack:
            await conn._start_query()
        sql = query if type(query) is str else query_text(query)
        if prepare is None and not binary:  # the usual call: no options recorded
            result = await conn.execute.record(sql, params)
        else:
            result = await conn.execute.record(sql, params, prepare=prepare, binary=binary)
        self._results = [result]
        self._select(0)
        return self

    async def executemany(self, query: Any, params_seq: Iterable[Any], *, returning: bool = False) -> None:
        """Run ``query`` once per parameter set, recorded as one ``executemany`` call.

        ``rowcount`` is the total of the rows affected; with ``returning=True`` each set's rows
        are a result of its own (``nextset()`` moves to the next).
        """
        self._start()
        sql = query_text(query)
        params = list(params_seq)
        conn = self._conn
        if not conn._autocommit and not conn._transaction_stack:
            await conn._start_query()
        results = await conn._executemany(sql, params, returning=returning)
        if returning:
            self._set_results(results)
        else:
            self._rowcount = sum(res.command_tuples or 0 for res in results)
            self._status = results[-1].tag if results else None

    def _set_results(self, results: list[FakePGResult]) -> None:
        self._results = results
        if results:
            self._select(0)

    def _select(self, index: int) -> None:
        self._index = index
        res = self.pgresult = self._results[index]
        self._pos = 0
        if res.status == TUPLES_OK:
            self._rowcount = len(res.rows)
        else:
            self._rowcount = -1 if res.command_tuples is None else res.command_tuples
        self._status = res.tag
        try:
            self._make_row = self._row_factory(self)
        except psycopg.ProgrammingError:
            if res.nfields:
                raise
            # An unscripted query knows no columns; the real one has some (scalar_row needs one).
            self._make_row = tuple

    def nextset(self) -> bool | None:
        """Move to the next result (of an ``executemany(returning=True)``); ``None`` when there is none."""
        if self._index < len(self._results) - 1:
            self._select(self._index + 1)
            return True
        return None

    # --- fetching ---------------------------------------------------------------------------------
    def _check_result_for_fetch(self) -> FakePGResult:
        if self._closed:
            msg = "the cursor is closed"
            raise psycopg.InterfaceError(msg)
        res = self.pgresult
        if res is None:
            msg = "no result available"
            raise psycopg.ProgrammingError(msg)
        if res.status != TUPLES_OK:
            msg = f"the last operation didn't produce records (command status: {self._status})"
            raise psycopg.ProgrammingError(msg)
        return res

    async def fetchone(self) -> Any:
        """The next row, or ``None`` when the result is exhausted."""
        res = self._check_result_for_fetch()
        if self._pos < len(res.rows):
            row = self._make_row(res.rows[self._pos])
            self._pos += 1
            return row
        return None

    async def fetchmany(self, size: int = 0) -> list[Any]:
        """The next ``size`` rows (``arraysize`` when 0)."""
        res = self._check_result_for_fetch()
        end = min(self._pos + (size or self.arraysize), len(res.rows))
        make = self._make_row
        rows = [make(values) for values in res.rows[self._pos : end]]
        self._pos = end
        return rows

    async def fetchall(self) -> list[Any]:
        """Every row not fetched yet."""
        res = self._check_result_for_fetch()
        make = self._make_row
        rows = [make(values) for values in res.rows[self._pos :]]
        self._pos = len(res.rows)
        return rows

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Any:
        res = self._check_result_for_fetch()
        if self._pos < len(res.rows):
            row = self._make_row(res.rows[self._pos])
            self._pos += 1
            return row
        raise StopAsyncIteration

    # --- closing ----------------------------------------------------------------------------------
    def _close(self) -> None:
        """Close without awaiting (SQLAlchemy calls it)."""
        self.pgresult = None
        self._results = []
        self._closed = True

    async def close(self) -> None:
        """Close the cursor; fetching afterwards raises ``InterfaceError``."""
        self._close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        if self._closed:
            state = "closed"
        elif self.pgresult is not None:
            state = self.pgresult.status.name
        else:
            state = "no result"
        return f"<psycopg FakeAsyncCursor [{state}]>"


class FakeAsyncServerCursor(FakeAsyncCursor):
    """psycopg's ``AsyncServerCursor`` (``conn.cursor(name)``): the same results, named.

    The fake answers it as it answers a client cursor: script its rows on ``conn.execute``.
    """

    __slots__ = ("itersize", "name", "scrollable", "withhold")

    def __init__(
        self,
        connection: FakeAsyncConnection,
        name: str,
        *,
        row_factory: Any = None,
        scrollable: bool | None = None,
        withhold: bool = False,
    ) -> None:
        super().__init__(connection, row_factory=row_factory)
        self.name: str = name
        self.scrollable: bool | None = scrollable
        self.withhold: bool = withhold
        self.itersize: int = 100

    def __repr__(self) -> str:
        return f"<psycopg FakeAsyncServerCursor {self.name!r}>"
