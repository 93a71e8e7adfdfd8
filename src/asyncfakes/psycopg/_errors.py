"""psycopg's own exceptions, chosen by SQLSTATE, with ``.sqlstate`` and ``.diag`` filled; one-call helpers.

psycopg builds a server error from the server's report; the fake builds the same class with the
same fields through psycopg's public ``info=`` argument, so ``except UniqueViolation``,
``error.sqlstate`` and ``error.diag.constraint_name`` behave in tests as in production.
"""

from __future__ import annotations

import psycopg
from psycopg import errors
from psycopg.pq import DiagnosticField

__all__ = [
    "ABORTED",
    "check_violation",
    "connection_lost",
    "deadlock_detected",
    "foreign_key_violation",
    "in_failed_transaction",
    "is_lost",
    "is_server_error",
    "not_null_violation",
    "postgres_error",
    "query_canceled",
    "serialization_failure",
    "unique_violation",
]

ABORTED = "current transaction is aborted, commands ignored until end of transaction block"
"""PostgreSQL's answer to any statement in a failed transaction."""

_LOST = (
    "consuming input failed: server closed the connection unexpectedly\n"
    "\tThis probably means the server terminated abnormally\n"
    "\tbefore or while processing the request."
)
_LOST_TAG = "_asyncfakes_psycopg_lost"
_FIELDS = {
    "schema_name": DiagnosticField.SCHEMA_NAME,
    "table_name": DiagnosticField.TABLE_NAME,
    "column_name": DiagnosticField.COLUMN_NAME,
    "datatype_name": DiagnosticField.DATATYPE_NAME,
    "constraint_name": DiagnosticField.CONSTRAINT_NAME,
    "context": DiagnosticField.CONTEXT,
    "statement_position": DiagnosticField.STATEMENT_POSITION,
}


def postgres_error(
    sqlstate: str,
    message: str,
    *,
    detail: str | None = None,
    hint: str | None = None,
    severity: str = "ERROR",
    **fields: str,
) -> psycopg.Error:
    """Build the error psycopg raises when the server reports ``sqlstate`` with ``message``.

    The class is psycopg's own for that SQLSTATE (``errors.lookup``); ``str(error)`` is the
    message with its ``DETAIL`` and ``HINT`` lines, and ``error.diag`` has every field given.
    Extra fields: ``schema_name``, ``table_name``, ``column_name``, ``datatype_name``,
    ``constraint_name``, ``context``, ``statement_position``::

        conn.execute.raises(postgres_error("23514", 'new row ... violates check constraint "c"'))
    """
    if len(sqlstate) != 5:
        msg = f"sqlstate takes PostgreSQL's five-character code (such as '23505'), got {sqlstate!r}."
        raise ValueError(msg)
    unknown = sorted(set(fields) - set(_FIELDS))
    if unknown:
        msg = f"postgres_error() got unknown diagnostic field(s) {unknown}; it takes {sorted(_FIELDS)}."
        raise TypeError(msg)
    try:
        cls: type[psycopg.Error] = errors.lookup(sqlstate)
    except KeyError:
        cls = psycopg.DatabaseError  # psycopg's own fallback for a code it has no class for
    info: dict[int, bytes | None] = {
        DiagnosticField.SQLSTATE: sqlstate.encode(),
        DiagnosticField.SEVERITY: severity.encode(),
        DiagnosticField.SEVERITY_NONLOCALIZED: severity.encode(),
        DiagnosticField.MESSAGE_PRIMARY: message.encode(),
    }
    text = message
    if detail is not None:
        info[DiagnosticField.MESSAGE_DETAIL] = detail.encode()
        text += f"\nDETAIL:  {detail}"
    if hint is not None:
        info[DiagnosticField.MESSAGE_HINT] = hint.encode()
        text += f"\nHINT:  {hint}"
    for name, value in fields.items():
        info[_FIELDS[name]] = value.encode()
    return cls(text, info=info)


def unique_violation(
    constraint: str = "t_pkey", *, key: str = "(id)=(1)", table: str | None = None
) -> psycopg.Error:
    """``UniqueViolation`` (23505): a duplicate key for ``constraint``."""
    return postgres_error(
        "23505",
        f'duplicate key value violates unique constraint "{constraint}"',
        detail=f"Key {key} already exists.",
        constraint_name=constraint,
        **({"table_name": table} if table else {}),
    )


def foreign_key_violation(
    constraint: str = "child_parent_id_fkey",
    *,
    table: str = "child",
    key: str = "(parent_id)=(1)",
    referenced: str = "parent",
) -> psycopg.Error:
    """``ForeignKeyViolation`` (23503): an insert or update referencing a missing row."""
    return postgres_error(
        "23503",
        f'insert or update on table "{table}" violates foreign key constraint "{constraint}"',
        detail=f'Key {key} is not present in table "{referenced}".',
        constraint_name=constraint,
        table_name=table,
    )


def not_null_violation(column: str = "name", *, table: str = "t", row: str = "(1, null)") -> psycopg.Error:
    """``NotNullViolation`` (23502): a null in a ``NOT NULL`` column."""
    return postgres_error(
        "23502",
        f'null value in column "{column}" of relation "{table}" violates not-null constraint',
        detail=f"Failing row contains {row}.",
        column_name=column,
        table_name=table,
    )


def check_violation(constraint: str = "t_check", *, table: str = "t", row: str = "(1)") -> psycopg.Error:
    """``CheckViolation`` (23514): a row failing a ``CHECK`` constraint."""
    return postgres_error(
        "23514",
        f'new row for relation "{table}" violates check constraint "{constraint}"',
        detail=f"Failing row contains {row}.",
        constraint_name=constraint,
        table_name=table,
    )


def serialization_failure(
    message: str = "could not serialize access due to concurrent update",
) -> psycopg.Error:
    """``SerializationFailure`` (40001): retry the transaction."""
    return postgres_error("40001", message)


def deadlock_detected() -> psycopg.Error:
    """``DeadlockDetected`` (40P01)."""
    return postgres_error(
        "40P01",
        "deadlock detected",
        detail="Process 1 waits for ShareLock on transaction 2; blocked by process 2.",
        hint="See server log for query details.",
    )


def query_canceled(reason: str = "user request") -> psycopg.Error:
    """``QueryCanceled`` (57014): ``reason`` is ``"user request"`` or ``"statement timeout"``."""
    return postgres_error("57014", f"canceling statement due to {reason}")


def in_failed_transaction() -> psycopg.Error:
    """``InFailedSqlTransaction`` (25P02): what every statement meets in a failed transaction."""
    return postgres_error("25P02", ABORTED)


def connection_lost() -> psycopg.Error:
    """``OperationalError``: the server closed the connection; the connection becomes ``broken``."""
    error = psycopg.OperationalError(_LOST)
    setattr(error, _LOST_TAG, True)
    return error


def is_lost(error: BaseException) -> bool:
    """Whether ``error`` came from :func:`connection_lost`."""
    return getattr(error, _LOST_TAG, False) is True


def is_server_error(error: BaseException) -> bool:
    """Whether the server reported ``error`` (so it aborts a transaction block)."""
    return isinstance(error, psycopg.Error) and error.sqlstate is not None
