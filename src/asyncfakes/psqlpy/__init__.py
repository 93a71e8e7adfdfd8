"""asyncfakes for psqlpy: a fake Connection, Transaction, Cursor and ConnectionPool that behave as psqlpy's.

Hand :class:`FakeConnection` (or a :class:`FakeConnectionPool`) to code written for psqlpy, script
what the database answers as plain data, and assert on what the code sent::

    from asyncfakes.psqlpy import FakeConnection, unique_violation

    conn = FakeConnection()
    conn.fetch_row.returns({"id": 1, "name": "Ana"})
    conn.execute.raises(unique_violation("users_email_key"))

Results, exception classes (psqlpy's own when it is installed; see
:mod:`asyncfakes.psqlpy.exceptions`) and transaction rules follow psqlpy 0.13, as measured against
it and PostgreSQL 15 by the contract suite.
"""

from __future__ import annotations

from ._connection import FakeConnection, Parameters
from ._cursor import FakeCursor, FakePreparedStatement
from ._driver_types import as_connection, as_pool, as_transaction
from ._failures import (
    connection_lost,
    deadlock_detected,
    foreign_key_violation,
    postgres_error,
    serialization_failure,
    unique_violation,
)
from ._options import IsolationLevel, ReadVariant
from ._patch import PsqlpyPatch, patch_psqlpy
from ._pool import FakeConnectionPool
from ._pool_status import ConnectionPoolStatus, connection_refused
from ._results import AnswerError, Column, QueryResult, Record, SingleQueryResult
from ._transaction import FakeTransaction

__all__ = [
    "AnswerError",
    "Column",
    "ConnectionPoolStatus",
    "FakeConnection",
    "FakeConnectionPool",
    "FakeCursor",
    "FakePreparedStatement",
    "FakeTransaction",
    "IsolationLevel",
    "Parameters",
    "PsqlpyPatch",
    "QueryResult",
    "ReadVariant",
    "Record",
    "SingleQueryResult",
    "as_connection",
    "as_pool",
    "as_transaction",
    "connection_lost",
    "connection_refused",
    "deadlock_detected",
    "foreign_key_violation",
    "patch_psqlpy",
    "postgres_error",
    "serialization_failure",
    "unique_violation",
]
