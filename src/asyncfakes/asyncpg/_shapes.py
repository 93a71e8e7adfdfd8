"""How scripted plain data becomes what asyncpg's methods return: statuses, records, values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from asyncfakes import BaseConnection
from asyncfakes.postgres import command_tag

from ._record import Record, _index_of, as_row, as_rows, record_type

if TYPE_CHECKING:
    from asyncfakes import Call

__all__ = [
    "checked_fetch",
    "connect_shape",
    "checked_fetchrow",
    "checked_fetchval",
    "execute_status",
    "many_answer",
    "record_kind",
    "shape_fetch",
    "shape_fetchrow",
    "shape_fetchval",
    "value_of",
]


def record_kind(host: Any, call: Call) -> type[Record]:
    """The record class for ``call``: its ``record_class=``, else its host's default."""
    chosen = call.kwargs.get("record_class")
    if chosen is None:
        chosen = host.record_class
    return Record if chosen is None else record_type(chosen)


def execute_status(sql: str, value: Any, method: str = "execute") -> str:
    """The status string for a scripted ``execute`` answer.

    A string is the status itself; a row count, a list of rows or one row give the status
    PostgreSQL reports for the statement with that many rows (``None``: zero).
    """
    if isinstance(value, str):
        return value
    if value is None:
        count = 0
    elif isinstance(value, bool):
        count = -1
    elif isinstance(value, int):
        count = value
    elif isinstance(value, (list, tuple)):
        count = len(value)  # pyright: ignore[reportUnknownArgumentType]
    elif isinstance(value, (Record, Mapping)):
        count = 1
    else:
        count = -1
    if count < 0:
        msg = (
            f"{method}() answers a status string; the script gave {value!r} "
            f"({type(value).__name__}). Script the status ('UPDATE 3'), a row count (3), or the rows."  # pyright: ignore[reportUnknownArgumentType]
        )
        raise TypeError(msg)
    return command_tag(sql, count)


def shape_fetch(host: Any, call: Call, value: Any) -> list[Record]:
    """``fetch``/``fetchmany``: a list of records."""
    return as_rows(value, record_kind(host, call), call.method)


def shape_fetchrow(host: Any, call: Call, value: Any) -> Record | None:
    """``fetchrow``: the first row, or ``None``."""
    return as_row(value, record_kind(host, call), call.method)


def value_of(row: Record | None, column: int | str) -> Any:
    """The value ``fetchval`` takes from ``row``: ``None`` without a row."""
    return None if row is None else row[column]


def shape_fetchval(host: Any, call: Call, value: Any) -> Any:
    """``fetchval``: the scripted value; from a row (a dict or Record, or a list of them) its column."""
    column = call.kwargs.get("column", 0)
    if isinstance(value, (Record, Mapping)):
        return value_of(as_row(value, Record, call.method), column)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (Record, Mapping)) for v in value):  # pyright: ignore[reportUnknownVariableType]
        return value_of(as_row(value, Record, call.method), column)
    return value  # pyright: ignore[reportUnknownVariableType]


def _fit(host: Any, call: Call, records: list[Record]) -> list[Record]:
    """Refuse records whose columns are not the statement's; put the others in its column order."""
    conn = host.fake_context()[0]
    columns = conn.row_columns(call)
    if columns is None or all(record._names == columns for record in records):
        return records  # the common case: nothing to check, or the rows fit as they are
    fitted: list[Record] = []
    for record in records:
        names = record._names
        conn.check_columns(call, names)
        if columns and names != columns and len(set(names)) == len(names):
            index = record._index
            values = tuple(record._values[index[name]] for name in columns)
            record = type(record)._make(columns, values, {name: i for i, name in enumerate(columns)})
        fitted.append(record)
    return fitted


def checked_fetch(host: Any, call: Call, value: Any) -> list[Record]:
    """``shape_fetch``, refusing rows whose columns are not the statement's, in its column order."""
    if type(value) is list and call._kwargs.get("record_class") is None and host.record_class is None:
        # The common case: plain dicts with the statement's columns, in its order. What their
        # Records are made of is found once per list and kept for the next call (each call still
        # gets new Records). Safe because no list reaching this shape changes afterwards: it is
        # a sticky answer's own copy (passed uncopied: rebuilds_rows) or a fresh copy (the core
        # copies what a callable or a gate gives), and the list kept here cannot be reused.
        # The hook is read from the class: a connection's own attributes go through __getattr__.
        columns = type(host).row_columns(host, call)  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        last = _last_rows
        parts = last[2] if last[0] is value and last[1] is columns else _record_parts(value, columns)  # pyright: ignore[reportUnknownArgumentType]
        if parts is not None:
            found: list[Record] = []
            for names, values, index in parts:
                record = _new(Record)  # Record._make, inline: the call costs as much as the rest
                record._names, record._values, record._index = names, values, index
                found.append(record)
            return found
    return _fit(host, call, shape_fetch(host, call, value))


_Parts = list[tuple[tuple[str, ...], tuple[Any, ...], dict[str, int]]]


def _record_parts(rows: list[Any], columns: tuple[str, ...] | None) -> _Parts | None:
    """Each row's names, values and index, if all are plain dicts with ``columns``; kept for the next call."""
    global _last_rows
    parts: _Parts = []
    for row in rows:
        if type(row) is not dict:
            return None
        names = tuple(row)  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
        index = _index_of(names)  # pyright: ignore[reportUnknownArgumentType]
        if index is None or (columns is not None and names != columns):
            return None
        parts.append((names, tuple(row.values()), index))  # pyright: ignore[reportUnknownArgumentType]
    _last_rows = (rows, columns, parts)
    return parts


def checked_fetchrow(host: Any, call: Call, value: Any) -> Record | None:
    """``shape_fetchrow``, refusing a row whose columns are not those the statement names."""
    found = shape_fetchrow(host, call, value)
    return None if found is None else _fit(host, call, [found])[0]


def checked_fetchval(host: Any, call: Call, value: Any) -> Any:
    """``shape_fetchval``, refusing scripted rows whose columns are not those the statement names."""
    rows = [value] if isinstance(value, (Record, Mapping)) else value  # pyright: ignore[reportUnknownVariableType]
    if isinstance(rows, (list, tuple)) and rows and all(isinstance(row, (Record, Mapping)) for row in rows):  # pyright: ignore[reportUnknownVariableType]
        row = _fit(host, call, as_rows(rows[:1], Record, call.method))[0]
        return value_of(row, call.kwargs.get("column", 0))
    return shape_fetchval(host, call, value)


def connect_shape(host: Any, call: Call, value: Any) -> Any:
    """``connect``: a connection (scripted: another fake connection), open again."""
    reopen = getattr(value, "_reopened", None) if isinstance(value, BaseConnection) else None
    if reopen is not None:
        return reopen()
    msg = (
        f"connect() answers a connection; the script gave {value!r}. Leave it unscripted (it answers "
        "this connection), return another FakeConnection, or connect.raises_once(...) to fail it."
    )
    raise TypeError(msg)


def many_answer(host: Any, call: Call, value: Any) -> None:
    """``executemany``: always ``None``, as asyncpg's (a scripted value only says it succeeded)."""
    return None


_new = object.__new__
_last_rows: tuple[Any, Any, _Parts] = (None, None, [])
"""The rows ``checked_fetch`` saw last, the columns it checked them against, and their parts."""
