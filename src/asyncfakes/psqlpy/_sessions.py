"""The server sessions behind a psqlpy pool's slots: what a connection given back leaves to the next user.

psqlpy 0.13 resets nothing when a connection goes back to its pool (closed, or dropped and
collected): a transaction left open stays open on the server, and the next ``connection()`` that
gets that server connection runs inside it (its statements are committed or lost with it, and
after a failed statement every statement fails with "current transaction is aborted" until a
rollback). The pool hands its idle server connections out first in, first out, as psqlpy's
(deadpool's) does. Measured in tests/contract/test_psqlpy_contract_pool_sessions.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from asyncfakes import Call

    from ._connection import FakeConnection

__all__ = ["Session", "begun_inside", "resume", "session_of"]


class Session:
    """A server session left inside a transaction: whether a statement aborted it, and its savepoints."""

    __slots__ = ("aborted_by", "savepoints")

    def __init__(self, aborted_by: Call | None, savepoints: list[str]) -> None:
        self.aborted_by = aborted_by
        self.savepoints = savepoints


def session_of(connection: FakeConnection) -> Session | None:
    """What ``connection`` leaves on its server connection as it goes back: ``None`` if nothing."""
    if not connection._in_block:
        return None
    return Session(connection._aborted_by if connection._aborted else None, list(connection._savepoints))


def resume(connection: FakeConnection, session: Session | None) -> None:
    """Give a connection just handed out the state of the server connection it runs on."""
    if session is not None:
        connection._inherited = True
        connection._in_block = True
        connection._aborted = session.aborted_by is not None
        connection._aborted_by = session.aborted_by
        connection._savepoints = list(session.savepoints)


def begun_inside(who: str, inherited: bool) -> str:
    """``verify()``'s note for a transaction begun while the server session was already in one."""
    if inherited:
        return (
            f"{who} began on a connection the pool handed out still inside a transaction that earlier "
            "code left unfinished (psqlpy resets nothing when a connection goes back): PostgreSQL ignored "
            "this START TRANSACTION, so this transaction's commit or rollback also ends that one's work."
        )
    return (
        f"{who} began while a transaction was already in progress on this connection: psqlpy has "
        "no nested transactions (PostgreSQL ignores the second START TRANSACTION, and the first "
        "commit or rollback ends both); use create_savepoint() for a nested unit of work."
    )
