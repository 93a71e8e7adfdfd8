"""The connections a psqlpy pool has handed out, held weakly: psqlpy gives a slot back at garbage collection.

A real psqlpy connection dropped without ``close()`` returns its slot when CPython frees it. The
fake's records (the shared history, finished transactions) must not keep it alive, so the pool
holds each connection through a :class:`Lease`: weakly while it is out, strongly once the code
dropped it (its ``__del__`` hands it back here), so ``pool.connections`` and ``verify()`` still
see it afterwards.

A transaction not yet finished holds its connection (psqlpy's keeps its connection busy while the
code holds it), and the shared records (``conn.transactions``, ``Call.transaction``) hold the
transaction. So while the pool collects, the records let go of those transactions: a transaction
the code dropped too is collected with its connection, and its ``__del__`` brings it back to the
records, holding its connection weakly from then on, as a finished one does.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from asyncfakes import BaseTransaction, Call

    from ._connection import FakeConnection
    from ._transaction import FakeTransaction

__all__ = ["Lease", "SlotOwner", "holds_taken", "reclaim", "reworded"]


class SlotOwner(Protocol):
    """The pool a lease gives its slot back to."""

    def give_back_slot(self, connection: FakeConnection) -> None:
        """Return ``connection``'s slot to the pool."""
        ...


class Lease:
    """One connection a pool handed out: its slot, and the connection once the code dropped it."""

    __slots__ = ("_kept", "_ref", "collected", "pool")

    def __init__(self, connection: FakeConnection, pool: SlotOwner) -> None:
        self._ref = weakref.ref(connection)
        self._kept: FakeConnection | None = None
        self.pool = pool
        self.collected = False
        """Whether the code dropped the connection without ``close()`` and it was garbage-collected."""

    @property
    def connection(self) -> FakeConnection:
        """The connection (alive: the code still has it, or the lease keeps it after its collection)."""
        kept = self._kept
        if kept is not None:
            return kept
        alive = self._ref()
        assert alive is not None, "a leased connection is kept by its lease when it is collected"
        return alive

    @property
    def out(self) -> bool:
        """Whether the connection is taken, not closed, and still referenced."""
        return self._kept is None and (alive := self._ref()) is not None and alive._handle == "ready"

    def dropped(self, connection: FakeConnection) -> None:
        """The code let go of ``connection`` (its finalizer calls this): keep it, give its slot back."""
        self._kept = connection
        if connection._handle == "ready":
            self.collected = True
            connection._handle = "closed"
            self.pool.give_back_slot(connection)


def _forget_frames(error: BaseException | None, seen: set[int]) -> None:
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        error.__traceback__ = None
        _forget_frames(error.__cause__, seen)
        error = error.__context__


def holds_taken(transaction: BaseTransaction) -> Lease | None:
    """The lease of the connection ``transaction`` holds, if it holds it strongly while it is out."""
    connection = transaction.__dict__.get("connection")
    lease: Lease | None = getattr(connection, "_lease", None)
    return lease if lease is not None and lease.out else None


class _Unrecorded:
    """The records' references to transactions holding a connection still out, cut while the pool collects."""

    __slots__ = ("calls", "children", "leases", "nested", "positions", "refs", "revived", "transactions")

    def __init__(
        self, holding: list[FakeTransaction], history: Iterable[Call], transactions: list[BaseTransaction]
    ) -> None:
        number = {id(transaction): index for index, transaction in enumerate(holding)}
        self.revived: list[tuple[int, FakeTransaction]] = []
        self.refs = [weakref.ref(transaction) for transaction in holding]
        self.leases = [holds_taken(transaction) for transaction in holding]
        self.calls = [
            (call, number[id(call.transaction)]) for call in history if id(call.transaction) in number
        ]
        # Transactions begun inside one cut here (psqlpy has no nesting, but a second begin() nests
        # in the fake): by their number when cut too, so that nothing here keeps them.
        self.nested = [(number[id(tx)], number[id(tx.parent)]) for tx in holding if id(tx.parent) in number]
        self.children = [
            (tx, number[id(tx.parent)])
            for tx in transactions
            if id(tx) not in number and id(tx.parent) in number
        ]
        self.positions = [(at, number[id(tx)]) for at, tx in enumerate(transactions) if id(tx) in number]
        self.transactions = transactions
        for index, transaction in enumerate(holding):
            transaction._revive = (self.revived, index)
        for call, _ in self.calls:
            call._transaction = None
        for child, _ in self.children:
            child.parent = None
        for index, _ in self.nested:
            holding[index].parent = None
        transactions[:] = [tx for tx in transactions if id(tx) not in number]

    def restore(self) -> None:
        """Put every transaction back; those the code had dropped now hold their connection weakly."""
        found = [ref() for ref in self.refs]
        for index, transaction in self.revived:
            found[index] = transaction
        back = [transaction for transaction in found if transaction is not None]
        assert len(back) == len(found), "a transaction the records held is revived by its __del__"
        for call, index in self.calls:
            call._transaction = back[index]
        for child, index in self.children:
            child.parent = back[index]
        for index, parent in self.nested:
            back[index].parent = back[parent]
        for at, index in self.positions:
            self.transactions.insert(at, back[index])
        for transaction in back:
            del transaction._revive
        for index, transaction in self.revived:
            lease = self.leases[index]
            assert lease is not None
            transaction._let_go(lease)


def reclaim(leases: Iterable[Lease], history: Iterable[Call], transactions: list[BaseTransaction]) -> None:
    """Collect the connections the code dropped while out, so their slots come back.

    The errors recorded in ``history`` lose their tracebacks first: their frames hold the
    connection the failing call ran on, and a real psqlpy pool does not keep them. The recorded
    ``transactions`` (and ``history``) let go of those not finished while the pool collects.
    """
    if not any(lease.out for lease in leases):
        return
    seen: set[int] = set()
    for call in history:
        _forget_frames(call.error, seen)
    holding = [tx for tx in transactions if holds_taken(tx) is not None]
    if not holding:
        gc.collect()
        return
    unrecorded = _Unrecorded(cast("list[FakeTransaction]", holding), history, transactions)
    del holding  # only the code's own references keep them alive now
    try:
        gc.collect()
    finally:
        unrecorded.restore()


def reworded(lease: Lease, problems: list[str]) -> list[str]:
    """A connection's ``problems()``, saying so when the code dropped it with a transaction still open."""
    if not lease.collected:
        return problems
    open_ = {f"{tx!r} was never committed or rolled back.": tx for tx in lease.connection._transaction_stack}
    return [_dropped_open(open_[problem].number) if problem in open_ else problem for problem in problems]


def _dropped_open(number: int) -> str:
    return (
        f"transaction #{number} was begun and never committed or rolled back, and its connection was "
        "dropped (without close()) while it was open: psqlpy gives the connection back to the pool still "
        "inside the transaction, so the next code that takes it runs in it (its statements are committed "
        "or lost with this one's, and after a failed statement each fails with \"current transaction is "
        'aborted"). Commit or roll back before letting the connection go (`async with conn.transaction():`).'
    )
