"""What a statement produced: the rows, their columns, the status, as psycopg's cursor exposes them.

A scripted answer is plain data: a list of dicts (rows, the keys are the column names), a
:class:`Result` (rows as tuples with explicit column names, or a full status), or an ``int`` (the
rows a command affected). :func:`result_of` turns it into a :class:`FakePGResult`, the stand-in
for libpq's result that psycopg's own row factories read (``status``, ``nfields``, ``fname(i)``).
"""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, cast

from psycopg.pq import ExecStatus

from asyncfakes import output_columns
from asyncfakes.postgres import command_tag, statement_count

__all__ = ["Column", "FakePGResult", "Result", "natural_result", "result_of", "split_many", "statement_count"]

TUPLES_OK = ExecStatus.TUPLES_OK
COMMAND_OK = ExecStatus.COMMAND_OK

# The OIDs PostgreSQL reports for the Python types psycopg loads, for description's type_code.
_OIDS: tuple[tuple[type, int], ...] = (
    (bool, 16),
    (int, 23),
    (float, 701),
    (decimal.Decimal, 1700),
    (str, 25),
    (bytes, 17),
    (datetime.datetime, 1184),
    (datetime.date, 1082),
    (datetime.time, 1083),
    (datetime.timedelta, 1186),
    (uuid.UUID, 2950),
    (dict, 3802),
    (list, 1009),
)


_OID_OF_TYPE = dict(_OIDS)


def _oid(value: object) -> int:
    return _oid_of_type(type(value))


def _oid_of_type(value_type: type) -> int:
    oid = _OID_OF_TYPE.get(value_type)
    if oid is not None:
        return oid
    for kind, oid in _OIDS:
        if issubclass(value_type, kind):
            return oid
    return 25  # unknown and NULL columns: text


class Column(Sequence[Any]):
    """One column of ``cursor.description``: ``name``, ``type_code`` and the DB-API's seven items."""

    __slots__ = ("_name", "_type_code")

    def __init__(self, name: str, type_code: int = 25) -> None:
        self._name = name
        self._type_code = type_code

    @property
    def name(self) -> str:
        """The column's name."""
        return self._name

    @property
    def type_code(self) -> int:
        """The column type's OID, guessed from the first row's value (``text`` when unknown)."""
        return self._type_code

    display_size = internal_size = precision = scale = null_ok = None

    def __len__(self) -> int:
        return 7

    def __getitem__(self, index: Any) -> Any:
        items: tuple[Any, ...] = (self._name, self._type_code, None, None, None, None, None)
        return items[index]

    def __repr__(self) -> str:
        return f"<Column {self._name!r}, type_code: {self._type_code}>"


class FakePGResult:
    """The stand-in for libpq's ``PGresult`` that psycopg's row factories and SQLAlchemy read."""

    __slots__ = ("columns", "command_tuples", "rows", "status", "tag")

    def __init__(
        self,
        status: ExecStatus,
        columns: tuple[Column, ...],
        rows: list[tuple[Any, ...]],
        tag: str,
        count: int,
    ) -> None:
        self.status: ExecStatus = status
        self.columns: tuple[Column, ...] = columns
        self.rows: list[tuple[Any, ...]] = rows
        self.tag: str = tag
        self.command_tuples: int | None = count if count >= 0 else None

    @property
    def command_status(self) -> bytes:
        """The status tag, as bytes (as libpq gives it)."""
        return self.tag.encode()

    @property
    def nfields(self) -> int:
        """The number of columns."""
        return len(self.columns)

    @property
    def ntuples(self) -> int:
        """The number of rows."""
        return len(self.rows)

    def fname(self, index: int) -> bytes:
        """The name of column ``index``, as bytes (as libpq gives it)."""
        return self.columns[index].name.encode()

    def ftype(self, index: int) -> int:
        """The type OID of column ``index``."""
        return self.columns[index].type_code

    def __repr__(self) -> str:
        return f"<FakePGResult {self.status.name} {self.tag!r}>"


class Result:
    """A scripted result with explicit columns or status, when a list of dicts cannot say it.

    ``Result(rows=[(1, "Ana")], columns=["id", "name"])`` gives tuple rows their names;
    ``Result(columns=["id"])`` is a query that found no rows but still has a ``description``;
    ``Result(rowcount=3)`` is a command that affected three rows; ``status=`` overrides the
    status message (``"SELECT 1"``, ``"UPDATE 3"``) derived from the SQL otherwise.
    """

    __slots__ = ("columns", "rowcount", "rows", "status")

    def __init__(
        self,
        rows: Sequence[Any] | None = None,
        *,
        columns: Sequence[str] | None = None,
        rowcount: int | None = None,
        status: str | None = None,
    ) -> None:
        if rows is not None and rowcount is not None:
            msg = "Result() takes rows (a query) or rowcount (a command), not both."
            raise TypeError(msg)
        self.rows: Sequence[Any] | None = rows
        self.columns: tuple[str, ...] | None = None if columns is None else tuple(columns)
        self.rowcount: int | None = rowcount
        self.status: str | None = status

    def __repr__(self) -> str:
        return f"Result(rows={self.rows!r}, columns={self.columns!r}, rowcount={self.rowcount!r})"


@lru_cache(maxsize=256)
def _columns(names: tuple[str, ...], oids: tuple[int, ...]) -> tuple[Column, ...]:
    return tuple(Column(name, oid) for name, oid in zip(names, oids, strict=True))


_tag = lru_cache(maxsize=1024)(command_tag)


def _query(sql: str, names: tuple[str, ...], rows: list[tuple[Any, ...]], status: str | None) -> FakePGResult:
    oids = tuple(_oid(value) for value in rows[0]) if rows else (25,) * len(names)
    tag = status or _tag(sql, len(rows))
    return FakePGResult(TUPLES_OK, _columns(names, oids), rows, tag, len(rows))


def _command(sql: str, count: int, status: str | None) -> FakePGResult:
    tag = status or _tag(sql, count)
    # Only the tags that carry a count give a rowcount (CREATE TABLE gives -1, as in psycopg).
    counted = tag.rsplit(" ", 1)[-1].isdigit()
    return FakePGResult(COMMAND_OK, (), [], tag, count if counted else -1)


def _rows(
    method: str, sql: str, rows: Sequence[Any], columns: tuple[str, ...] | None, status: str | None
) -> FakePGResult:
    if not isinstance(rows, list) and isinstance(rows, (str, bytes, Mapping)):
        msg = f"{method}: script the rows as a list (of dicts, or of tuples in a Result), got {rows!r}."
        raise TypeError(msg)
    if columns is None:
        if not all(type(row) is dict or isinstance(row, Mapping) for row in rows):
            named = output_columns(sql)
            if named and all(isinstance(row, (tuple, list)) for row in rows):
                return _rows(method, sql, rows, named, status)  # the SQL names the columns
            msg = (
                f"{method}: rows scripted without column names must be dicts (the keys name the "
                f"columns), got {list(rows)!r}; tuples are taken only when the SQL names every "
                "column (SELECT id, name ...). Else name them: "
                "Result(rows=[(1, 'Ana')], columns=['id', 'name'])."
            )
            raise TypeError(msg)
        named = output_columns(sql)
        if named is not None and named and len(set(named)) == len(named):
            # The server returns the statement's columns in its order, whatever the dicts' order.
            return _query(sql, named, [_placed(method, sql, row, named) for row in rows], status)
        names = tuple(rows[0]) if rows else ()
        values: list[tuple[Any, ...]] = []
        for row in rows:
            if tuple(row) != names:
                msg = f"{method}: every row needs the same columns {list(names)}, got {dict(row)!r}."
                raise ValueError(msg)
            values.append(tuple(row.values()))
        return _query(sql, names, values, status)
    values = []
    for row in rows:
        value: tuple[Any, ...] = tuple(row.values()) if isinstance(row, Mapping) else tuple(row)  # per row  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
        if len(value) != len(columns):
            msg = f"{method}: the row {row!r} has {len(value)} values for the columns {list(columns)}."
            raise ValueError(msg)
        values.append(value)
    return _query(sql, columns, values, status)


def _dict_rows(method: str, sql: str, rows: list[Any]) -> FakePGResult:
    """The usual answer, a list of dicts, on a fast path (anything else takes the general one)."""
    try:
        values = [tuple(row.values()) for row in rows]
    except AttributeError:
        return _rows(method, sql, rows, None, None)  # not dicts: the general path says what is wrong
    names = tuple(rows[0])
    count = len(values)
    named = output_columns(sql)
    if (named and named != names) or (count > 1 and any(tuple(row) != names for row in rows)):
        return _rows(method, sql, rows, None, None)  # placed by the statement's columns, or refused
    columns = _typed_columns(names, tuple(map(type, values[0])))
    return FakePGResult(TUPLES_OK, columns, values, _tag(sql, count), count)


@lru_cache(maxsize=256)
def _typed_columns(names: tuple[str, ...], kinds: tuple[type, ...]) -> tuple[Column, ...]:
    return tuple(Column(name, _oid_of_type(kind)) for name, kind in zip(names, kinds, strict=True))


_LABELLED = re.compile(r"""(?:\b\w+|"[^"]+")\.(\w+|"[^"]+")\s+AS\s+(\w+|"[^"]+")""", re.IGNORECASE)


@lru_cache(maxsize=256)
def _read(sql: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    """For each output column, the plain column it reads (``users.id AS users_id``: ``id``)."""
    labels = {label.strip('"'): column.strip('"') for column, label in _LABELLED.findall(sql)}
    return tuple(labels.get(name, name) for name in columns)


def _placed(method: str, sql: str, row: Mapping[str, Any], columns: tuple[str, ...]) -> tuple[Any, ...]:
    """``row``'s values in the statement's column order; a missing or unknown key fails naming both.

    A labelled plain column may be named by the column it reads (``id`` for ``users.id AS
    users_id``, as SQLAlchemy 2.0 labels its loader queries).
    """
    keys = columns
    if any(name not in row for name in columns):
        read = _read(sql, columns)
        if len(set(read)) == len(read):
            keys = read
    if len(row) != len(keys) or any(name not in row for name in keys):
        missing = [name for name in columns if name not in row]
        unknown = [name for name in row if name not in columns]
        msg = (
            f"{method}: a scripted row has the columns {list(row)}, but the statement returns "
            f"{list(columns)} (missing {missing}, not returned {unknown})."
        )
        raise ValueError(msg)
    return tuple(row[name] for name in keys)


def result_of(method: str, sql: str, value: Any) -> FakePGResult:
    """Shape a scripted answer for ``sql`` into the result the cursor exposes."""
    if type(value) is list:
        return (
            _dict_rows(method, sql, value)  # pyright: ignore[reportUnknownArgumentType]
            if value and type(value[0]) is dict  # pyright: ignore[reportUnknownArgumentType]
            else _rows(method, sql, value, None, None)  # pyright: ignore[reportUnknownArgumentType]
        )
    if isinstance(value, FakePGResult):
        return value
    if isinstance(value, Result):
        if value.rowcount is not None or (value.rows is None and value.columns is None):
            return _command(sql, value.rowcount or 0, value.status)
        return _rows(method, sql, value.rows or [], value.columns, value.status)
    if isinstance(value, bool) or value is None:
        msg = (
            f"{method}: script rows (a list of dicts), a row count (an int, for a command), or a "
            f"Result; got {value!r}."
        )
        raise TypeError(msg)
    if isinstance(value, int):
        return _command(sql, value, None)
    if isinstance(value, Mapping):
        return _rows(method, sql, [value], None, None)
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return _rows(method, sql, value, None, None)  # pyright: ignore[reportUnknownArgumentType]
    msg = f"{method}: script rows (a list of dicts), a row count (an int), or a Result; got {value!r}."
    raise TypeError(msg)


def natural_result(sql: str) -> FakePGResult:
    """What an empty database answers: no rows for a query, one row inserted, none updated or deleted."""
    tag = command_tag(sql, 0)
    names = output_columns(sql)
    if names:  # a query, or a RETURNING, that names its columns: PostgreSQL describes them
        return _query(sql, names, [], None)
    if tag.startswith("SELECT") or "returning" in sql.lower():
        return _query(sql, output_columns(sql) or (), [], None)
    return _command(sql, 1 if tag.startswith("INSERT") else 0, None)


def split_many(sql: str, params_seq: Any, value: Any, *, returning: bool) -> list[FakePGResult]:
    """The results of an ``executemany``: one per parameter set.

    Scripted, ``value`` is the total row count (an int), a list of per-set answers, or for
    ``returning=True`` the rows each set returned (a list of lists). Unscripted, every set of an
    ``INSERT`` affects one row and every other statement none.
    """
    count = len(params_seq)
    if value is None:
        return [natural_result(sql) for _ in range(count)]
    if isinstance(value, int) and not isinstance(value, bool) and not returning:
        share = value // count if count else 0
        counts = [share] * count
        if counts:
            counts[-1] = value - share * (count - 1)
        return [_command(sql, n, None) for n in counts]
    if isinstance(value, (list, tuple)):
        answers = cast("Sequence[object]", value)
        if len(answers) == count:
            return [result_of("executemany", sql, item) for item in answers]
    what = "the rows of each set (a list of lists)" if returning else "the total row count (an int)"
    msg = (
        f"executemany: script {what}, or a list of one answer per parameter set ({count} of them); "
        f"got {value!r}."
    )
    raise TypeError(msg)
