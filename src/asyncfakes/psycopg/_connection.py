"""FakeAsyncConnection: psycopg's AsyncConnection, its transaction status, settings and checks."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Coroutine, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, cast

import psycopg
from psycopg.pq import TransactionStatus
from psycopg.rows import tuple_row

from asyncfakes import BaseConnection, BaseTransaction, Call, FakeMethod, fake_method

from ._cursor import FakeAsyncCursor, FakeAsyncServerCursor
from ._errors import in_failed_transaction, is_lost, is_server_error
from ._info import ConnectionInfo, connect_descriptor
from ._params import check_execute, check_many, simple_count
from ._results import FakePGResult, natural_result, result_of, split_many
from ._settings import SessionSettings
from ._transaction import FakeAsyncTransaction

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["FakeAsyncConnection"]

_RECOVERING = ("rollback", "close")
_ROLLBACK_TO = re.compile(r"\s*rollback\s+(?:work\s+|transaction\s+)?to\b", re.IGNORECASE)


def _shape_execute(host: Any, call: Call, value: Any) -> FakePGResult:
    # Each call gets its own copy of the scripted data (the core copies it), so each is shaped anew.
    return result_of("execute", call.sql or "", value)


def _shape_cursor(host: Any, call: Call, value: Any) -> FakeAsyncCursor:
    conn: FakeAsyncConnection = host
    return conn._cursor_over(_shape_execute(host, call, value))


def _shape_many(host: Any, call: Call, value: Any) -> list[FakePGResult]:
    return split_many(call.sql or "", call.params, value, returning=bool(call.kwargs.get("returning")))


class ExecuteMethod(FakeMethod[..., FakePGResult]):
    """``conn.execute``: psycopg's ``await conn.execute(query, params)`` giving a cursor; scriptable.

    Script it like any fake method (``conn.execute.returns([...])``): it answers every ``execute``,
    on the connection and on its cursors alike, and ``conn.execute.calls`` lists them all.
    """

    __slots__ = ()

    def __call__(  # type: ignore[override]
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool = False
    ) -> Coroutine[Any, Any, FakeAsyncCursor]:
        conn: FakeAsyncConnection = self._host
        if conn._gone:
            return conn._closed_execute()
        if (
            type(query) is str
            and prepare is None
            and not binary
            and (conn._autocommit or conn._transaction_stack)
        ):
            # The usual call, with no BEGIN to send first: one recorded call straight to a cursor.
            return FakeMethod.__call__(conn._direct, query, params)  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        return conn.cursor().execute(query, params, prepare=prepare, binary=binary)

    def record(self, *args: Any, **kwargs: Any) -> Coroutine[Any, Any, FakePGResult]:
        """Record and answer one ``execute`` call (the cursor's ``execute`` goes through here)."""
        return FakeMethod.__call__(self, *args, **kwargs)  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]


class FakeAsyncConnection(SessionSettings, BaseConnection):
    """A fake ``psycopg.AsyncConnection``: psycopg's surface, transaction rules, rows and errors.

    Script what statements answer as plain data (``conn.execute.returns([{"id": 1}])`` for rows,
    ``returns(3)`` for a command's row count, ``raises(unique_violation())``), hand it to the code
    under test, then assert on ``conn.execute.calls`` or ``conn.calls`` (which also lists the
    ``BEGIN``/``COMMIT``/``ROLLBACK`` psycopg sends). With autocommit off the first statement
    opens a transaction, a failed statement puts it in ``INERROR`` until ``rollback()``, and
    ``verify()`` reports a ``commit()`` that PostgreSQL turned into a rollback, or a connection
    closed with uncommitted work.
    """

    transaction_class: ClassVar[type[BaseTransaction]] = FakeAsyncTransaction
    connect: Any = connect_descriptor()
    execute: ExecuteMethod

    def __init__(
        self,
        *,
        autocommit: bool = False,
        row_factory: Callable[[Any], Any] | None = None,
        strict: bool = False,
        ordered: bool = False,
        optional_stubs: bool = False,
        share_with: BaseConnection | None = None,
    ) -> None:
        super().__init__(strict=strict, ordered=ordered, optional_stubs=optional_stubs, share_with=share_with)
        self.execute = ExecuteMethod(FakeAsyncConnection._execute_spec, self)
        self._direct = FakeMethod(FakeAsyncConnection._direct_spec, self)
        self.row_factory: Callable[[Any], Any] = row_factory or tuple_row
        self.cursor_factory = FakeAsyncCursor
        self.prepare_threshold: int | None = 5
        self.conninfo = ""
        self.conninfo_kwargs: dict[str, Any] = {}
        self._autocommit = bool(autocommit)
        self._isolation_level: psycopg.IsolationLevel | None = None
        self._read_only: bool | None = None
        self._deferrable: bool | None = None
        self._pool: object = None  # set by the pool that hands the connection out
        self._broken = False
        self._gone = False  # closed or broken: read on every call, so kept as one flag
        self._failed = False
        self._blocks = 0
        self._notes: list[str] = []
        self.notice_handlers: list[Callable[[Any], None]] = []
        self.notify_handlers: list[Callable[[Any], None]] = []

    # --- the recorded statements (answered from the script) ------------------------------------------
    @fake_method(name="execute", shape=_shape_execute)
    async def _execute_spec(
        self, query: str, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> FakePGResult:
        return natural_result(query)

    @fake_method(name="execute", shape=_shape_cursor)
    async def _direct_spec(self, query: str, params: Any = None) -> FakeAsyncCursor:
        return self._cursor_over(natural_result(query))

    def _cursor_over(self, result: FakePGResult) -> FakeAsyncCursor:
        cursor = self.cursor_factory(self)
        cursor._results = [result]
        cursor._select(0)
        return cursor

    @fake_method(name="executemany", params="params_seq", shape=_shape_many)
    async def _executemany(
        self, query: str, params_seq: list[Any], *, returning: bool = False
    ) -> list[FakePGResult]:
        return split_many(query, params_seq, None, returning=returning)

    async def _closed_execute(self) -> FakeAsyncCursor:
        msg = "the connection is closed"  # psycopg's conn.execute() fails when awaited, not called
        raise psycopg.OperationalError(msg)

    # --- psycopg's connection surface -------------------------------------------------------------
    def cursor(
        self,
        name: str = "",
        *,
        binary: bool = False,
        row_factory: Callable[[Any], Any] | None = None,
        scrollable: bool | None = None,
        withhold: bool = False,
    ) -> FakeAsyncCursor:
        """A new cursor (synchronous, as psycopg's); ``name`` gives a server cursor."""
        if self._gone:
            self._check_connection_ok()
        if name:
            return FakeAsyncServerCursor(
                self, name, row_factory=row_factory, scrollable=scrollable, withhold=withhold
            )
        return self.cursor_factory(self, row_factory=row_factory)

    @property
    def transactions(self) -> Sequence[FakeAsyncTransaction]:
        """Every transaction made on this connection, in order: psycopg's fake transactions."""
        return cast("Sequence[FakeAsyncTransaction]", super().transactions)

    def transaction(
        self, savepoint_name: str | None = None, force_rollback: bool = False
    ) -> FakeAsyncTransaction:
        """A transaction block for ``async with``: a savepoint when a transaction is open."""
        return FakeAsyncTransaction(self, savepoint_name, force_rollback)

    async def commit(self) -> None:
        """Commit the open transaction (nothing to do when idle); forbidden inside a block."""
        self._check_connection_ok()
        if self._blocks:
            msg = (
                "Explicit commit() forbidden within a Transaction context. (Transaction will be "
                "automatically committed on successful exit from context.)"
            )
            raise psycopg.ProgrammingError(msg)
        if self._transaction_stack:
            await self._transaction_stack[0].commit()

    async def rollback(self) -> None:
        """Roll back the open transaction (nothing to do when idle); forbidden inside a block."""
        self._check_connection_ok()
        if self._blocks:
            msg = (
                "Explicit rollback() forbidden within a Transaction context. (Either raise Rollback() "
                "or allow an exception to propagate out of the context.)"
            )
            raise psycopg.ProgrammingError(msg)
        if self._transaction_stack:
            await self._transaction_stack[0].rollback()

    async def close(self) -> None:
        """Close the connection (again is fine); an open transaction is discarded, as by the server."""
        if self.closed:
            return
        if self._transaction_stack:
            self._notes.append(
                f"the connection was closed inside {self._transaction_stack[0]!r} "
                f"({self.info.transaction_status.name}): PostgreSQL discarded its uncommitted work. "
                "commit() before close(), or use `async with conn`."
            )
            self._discard()
        try:
            await super().close()
        finally:
            self._gone = True

    def _discard(self) -> None:
        for tx in self._transaction_stack:
            tx.state = "rolled_back"
        self._transaction_stack.clear()
        self._failed = False

    @property
    def closed(self) -> bool:
        """Whether the connection is closed (by ``close()``, or because it broke)."""
        return self._gone

    @property
    def broken(self) -> bool:
        """Whether the connection was lost rather than closed."""
        return self._broken and not self._closed

    @property
    def info(self) -> ConnectionInfo:
        """What psycopg's ``conn.info`` tells: ``transaction_status`` above all."""
        return ConnectionInfo(self)

    def _transaction_status(self) -> TransactionStatus:
        if self.closed:
            return TransactionStatus.UNKNOWN
        if self.in_flight:
            return TransactionStatus.ACTIVE
        if not self._transaction_stack:
            return TransactionStatus.IDLE
        return TransactionStatus.INERROR if self._failed else TransactionStatus.INTRANS

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.closed:
            return
        if exc_type is not None:
            with contextlib.suppress(Exception):  # psycopg logs it, the original error goes on
                await self.rollback()
        else:
            await self.commit()
        if self._pool is None:
            await self.close()

    def add_notice_handler(self, callback: Callable[[Any], None]) -> None:
        """Register a callback for server notices (the fake sends none)."""
        self.notice_handlers.append(callback)

    def remove_notice_handler(self, callback: Callable[[Any], None]) -> None:
        """Unregister a notice callback."""
        self.notice_handlers.remove(callback)

    def add_notify_handler(self, callback: Callable[[Any], None]) -> None:
        """Register a callback for ``NOTIFY`` messages (the fake sends none)."""
        self.notify_handlers.append(callback)

    def remove_notify_handler(self, callback: Callable[[Any], None]) -> None:
        """Unregister a notify callback."""
        self.notify_handlers.remove(callback)

    # --- the session: implicit transactions, failures ------------------------------------------------
    def _check_connection_ok(self) -> None:
        if self.closed:
            msg = "the connection is closed"
            raise psycopg.OperationalError(msg)

    async def _start_query(self) -> None:
        """Open the implicit transaction before a statement, as psycopg does with autocommit off."""
        await FakeAsyncTransaction(self, implicit=True).start()

    def check_call(self, call: Call) -> None:
        """Refuse a statement as psycopg and PostgreSQL would, before it is answered."""
        method = call.method
        if self._gone:  # only close() itself gets here before closing
            msg = "the connection is closed"
            raise psycopg.OperationalError(msg)
        sql = call.sql or ""
        if method == "execute":
            params = call.params
            # The usual call (positional parameters that fit one plain statement) is settled by
            # one cached look-up; anything else gets psycopg's full check.
            if not ((type(params) is list or type(params) is tuple) and len(params) == simple_count(sql)):  # pyright: ignore[reportUnknownArgumentType]
                check_execute(sql, params)
        elif method == "executemany":
            check_many(sql, call.params)
        if self._failed and method == "execute" and _ROLLBACK_TO.match(sql):
            self._failed = False  # PostgreSQL accepts ROLLBACK TO SAVEPOINT and recovers there
            return
        if self._failed and method not in _RECOVERING and not (method == "commit" and sql == "COMMIT"):
            raise in_failed_transaction()

    def call_failed(self, call: Call, error: BaseException) -> BaseException | None:
        """A server error fails the open transaction; a lost connection breaks the connection."""
        if is_lost(error):
            self._broken = self._gone = True
            self._discard()
        elif self._transaction_stack and is_server_error(error):
            self._failed = True
        return None

    def problems(self) -> list[str]:
        """What ``verify()`` reports: the core's problems and psycopg pitfalls met on this connection.

        A transaction psycopg opened by itself and the test left open is not one: the code under
        test often leaves committing to its caller.
        """
        implicit = {
            f"{tx!r} was never committed or rolled back."
            for tx in self._transaction_stack
            if isinstance(tx, FakeAsyncTransaction) and tx.implicit
        }
        return [p for p in super().problems() if p not in implicit] + self._notes

    def __repr__(self) -> str:
        return f"<psycopg FakeAsyncConnection {self.info.transaction_status.name}, {len(self.calls)} calls>"
