"""FakeRecord, the result of one statement, Row, one row of it, and the generic fake's shapes."""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, KeysView, Mapping, Sequence, ValuesView
from typing import TYPE_CHECKING, Any, ClassVar, overload

from ._errors import shorten

if TYPE_CHECKING:
    from ._calls import Call

__all__ = [
    "FakeRecord",
    "Row",
    "check_row",
    "check_rows",
    "fit_columns",
    "raise_if_error",
    "record_of",
    "rows_of",
]


class Row:
    """One row: a mapping by column name and a sequence by position at once.

    ``row["id"]``, ``row[0]``, ``row.get("id")``, ``keys()``/``values()``/``items()`` and
    ``dict(row)`` all work; iteration yields the values, as a driver's record does, so
    ``id_, name = row`` unpacks.
    """

    __slots__ = ("_data", "_values")

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = dict(data)
        self._values = tuple(self._data.values())

    @overload
    def __getitem__(self, key: str) -> Any: ...
    @overload
    def __getitem__(self, key: int) -> Any: ...
    @overload
    def __getitem__(self, key: slice) -> tuple[Any, ...]: ...
    def __getitem__(self, key: str | int | slice) -> Any:
        if isinstance(key, str):
            try:
                return self._data[key]
            except KeyError:
                msg = f"{key!r}: this row has the columns {list(self._data)}"
                raise KeyError(msg) from None
        try:
            return self._values[key]
        except IndexError:
            msg = f"row index {key} out of range: this row has {len(self._values)} columns"
            raise IndexError(msg) from None

    def get(self, key: str, default: Any = None) -> Any:
        """Return the value of column ``key``, or ``default`` when there is no such column."""
        return self._data.get(key, default)

    def keys(self) -> KeysView[str]:
        """Return the column names, in order."""
        return self._data.keys()

    def values(self) -> ValuesView[Any]:
        """Return the values, in column order."""
        return self._data.values()

    def items(self) -> ItemsView[str, Any]:
        """Return ``(column, value)`` pairs, in column order."""
        return self._data.items()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)  # pyright: ignore[reportUnknownArgumentType]
        if isinstance(other, tuple):
            return self._values == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self._data.items()))

    def __repr__(self) -> str:
        return f"Row({self._data!r})"


class FakeRecord:
    """The result of one statement, shaped like the hand-written fakes people migrate from.

    ``result()`` gives the data back as scripted, ``rowcount`` counts the rows (explicit, or
    the data itself when it is an int, ``len`` of a list, else 1), and iterating or indexing
    gives :class:`Row` objects for dict rows.
    """

    __slots__ = ("_data", "_rows", "rowcount")

    def __init__(self, data: Any = None, rowcount: int | None = None) -> None:
        self._data = data
        self._rows: tuple[Any, ...] | None = None
        if rowcount is None:
            if isinstance(data, int) and not isinstance(data, bool):
                rowcount = data
            elif isinstance(data, list):
                rowcount = len(data)  # pyright: ignore[reportUnknownArgumentType]
            else:
                rowcount = 1
        self.rowcount: int = rowcount

    def result(self) -> Any:
        """Return the data exactly as it was scripted (a list of dicts, a dict, a scalar...)."""
        return self._data

    @property
    def rows(self) -> tuple[Any, ...]:
        """The rows: dicts become :class:`Row`; a single dict is one row; a scalar has none."""
        if self._rows is None:
            data = self._data
            if isinstance(data, Mapping):
                items: Sequence[Any] = [data]
            elif isinstance(data, (list, tuple)):
                items = data  # pyright: ignore[reportUnknownVariableType]
            else:
                items = ()
            self._rows = tuple(Row(d) if isinstance(d, Mapping) else d for d in items)  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
        return self._rows

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Row]: ...
    def __getitem__(self, index: int | slice) -> Row | Sequence[Row]:
        return self.rows[index]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FakeRecord):
            return self._data == other._data and self.rowcount == other.rowcount
        return NotImplemented

    __hash__: ClassVar[None] = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FakeRecord({self._data!r}, rowcount={self.rowcount})"


# A virtual subclass: isinstance(record, Sequence) holds, while isinstance(x, FakeRecord) on the
# hot path stays a plain type check instead of going through ABCMeta.
Sequence.register(FakeRecord)  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]  # ABCMeta's


# --- the generic fake's shapes: scripted plain data into FakeRecords --------------------


def record_of(host: Any, call: Call, value: Any) -> FakeRecord:
    """Shape a scripted answer into a FakeRecord (the generic ``execute`` and ``execute_many``)."""
    return value if isinstance(value, FakeRecord) else FakeRecord(value)


_ROWS = (list, tuple, FakeRecord, Mapping, Row, type(None))


def check_rows(value: Any) -> None:
    """Refuse a value the generic ``fetch`` cannot answer (a scalar, say)."""
    if not isinstance(value, _ROWS):
        msg = (
            f"fetch answers rows: a list of dicts (or tuples), one dict, a FakeRecord or None; got "
            f"{shorten(value, 60)} ({type(value).__name__}). For one value script fetch_val; for a row "
            "count, execute."
        )
        raise TypeError(msg)


def check_row(value: Any) -> None:
    """Refuse a value the generic ``fetch_row`` cannot answer."""
    if not isinstance(value, _ROWS):
        msg = (
            f"fetch_row answers one row: a dict (or a tuple), a FakeRecord or None; got "
            f"{shorten(value, 60)} ({type(value).__name__}). For one value script fetch_val."
        )
        raise TypeError(msg)


def fit_columns(conn: Any, call: Call, rows: Sequence[Any], columns: tuple[str, ...]) -> None:
    """Raise ``ValueError`` (the connection's ``check_columns``) if a dict row lacks ``columns``."""
    for row in rows:
        # A dict with exactly the statement's columns, in its order, fits: no further work.
        if (type(row) is dict and tuple(row) != columns) or (  # pyright: ignore[reportUnknownArgumentType]
            type(row) is not dict and isinstance(row, Mapping)  # pyright: ignore[reportUnknownArgumentType]
        ):
            conn.check_columns(call, list(row))  # pyright: ignore[reportUnknownArgumentType]


def rows_of(data: Any) -> Sequence[Any]:
    """The rows in a generic answer's data: a list's items, one mapping, or none."""
    return (data,) if isinstance(data, Mapping) else data if type(data) is list else ()  # pyright: ignore[reportUnknownVariableType]


def raise_if_error(value: Any) -> None:
    """Raise ``value`` if the hand-written fakes' attribute API holds an exception."""
    if isinstance(value, BaseException):
        raise value.with_traceback(None)
