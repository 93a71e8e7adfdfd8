"""FakeTransaction: psqlpy's Transaction, its quirks, savepoints, and the aborted state."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from asyncfakes import BaseTransaction, FakeMethod, TransactionState, add_note, fake_method

from . import exceptions as exc
from ._cursor import FakeCursor
from ._failures import adjust_for_transaction
from ._options import begin_sql
from ._unfaked import UNFAKED_CONNECTION

if TYPE_CHECKING:
    from typing_extensions import Self

    from ._connection import FakeConnection, Parameters
    from ._cursor import FakePreparedStatement
    from ._leases import Lease
    from ._results import QueryResult, SingleQueryResult

__all__ = ["FakeTransaction"]

T = TypeVar("T")
_RETURNED = "Underlying connection is returned to the pool"


class FakeTransaction(BaseTransaction):
    """psqlpy's ``Transaction``: ``begin()``/``commit()``/``rollback()`` or ``async with``, and savepoints.

    Its query methods run on the connection's script and history (script ``conn.execute``; the
    calls show on ``conn.calls`` and ``tx.calls``). It keeps psqlpy's rules: a finished transaction
    raises ``TransactionClosedError``; after a failed statement every statement fails with
    PostgreSQL's "current transaction is aborted" until ``rollback()`` or ``rollback_savepoint()``,
    and ``commit()`` then returns quietly while PostgreSQL rolls back (``verify()`` reports it).
    """

    state: TransactionState  # set by this class's methods too

    connection: FakeConnection
    unfaked_methods: ClassVar[Mapping[str, str]] = UNFAKED_CONNECTION
    start_method: ClassVar[str | None] = "begin()"
    _revive: tuple[list[tuple[int, FakeTransaction]], int]  # set while the pool collects (_leases)

    # --- what begin/commit/rollback send, and the error for a finished transaction -----------
    def begin_sql(self) -> str:
        """``START TRANSACTION`` with the isolation level, read variant and deferrable options."""
        return begin_sql(self.options)

    def commit_sql(self) -> str:
        """``COMMIT;`` (psqlpy has no nested transactions, so never a savepoint release)."""
        return "COMMIT;"

    def rollback_sql(self) -> str:
        """``ROLLBACK;``."""
        return "ROLLBACK;"

    def state_error(self, action: str) -> BaseException:
        """The error psqlpy raises for any use of a finished transaction."""
        return exc.TransactionClosedError(_RETURNED)

    # --- the lifecycle --------------------------------------------------------------------------
    async def begin(self) -> None:
        """Begin the transaction; a second ``begin()`` is ignored, as PostgreSQL ignores it."""
        conn = self.connection
        if self.state == "active":
            conn._begin_block(f"transaction #{self.number} (begin() called twice)")
            return
        try:
            await self.start()
        except BaseException:
            # Measured: psqlpy sets its in_transaction() flag though PostgreSQL refused the START in
            # an aborted transaction (one a connection handed out by the pool may be left in).
            conn._flagged = conn._flagged or conn._aborted
            raise
        conn._begin_block(f"transaction #{self.number}")

    async def commit(self) -> None:
        """Commit; after a failed statement PostgreSQL rolls back instead, and so does the fake."""
        conn = self.connection
        aborted = conn._aborted and self.state == "active"
        await self._end_with(super().commit)
        if aborted:
            self.state = "rolled_back"
            conn._notes.append(
                f"transaction #{self.number} was committed after a statement in it failed: PostgreSQL "
                "rolled it back instead, and psqlpy's commit() raised nothing. Roll back (or use "
                "rollback_savepoint()) after catching a database error."
            )

    async def rollback(self) -> None:
        """Roll the transaction back."""
        await self._end_with(super().rollback)

    async def _end_with(self, end: Callable[[], Awaitable[None]]) -> None:
        if self.state == "new":
            self.connection._notes.append(
                f"transaction #{self.number} was ended ({end.__name__}()) without begin(): psqlpy sent "
                f"{end.__name__.upper()} outside any transaction, so the statements before it ran one by "
                "one, and in production the write is not atomic. Use `async with conn.transaction():` "
                "or `await tx.begin()`."
            )
        if self.state in ("new", "failed"):
            # psqlpy sends COMMIT/ROLLBACK before begin() too (the transaction is then over), and
            # after a failed commit (the transaction is still its own).
            self.state = "active"
            self.connection._transaction_stack.append(self)
        elif self.state != "active":
            raise self.state_error(self.state)
        succeeded = False
        conn = self.connection
        try:
            await end()
            succeeded = True
        finally:
            conn._end_block(succeeded=succeeded)
            if succeeded and conn._lease is not None:
                # psqlpy's finished transaction lets go of its pooled connection: the history
                # keeps this transaction, and must not keep the connection's slot busy.
                self._let_go(conn._lease)

    def _let_go(self, lease: Lease) -> None:
        """Hold the pooled connection through its lease (weakly while it is out) from now on."""
        self._lease = lease
        vars(self).pop("connection", None)  # gone already if it let go before (dropped, then found again)
        for name in [name for name, value in vars(self).items() if isinstance(value, FakeMethod)]:
            del self.__dict__[name]  # each holds the connection; made again when next used

    def __del__(self) -> None:
        # Collected while the pool's records let go of it (see _leases.reclaim): the code dropped
        # it, so come back to the records, which need it for the history and verify().
        revive = self.__dict__.get("_revive")
        if revive is not None:
            revived, index = revive
            revived.append((index, self))

    if not TYPE_CHECKING:  # pragma: no branch  # at run time only, as NameHints.__getattr__

        def __getattr__(self, name: str) -> Any:
            lease = self.__dict__.get("_lease")
            if name == "connection" and lease is not None:
                return lease.connection
            return super().__getattr__(name)

    async def __aenter__(self) -> Self:
        await self.begin()
        return self

    async def __aexit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:  # psqlpy's parameter names, so that protocols copied from psqlpy match
        if self.state != "active":
            # psqlpy raises here when the block already committed or rolled back explicitly.
            raise self.state_error(self.state)
        if exception is None:
            await self.commit()
        else:
            await self.rollback()

    # --- savepoints -----------------------------------------------------------------------------
    @fake_method(name="create_savepoint", params=None, strict=False)
    async def _create_savepoint(self, sql: str, savepoint_name: str) -> None:
        return None

    @fake_method(name="rollback_savepoint", params=None, strict=False)
    async def _rollback_savepoint(self, sql: str, savepoint_name: str) -> None:
        return None

    @fake_method(name="release_savepoint", params=None, strict=False)
    async def _release_savepoint(self, sql: str, savepoint_name: str) -> None:
        return None

    async def create_savepoint(self, savepoint_name: str) -> None:
        """``SAVEPOINT name`` (psqlpy does not quote the name)."""
        await self._create_savepoint(f"SAVEPOINT {savepoint_name}", savepoint_name)
        self.connection._savepoints.append(savepoint_name)

    async def rollback_savepoint(self, savepoint_name: str) -> None:
        """``ROLLBACK TO SAVEPOINT name``: undoes the work since, and ends an aborted state."""
        await self._rollback_savepoint(f"ROLLBACK TO SAVEPOINT {savepoint_name}", savepoint_name)
        conn = self.connection
        points = conn._savepoints
        del points[len(points) - points[::-1].index(savepoint_name) :]
        conn._aborted = False

    async def release_savepoint(self, savepoint_name: str) -> None:
        """``RELEASE SAVEPOINT name``: forgets it and the savepoints made after it."""
        await self._release_savepoint(f"RELEASE SAVEPOINT {savepoint_name}", savepoint_name)
        points = self.connection._savepoints
        del points[len(points) - 1 - points[::-1].index(savepoint_name) :]

    # --- the query methods, run on the connection -----------------------------------------------
    async def _run(self, call: Awaitable[T], adjust: bool = False) -> T:
        try:
            return await call
        except BaseException as error:
            adjusted = adjust_for_transaction(error) if adjust else None
            if adjusted is None:
                raise
            for note in getattr(error, "__notes__", ()):  # the same failure, in the transaction's shape
                add_note(adjusted, note)
            raise adjusted from None

    def _via(self) -> FakeConnection:
        conn = self.connection
        conn._origin = self
        return conn

    async def execute(
        self, querystring: str, parameters: Parameters = None, prepared: bool = True
    ) -> QueryResult:
        """Run ``execute`` in this transaction (recorded on the connection)."""
        return await self._run(self._via().execute(querystring, parameters, prepared), adjust=True)

    async def fetch(
        self, querystring: str, parameters: Parameters = None, prepared: bool = True
    ) -> QueryResult:
        """Run ``fetch`` in this transaction."""
        return await self._run(self._via().fetch(querystring, parameters, prepared), adjust=True)

    async def fetch_row(
        self, querystring: str, parameters: Parameters = None, prepared: bool = True
    ) -> SingleQueryResult:
        """Run ``fetch_row`` in this transaction."""
        return await self._run(self._via().fetch_row(querystring, parameters, prepared))

    async def fetch_val(self, querystring: str, parameters: Parameters = None, prepared: bool = True) -> Any:
        """Run ``fetch_val`` in this transaction."""
        return await self._run(self._via().fetch_val(querystring, parameters, prepared))

    async def execute_many(
        self, querystring: str, parameters: Sequence[Parameters] | None = None, prepared: bool = True
    ) -> None:
        """Run ``execute_many`` in this transaction: one recorded call with the whole list."""
        await self._run(self._via().execute_many(querystring, parameters, prepared))

    async def execute_batch(self, querystring: str) -> None:
        """Run ``execute_batch`` in this transaction."""
        await self._run(self._via().execute_batch(querystring))

    async def prepare(self, querystring: str, parameters: Parameters = None) -> FakePreparedStatement:
        """Prepare a statement in this transaction."""
        return await self._run(self._via().prepare(querystring, parameters))

    async def pipeline(
        self, queries: Sequence[tuple[str, Parameters]], prepared: bool = True
    ) -> list[QueryResult]:
        """Run several queries; each is recorded as an ``execute`` call, answered in order."""
        return [await self.execute(querystring, parameters, prepared) for querystring, parameters in queries]

    def cursor(
        self, querystring: str | None = None, parameters: Parameters = None, array_size: int | None = None
    ) -> FakeCursor:
        """Return a cursor; note that psqlpy 0.13 rolls this transaction back when it closes."""
        return FakeCursor(self.connection, querystring, parameters, array_size, origin=self)

    def __repr__(self) -> str:
        return f"<psqlpy FakeTransaction #{self.number} {self.state}>"
