"""Copies that keep scripted answers and recorded parameters apart from the code under test.

Only the built-in mutable containers are copied (``list``, ``dict``, ``set``, ``bytearray``, a
tuple holding one, and a :class:`FakeRecord`'s data), all the way down; every other object is
handed out as it is. Flat data takes a fast path: one look at the item types, then a shallow
copy, or none at all for a tuple of scalars.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from ._records import FakeRecord

__all__ = ["CONTAINERS", "Copier", "copier", "flat_rows", "snapshot"]

Copier = Callable[[Any], Any]
"""Copies one value of a known shape: what :func:`copier` compiles for a scripted answer."""

CONTAINERS: Final = frozenset({list, dict, set, bytearray, tuple, FakeRecord})
"""The types whose values are copied (a tuple only when it holds one of the others)."""


def snapshot(value: Any) -> Any:
    """Return ``value`` with every mutable container in it copied (the value itself when it has none)."""
    kind = type(value)  # pyright: ignore[reportUnknownVariableType]  # value: the user's Any
    if kind is list:
        for item in value:  # a plain loop beats any C-level scan on the short lists of parameters
            if type(item) in CONTAINERS:
                return [snapshot(item) for item in value]
        return value.copy()
    if kind is tuple:
        for item in value:
            if type(item) in CONTAINERS:
                return tuple([snapshot(item) for item in value])
        return value
    if kind is dict:
        for item in value.values():
            if type(item) in CONTAINERS:
                return {key: snapshot(item) for key, item in value.items()}
        return value.copy()
    if kind is set or kind is bytearray:
        return value.copy()
    if kind is FakeRecord:
        data = value.result()
        copy = snapshot(data)
        return value if copy is data else FakeRecord(copy, value.rowcount)
    return value


def flat_rows(value: Any) -> bool:
    """Whether ``value`` is a list of dicts holding no container: rows a shape may read uncopied.

    A shape that builds new rows from them (``fake_method(rebuilds_rows=True)``) hands out none
    of these objects, so each call can skip its copy.
    """
    return type(value) is list and all(
        type(row) is dict and not any(type(item) in CONTAINERS for item in row.values())  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
        for row in value  # pyright: ignore[reportUnknownVariableType]
    )


def copier(value: Any) -> Copier | None:
    """Compile a function that copies ``value`` (and values of its exact shape); ``None``: no copy needed.

    A sticky answer is copied on every call, so the work of walking it is done once, here: a list
    of flat dicts, say, becomes ``list(map(dict.copy, rows))``.
    """
    kind = type(value)  # pyright: ignore[reportUnknownVariableType]  # value: the user's Any
    if kind is list:
        return _list_copier([copier(item) for item in value])
    if kind is dict:
        inner = [(key, found) for key, item in value.items() if (found := copier(item)) is not None]
        return dict.copy if not inner else _dict_copier(inner)  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    if kind is tuple:
        items = [copier(item) for item in value]
        if not any(items):
            return None
        listed = _list_copier(items)
        return lambda v: tuple(listed(v))
    if kind is set or kind is bytearray:
        return kind.copy  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    if kind is FakeRecord:
        data = copier(value.result())
        if data is None:
            return None
        return lambda record: FakeRecord(data(record.result()), record.rowcount)
    return None


def _list_copier(items: list[Copier | None]) -> Copier:
    if not any(items):
        return list.copy  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    first = items[0]
    if all(copy is first for copy in items):
        assert first is not None
        if len(items) == 1:  # one row: the most common answer, and twice as fast without map()
            return lambda v: [first(v[0])]
        return lambda v: list(map(first, v))
    return lambda v: [item if copy is None else copy(item) for item, copy in zip(v, items, strict=True)]


def _dict_copier(inner: list[tuple[Any, Copier]]) -> Copier:
    def copy(value: dict[Any, Any]) -> dict[Any, Any]:
        new = value.copy()
        for key, copy_item in inner:
            new[key] = copy_item(new[key])
        return new

    return copy
