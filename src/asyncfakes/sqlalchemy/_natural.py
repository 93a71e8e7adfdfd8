"""What the fake database answers when the test scripted nothing: what a test needs, not an error.

The dialect's start-up queries get a server's answers; ``INSERT ... RETURNING`` gets fresh
primary keys (and echoes the inserted values), one row per inserted row, insertmanyvalues
included; an ORM flush's ``UPDATE``/``DELETE`` of one row matches that row; anything else answers
no rows (a ``SELECT`` still describes its columns).
"""

from __future__ import annotations

import datetime
import itertools
import re
import uuid
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any, Final, cast

__all__ = ["BOOTSTRAP", "Described", "NaturalAnswers"]

BOOTSTRAP: Final = {
    "select pg_catalog.version()": [
        {"version": "PostgreSQL 16.4 on x86_64-pc-linux-gnu, compiled by gcc, 64-bit (asyncfakes)"}
    ],
    "select current_schema()": [{"current_schema": "public"}],
    "show transaction isolation level": [{"transaction_isolation": "read committed"}],
    "show standard_conforming_strings": [{"standard_conforming_strings": "on"}],
}
"""The PostgreSQL dialects' start-up queries and a server's answers to them."""

_TOKEN: Final = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|\$\d+|%\(\w+\)s|::|\w+|\S""")
_RETURNING: Final = re.compile(r"\bRETURNING\b", re.IGNORECASE)


class Described:
    """What the engine knew about one SQL text when it sent it: the compiled statement's table."""

    __slots__ = ("flush", "table")

    def __init__(self, table: Any, flush: bool) -> None:
        self.table = table
        self.flush = flush


def _unquote(word: str) -> str:
    return word[1:-1] if word.startswith('"') else word


def _groups(tokens: list[str], start: int) -> Iterator[list[list[str]]]:
    """From ``tokens[start] == "("``: each parenthesised group in a row, split on its commas."""
    position = start
    while position < len(tokens) and tokens[position] == "(":
        depth = 0
        items: list[list[str]] = []
        current: list[str] = []
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token == "(":
                depth += 1
                if depth == 1:
                    continue
            elif token == ")":
                depth -= 1
                if depth == 0:
                    break
            if token == "," and depth == 1:
                items.append(current)
                current = []
            else:
                current.append(token)
        items.append(current)
        yield items
        if position < len(tokens) and tokens[position] == ",":
            position += 1


def _value(item: list[str], params: Any) -> Any:
    """The value an ``INSERT`` item writes: its parameter's (``$n`` or ``%(name)s``), else ``None``."""
    first = item[0] if item else ""
    if first.startswith("$") and first[1:].isdigit() and isinstance(params, (list, tuple)):
        index = int(first[1:]) - 1
        values = cast("Sequence[object]", params)
        return values[index] if index < len(values) else None
    if first.startswith("%(") and isinstance(params, dict):
        return cast("dict[str, object]", params).get(first[2:-2])
    return None


def inserted_rows(sql: str, params: Any) -> list[dict[str, Any]]:
    """The rows an ``INSERT`` writes, as column -> value (``None`` for what is not a parameter)."""
    names, rows = _insert_shape(sql)
    return [{name: _value(item, params) for name, item in zip(names, row, strict=False)} for row in rows] or [
        {}
    ]


@lru_cache(maxsize=512)
def _insert_shape(sql: str) -> tuple[list[str], list[list[list[str]]]]:
    """An ``INSERT``'s column names and its ``VALUES`` rows of items (tokens); parsed once per SQL."""
    tokens = _TOKEN.findall(sql)
    lowered = [token.lower() for token in tokens]
    names: list[str] = []
    if (
        "into" in lowered
        and lowered.index("into") + 2 < len(tokens)
        and tokens[lowered.index("into") + 2] == "("
    ):
        names = [_unquote(item[-1]) for item in next(_groups(tokens, lowered.index("into") + 2))]
    rows = list(_groups(tokens, lowered.index("values") + 1)) if "values" in lowered else []
    return names, rows  # no rows: INSERT ... DEFAULT VALUES, or ... SELECT, writes one


@lru_cache(maxsize=512)
def returning(sql: str) -> tuple[tuple[str, str | None], ...]:
    """The ``RETURNING`` columns: (output name, the column read, or ``None`` for an expression)."""
    match = _RETURNING.search(sql)
    if match is None:
        return ()
    found: list[tuple[str, str | None]] = []
    for item in next(_groups(["(", *_TOKEN.findall(sql[match.end() :]), ")"], 0)):
        source = item[:-2] if len(item) > 2 and item[-2].lower() == "as" else item
        plain = len(source) in (1, 3) and all(t == "." or t[0].isalpha() or t[0] in '"_' for t in source)
        found.append((_unquote(item[-1]), _unquote(source[-1]) if plain else None))
    return tuple(found)


class NaturalAnswers:
    """The answers of a fake database nothing was scripted for; one per fake engine (its sequences)."""

    def __init__(self) -> None:
        self.described: dict[str, Described] = {}
        self._sequences: dict[tuple[str, str], Iterator[int]] = {}

    def answer(self, sql: str, params: Any) -> Any:
        """Rows for ``sql`` (or a row count, for a statement that returns none)."""
        verb = sql.lstrip().split(None, 1)[0].lower() if sql.strip() else ""
        described = self.described.get(sql)
        if verb == "insert" and _RETURNING.search(sql):
            return [self._returned(sql, row, described) for row in inserted_rows(sql, params)]
        if verb in ("update", "delete") and described is not None and described.flush:
            return 1  # the unit of work updates or deletes one loaded row per statement
        return BOOTSTRAP.get(" ".join(sql.lower().split()), [])

    def _returned(self, sql: str, row: dict[str, Any], described: Described | None) -> dict[str, Any]:
        table = None if described is None else described.table
        made: dict[str, Any] = {}
        fresh: dict[str, Any] = {}
        for name, source in returning(sql):
            if source is not None and source in row:
                made[name] = row[source]
            elif source is not None and source in fresh:
                made[name] = fresh[source]  # insertmanyvalues' sentinel repeats the key
            else:
                made[name] = fresh[source or name] = self._fresh(table, source or name)
        return made

    def _fresh(self, table: Any, column: str) -> Any:
        """A new value for a column the database fills in: a key from a sequence, a uuid, now()."""
        kind, aware = _python_type(table, column)
        if kind is uuid.UUID:
            return uuid.uuid4()
        if kind is datetime.datetime:
            return datetime.datetime.now(datetime.timezone.utc if aware else None)
        if kind in (int, None):
            key = (getattr(table, "name", ""), column)
            counter = self._sequences.get(key)
            if counter is None:
                counter = self._sequences[key] = itertools.count(1)
            return next(counter)
        return None


def _python_type(table: Any, column: str) -> tuple[type | None, bool]:
    """The Python type of ``table.c[column]`` (``None`` when unknown), and whether it has a time zone."""
    try:
        column_type = table.c[column].type
        kind: type = column_type.python_type
    except (AttributeError, KeyError, NotImplementedError):
        return None, False
    return kind, bool(getattr(column_type, "timezone", False))
