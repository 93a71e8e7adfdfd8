"""What a prepared statement describes before it runs: its output columns and its parameters.

asyncpg learns both from the server at ``prepare`` time; the fake reads them from the SQL text:
the top-level list of a ``SELECT`` (``a, t.b, expr AS c``) or a ``RETURNING`` clause. Unlike
``asyncfakes.output_columns`` (which names only what the text spells out, to check scripted rows
against), describing needs every column, so this gives the server's own names for the unnamed
ones too (``count(*)`` is ``count``, ``1`` is ``?column?``); only ``*`` and ``t.*`` leave the
columns unknown (``None``).
Types are not known without the server: every column and parameter is of PostgreSQL's
``unknown`` type (oid 705).
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, NamedTuple, cast

if TYPE_CHECKING:
    from ._record import Record

__all__ = ["Attribute", "Type", "attributes", "described_columns", "parameter_types", "place", "sources"]

_TOKEN: Final = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>--[^\n]*|/\*.*?\*/)
    | (?P<quoted>"(?:[^"]|"")*")
    | (?P<string>'(?:[^']|'')*'|\$(?P<tag>[A-Za-z_]\w*)?\$.*?\$(?P=tag)?\$)
    | (?P<param>\$\d+)
    | (?P<cast>::)
    | (?P<word>[A-Za-z_][\w$]*)
    | (?P<number>\d+(?:\.\d*)?)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
# Words that end a SELECT's output list at the top level.
_LIST_END: Final = frozenset(
    {"from", "into", "where", "group", "having", "window", "order", "limit", "offset", "fetch",
     "for", "union", "intersect", "except", "returning"}
)  # fmt: skip
_WRITES: Final = frozenset({"insert", "update", "delete", "merge"})
_UNSETTLED: Final = frozenset({"values", "table", "explain", "fetch"})  # rows the text does not name


class Type(NamedTuple):
    """A type as ``asyncpg.types.Type`` describes it (the fake's are all ``unknown``)."""

    oid: int
    name: str
    kind: str
    schema: str


class Attribute(NamedTuple):
    """A column as ``asyncpg.types.Attribute`` describes it: its ``name`` and its ``type``."""

    name: str
    type: Any


UNKNOWN: Final = Type(705, "unknown", "scalar", "pg_catalog")


def _tokens(sql: str) -> list[tuple[str, str]]:
    return [
        (kind, match.group())
        for match in _TOKEN.finditer(sql)
        if (kind := match.lastgroup or "other") not in ("space", "comment")
    ]


def _split(tokens: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Split a token list on its top-level commas."""
    items: list[list[tuple[str, str]]] = [[]]
    depth = 0
    for kind, text in tokens:
        if text in "([":
            depth += 1
        elif text in ")]":
            depth -= 1
        elif text == "," and depth == 0:
            items.append([])
            continue
        items[-1].append((kind, text))
    return [item for item in items if item]


def _identifier(kind: str, text: str) -> str:
    return text[1:-1].replace('""', '"') if kind == "quoted" else text.lower()


def _name(item: list[tuple[str, str]]) -> str | None:
    """The name PostgreSQL gives one output expression, or ``None`` for ``*``."""
    kinds = [kind for kind, _ in item]
    last_kind, last = item[-1]
    if last == "*":
        return None
    if len(item) >= 2 and item[-2][1].lower() == "as" and last_kind in ("word", "quoted"):
        return _identifier(last_kind, last)
    if all(kind in ("word", "quoted") or text == "." for kind, text in item):
        return _identifier(last_kind, last)  # a column (maybe qualified), or "expr alias"
    if "cast" in kinds:  # "t.col::text" keeps the column's name; other casts are named by type
        before = item[: kinds.index("cast")]
        if before and all(kind in ("word", "quoted") or text == "." for kind, text in before):
            return _identifier(*before[-1])
        return "?column?"
    if len(item) >= 2 and item[0][0] == "word" and item[1][1] == "(":
        return item[0][1].lower()  # a function call is named after its function
    return "?column?"


def _select_list(tokens: list[tuple[str, str]], start: int) -> list[tuple[str, str]]:
    depth = 0
    position = start
    if position < len(tokens) and tokens[position][1].lower() in ("distinct", "all"):
        position += 1
        if position < len(tokens) and tokens[position][1].lower() == "on":
            position += 1  # DISTINCT ON (...): skip the parenthesised group below
            while position < len(tokens):
                text = tokens[position][1]
                depth += text == "("
                depth -= text == ")"
                position += 1
                if depth == 0:
                    break
    found: list[tuple[str, str]] = []
    for kind, text in tokens[position:]:
        if depth == 0 and (text == ";" or (kind == "word" and text.lower() in _LIST_END)):
            break
        depth += text in "(["
        depth -= text in ")]"
        found.append((kind, text))
    return found


_SETTINGS: Final = {"transaction isolation level": "transaction_isolation", "time zone": "TimeZone"}


def _setting(tokens: list[tuple[str, str]]) -> str:
    """The column ``SHOW`` answers in: the setting's name."""
    words = " ".join(_identifier(kind, text) for kind, text in tokens if text != ";")
    return _SETTINGS.get(words, words)


def _output_items(sql: str) -> list[list[tuple[str, str]]] | None:
    """The top-level output expressions of ``sql``'s statement; ``[]`` when it returns no rows."""
    tokens = _tokens(sql)
    depth = 0
    verb: str | None = None
    for position, (kind, text) in enumerate(tokens):
        if text in "([":
            depth += 1
        elif text in ")]":
            depth -= 1
        elif depth == 0 and kind == "word":
            word = text.lower()
            if word == "returning":
                return _split(_select_list(tokens, position + 1))
            if verb not in (None, "with"):
                continue  # a write's own SELECT (INSERT ... SELECT) returns nothing
            if word == "select":
                return _split(_select_list(tokens, position + 1))
            if word == "show" and verb is None:
                return [[("quoted", f'"{_setting(tokens[position + 1 :])}"')]]
            if verb is None or word in _WRITES or word in _UNSETTLED:
                verb = word  # after WITH, only the main statement's verb counts
    if verb in _UNSETTLED:
        return None
    return []


@lru_cache(maxsize=1024)
def described_columns(sql: str) -> tuple[str, ...] | None:
    """The names of the columns ``sql`` returns, in order; ``None`` if the text does not settle them.

    >>> described_columns("SELECT users.id, count(*) FROM users")
    ('id', 'count')
    >>> described_columns("UPDATE t SET a = 1")
    ()
    """
    items = _output_items(sql)
    if items is None:
        return None
    names = tuple(_name(item) for item in items)
    return None if None in names else names  # type: ignore[return-value]


@lru_cache(maxsize=1024)
def sources(sql: str) -> tuple[str | None, ...]:
    """For each output column, the plain column it reads (``users.id AS x`` -> ``id``), else ``None``."""
    found: list[str | None] = []
    for item in _output_items(sql) or []:
        if len(item) >= 2 and item[-2][1].lower() == "as":
            item = item[:-2]
        plain = all(kind in ("word", "quoted") or text == "." for kind, text in item)
        found.append(_identifier(*item[-1]) if plain and len(item) % 2 == 1 else None)
    return tuple(found)


def attributes(sql: str) -> tuple[Any, ...]:
    """Asyncpg's ``get_attributes()`` for ``sql`` (``()`` for a statement returning no rows)."""
    return tuple(_attribute(name, UNKNOWN) for name in described_columns(sql) or ())


def parameter_types(count: int) -> tuple[Any, ...]:
    """Asyncpg's ``get_parameters()`` for a statement with ``count`` parameters."""
    return tuple(_type(UNKNOWN) for _ in range(count))


def _attribute(name: str, kind: Type) -> Any:
    real = _asyncpg_types()
    return Attribute(name, _type(kind)) if real is None else real.Attribute(name, _type(kind))


def _type(kind: Type) -> Any:
    real = _asyncpg_types()
    return kind if real is None else real.Type(*kind)


def _asyncpg_types() -> Any:
    """``asyncpg.types`` once asyncpg is imported: the fake then gives asyncpg's own named tuples."""
    return sys.modules.get("asyncpg.types")


def place(
    found: list[Record], columns: tuple[str, ...] | None, method: str, read: tuple[str | None, ...] = ()
) -> list[Record]:
    """Put each scripted record's values in the statement's column order, as the server returns them.

    A row may name a labelled plain column (``users.id AS users_id``) by the column it reads
    (``id``), given ``read`` (see :func:`sources`). A record whose columns are not the
    statement's fails, naming both lists.
    """
    if columns is None:
        return found  # not named by the text (SELECT *, an expression without a name): unchecked
    placed: list[Record] = []
    for record in found:
        names = record._names
        if names != columns:
            keys = columns
            if len(set(names)) == len(names) and sorted(names) != sorted(columns):
                named = None not in read and len(set(read)) == len(read)
                keys = cast("tuple[str, ...]", read) if named else keys
            if len(set(names)) != len(names) or sorted(names) != sorted(keys):
                raise ValueError(_misfit(names, columns, method))
            index = record._index
            values = tuple(record._values[index[name]] for name in keys)
            record = type(record)._make(columns, values, {name: i for i, name in enumerate(columns)})
        placed.append(record)
    return placed


def _misfit(names: tuple[str, ...], columns: tuple[str, ...], method: str) -> str:
    missing = [name for name in columns if name not in names]
    unknown = [name for name in names if name not in columns]
    parts = [f"missing {missing}" if missing else "", f"not returned {unknown}" if unknown else ""]
    detail = ", ".join(part for part in parts if part) or "a column repeats"
    if not columns:
        detail = "it returns no rows: script a row count, e.g. returns(1)"
    return (
        f"{method}(): a scripted row has the columns {list(names)}, but the statement returns "
        f"{list(columns)} ({detail}). Script rows with exactly the statement's columns (any order); "
        "for repeated names use rows(columns, values)."
    )
