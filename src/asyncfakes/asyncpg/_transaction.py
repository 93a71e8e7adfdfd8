"""FakeTransaction: asyncpg's Transaction, its statements, states, errors and ``async with`` rules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Final

from asyncfakes import BaseTransaction, Call, TransactionState

from ._errors import interface_error, postgres_error

if TYPE_CHECKING:
    from ._connection import FakeConnection

__all__ = ["ISOLATION_LEVELS", "FakeTransaction", "cut_rollback_note", "rollback_note"]

ISOLATION_LEVELS: Final = frozenset({"read_committed", "read_uncommitted", "serializable", "repeatable_read"})

_STATE_TEXT: Final = {
    "active": "already started",
    "committed": "already committed",
    "rolled_back": "already rolled back",
    "failed": "in error state",
    "new": "not yet started",
}


def rollback_note(what: str, failed: Call | None) -> str:
    """What ``verify()`` says when ``what`` committed a transaction that ``failed`` had aborted."""
    assert failed is not None  # set with the aborted state
    error = failed.error
    how = "was cancelled" if error is None else f"raised {type(error).__name__}"
    return (
        f"{what} after {failed.describe(outcome=False)} {how}: PostgreSQL rolled the transaction back "
        "instead, and asyncpg raised nothing, so its writes are lost. Roll back after catching a "
        "database error (or let the error leave the `async with` block)."
    )


def cut_rollback_note(rollback: Call, failed: Call | None, *, stale: bool) -> str:
    """What ``verify()`` says about a connection whose transaction's ``rollback`` was cancelled."""
    tx = rollback.transaction
    assert tx is not None  # only a transaction's rollback is reported
    if stale:
        effect = (
            "asyncpg stopped waiting for PostgreSQL's answer: the server rolled back, but the connection "
            "still says is_in_transaction() and refuses conn.transaction() until its next statement"
        )
    else:
        assert failed is not None  # not stale: a cancelled statement aborted the transaction
        effect = (
            f"after {failed.describe(outcome=False)} was cancelled, asyncpg never sent the ROLLBACK: the "
            "connection stays in the aborted transaction, every statement fails with "
            "InFailedSQLTransactionError and conn.transaction() with InterfaceError, until a ROLLBACK"
        )
    return (
        f"the rollback of transaction #{tx.number} was cancelled (a cancel scope, anyio's or trio's, "
        f"that stays cancelled cancels the rollback of the `async with` block too), and {effect}. In "
        "production the next "
        "code to use this connection fails. Shield the rollback (`with anyio.CancelScope(shield=True): "
        "await tx.rollback()`), or run the block on a pooled connection (`async with pool.acquire()`), "
        "whose release rolls it back."
    )


class FakeTransaction(BaseTransaction):
    """A fake ``asyncpg.transaction.Transaction``: ``conn.transaction(isolation=, readonly=, deferrable=)``.

    It sends asyncpg's statements (``BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY;``,
    ``SAVEPOINT ...;``, ``COMMIT;``, ``ROLLBACK TO ...;``), recorded as ``start``, ``commit``
    and ``rollback`` calls, and fails as asyncpg does: ``InterfaceError`` for a wrong state, a
    manual ``commit()`` inside ``async with``, or a nested transaction with another isolation.
    As in asyncpg, ``async with conn.transaction() as tx`` binds ``tx`` to ``None``: keep the
    object (``tx = conn.transaction()``) or find it in ``conn.transactions`` to assert on it.

    Committing a transaction in which a statement failed succeeds, but PostgreSQL rolls it
    back, so its state becomes ``rolled_back``, ``assert_committed()`` fails and ``verify()``
    reports it (asyncpg raises nothing: measured by the contract suite).
    """

    state: TransactionState  # set by this class's methods too

    connection: FakeConnection

    def __init__(
        self,
        connection: FakeConnection,
        *,
        isolation: str | None = None,
        readonly: bool = False,
        deferrable: bool = False,
    ) -> None:
        if isolation and isolation not in ISOLATION_LEVELS:
            levels = "{" + ", ".join(repr(level) for level in sorted(ISOLATION_LEVELS)) + "}"
            msg = f"isolation is expected to be either of {levels}, got {isolation!r}"
            raise ValueError(msg)
        options = {"isolation": isolation, "readonly": readonly, "deferrable": deferrable}
        super().__init__(connection, options=options)
        self.isolation = isolation
        self.readonly = readonly
        self.deferrable = deferrable
        self._managed = False

    def _check(self, method: str) -> None:
        self.connection._check_usable("Transaction", method)

    def state_error(self, action: str) -> BaseException:
        """The ``InterfaceError`` asyncpg raises for ``action`` in the current state."""
        return interface_error(f"cannot {action}; the transaction is {_STATE_TEXT[self.state]}")

    def begin_sql(self) -> str:
        """``BEGIN`` with the isolation level and modes, or ``SAVEPOINT`` when nested."""
        if self.parent is not None:
            return f"SAVEPOINT {self.savepoint};"
        query = "BEGIN"
        if self.isolation:
            query += " ISOLATION LEVEL " + self.isolation.replace("_", " ").upper()
        if self.readonly:
            query += " READ ONLY"
        if self.deferrable:
            query += " DEFERRABLE"
        return query + ";"

    def commit_sql(self) -> str:
        """``COMMIT;``, or ``RELEASE SAVEPOINT ...;`` when nested."""
        return "COMMIT;" if self.parent is None else f"RELEASE SAVEPOINT {self.savepoint};"

    def rollback_sql(self) -> str:
        """``ROLLBACK;``, or ``ROLLBACK TO ...;`` when nested."""
        return "ROLLBACK;" if self.parent is None else f"ROLLBACK TO {self.savepoint};"

    async def start(self) -> None:
        """Begin the transaction, or a savepoint inside the active one."""
        self._check("start")
        if self.state != "new":
            action = "start"
            raise self.state_error(action)
        connection = self.connection
        stack = connection._transaction_stack
        if not stack:
            if connection._manual:
                msg = "cannot use Connection.transaction() in a manually started transaction"
                raise interface_error(msg)
            connection._aborted = False
        elif self.isolation:
            outer = stack[0].options["isolation"] or "read_committed"
            if self.isolation != outer:
                msg = (
                    "nested transaction has a different isolation level: "
                    f"current {self.isolation!r} != outer {outer!r}"
                )
                raise interface_error(msg)
        await super().start()

    async def commit(self) -> None:
        """Commit (release the savepoint when nested). Not allowed inside ``async with``."""
        self._check("commit")
        if self._managed:
            msg = "cannot manually commit from within an `async with` block"
            raise interface_error(msg)
        await self._commit()

    async def rollback(self) -> None:
        """Roll back (to the savepoint when nested). Not allowed inside ``async with``."""
        self._check("rollback")
        if self._managed:
            msg = "cannot manually rollback from within an `async with` block"
            raise interface_error(msg)
        await self._rollback()

    async def _commit(self) -> None:
        connection = self.connection
        # PostgreSQL answers COMMIT of an aborted transaction by rolling it back.
        aborted = connection._aborted and self.parent is None and self.state == "active"
        await self._end_keeping_savepoints(super().commit)
        if aborted:
            self.state = "rolled_back"
            connection._aborted = False
            connection._notes.append(
                rollback_note(f"transaction #{self.number} was committed", connection._failed_call)
            )

    async def _rollback(self) -> None:
        await self._end_keeping_savepoints(super().rollback)
        self.connection._aborted = False

    async def _end_keeping_savepoints(self, end: Callable[[], Awaitable[None]]) -> None:
        stack = self.connection._transaction_stack
        if self.state == "active" and self not in stack:
            # The server ended this savepoint with an outer transaction; asyncpg still thinks it
            # started, sends RELEASE / ROLLBACK TO, and the server refuses.
            self.state = "failed"
            statement = "RELEASE SAVEPOINT" if end.__name__ == "commit" else "ROLLBACK TO SAVEPOINT"
            error = (
                postgres_error("3B001", f'savepoint "{self.savepoint}" does not exist')
                if stack
                else postgres_error("25P01", f"{statement} can only be used in transaction blocks")
            )
            raise error
        inner = stack[stack.index(self) + 1 :] if self in stack else []
        try:
            await end()
        finally:
            for savepoint in inner:
                savepoint.state = "active"  # asyncpg does not know the server ended them

    async def __aenter__(self) -> None:  # type: ignore[override]
        if self._managed:
            msg = "cannot enter context: already in an `async with` block"
            raise interface_error(msg)
        self._managed = True
        await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._check("__aexit__")
        try:
            if exc_type is not None:
                await self._rollback()
            else:
                await self._commit()
        finally:
            self._managed = False
