"""Record, asyncpg's row type as code sees it, and the shaping of scripted data into records."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, cast, overload

from asyncfakes import Memo

from ._errors import interface_error

__all__ = ["Record", "as_row", "as_rows", "record_type", "rows"]


class Record:
    """One row, as ``asyncpg.Record`` behaves: by position and by name at once.

    ``row[0]``, ``row["id"]``, ``row[1:]`` (a tuple), ``row.get("id")``, ``keys()``,
    ``values()`` and ``items()`` (one-pass iterators, as asyncpg's), iteration over the values,
    ``len``, ``"id" in row`` (a column name), ``dict(row)``, equality and ordering with other
    records and with tuples (by values only), hashing, and the repr ``<Record id=1 name='Ana'>``.
    Like asyncpg's it has no attribute access to columns and cannot be pickled.

    Build one from a mapping or from ``(name, value)`` pairs (duplicate names allowed, as in
    ``SELECT 1 AS a, 2 AS a``)::

        Record({"id": 1, "name": "Ana"})

    When asyncpg is imported, ``isinstance(row, asyncpg.Record)`` is true, as it is for a real
    row, so code that checks for asyncpg records takes the same path.
    """

    __slots__ = ("_index", "_names", "_values")

    _asyncpg_class: ClassVar[type | None] = None
    """The asyncpg class this one stands for in ``isinstance`` checks (see ``__class__``)."""

    def __init__(self, data: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        pairs = list(data.items()) if isinstance(data, Mapping) else list(data)  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
        for pair in pairs:  # pyright: ignore[reportUnknownVariableType]
            item = cast("object", pair)
            if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):  # pyright: ignore[reportUnknownArgumentType]
                msg = (
                    f"Record() takes a mapping of column names to values or (name, value) pairs; "
                    f"got the item {pair!r}. For a row of values use rows(columns, values)."
                )
                raise TypeError(msg)
        self._names: tuple[str, ...] = tuple(name for name, _ in pairs)  # pyright: ignore[reportAttributeAccessIssue, reportUnknownVariableType]
        self._values: tuple[Any, ...] = tuple(value for _, value in pairs)  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
        self._index: dict[str, int] = {name: i for i, name in enumerate(self._names)}

    @classmethod
    def _make(cls, names: tuple[str, ...], values: tuple[Any, ...], index: dict[str, int]) -> Any:
        record = cls.__new__(cls)
        record._names, record._values, record._index = names, values, index
        return record

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # pyright: ignore[reportIncompatibleMethodOverride]
        # isinstance() falls back to __class__ when the real type does not match, so a fake row
        # passes `isinstance(row, asyncpg.Record)` (and a record_class check) as a real one does.
        return type(self)._stand_in_for()

    @classmethod
    def _stand_in_for(cls) -> type:
        target: type | None = cls.__dict__.get("_asyncpg_class")
        if target is not None:
            return target
        if cls is Record:
            module = sys.modules.get("asyncpg")
            if module is not None:
                real: type = getattr(module, "Record")  # noqa: B009
                return real
        return cls

    @overload
    def __getitem__(self, key: int) -> Any: ...
    @overload
    def __getitem__(self, key: str) -> Any: ...
    @overload
    def __getitem__(self, key: slice) -> tuple[Any, ...]: ...
    def __getitem__(self, key: int | str | slice) -> Any:
        # Typed for the caller; at run time any object may come, as asyncpg accepts any key (read as
        # object; pyright narrows that back to the annotation, hence its ignores: no cast() per read).
        key_: object = key
        if isinstance(key_, int):
            try:
                return self._values[key_]
            except IndexError:
                msg = "record index out of range"
                raise IndexError(msg) from None
        if isinstance(key_, slice):  # pyright: ignore[reportUnnecessaryIsInstance]
            return self._values[key_]
        index = self._index.get(key_) if isinstance(key_, str) else None  # pyright: ignore[reportUnnecessaryIsInstance]
        if index is None:
            # asyncpg raises KeyError(key); for None that is a KeyError without arguments.
            raise KeyError() if key_ is None else KeyError(key_)  # pyright: ignore[reportUnnecessaryComparison]
        return self._values[index]

    def get(self, key: str, default: Any = None, /) -> Any:
        """Return the value of column ``key``, or ``default``; by name only, as asyncpg's."""
        name: object = key  # as in __getitem__
        index = self._index.get(name) if isinstance(name, str) else None  # pyright: ignore[reportUnnecessaryIsInstance]
        return default if index is None else self._values[index]

    def keys(self) -> Iterator[str]:
        """An iterator over the column names (one pass, as asyncpg's)."""
        return iter(self._names)

    def values(self) -> Iterator[Any]:
        """An iterator over the values (one pass, as asyncpg's)."""
        return iter(self._values)

    def items(self) -> Iterator[tuple[str, Any]]:
        """An iterator over ``(name, value)`` pairs (one pass, as asyncpg's)."""
        return zip(self._names, self._values, strict=True)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def _other(self, other: object) -> tuple[Any, ...] | None:
        if isinstance(other, Record):
            return other._values
        if isinstance(other, tuple):
            return other  # pyright: ignore[reportUnknownVariableType]
        return None

    def __eq__(self, other: object) -> bool:
        values = self._other(other)
        return NotImplemented if values is None else self._values == values

    def __ne__(self, other: object) -> bool:
        values = self._other(other)
        return NotImplemented if values is None else self._values != values

    def __lt__(self, other: object) -> bool:
        values = self._other(other)
        return NotImplemented if values is None else self._values < values

    def __le__(self, other: object) -> bool:
        values = self._other(other)
        return NotImplemented if values is None else self._values <= values

    def __gt__(self, other: object) -> bool:
        values = self._other(other)
        return NotImplemented if values is None else self._values > values

    def __ge__(self, other: object) -> bool:
        values = self._other(other)
        return NotImplemented if values is None else self._values >= values

    def __hash__(self) -> int:
        return hash(self._values)

    def __reduce_ex__(self, protocol: Any) -> Any:
        msg = f"cannot pickle {type(self).__name__!r} objects (asyncpg records cannot be pickled either)"
        raise TypeError(msg)

    def __repr__(self) -> str:
        fields = "".join(f" {name}={value!r}" for name, value in zip(self._names, self._values, strict=True))
        return f"<{type(self).__name__}{fields}>"


def rows(columns: str | Sequence[str], *values: Sequence[Any]) -> list[Record]:
    """Build records from column names and tuples of values, for scripting.

    ``columns`` is a sequence of names, or one string of names separated by spaces or commas::

        conn.fetch.returns(rows("id name", (1, "Ana"), (2, "Bo")))
    """
    names = tuple(columns.replace(",", " ").split()) if isinstance(columns, str) else tuple(columns)
    index = {name: i for i, name in enumerate(names)}
    made: list[Record] = []
    for number, row in enumerate(values):
        item = cast("object", row)
        if isinstance(item, (str, bytes)) or not isinstance(item, Sequence) or len(item) != len(names):  # pyright: ignore[reportUnknownArgumentType]
            msg = (
                f"rows(): row {number} is {row!r}, but there are {len(names)} columns {list(names)}; "
                "each row is a tuple with one value per column."
            )
            raise ValueError(msg)
        made.append(Record._make(names, tuple(row), index))
    return made


_emulated: dict[type, type[Record]] = {}


def record_type(record_class: object) -> type[Record]:
    """Return the class rows are built with for ``record_class=`` (``None``: :class:`Record`).

    A subclass of this Record is used as is. A subclass of the real ``asyncpg.Record`` (which
    cannot be instantiated outside asyncpg) is emulated: its class body is copied onto a
    subclass of this Record, which ``isinstance`` reports as the user's class.
    """
    if record_class is None:
        return Record
    if isinstance(record_class, type):
        if issubclass(record_class, Record):
            return record_class
        if any(
            base.__name__ == "Record" and base.__module__.startswith("asyncpg.")
            for base in record_class.__mro__
        ):
            return _emulate(record_class)  # pyright: ignore[reportUnknownArgumentType]
    msg = f"record_class is expected to be a subclass of asyncpg.Record, got {record_class!r}"
    raise interface_error(msg)


def _emulate(record_class: type) -> type[Record]:
    made = _emulated.get(record_class)
    if made is None:
        body = {
            key: value
            for key, value in vars(record_class).items()
            if key not in ("__dict__", "__weakref__", "__slots__")
        }
        body["__slots__"] = ()
        body["_asyncpg_class"] = record_class
        made = _emulated[record_class] = type(record_class.__name__, (Record,), body)
    return made


def _new_index(names: tuple[Any, ...]) -> dict[str, int] | None:
    return {name: i for i, name in enumerate(names)} if all(type(n) is str for n in names) else None


record_indexes: Memo[tuple[Any, ...], dict[str, int] | None] = Memo(_new_index, 1024)
"""By column names: the name -> position index records with them share (read-only); ``None``: bad names."""


def _index_of(names: tuple[Any, ...]) -> dict[str, int] | None:
    """``record_indexes[names]``, read from its plain dict when known (a hot path)."""
    try:
        return record_indexes.known[names]
    except KeyError:
        return record_indexes[names]


def _row(value: Any, kind: type[Record], method: str) -> Record:
    if type(value) is dict:
        # The common case, made cheap: the names are checked and indexed once per set of names.
        names = tuple(value)  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
        index = _index_of(names)  # pyright: ignore[reportUnknownArgumentType]
        if index is not None:
            fast: Record = kind._make(names, tuple(value.values()), index)  # pyright: ignore[reportUnknownArgumentType]
            return fast
    if isinstance(value, Record):
        return value if type(value) is kind else kind._make(value._names, value._values, value._index)
    if isinstance(value, Mapping):
        return kind(value)  # pyright: ignore[reportUnknownArgumentType]
    msg = (
        f"{method}(): a scripted row must be a dict or a Record, got {value!r} "
        f"({type(value).__name__}). Script rows as [{{'id': 1}}, ...] or rows('id', (1,), ...)."
    )
    raise TypeError(msg)


def as_rows(value: Any, kind: type[Record], method: str) -> list[Record]:
    """Shape a scripted answer into a list of records: rows, one row, or ``[]``."""
    if isinstance(value, (Record, Mapping)):
        return [_row(value, kind, method)]
    if isinstance(value, (list, tuple)):
        return [_row(item, kind, method) for item in value]  # pyright: ignore[reportUnknownVariableType]
    msg = (
        f"{method}() answers a list of rows; the script gave {value!r} ({type(value).__name__}). "
        "Script a list of dicts or Records, e.g. [{'id': 1}], or [] for no rows."
    )
    raise TypeError(msg)


def as_row(value: Any, kind: type[Record], method: str) -> Record | None:
    """Shape a scripted answer into one record or ``None`` (the first of several rows)."""
    if value is None:
        return None
    found = as_rows(value, kind, method)
    return found[0] if found else None
