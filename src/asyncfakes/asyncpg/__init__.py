"""The asyncpg flavour: fakes of asyncpg's Connection, Pool, Record, transactions, cursors and errors.

Code written for asyncpg runs on them unchanged; the contract suite (``tests/contract``) runs
the same scenarios on these fakes and on real asyncpg against PostgreSQL. Built only on the
public ``asyncfakes`` API. asyncpg itself is optional: when it is installed the fakes raise
its exception classes, and it is imported only when the first error is raised.
"""

from __future__ import annotations

from ._connection import FakeConnection
from ._create_pool import create_pool
from ._driver_types import as_connection, as_pool
from ._errors import (
    connection_lost,
    deadlock_detected,
    error_class,
    postgres_error,
    serialization_failure,
    unique_violation,
)
from ._named_errors import (
    check_violation,
    foreign_key_violation,
    invalid_password,
    not_null_violation,
    query_cancelled,
    undefined_column,
    undefined_table,
)
from ._patch import AsyncpgPatch, patch_asyncpg
from ._pool import FakePool, FakePoolAcquireContext
from ._record import Record, rows
from ._statements import FakeCursor, FakeCursorFactory, FakeCursorIterator, FakePreparedStatement
from ._transaction import FakeTransaction

__all__ = [
    "AsyncpgPatch",
    "FakeConnection",
    "FakeCursor",
    "FakeCursorFactory",
    "FakeCursorIterator",
    "FakePool",
    "FakePoolAcquireContext",
    "FakePreparedStatement",
    "FakeTransaction",
    "Record",
    "as_connection",
    "as_pool",
    "check_violation",
    "connection_lost",
    "create_pool",
    "deadlock_detected",
    "error_class",
    "foreign_key_violation",
    "invalid_password",
    "not_null_violation",
    "patch_asyncpg",
    "postgres_error",
    "query_cancelled",
    "rows",
    "serialization_failure",
    "undefined_column",
    "undefined_table",
    "unique_violation",
]
