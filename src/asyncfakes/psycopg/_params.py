"""psycopg's parameter rules: ``%s`` and ``%(name)s`` placeholders, checked by psycopg's own parser.

The fake hands the query to the same functions psycopg uses to convert it before sending, so a
count mismatch, a missing name or a stray ``%`` fail with psycopg's exact class and message.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import psycopg
from psycopg import sql as psycopg_sql
from psycopg._queries import PostgresQuery, _query2pg

from ._errors import postgres_error
from ._results import statement_count

__all__ = ["check_execute", "check_many", "check_params", "query_text", "simple_count"]


def query_text(query: Any) -> str:
    """The query as a string: ``str`` as is, ``bytes`` decoded, psycopg's ``sql`` objects rendered."""
    if isinstance(query, str):
        return query
    if isinstance(query, bytes):
        return query.decode()
    if isinstance(query, psycopg_sql.Composable):
        return query.as_string(None)
    msg = f"query should be str, bytes or a psycopg.sql object, got {type(query).__qualname__}"
    raise TypeError(msg)


@lru_cache(maxsize=1024)
def _statement(sql: str) -> tuple[bool, bool]:
    """Whether ``sql`` holds several statements, and whether it is a COPY."""
    return statement_count(sql) > 1, sql.lstrip()[:4].upper() == "COPY"


@lru_cache(maxsize=1024)
def _placeholders(sql: str) -> tuple[Any, Any, int, bool]:
    """Psycopg's parse of ``sql``: the names' order, the parts, how many, several statements."""
    _, _, order, parts = _query2pg(sql.encode(), "utf-8")
    return order, parts, len(parts) - 1, _statement(sql)[0]


@lru_cache(maxsize=1024)
def simple_count(sql: str) -> int:
    """How many ``%s`` a one-statement, non-COPY ``sql`` takes; -1 for anything else."""
    several, copy = _statement(sql)
    if several or copy:
        return -1
    try:
        order, _, wanted, _ = _placeholders(sql)
    except psycopg.ProgrammingError:
        return -1
    return -1 if order is not None else wanted


def check_params(sql: str, params: Any) -> None:
    """Raise what psycopg raises for ``params`` that do not fit the placeholders of ``sql``."""
    if params is None:
        return
    count = len(params)  # psycopg measures them first: an int fails with Python's TypeError, as there
    order, parts, wanted, several = _placeholders(sql)
    if count == wanted and order is None and not several and type(params) in (list, tuple):
        return  # the common case, settled without psycopg's slower general check
    PostgresQuery.validate_and_reorder_params(parts, params, order)
    if several:
        # Parameters go through the extended protocol, which takes one statement.
        msg = "cannot insert multiple commands into a prepared statement"
        raise postgres_error(sqlstate="42601", message=msg)


def check_many(sql: str, params_seq: Any) -> None:
    """Check every parameter set of an ``executemany``."""
    for params in params_seq:
        check_params(sql, params)


def check_execute(sql: str, params: Any) -> None:
    """Check an ``execute``: its parameters, then that it is no COPY (``cursor.copy()`` runs those)."""
    check_params(sql, params)
    if _statement(sql)[1]:
        msg = "COPY cannot be used with this method; use copy() instead"
        raise psycopg.ProgrammingError(msg)
