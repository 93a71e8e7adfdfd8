"""What PostgreSQL reports for a statement: its status, its ``$n`` parameters, its transaction effect.

Pure functions over the SQL text, no parser: they read the leading keywords. Public for the fakes
of PostgreSQL drivers (the asyncpg, psqlpy and psycopg flavours, and yours).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

__all__ = ["command_tag", "parameters", "recovers", "statement_count", "transaction_effect"]

_TOKEN: Final = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>--[^\n]*|/\*.*?\*/)
    | (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(?P<tag>[A-Za-z_]\w*)?\$.*?\$(?P=tag)?\$)
    | (?P<param>\$(?P<number>\d+))
    | (?P<word>[A-Za-z_]\w*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

# Verbs whose status carries the row count; INSERT's carries an OID (always 0) first.
_COUNTED: Final = {"update": "UPDATE", "delete": "DELETE", "merge": "MERGE", "fetch": "FETCH",
                   "move": "MOVE", "copy": "COPY"}  # fmt: skip
_QUERIES: Final = frozenset({"select", "values", "table", "execute"})
_DDL: Final = frozenset({"create", "drop", "alter"})
_MODIFIERS: Final = frozenset(
    {"or", "replace", "temp", "temporary", "unlogged", "global", "local", "unique", "recursive",
     "trusted", "procedural", "default", "constraint", "concurrently"}
)  # fmt: skip
_TWO_WORD_OBJECTS: Final = frozenset({"materialized", "foreign", "event", "access"})
_FIXED: Final = {
    "truncate": "TRUNCATE TABLE", "end": "COMMIT", "abort": "ROLLBACK", "lock": "LOCK TABLE",
    "declare": "DECLARE CURSOR", "close": "CLOSE CURSOR", "refresh": "REFRESH MATERIALIZED VIEW",
    "release": "RELEASE",
}  # fmt: skip


@lru_cache(maxsize=1024)
def _statements(sql: str) -> tuple[tuple[str, ...], ...]:
    """The statements of ``sql``, each as its lower-cased top-level words and symbols."""
    found: list[tuple[str, ...]] = []
    current: list[str] = []
    depth = 0
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        text = match.group().lower()
        if text == ";" and depth == 0:
            if current:
                found.append(tuple(current))
            current = []
            continue
        if text == "(":
            depth += 1
        elif text == ")":
            depth = max(depth - 1, 0)
        elif depth == 0 and kind in ("word", "other"):
            current.append(text)
        elif depth > 0 and kind == "word" and not current:
            current.append(text)  # "(SELECT 1) UNION (SELECT 2)" starts inside parentheses
    if current:
        found.append(tuple(current))
    return tuple(found)


def _main_verb(words: tuple[str, ...]) -> tuple[str, int]:
    """The statement's verb, skipping a ``WITH`` clause, and its position."""
    if words[0] != "with":
        return words[0], 0
    for position, word in enumerate(words):
        if word in ("select", "insert", "update", "delete", "merge", "values", "table"):
            return word, position
    return "select", 0


def _object_words(rest: tuple[str, ...]) -> str:
    words = [word for word in rest if word not in _MODIFIERS]
    if not words:
        return ""
    if words[0] in ("user", "group"):
        return "ROLE"
    if words[0] in _TWO_WORD_OBJECTS and len(words) > 1:
        return f"{words[0]} {words[1]}".upper()
    return words[0].upper()


def _tag(words: tuple[str, ...], count: int) -> str:
    verb, position = _main_verb(words)
    rest = words[position + 1 :]
    if verb == "insert":
        return f"INSERT 0 {count}"
    if verb in _COUNTED:
        return f"{_COUNTED[verb]} {count}"
    if verb in _QUERIES:
        return f"SELECT {count}"
    if verb == "create" and "as" in rest and _object_words(rest) in ("TABLE", "MATERIALIZED VIEW"):
        return f"SELECT {count}"  # CREATE TABLE ... AS reports the rows it wrote
    if verb in _DDL:
        return f"{verb.upper()} {_object_words(rest)}".rstrip()
    if verb in _FIXED:
        return _FIXED[verb]
    if verb == "start":
        return "START TRANSACTION"
    if verb in ("discard", "deallocate") and rest and rest[0] in ("all", "plans", "sequences", "temp"):
        return f"{verb.upper()} {rest[0].upper()}"
    return verb.upper()


def command_tag(sql: str, count: int) -> str:
    """The status string PostgreSQL reports for ``sql`` (its last statement) with ``count`` rows.

    >>> command_tag("INSERT INTO t VALUES ($1)", 1)
    'INSERT 0 1'
    >>> command_tag("WITH x AS (SELECT 1) UPDATE t SET a = 1", 3)
    'UPDATE 3'
    """
    found = _statements(sql)
    return _tag(found[-1], count) if found else ""


def statement_count(sql: str) -> int:
    """How many statements ``sql`` holds (a prepared statement may hold one)."""
    return len(_statements(sql))


def transaction_effect(sql: str) -> bool | None:
    """Whether ``sql`` opens a manual transaction (True), ends it (False), or neither (None).

    ``ROLLBACK TO`` a savepoint ends nothing.
    """
    effect: bool | None = None
    for words in _statements(sql):
        verb = words[0]
        if verb == "begin" or (verb == "start" and words[1:2] == ("transaction",)):
            effect = True
        elif verb in ("commit", "end", "abort") or (verb == "rollback" and "to" not in words):
            effect = False
    return effect


def recovers(sql: str) -> bool:
    """Whether ``sql`` starts with a statement an aborted transaction accepts (ROLLBACK, COMMIT)."""
    found = _statements(sql)
    return bool(found) and found[0][0] in ("rollback", "abort", "commit", "end")


@lru_cache(maxsize=1024)
def parameters(sql: str) -> tuple[int, ...]:
    """The ``$n`` placeholders of ``sql`` outside strings and comments, in order of appearance.

    The server expects as many arguments as the highest of them.
    """
    return tuple(int(m.group("number")) for m in _TOKEN.finditer(sql) if m.group("number") is not None)
