"""FakeConnection: asyncpg's Connection, its methods, signatures and rules, on the asyncfakes core."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, cast

from asyncfakes import BaseConnection, BaseTransaction, Call, aborted_note, add_note, fake_method
from asyncfakes.postgres import recovers, transaction_effect

from . import _shapes as shapes
from ._argument_count import ONE_SET, check_arguments, fits
from ._arguments import is_client_side
from ._errors import interface_error, is_connection_loss, is_server_error, postgres_error
from ._record import Record, record_type
from ._shapes import execute_status
from ._state import State, StateFlags
from ._statements import FakeCursor, FakeCursorFactory, FakePreparedStatement
from ._transaction import FakeTransaction, cut_rollback_note, rollback_note
from ._unfaked import UNFAKED_CONNECTION

if TYPE_CHECKING:
    from ._pool import FakePool

__all__ = ["FakeConnection"]

_ABORTED = "current transaction is aborted, commands ignored until end of transaction block"
_BUSY = "cannot perform operation: another operation is in progress"


def _execute_shape(host: FakeConnection, call: Call, value: Any) -> str:
    assert call.sql is not None
    return host._executed(call.sql, execute_status(call.sql, value))


def _prepare_shape(host: FakeConnection, call: Call, value: Any) -> FakePreparedStatement:
    if isinstance(value, FakePreparedStatement):
        return value
    msg = (
        f"prepare() answers the prepared statement; the script gave {value!r}. Script the "
        "statement's queries instead (conn.fetch.returns(...)), or prepare.raises(...) to fail it."
    )
    raise TypeError(msg)


def _is_cancellation(error: BaseException) -> bool:
    return not isinstance(error, Exception) and type(error).__name__ in ("CancelledError", "Cancelled")


class FakeConnection(StateFlags, BaseConnection):
    """A fake ``asyncpg.Connection``: code written for asyncpg runs on it unchanged.

    It has asyncpg's methods and signatures (``execute``, ``executemany``, ``fetch``,
    ``fetchrow``, ``fetchval``, ``fetchmany``, ``prepare``, ``cursor``, ``transaction``,
    ``is_in_transaction``, ``close``, ``is_closed``, ``terminate``) and its rules: one operation
    at a time (``InterfaceError: ... another operation is in progress``), an aborted transaction
    refuses statements until rolled back (``InFailedSQLTransactionError``), the server counts
    the ``$n`` arguments, and a closed connection raises ``InterfaceError``.

    Script plain data; it comes back as asyncpg returns it::

        conn = FakeConnection()
        conn.fetch.returns([{"id": 1, "name": "Ana"}])   # -> [<Record id=1 name='Ana'>]
        conn.execute.returns(3)                          # "UPDATE t ..." -> "UPDATE 3"

    Calls through prepared statements, cursors and transactions are recorded here too;
    prepared statements answer from the same script as the connection's own methods.
    """

    transaction_class: ClassVar[type[BaseTransaction]] = FakeTransaction
    fake_hosts: ClassVar[tuple[type, ...]] = (FakePreparedStatement, FakeCursor)
    checkpoint_calls: ClassVar[bool] = True
    unfaked_methods: ClassVar[Mapping[str, str]] = UNFAKED_CONNECTION

    # asyncpg's Connection is not an async context manager; neither is its fake.
    __aenter__: ClassVar[None] = None  # type: ignore[assignment]
    __aexit__: ClassVar[None] = None  # type: ignore[assignment]

    def __init__(
        self,
        *,
        strict: bool = False,
        ordered: bool = False,
        optional_stubs: bool = False,
        share_with: BaseConnection | None = None,
        record_class: type[Record] | None = None,
    ) -> None:
        self._state = State()  # first: the core's __init__ sets _closed, one of its flags
        super().__init__(strict=strict, ordered=ordered, optional_stubs=optional_stubs, share_with=share_with)
        self._state.flight = self._flight
        record_type(record_class)  # fail now on a class asyncpg would refuse
        self.record_class = record_class
        """The default ``record_class`` of this connection's queries (``asyncpg.connect(record_class=)``)."""
        self._manual = False  # in a transaction started by executing BEGIN
        self._lost_in_transaction = False
        self._failed_call: Call | None = None  # the statement that aborted the current transaction
        self._cut_rollback: Call | None = None  # a cancelled ROLLBACK left the server transaction open
        self._notes: list[str] = []
        self._pool: FakePool | None = None
        self._acquired_at = ""  # where a pool handed it out, for "the pool is exhausted" notes

    # --- asyncpg's query methods ---------------------------------------------------------
    @fake_method(shape=_execute_shape)
    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
        """Execute SQL; answers the status string, e.g. ``"INSERT 0 1"`` (scripted: a row count)."""
        return self._executed(query, execute_status(query, None))

    @fake_method(shape=shapes.many_answer)
    async def executemany(self, command: str, args: Any, *, timeout: float | None = None) -> None:
        """Execute ``command`` once per argument set; answers ``None``."""
        return None

    @fake_method(shape=shapes.checked_fetch)
    async def fetch(
        self, query: str, *args: Any, timeout: float | None = None, record_class: type[Any] | None = None
    ) -> list[Record]:
        """Run a query; answers a list of :class:`Record` (unscripted: ``[]``)."""
        return []

    @fake_method(shape=shapes.checked_fetchrow)
    async def fetchrow(
        self, query: str, *args: Any, timeout: float | None = None, record_class: type[Any] | None = None
    ) -> Record | None:
        """Run a query; answers its first row as a :class:`Record`, or ``None``."""
        return None

    @fake_method(shape=shapes.checked_fetchval)
    async def fetchval(
        self, query: str, *args: Any, column: int | str = 0, timeout: float | None = None
    ) -> Any:
        """Run a query; answers one value (``column`` of the first row), or ``None``."""
        return None

    @fake_method(shape=shapes.checked_fetch)
    async def fetchmany(
        self, query: str, args: Any, *, timeout: float | None = None, record_class: type[Any] | None = None
    ) -> list[Record]:
        """Run a query once per argument set; answers the rows of all runs."""
        return []

    @fake_method(sql=None, shape=_prepare_shape)
    async def prepare(
        self,
        query: str,
        *,
        name: str | None = None,
        timeout: float | None = None,
        record_class: type[Any] | None = None,
    ) -> FakePreparedStatement:
        """Prepare ``query``; answers a :class:`FakePreparedStatement` (script failures with raises()).

        The call records no SQL, so connection-wide ``when(sql=...)`` answers stay for the
        statement's own calls; the query is ``call.args[0]``.
        """
        return FakePreparedStatement(self, query, name, record_class)

    @fake_method(sql=None, strict=False, shape=shapes.connect_shape)
    async def connect(self, /, dsn: str | None = None, **connect_kwargs: Any) -> FakeConnection:
        """``asyncpg.connect``'s shape; answers this connection (open again if it was closed).

        Patch the driver with it; each attempt is recorded (``conn.connect.calls``), and failures
        are scripted: ``conn.connect.raises_once(invalid_password("app"))``.
        """
        return self._reopened()

    def _reopened(self) -> FakeConnection:
        self._closed = self._gone = self._manual = self._aborted = self._stale = False
        self._cut_rollback = None
        return self

    @fake_method(sql=None, strict=False)
    async def set_type_codec(
        self,
        typename: str,
        *,
        schema: str = "public",
        encoder: Callable[[Any], Any],
        decoder: Callable[[Any], Any],
        format: str = "text",
    ) -> None:
        """Accept a type codec (recorded; the fake answers scripted values, so nothing is decoded)."""
        return None

    @fake_method(sql=None, strict=False)
    async def reload_schema_state(self) -> None:
        """Forget cached schema state (recorded; the fake caches none)."""
        return None

    @fake_method(name="cursor", shape=shapes.checked_fetch)
    async def _open_cursor(
        self,
        query: str,
        *args: Any,
        prefetch: int | None = None,
        timeout: float | None = None,
        record_class: type[Any] | None = None,
    ) -> list[Record]:
        return []

    def cursor(
        self,
        query: str,
        *args: Any,
        prefetch: int | None = None,
        timeout: float | None = None,
        record_class: type[Any] | None = None,
    ) -> FakeCursorFactory:
        """Return a cursor factory: ``await`` it for a :class:`FakeCursor`, or ``async for`` over it.

        Opening the cursor is recorded as a ``cursor`` call answering all its rows: script them
        with ``conn.when(method="cursor", sql=...).returns([...])`` (or ``conn.when(sql=...)``).
        As in asyncpg, cursors work only inside a transaction.
        """
        self._check_usable("Connection", "cursor")

        def open_call() -> Any:
            return self._open_cursor(
                query, *args, prefetch=prefetch, timeout=timeout, record_class=record_class
            )

        return FakeCursorFactory(self, query, open_call, prefetch, record_type(record_class))

    # --- transactions and lifecycle -----------------------------------------------------
    @property
    def transactions(self) -> Sequence[FakeTransaction]:
        """Every transaction made on this connection, in order: asyncpg's fake transactions."""
        return cast("Sequence[FakeTransaction]", super().transactions)

    def transaction(
        self, *, isolation: str | None = None, readonly: bool = False, deferrable: bool = False
    ) -> FakeTransaction:
        """Return a new transaction (a savepoint when one is active), as asyncpg's."""
        self._check_usable("Connection", "transaction")
        return FakeTransaction(self, isolation=isolation, readonly=readonly, deferrable=deferrable)

    def is_in_transaction(self) -> bool:
        """Whether a transaction is open, by ``transaction()`` or by executing ``BEGIN``."""
        self._check_usable("Connection", "is_in_transaction", closed_ok=True)
        if self._gone and not self.closed:
            return self._lost_in_transaction  # asyncpg still reports the transaction it lost
        return self._in_transaction()

    def _in_transaction(self) -> bool:
        return not (self.closed or self._gone) and (bool(self._transaction_stack) or self._manual)

    async def close(self, *, timeout: float | None = None) -> None:
        """Close the connection (recorded as a ``close`` call); later calls raise ``InterfaceError``."""
        self._check_usable("Connection", "close", closed_ok=True)
        await super().close()

    def is_closed(self) -> bool:
        """Whether the connection was closed, terminated or lost."""
        self._check_usable("Connection", "is_closed", closed_ok=True)
        return self.closed or self._gone

    def terminate(self) -> None:
        """Close the connection at once, without a ``close`` call (as asyncpg's ``terminate``)."""
        self._check_usable("Connection", "terminate", closed_ok=True)
        self._gone = True

    # --- the rules asyncpg enforces -------------------------------------------------------
    def _check_usable(self, owner: str, method: str, *, closed_ok: bool = False) -> None:
        """Raise asyncpg's error for using a released, or closed, connection (or its resources)."""
        if self._released:
            where = "connection has" if owner == "Connection" else "the underlying connection has"
            msg = f"cannot call {owner}.{method}(): {where} been released back to the pool"
            raise interface_error(msg)
        if not closed_ok and (self.closed or self._gone):
            msg = (
                "connection is closed"
                if owner == "Connection"
                else f"cannot call {owner}.{method}(): the underlying connection is closed"
            )
            raise interface_error(msg)

    def closed_error(self, call: Call) -> BaseException:
        """The error asyncpg raises: ``InterfaceError('connection is closed')``."""
        return interface_error("connection is closed")

    def call_timeout(self, call: Call) -> float | None:
        """Asyncpg's ``timeout=``: a scripted hang or delay past it raises ``asyncio.TimeoutError``."""
        timeout: float | None = call.kwargs.get("timeout")
        return timeout

    def check_call(self, call: Call) -> None:
        """Refuse a call as asyncpg and PostgreSQL would, in asyncpg's order."""
        # The common case first, decided at once: one statement, the right argument count, the
        # connection idle and in no trouble. Read from the call's and the state's slots (a
        # property or a connection attribute costs several times more on CPython 3.11).
        method = call._method
        sql = call._sql
        params = call._params or ()
        state = self._state
        if (
            method in ONE_SET
            and sql is not None
            and fits(sql, len(params))
            and "record_class" not in call._kwargs
            and not (state.released or state.closed or state.gone or state.aborted or state.stale)
            and not state.flight.count
        ):
            for arg in params:
                if type(arg) is list or type(arg) is tuple:
                    break  # maybe a list bound to a scalar $n: the full check below
            else:
                return
        self._check_usable("Connection", method, closed_ok=True)
        if method in ("close", "connect"):
            return
        if self._stale:  # the ROLLBACK asyncpg stopped waiting for did end the transaction
            self._stale = self._manual = self._aborted = False
            self._cut_rollback = None
        if self.closed or self._gone:
            raise self.closed_error(call)
        if self.in_flight:
            raise interface_error(_BUSY)
        if self._aborted and self._in_transaction() and not self._accepted_when_aborted(call):
            raise add_note(postgres_error("25P02", _ABORTED), aborted_note(self._failed_call))
        if "record_class" in call.kwargs:
            record_type(call.kwargs["record_class"])
        if sql is not None:
            check_arguments(method, sql, call.params, self._script.history)

    def _accepted_when_aborted(self, call: Call) -> bool:
        method = call.method
        if method == "rollback":
            return True
        if method == "commit":
            return call.transaction is not None and call.transaction.parent is None
        if method == "prepare":  # PostgreSQL parses a transaction's exit even when aborted
            return recovers(call.args[0])
        # A prepared statement (SQLAlchemy's way) ends the transaction or recovers a savepoint too.
        return method in ("execute", "fetch", "fetchrow") and call.sql is not None and recovers(call.sql)

    def call_failed(self, call: Call, error: BaseException) -> None:
        """Track what a failure does to the connection: a lost connection, an aborted transaction."""
        if call.method == "connect":
            return  # a failed attempt to connect changes nothing on this (already made) fake
        tx = call.transaction
        if call.method == "rollback" and tx is not None and tx.parent is None and _is_cancellation(error):
            # asyncpg forgets the transaction and leaves the server's open: after a statement it
            # had the server cancel, the ROLLBACK is never sent (the transaction stays, aborted);
            # otherwise it was sent, and asyncpg only learns that it ended at the next statement.
            failed = self._failed_call
            self._manual = True
            self._cut_rollback = call
            self._stale = not (self._aborted and failed is not None and failed.outcome == "cancelled")
            return
        if is_connection_loss(error):
            # The transaction is gone with the connection: nothing for verify() to report.
            self._lost_in_transaction = self._in_transaction()
            self._gone = True
            self._manual = False
            self._transaction_stack.clear()
        elif (self._transaction_stack or self._manual) and (
            _is_cancellation(error)
            or type(error).__name__ == "TimeoutError"
            or (is_server_error(error) and not is_client_side(error))
        ):
            # PostgreSQL aborts the whole transaction: a failed statement, or one asyncpg had
            # the server cancel (a timeout, a cancelled task).
            if not self._aborted:
                self._failed_call = call
            self._aborted = True

    def _executed(self, sql: str, status: str) -> str:
        """Track a manual BEGIN/COMMIT/ROLLBACK in ``sql``; answer the status the server reports."""
        effect = transaction_effect(sql)
        if effect is False and self._aborted and status == "COMMIT":
            status = "ROLLBACK"  # PostgreSQL ends an aborted transaction with a rollback
            self._notes.append(
                rollback_note("a COMMIT was executed (its status was 'ROLLBACK')", self._failed_call)
            )
        if effect is not None:
            self._manual = effect
            self._aborted = False
            self._cut_rollback = None
        elif recovers(sql):
            self._aborted = False  # ROLLBACK TO a savepoint
        return status

    def problems(self) -> list[str]:
        """What ``verify()`` reports, plus an unended manual ``BEGIN`` and commits of failed transactions."""
        found = super().problems() + self._notes
        if self._cut_rollback is not None and not (self.closed or self._gone or self._released):
            found.append(cut_rollback_note(self._cut_rollback, self._failed_call, stale=self._stale))
        elif self._manual and self._cut_rollback is None and not (self.closed or self._gone):
            found.append(f"{self!r}: a transaction started by executing BEGIN was never ended.")
        return found

    def __repr__(self) -> str:
        state = "released" if self._released else "closed" if self.closed or self._gone else "open"
        return f"<asyncfakes.asyncpg.FakeConnection {state}, {len(self.calls)} calls>"
