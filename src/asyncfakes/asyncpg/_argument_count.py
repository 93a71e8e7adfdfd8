"""The arguments asyncpg sends with a statement: their count, and lists bound to a scalar ``$n``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from asyncfakes import Call, Memo
from asyncfakes.postgres import parameters, statement_count

from ._arguments import scalar_violation
from ._errors import error_class, postgres_error

__all__ = ["ONE_SET", "check_arguments", "expected_arguments", "fits"]

_ARGUMENT_HINT = "Check the query against the passed list of arguments."
_NO_PARAMETERS_NOTE = (
    "  Note that parameters are supported only in SELECT, INSERT, UPDATE, DELETE, MERGE and VALUES "
    "statements, and will *not* work in statements  like CREATE VIEW or DECLARE CURSOR."
)
# Methods whose calls send arguments the server counts: one set of them, or a list of sets.
ONE_SET = frozenset({"fetch", "fetchrow", "fetchval", "cursor"})
_MANY_SETS = frozenset({"executemany", "fetchmany"})


def fits(sql: str, passed: int) -> bool:
    """Whether ``sql`` is one statement expecting ``passed`` arguments (the check_call fast path)."""
    try:
        expected = expected_arguments.known[sql]  # a plain dict lookup once the statement is known
    except KeyError:
        expected = expected_arguments[sql]
    return expected == passed


def _expected_arguments(sql: str) -> int:
    return max(parameters(sql), default=0) if statement_count(sql) <= 1 else -1


expected_arguments: Memo[str, int] = Memo(_expected_arguments)
"""By SQL: how many arguments it takes when it is one statement, ``-1`` for several (bounded)."""


def _check_arguments(sql: str, args: Any) -> None:
    expected, passed = max(parameters(sql), default=0), len(args)
    if expected != passed:
        hint = _ARGUMENT_HINT + (_NO_PARAMETERS_NOTE if expected == 0 else "")
        message = (
            f"the server expects {expected} argument{'s' if expected != 1 else ''} for this query, "
            f"{passed} {'was' if passed == 1 else 'were'} passed"
        )
        error = error_class("InterfaceError")(message, hint=hint)  # type: ignore[call-arg]
        raise error


def check_arguments(method: str, sql: str, params: Any, history: Sequence[Call]) -> None:
    """Refuse the arguments of a call as asyncpg and the server would (count, several statements, lists)."""
    if method in ONE_SET or (method == "execute" and params):
        if statement_count(sql) > 1:
            error = postgres_error("42601", "cannot insert multiple commands into a prepared statement")
            raise error
        _check_arguments(sql, params)
        violation = scalar_violation(sql, params, history)
        if violation is not None:
            raise violation
    elif method == "execute" and parameters(sql):
        # Without arguments asyncpg sends the text as is, and the server rejects a $n.
        error = postgres_error("42P02", f"there is no parameter ${parameters(sql)[0]}")
        raise error
    elif method in _MANY_SETS and isinstance(params, (list, tuple)):
        for element, arguments in enumerate(params):  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
            _check_arguments(sql, arguments)
            violation = scalar_violation(sql, arguments, history, element)
            if violation is not None:
                raise violation
