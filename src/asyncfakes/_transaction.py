"""FakeTransaction: the state machine behind ``conn.transaction()``, savepoints included."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ._calls import CallLog
from ._errors import FakeAssertionError, FakeTransactionError, NameHints, render
from ._spec import fake_method

if TYPE_CHECKING:
    from typing_extensions import Self

    from ._connection import BaseConnection
    from ._generic import FakeConnection
    from ._records import FakeRecord

__all__ = ["BaseTransaction", "FakeTransaction", "TransactionState"]

TransactionState = Literal["new", "active", "committed", "rolled_back", "failed"]
"""Where a transaction is: ``failed`` means its start, commit or rollback raised."""


class BaseTransaction(NameHints):
    """A transaction on a fake connection: ``async with`` or ``start()``/``commit()``/``rollback()``.

    The driver-neutral state machine; flavours subclass it, and :class:`FakeTransaction` adds
    the generic query methods.

    It rolls back when the ``async with`` body raises (or is cancelled), nests as a savepoint
    when another transaction is active, and records ``BEGIN``/``COMMIT``/``ROLLBACK`` (or the
    savepoint statements) as calls, so they can be scripted to fail like any other call::

        conn.when(sql="COMMIT").raises_once(SerializationError)
    """

    start_method: ClassVar[str | None] = "start()"
    """The driver's method that begins the transaction without ``async with`` (``None``: there is none),
    named when ``verify()`` reports a transaction created and never started."""

    def __init__(self, connection: BaseConnection, *, options: Mapping[str, Any] | None = None) -> None:
        self.connection = connection
        self.options: Mapping[str, Any] = dict(options or {})
        self.number: int = len(connection._transactions)
        self.parent: BaseTransaction | None = None
        self.state: TransactionState = "new"
        connection._transactions.append(self)

    def fake_context(self) -> tuple[BaseConnection, BaseTransaction | None]:
        """The connection records this transaction's calls; they run in this transaction."""
        return self.connection, self

    # The recorded, scriptable statements; start()/commit()/rollback() wrap them with the states.
    @fake_method(name="start", strict=False)
    async def _start_call(self, sql: str) -> None:
        return None

    @fake_method(name="commit", strict=False)
    async def _commit_call(self, sql: str) -> None:
        return None

    @fake_method(name="rollback", strict=False)
    async def _rollback_call(self, sql: str) -> None:
        return None

    @property
    def savepoint(self) -> str | None:
        """The savepoint name when this transaction is nested, else ``None``."""
        return None if self.parent is None else f"asyncfakes_sp_{self.number}"

    @property
    def is_active(self) -> bool:
        """Whether the transaction has started and not yet ended."""
        return self.state == "active"

    @property
    def calls(self) -> CallLog:
        """The calls that ran in this transaction and the ones nested in it, in order."""
        history = self.connection._script.history
        return CallLog(
            [c for c in history if self._contains(c.transaction)],
            history=history,
            title=f"calls in transaction #{self.number}",
        )

    def _contains(self, other: BaseTransaction | None) -> bool:
        while other is not None:
            if other is self:
                return True
            other = other.parent
        return False

    def begin_sql(self) -> str:
        """The statement recorded by ``start()``; flavours add isolation options here."""
        return "BEGIN" if self.parent is None else f"SAVEPOINT {self.savepoint}"

    def commit_sql(self) -> str:
        """The statement recorded by ``commit()``."""
        return "COMMIT" if self.parent is None else f"RELEASE SAVEPOINT {self.savepoint}"

    def rollback_sql(self) -> str:
        """The statement recorded by ``rollback()``."""
        return "ROLLBACK" if self.parent is None else f"ROLLBACK TO SAVEPOINT {self.savepoint}"

    def state_error(self, action: str) -> BaseException:
        """The error for ``action`` in the wrong state; flavours return their driver's error."""
        return FakeTransactionError(
            f"cannot {action} transaction #{self.number}: it is {self.state.replace('_', ' ')}."
        )

    async def start(self) -> None:
        """Begin the transaction, or a savepoint when another transaction is active."""
        if self.state != "new":
            msg = "start"
            raise self.state_error(msg)
        stack = self.connection._transaction_stack
        self.parent = stack[-1] if stack else None
        try:
            await self._start_call(self.begin_sql())
        except BaseException:
            self.state = "failed"
            raise
        self.state = "active"
        stack.append(self)

    async def commit(self) -> None:
        """Commit the transaction (release the savepoint when nested)."""
        await self._end("commit", self._commit_call, self.commit_sql(), "committed")

    async def rollback(self) -> None:
        """Roll the transaction back (to the savepoint when nested)."""
        await self._end("rollback", self._rollback_call, self.rollback_sql(), "rolled_back")

    async def _end(self, action: str, statement: Any, sql: str, state: TransactionState) -> None:
        if self.state != "active":
            raise self.state_error(action)
        try:
            await statement(sql)
        except BaseException:
            self._finish("failed")
            raise
        self._finish(state)

    def _finish(self, state: TransactionState) -> None:
        # Savepoints still open inside this transaction end with it.
        stack = self.connection._transaction_stack
        index = stack.index(self)
        for transaction in stack[index:]:
            transaction.state = state
        del stack[index:]

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.state != "active":
            return
        if exc is None:
            await self.commit()
        else:
            await self.rollback()

    def _assert_state(self, expected: TransactionState) -> None:
        __tracebackhide__ = True
        if self.state != expected:
            raise FakeAssertionError(
                render(
                    f"Expected transaction #{self.number} to be {expected.replace('_', ' ')}, "
                    f"but it is {self.state.replace('_', ' ')}.",
                    history=self.calls,
                    history_title=f"Calls in transaction #{self.number}",
                )
            )

    def assert_committed(self) -> None:
        """Assert the transaction committed."""
        __tracebackhide__ = True
        self._assert_state("committed")

    def assert_rolled_back(self) -> None:
        """Assert the transaction rolled back."""
        __tracebackhide__ = True
        self._assert_state("rolled_back")

    def never_started(self) -> str:
        """What ``verify()`` says about this transaction when it was created and never started."""
        how = "`async with`" + (f" (or call {self.start_method})" if self.start_method else "")
        return (
            f"transaction #{self.number} was created but never started: enter it with {how}. Without "
            "that, the statements meant for it run outside any transaction, and in production the write "
            "is not atomic."
        )

    def __repr__(self) -> str:
        kind = "savepoint " if self.parent is not None else ""
        return f"<{type(self).__name__} #{self.number} {kind}{self.state}>"


class FakeTransaction(BaseTransaction):
    """The generic fake's transaction: the state machine plus the connection's query methods."""

    connection: FakeConnection

    def _usable(self) -> FakeConnection:
        if self.state != "active":
            msg = "run a statement in"
            raise self.state_error(msg)
        return self.connection

    async def execute(self, stmt: str, parameters: Any = None) -> FakeRecord:
        """Run ``conn.execute`` in this transaction."""
        return await self._usable().execute(stmt, parameters)

    async def execute_many(
        self, stmt: str, parameters_list: Any = None, parameters: Any = None
    ) -> FakeRecord:
        """Run ``conn.execute_many`` in this transaction."""
        return await self._usable().execute_many(stmt, parameters_list, parameters)

    async def fetch(self, stmt: str, parameters: Any = None) -> FakeRecord:
        """Run ``conn.fetch`` in this transaction."""
        return await self._usable().fetch(stmt, parameters)

    async def fetch_row(self, stmt: str, parameters: Any = None) -> FakeRecord:
        """Run ``conn.fetch_row`` in this transaction."""
        return await self._usable().fetch_row(stmt, parameters)

    async def fetch_val(self, stmt: str, parameters: Any = None) -> Any:
        """Run ``conn.fetch_val`` in this transaction."""
        return await self._usable().fetch_val(stmt, parameters)
