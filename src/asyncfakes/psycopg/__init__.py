"""asyncfakes for psycopg 3: fakes of AsyncConnection, AsyncCursor and the psycopg_pool pools.

Hand :class:`FakeAsyncConnection` (or a :class:`FakeAsyncConnectionPool`, or a
:class:`FakeAsyncNullConnectionPool`) to code written for
``psycopg.AsyncConnection``, script what the database answers as plain data, and assert on what
the code sent::

    from asyncfakes.psycopg import FakeAsyncConnection, unique_violation

    conn = FakeAsyncConnection()
    conn.execute.returns([{"id": 1, "name": "Ana"}])
    conn.when(sql="INSERT INTO users ...").raises(unique_violation("users_email_key"))

Rows go through psycopg's own row factories, errors are psycopg's own classes chosen by SQLSTATE,
and transaction rules follow psycopg 3.3, as measured against it and PostgreSQL 15 by the
contract suite. psycopg must be installed.
"""

from __future__ import annotations

from ._connection import ExecuteMethod, FakeAsyncConnection
from ._cursor import FakeAsyncCursor, FakeAsyncServerCursor
from ._driver_types import as_connection
from ._errors import (
    check_violation,
    connection_lost,
    deadlock_detected,
    foreign_key_violation,
    in_failed_transaction,
    not_null_violation,
    postgres_error,
    query_canceled,
    serialization_failure,
    unique_violation,
)
from ._info import ConnectionInfo
from ._null_pool import FakeAsyncNullConnectionPool
from ._patch import PsycopgPatch, patch_psycopg
from ._pool import FakeAsyncConnectionPool
from ._results import Column, FakePGResult, Result
from ._transaction import FakeAsyncTransaction

__all__ = [
    "Column",
    "ConnectionInfo",
    "ExecuteMethod",
    "FakeAsyncConnection",
    "FakeAsyncConnectionPool",
    "FakeAsyncCursor",
    "FakeAsyncNullConnectionPool",
    "FakeAsyncServerCursor",
    "FakeAsyncTransaction",
    "FakePGResult",
    "PsycopgPatch",
    "Result",
    "as_connection",
    "check_violation",
    "connection_lost",
    "deadlock_detected",
    "foreign_key_violation",
    "in_failed_transaction",
    "not_null_violation",
    "patch_psycopg",
    "postgres_error",
    "query_canceled",
    "serialization_failure",
    "unique_violation",
]
