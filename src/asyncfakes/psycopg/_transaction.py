"""FakeAsyncTransaction: psycopg's implicit transactions and ``transaction()`` blocks, savepoints included."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar

import psycopg

from asyncfakes import BaseTransaction

if TYPE_CHECKING:
    from ._connection import FakeAsyncConnection

__all__ = ["FakeAsyncTransaction", "quote_identifier"]

Status = psycopg.AsyncTransaction.Status


def quote_identifier(name: str) -> str:
    """``name`` quoted as ``psycopg.sql.Identifier`` quotes it."""
    return '"' + name.replace('"', '""') + '"'


class FakeAsyncTransaction(BaseTransaction):
    """A transaction on a :class:`FakeAsyncConnection`, as psycopg runs it.

    Two kinds: the *implicit* transaction the first statement opens when autocommit is off (ended
    by ``conn.commit()`` / ``conn.rollback()``), and the ``async with conn.transaction() as tx``
    block (psycopg's ``AsyncTransaction``): ``BEGIN`` / ``COMMIT`` when the connection is idle, a
    savepoint (``SAVEPOINT "_pg3_1"`` / ``RELEASE``) inside an open transaction. ``BEGIN``,
    ``COMMIT``, ``ROLLBACK`` and the savepoint statements are recorded as ``start`` / ``commit`` /
    ``rollback`` calls, so ``conn.when(sql="COMMIT").raises_once(...)`` scripts a failing commit.
    """

    connection: FakeAsyncConnection
    Status = Status
    start_method: ClassVar[str | None] = None  # psycopg's transaction() is entered with `async with` only

    def __init__(
        self,
        connection: FakeAsyncConnection,
        savepoint_name: str | None = None,
        force_rollback: bool = False,
        *,
        implicit: bool = False,
    ) -> None:
        super().__init__(connection)
        self._savepoint_name = savepoint_name or ""
        self.force_rollback = force_rollback
        self.implicit = implicit
        self.status: psycopg.AsyncTransaction.Status = Status.NOT_STARTED
        self._outer = implicit

    @property
    def savepoint_name(self) -> str | None:
        """The savepoint's name; empty for a block that is the whole transaction (as psycopg)."""
        return self._savepoint_name

    # --- the statements ---------------------------------------------------------------------------
    def begin_sql(self) -> str:
        """``BEGIN`` (with the connection's isolation options) or ``SAVEPOINT "name"``."""
        if not self._outer:
            return f"SAVEPOINT {quote_identifier(self._savepoint_name)}"
        begin = self.connection._begin_statement()
        if self._savepoint_name:
            return f"{begin}; SAVEPOINT {quote_identifier(self._savepoint_name)}"
        return begin

    def commit_sql(self) -> str:
        """``COMMIT``, or ``RELEASE "name"`` for a savepoint."""
        return "COMMIT" if self._outer else f"RELEASE {quote_identifier(self._savepoint_name)}"

    def rollback_sql(self) -> str:
        """``ROLLBACK``, or ``ROLLBACK TO "name"`` (then ``RELEASE``) for a savepoint."""
        if self._outer:
            return "ROLLBACK"
        name = quote_identifier(self._savepoint_name)
        return f"ROLLBACK TO {name}; RELEASE {name}"

    def _finish(self, state: Any) -> None:
        conn = self.connection
        if self._outer:
            if state == "committed" and conn._failed:
                state = "rolled_back"  # PostgreSQL answers COMMIT in a failed transaction with ROLLBACK
                conn._notes.append(
                    f"transaction #{self.number} was committed after a statement in it had failed: "
                    "PostgreSQL rolled it back instead, without an error (psycopg's commit() raises "
                    "nothing). Roll back "
                    "and retry, or let the error propagate."
                )
            conn._failed = False
        elif state == "rolled_back":
            conn._failed = False  # ROLLBACK TO a savepoint recovers the transaction
        super()._finish(state)

    # --- the block ---------------------------------------------------------------------------------
    async def __aenter__(self) -> FakeAsyncTransaction:
        if self.status != Status.NOT_STARTED:
            msg = "transaction blocks can be used only once"
            raise TypeError(msg)
        conn = self.connection
        conn._check_connection_ok()
        self.status = Status.ACTIVE
        self._outer = not conn._transaction_stack
        if not self._outer and not self._savepoint_name:
            self._savepoint_name = f"_pg3_{conn._blocks + 1}"
        conn._blocks += 1
        try:
            await self.start()
        except BaseException:
            conn._blocks -= 1
            self.status = Status.FAILED
            raise
        return self

    # True swallows psycopg.Rollback, as psycopg's block does.
    async def __aexit__(  # type: ignore[override]
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        conn = self.connection
        conn._blocks -= 1
        if conn.closed or not self.is_active:
            self.status = Status.FAILED
            return False
        if exc is None and not self.force_rollback:
            self.status = Status.COMMITTED
            await self.commit()
            return False
        explicit = isinstance(exc, psycopg.Rollback) or self.force_rollback
        self.status = Status.ROLLED_BACK_EXPLICITLY if explicit else Status.ROLLED_BACK_WITH_ERROR
        try:
            await self.rollback()
        except Exception:  # psycopg logs a failed rollback and lets the original error through
            return False
        if isinstance(exc, psycopg.Rollback):
            target: object = exc.transaction
            return target is None or target is self  # pyright: ignore[reportUnnecessaryComparison]
        return False

    def __repr__(self) -> str:
        kind = "implicit " if self.implicit else "savepoint " if not self._outer else ""
        return f"<psycopg FakeAsyncTransaction #{self.number} {kind}{self.state}>"
