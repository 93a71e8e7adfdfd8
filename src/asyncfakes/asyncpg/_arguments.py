"""A list or tuple bound to a scalar ``$n``: the ``DataError`` asyncpg raises while encoding arguments.

The classic psqlpy-to-asyncpg bug is ``conn.fetch("... WHERE id = $1", [1, 2])``: psqlpy takes a
list of parameters, asyncpg takes them as ``*args``, so the list becomes the value of ``$1`` and
asyncpg's int encoder refuses it. The fake cannot know column types, so it refuses a list (or
tuple) only where ``$n`` is certainly scalar (measured on asyncpg 0.30 and PostgreSQL 15):

- cast to a scalar type asyncpg encodes: ``$1::int``, ``CAST($1 AS text)``, ``$1::uuid``, ...
  (the message is asyncpg's own for that type);
- compared in a condition (``WHERE id = $1``, ``$1 = ANY(tags)``, ``id IN ($1, $2)``), not cast
  (the message then says the type is unknown to the fake).

It never refuses a parameter used anywhere as an array (``= ANY($1)``, ``$1::int[]``,
``unnest($1)``, ``@> $1``), nor one assigned (``SET tags = $1``, ``VALUES ($1)``), nor one cast to
a type it does not know (a composite, a range, a geometric type take tuples), nor, except for an
explicit cast, on a connection with a type codec set (``set_type_codec`` may take lists).
Such a client-side error does not abort the transaction: the server never saw the statement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Final

from asyncfakes import Call

from ._errors import error_class

__all__ = ["is_client_side", "scalar_slots", "scalar_violation"]

_TOKEN: Final = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>--[^\n]*|/\*.*?\*/)
    | (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(?P<tag>[A-Za-z_]\w*)?\$.*?\$(?P=tag)?\$)
    | (?P<param>\$\d+)
    | (?P<word>[A-Za-z_]\w*)
    | (?P<op>::|<=|>=|<>|!=|@>|<@|&&|\|\|)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_INTEGER = "'{kind}' object cannot be interpreted as an integer"
_TEXT = "expected str, got {kind}"
_FLOAT = "must be real number, not {kind}"
_DATETIME = "expected a datetime.date or datetime.datetime instance, got '{kind}'"
# asyncpg's message per scalar type name (the first word of the cast, lower-cased).
_MESSAGES: Final = {
    **dict.fromkeys(("int", "int2", "int4", "int8", "integer", "smallint", "bigint"), _INTEGER),
    **dict.fromkeys(("text", "varchar", "character", "char", "bpchar", "name", "json", "jsonb"), _TEXT),
    **dict.fromkeys(("float", "float4", "float8", "real", "double"), _FLOAT),
    **dict.fromkeys(("bool", "boolean"), "a boolean is required (got type {kind})"),
    **dict.fromkeys(("timestamp", "timestamptz"), _DATETIME),
    "uuid": "'{kind}' object has no attribute 'bytes'",
    "date": "'{kind}' object has no attribute 'toordinal'",
    "oid": "an integer is required",
}
_UNKNOWN_TYPE = (
    "expected a single value, got {kind}: $%d is compared as a single value here, and asyncpg "
    "refuses a {kind} for any scalar column type (asyncfakes cannot know which one). To bind a "
    "list, compare with = ANY($%d) or cast it, e.g. $%d::int[]"
)
_COMPARISONS: Final = frozenset({"=", "<", ">", "<=", ">=", "<>", "!=", "like", "ilike"})
_ARRAY_FUNCTIONS: Final = frozenset({"any", "all", "some", "unnest", "cardinality", "array_length"})
_ARRAY_OPERATORS: Final = frozenset({"@>", "<@", "&&", "||"})
_CLAUSES: Final = frozenset({"set", "where", "on", "having", "when", "select", "values", "returning"})
_CLIENT_SIDE = "_asyncfakes_client_side"

ARRAY: Final = "array"
"""A slot used as an array somewhere: never refused."""
COMPARED: Final = "compared"
"""A slot compared as a single value, type unknown."""


def _cast_type(tokens: list[str], at: int) -> tuple[str, bool] | None:
    """The type a ``::`` cast at ``tokens[at]`` names, and whether it is an array; ``None`` if none."""
    if at >= len(tokens) or tokens[at] != "::" or at + 1 >= len(tokens):
        return None
    name = tokens[at + 1]
    rest = tokens[at + 2 :]
    if rest[:1] == ["("]:  # varchar(10), numeric(5, 2)
        close = rest.index(")") if ")" in rest else len(rest) - 1
        rest = rest[close + 1 :]
    elif name in ("double", "character") and rest[:1] in (["precision"], ["varying"]):
        rest = rest[1:]
    return name, rest[:1] == ["["]


def _slot_kind(tokens: list[str], at: int) -> str | None:
    """What one occurrence of a placeholder says about its type (a type name, ARRAY, COMPARED)."""
    cast = _cast_type(tokens, at + 1)
    before = tokens[at - 2 : at]
    if cast is None and before[-2:] == ["cast", "("] and tokens[at + 1 : at + 2] == ["as"]:
        cast = _cast_type([*tokens[: at + 1], "::", *tokens[at + 2 :]], at + 1)
    if cast is not None:
        name, is_array = cast
        return ARRAY if is_array else name
    if before[-2:-1] and before[-1] == "(" and before[-2] in _ARRAY_FUNCTIONS:
        return ARRAY
    previous = before[-1] if before else ""
    following = tokens[at + 1] if at + 1 < len(tokens) else ""
    if previous in _ARRAY_OPERATORS or following in _ARRAY_OPERATORS:
        return ARRAY
    if following in _COMPARISONS:
        return COMPARED
    if previous in _COMPARISONS:
        return None if _clause(tokens, at) == "set" else COMPARED
    return COMPARED if _in_list(tokens, at) else None


def _clause(tokens: list[str], at: int) -> str | None:
    for word in reversed(tokens[:at]):
        if word in _CLAUSES:
            return word
    return None


def _in_list(tokens: list[str], at: int) -> bool:
    index = at - 1
    while index >= 0 and (tokens[index] == "," or tokens[index].startswith("$")):
        index -= 1
    return index >= 1 and tokens[index] == "(" and tokens[index - 1] == "in"


@lru_cache(maxsize=1024)
def scalar_slots(sql: str) -> dict[int, str]:
    """The ``$n`` of ``sql`` that are certainly scalar: their cast type name, or ``COMPARED``."""
    tokens = [m.group().lower() for m in _TOKEN.finditer(sql) if m.lastgroup not in ("space", "comment")]
    kinds: dict[int, set[str]] = {}
    for at, token in enumerate(tokens):
        if token.startswith("$") and token[1:].isdigit():
            kind = _slot_kind(tokens, at)
            if kind is not None:
                kinds.setdefault(int(token[1:]), set()).add(kind)
    found: dict[int, str] = {}
    for number, seen in kinds.items():
        if ARRAY in seen:
            continue
        known = sorted(kind for kind in seen if kind in _MESSAGES)
        if known:
            found[number] = known[0]
        elif seen == {COMPARED}:
            found[number] = COMPARED
    return found


def scalar_violation(
    sql: str, args: Any, history: Sequence[Call], element: int | None = None
) -> Exception | None:
    """Return the ``DataError`` asyncpg raises for a list or tuple bound to a scalar ``$n``, or ``None``.

    ``history`` is the connection's (with a ``set_type_codec`` call in it, only explicit casts are
    trusted); ``element`` is the index of ``args`` in an ``executemany``/``fetchmany`` list.
    """
    if not isinstance(args, (list, tuple)) or not any(isinstance(a, (list, tuple)) for a in args):  # pyright: ignore[reportUnknownVariableType]
        return None
    slots = scalar_slots(sql)
    for number, value in enumerate(args, 1):  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
        kind = slots.get(number)
        if kind is None or not isinstance(value, (list, tuple)) or (kind == COMPARED and _codecs(history)):
            continue
        name = type(value).__name__  # pyright: ignore[reportUnknownArgumentType]
        reason = (
            _UNKNOWN_TYPE.format(kind=name) % (number, number, number)
            if kind == COMPARED
            else _MESSAGES[kind].format(kind=name)
        )
        # asyncpg names executemany() for fetchmany() too
        where = "" if element is None else f" in element #{element} of executemany() sequence"
        shown = repr(value)  # pyright: ignore[reportUnknownArgumentType]
        if len(shown) > 40:  # asyncpg cuts the value's repr at 40 characters
            shown = shown[:40] + "..."
        error = error_class("DataError")(
            f"invalid input for query argument ${number}{where}: {shown} ({reason})"
        )
        setattr(error, _CLIENT_SIDE, True)
        return error
    return None


def _codecs(history: Sequence[Call]) -> bool:
    return any(call.method == "set_type_codec" for call in history)


def is_client_side(error: BaseException) -> bool:
    """Whether ``error`` was raised before anything reached the server (it aborts no transaction)."""
    return getattr(error, _CLIENT_SIDE, False) is True
