"""Named helpers for the server errors code under test handles most, with PostgreSQL's own messages.

Each returns asyncpg's class for its SQLSTATE (a stand-in without asyncpg) with the fields the
server sets, so ``except asyncpg.ForeignKeyViolationError as e: e.constraint_name`` works.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._errors import postgres_error

if TYPE_CHECKING:
    from ._errors import PostgresError

__all__ = [
    "check_violation",
    "foreign_key_violation",
    "invalid_password",
    "not_null_violation",
    "query_cancelled",
    "undefined_column",
    "undefined_table",
]


def foreign_key_violation(
    constraint: str, *, table: str, detail: str | None = None, schema: str = "public"
) -> PostgresError:
    """A ``ForeignKeyViolationError`` (23503): an insert or update on ``table`` broke ``constraint``.

    ``detail`` is the server's ``Key (user_id)=(5) is not present in table "users".``
    """
    return postgres_error(
        "23503",
        f'insert or update on table "{table}" violates foreign key constraint "{constraint}"',
        constraint_name=constraint,
        table_name=table,
        schema_name=schema,
        detail=detail,
    )


def not_null_violation(
    column: str, *, table: str, detail: str | None = None, schema: str = "public"
) -> PostgresError:
    """A ``NotNullViolationError`` (23502): ``column`` of ``table`` got a NULL.

    ``detail`` is the server's ``Failing row contains (...)``.
    """
    return postgres_error(
        "23502",
        f'null value in column "{column}" of relation "{table}" violates not-null constraint',
        column_name=column,
        table_name=table,
        schema_name=schema,
        detail=detail,
    )


def check_violation(
    constraint: str, *, table: str, detail: str | None = None, schema: str = "public"
) -> PostgresError:
    """A ``CheckViolationError`` (23514): a row of ``table`` failed the check ``constraint``."""
    return postgres_error(
        "23514",
        f'new row for relation "{table}" violates check constraint "{constraint}"',
        constraint_name=constraint,
        table_name=table,
        schema_name=schema,
        detail=detail,
    )


def undefined_table(table: str) -> PostgresError:
    """An ``UndefinedTableError`` (42P01): ``relation "table" does not exist``, as the server says."""
    return postgres_error("42P01", f'relation "{table}" does not exist')


def undefined_column(column: str, *, table: str | None = None) -> PostgresError:
    """An ``UndefinedColumnError`` (42703), as the server words it for a query.

    That is ``column "x" does not exist``; with ``table``, the ``INSERT``/``UPDATE`` target-list
    form ``column "x" of relation "t" does not exist``.
    """
    where = f' of relation "{table}"' if table is not None else ""
    return postgres_error("42703", f'column "{column}"{where} does not exist')


def query_cancelled(*, statement_timeout: bool = False) -> PostgresError:
    """A ``QueryCanceledError`` (57014): cancelled by request, or by ``statement_timeout``."""
    reason = "statement timeout" if statement_timeout else "user request"
    return postgres_error("57014", f"canceling statement due to {reason}")


def invalid_password(user: str) -> PostgresError:
    """An ``InvalidPasswordError`` (28P01), what ``connect`` or ``create_pool`` raise for a bad password."""
    message = f'password authentication failed for user "{user}"'
    return postgres_error("28P01", message, severity="FATAL", severity_en="FATAL")
