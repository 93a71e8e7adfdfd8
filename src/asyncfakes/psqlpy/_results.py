"""QueryResult, SingleQueryResult and Record as psqlpy has them, and the shaping of scripted answers.

Tests script plain data (a list of dicts, a dict, a scalar); these classes give it back through
psqlpy's API: ``result()`` (dicts, or tuples with ``as_tuple=True``), ``as_class(cls)``,
``row_factory(fn)`` (psqlpy's ``class_row`` and ``tuple_row`` work), ``records()``. Like psqlpy's,
a QueryResult cannot be iterated, indexed or measured with ``len()``: code that tries fails here
as it fails in production.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

if TYPE_CHECKING:
    from typing_extensions import TypeIs

from . import exceptions as exc
from ._failures import client_side

__all__ = [
    "AnswerError",
    "Column",
    "QueryResult",
    "Record",
    "SingleQueryResult",
    "first_value",
    "one_row",
    "rows_of",
    "unexpected_row_count",
]

T = TypeVar("T")
Decoders = Mapping[str, Callable[[Any], Any]]


class AnswerError(TypeError):
    """A scripted answer cannot be shaped into what the psqlpy method returns (a test mistake)."""


def _decode(row: Mapping[str, Any], decoders: Decoders | None) -> dict[str, Any]:
    # psqlpy hands a decoder the column's raw bytes and skips NULLs; in the fake the scripted
    # value stands for those bytes.
    if not decoders:
        return dict(row)
    return {k: (decoders[k](v) if v is not None and k in decoders else v) for k, v in row.items()}


class Record:
    """One row from ``QueryResult.records()``: by position, by column name, or by slice.

    As psqlpy's ``Record``: ``keys()``, ``values()`` and ``items()`` return lists, iteration and
    ``in`` see the values, and ``dict(record)`` gives the row.
    """

    __slots__ = ("_data", "_values")

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = dict(data)
        self._values = list(self._data.values())

    @overload
    def __getitem__(self, key: int | str) -> Any: ...
    @overload
    def __getitem__(self, key: slice) -> list[Any]: ...
    def __getitem__(self, key: object) -> Any:
        if isinstance(key, str):
            return self._data[key]
        if isinstance(key, slice):
            return self._values[key]
        if isinstance(key, int):
            try:
                return self._values[key]
            except IndexError:
                msg = f"Record index {key} out of range"
                raise IndexError(msg) from None
        msg = "Record key must be int, slice, or str"
        raise TypeError(msg)

    def get(self, key: str, default: Any = None) -> Any:
        """Return the value of column ``key``, or ``default``."""
        return self._data.get(key, default)

    def keys(self) -> list[str]:
        """Return the column names."""
        return list(self._data)

    def values(self) -> list[Any]:
        """Return the values, in column order."""
        return list(self._values)

    def items(self) -> list[tuple[str, Any]]:
        """Return ``(column, value)`` pairs."""
        return list(self._data.items())

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Any:
        return iter(self._values)

    def __repr__(self) -> str:
        inside = ", ".join(f"{k}: {v!r}" for k, v in self._data.items())
        return f"<Record {inside}>"


class QueryResult:
    """What ``execute()`` and ``fetch()`` return: the rows of one statement.

    Make one directly to script an answer explicitly: ``conn.fetch.returns(QueryResult([...]))``.
    """

    __slots__ = ("_rows",)

    def __init__(self, rows: Iterable[Mapping[str, Any]] = ()) -> None:
        self._rows = [dict(row) for row in rows]

    @overload
    def result(
        self, custom_decoders: Decoders | None = None, as_tuple: Literal[False] | None = None
    ) -> list[dict[str, Any]]: ...
    @overload
    def result(
        self, custom_decoders: Decoders | None = None, *, as_tuple: Literal[True]
    ) -> list[tuple[Any, ...]]: ...
    @overload
    def result(self, custom_decoders: Decoders | None, as_tuple: Literal[True]) -> list[tuple[Any, ...]]: ...
    def result(self, custom_decoders: Decoders | None = None, as_tuple: bool | None = None) -> list[Any]:
        """Return the rows as dicts, or as tuples with ``as_tuple=True``."""
        rows = [_decode(row, custom_decoders) for row in self._rows]
        return [tuple(row.values()) for row in rows] if as_tuple else rows

    def as_class(self, as_class: Callable[..., T]) -> list[T]:
        """Return ``as_class(**row)`` for each row (dataclasses, pydantic models...)."""
        return [as_class(**row) for row in self._rows]

    def row_factory(
        self, row_factory: Callable[[dict[str, Any]], T], custom_decoders: Decoders | None = None
    ) -> list[T]:
        """Return ``row_factory(row)`` for each row dict, after ``custom_decoders``."""
        return [row_factory(_decode(row, custom_decoders)) for row in self._rows]

    def records(self) -> list[Record]:
        """Return the rows as :class:`Record` objects."""
        return [Record(row) for row in self._rows]

    def __repr__(self) -> str:
        return f"QueryResult({self._rows!r})"


class SingleQueryResult:
    """What ``fetch_row()`` returns: exactly one row."""

    __slots__ = ("_row",)

    def __init__(self, row: Mapping[str, Any]) -> None:
        self._row = dict(row)

    @overload
    def result(
        self, custom_decoders: Decoders | None = None, as_tuple: Literal[False] | None = None
    ) -> dict[str, Any]: ...
    @overload
    def result(
        self, custom_decoders: Decoders | None = None, *, as_tuple: Literal[True]
    ) -> tuple[Any, ...]: ...
    @overload
    def result(self, custom_decoders: Decoders | None, as_tuple: Literal[True]) -> tuple[Any, ...]: ...
    def result(self, custom_decoders: Decoders | None = None, as_tuple: bool | None = None) -> Any:
        """Return the row as a dict, or as a tuple with ``as_tuple=True``."""
        row = _decode(self._row, custom_decoders)
        return tuple(row.values()) if as_tuple else row

    def as_class(self, as_class: Callable[..., T]) -> T:
        """Return ``as_class(**row)`` (one object, as psqlpy does at runtime)."""
        return as_class(**self._row)

    def row_factory(
        self, row_factory: Callable[[dict[str, Any]], T], custom_decoders: Decoders | None = None
    ) -> T:
        """Return ``row_factory(row)`` after ``custom_decoders``."""
        return row_factory(_decode(self._row, custom_decoders))

    def __repr__(self) -> str:
        return f"SingleQueryResult({self._row!r})"


class Column:
    """A column of a prepared statement: ``name`` and ``table_oid`` (``None`` in the fake)."""

    __slots__ = ("name", "table_oid")

    def __init__(self, name: str, table_oid: int | None = None) -> None:
        self.name: str = name
        self.table_oid: int | None = table_oid

    def __repr__(self) -> str:
        return f"Column({self.name!r})"


# --- scripted plain data -> psqlpy's types ------------------------------------------------------


def unexpected_row_count() -> Exception:
    """What psqlpy's ``fetch_row``/``fetch_val`` raise when the query gives zero or several rows."""
    # psqlpy counts the rows itself: the server ran the query, and the transaction goes on.
    return client_side(exc.ConnectionExecuteError("query returned an unexpected number of rows"))


def _is_rows(value: object) -> TypeIs[list[Mapping[str, Any]] | tuple[Mapping[str, Any], ...]]:
    # Per fetch call: the loop reads list[Unknown]'s items, where a cast() would be one more call.
    return isinstance(value, (list, tuple)) and all(isinstance(row, Mapping) for row in value)  # pyright: ignore[reportUnknownVariableType]


def rows_of(method: str, value: Any) -> QueryResult:
    """Shape a scripted answer for ``execute``/``fetch``: a list of dicts, a QueryResult, or ``None``."""
    if isinstance(value, QueryResult):
        return value
    if value is None:
        return QueryResult()
    if _is_rows(value):
        return QueryResult(value)
    hint = (
        " A dict is one row: wrap it in a list, or script fetch_row for one row."
        if isinstance(value, Mapping)
        else " Rows are dicts of column name to value, e.g. [{'id': 1}]."
    )
    msg = (
        f"conn.{method}: psqlpy's {method}() gives a QueryResult, so script a list of row dicts "
        f"(or a QueryResult, or None for no rows); got {value!r}.{hint}"
    )
    raise AnswerError(msg)


def _rows(value: Any) -> Sequence[Mapping[str, Any]] | None:
    if isinstance(value, QueryResult):
        return value._rows
    if value is None:
        return []
    if _is_rows(value):
        rows: Sequence[Mapping[str, Any]] = value
        return rows
    return None


def one_row(value: Any) -> SingleQueryResult:
    """Shape a scripted answer for ``fetch_row``: a dict, or rows that must be exactly one."""
    if isinstance(value, SingleQueryResult):
        return value
    if isinstance(value, Mapping):
        return SingleQueryResult(value)  # per call: a Mapping[Unknown, Unknown]  # pyright: ignore[reportUnknownArgumentType]
    rows = _rows(value)
    if rows is None:
        msg = (
            "conn.fetch_row: psqlpy's fetch_row() gives one row, so script a dict (or a list of "
            f"row dicts, which must hold exactly one row; zero or several fail as in psqlpy); got {value!r}."
        )
        raise AnswerError(msg)
    if len(rows) != 1:
        raise unexpected_row_count()
    return SingleQueryResult(rows[0])


def first_value(value: Any) -> Any:
    """Shape a scripted answer for ``fetch_val``: the value itself, or a QueryResult of exactly one row."""
    if isinstance(value, SingleQueryResult):
        row = value._row
    elif isinstance(value, QueryResult):
        if len(value._rows) != 1:
            raise unexpected_row_count()
        row = value._rows[0]
    else:
        return value
    return next(iter(row.values()), None)
