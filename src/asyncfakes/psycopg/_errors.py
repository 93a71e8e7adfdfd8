"""psycopg's own exceptions, chosen by SQLSTATE, with ``.sqlstate`` and ``.diag`` filled; one-call helpers.

psycopg builds a server error from the server's report; the fake builds the same class with the
same fields through psycopg's public ``info=`` argument, so ``except UniqueViolation``,
``error.sqlstate`` and ``error.diag.constraint_name`` behave in tests as in production.
"""

from __future__ import annotations

from typing import TypeVar

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


_E = TypeVar("_E", bound=psycopg.Error)


def _server(
    cls: type[_E],
    sqlstate: str,
    message: str,
    *,
    detail: str | None = None,
    hint: str | None = None,
    **fields: str,
) -> _E:
    # postgres_error() picks the class by SQLSTATE; each helper below knows which class that is.
    error = postgres_error(sqlstate, message, detail=detail, hint=hint, **fields)
    assert isinstance(error, cls)
    return error


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
) -> errors.UniqueViolation:
    """``UniqueViolation`` (23505): a duplicate key for ``constraint``."""
    return _server(
        errors.UniqueViolation,
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
) -> errors.ForeignKeyViolation:
    """``ForeignKeyViolation`` (23503): an insert or update referencing a missing row."""
    return _server(
        errors.ForeignKeyViolation,
        "23503",
        f'insert or update on table "{table}" violates foreign key constraint "{constraint}"',
        detail=f'Key {key} is not present in table "{referenced}".',
        constraint_name=constraint,
        table_name=table,
    )


def not_null_violation(
    column: str = "name", *, table: str = "t", row: str = "(1, null)"
) -> errors.NotNullViolation:
    """``NotNullViolation`` (23502): a null in a ``NOT NULL`` column."""
    return _server(
        errors.NotNullViolation,
        "23502",
        f'null value in column "{column}" of relation "{table}" violates not-null constraint',
        detail=f"Failing row contains {row}.",
        column_name=column,
        table_name=table,
    )


def check_violation(
    constraint: str = "t_check", *, table: str = "t", row: str = "(1)"
) -> errors.CheckViolation:
    """``CheckViolation`` (23514): a row failing a ``CHECK`` constraint."""
    return _server(
        errors.CheckViolation,
        "23514",
        f'new row for relation "{table}" violates check constraint "{constraint}"',
        detail=f"Failing row contains {row}.",
        constraint_name=constraint,
        table_name=table,
    )


def serialization_failure(
    message: str = "could not serialize access due to concurrent update",
) -> errors.SerializationFailure:
    """``SerializationFailure`` (40001): retry the transaction."""
    return _server(errors.SerializationFailure, "40001", message)


def deadlock_detected() -> errors.DeadlockDetected:
    """``DeadlockDetected`` (40P01)."""
    return _server(
        errors.DeadlockDetected,
        "40P01",
        "deadlock detected",
        detail="Process 1 waits for ShareLock on transaction 2; blocked by process 2.",
        hint="See server log for query details.",
    )


def query_canceled(reason: str = "user request") -> errors.QueryCanceled:
    """``QueryCanceled`` (57014): ``reason`` is ``"user request"`` or ``"statement timeout"``."""
    return _server(errors.QueryCanceled, "57014", f"canceling statement due to {reason}")


def in_failed_transaction() -> errors.InFailedSqlTransaction:
    """``InFailedSqlTransaction`` (25P02): what every statement meets in a failed transaction."""
    return _server(errors.InFailedSqlTransaction, "25P02", ABORTED)


def connection_lost() -> psycopg.OperationalError:
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
