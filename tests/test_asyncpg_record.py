"""asyncfakes.asyncpg.Record, rows(), record classes, and the shaping of scripted rows."""

from __future__ import annotations

import copy
import pickle
import sys
from typing import Any

import pytest

from asyncfakes.asyncpg import Record, error_class, rows
from asyncfakes.asyncpg._record import as_row, as_rows, record_type


def test_a_record_reads_by_position_name_and_slice() -> None:
    """Positions (negative too), names, slices, get() by name only."""
    row = Record({"id": 1, "name": "Ana"})

    assert (1, "Ana", "Ana", ("Ana",), "Ana") == (row[0], row[-1], row["name"], row[1:], row[True])
    assert ("Ana", None, 5, None) == (row.get("name"), row.get("x"), row.get("x", 5), row.get(0))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("key", "error", "args"),
    [
        (2, IndexError, ("record index out of range",)),
        (-3, IndexError, ("record index out of range",)),
        ("nope", KeyError, ("nope",)),
        (1.5, KeyError, (1.5,)),
        (b"id", KeyError, (b"id",)),
        (None, KeyError, ()),
    ],
)
def test_missing_keys_raise_what_asyncpg_raises(
    key: Any, error: type[Exception], args: tuple[Any, ...]
) -> None:
    """Out of range is IndexError('record index out of range'); other keys KeyError(key)."""
    with pytest.raises(error) as caught:
        Record({"id": 1, "name": "Ana"})[key]

    assert args == caught.value.args


def test_keys_values_items_are_iterators_and_in_checks_names() -> None:
    """keys/values/items iterate once; iteration gives values; `in` looks at the column names."""
    row = Record([("a", 1), ("a", 2)])
    keys = row.keys()

    assert (["a", "a"], []) == (list(keys), list(keys))
    assert ([1, 2], [("a", 1), ("a", 2)], [1, 2], 2) == (
        list(row.values()),
        list(row.items()),
        list(row),
        len(row),
    )
    assert (True, False, 2, {"a": 2}) == ("a" in row, 1 in row, row["a"], dict(row))


def test_records_compare_as_tuples_of_values() -> None:
    """==, !=, ordering and hash follow the values; other types are not comparable."""
    row = Record({"a": 1, "b": 2})
    other = Record({"x": 1, "y": 2})

    assert (True, True, False, True) == (row == other, row == (1, 2), row != (1, 2), row != (1, 3))
    assert (False, True, False) == (row == [1, 2], row != [1, 2], row == {"a": 1, "b": 2})
    assert (True, True, True, True) == (row < (2,), row <= other, row > (0,), row >= (1, 2))
    assert hash((1, 2)) == hash(row)
    for compare in (row.__lt__, row.__le__, row.__gt__, row.__ge__):
        assert NotImplemented is compare([1])
    with pytest.raises(TypeError):
        _ = row < [1]


def test_repr_empty_record_and_no_attribute_access() -> None:
    """The repr is asyncpg's; an empty record is falsy; columns are not attributes."""
    assert "<Record a=1 b='x'>" == repr(Record({"a": 1, "b": "x"})) == str(Record({"a": 1, "b": "x"}))
    assert ("<Record>", False) == (repr(Record()), bool(Record()))
    with pytest.raises(AttributeError):
        Record({"a": 1}).a  # type: ignore[attr-defined]  # noqa: B018


def test_records_cannot_be_pickled_or_copied() -> None:
    """As asyncpg's records, they refuse pickle and copy."""
    for attempt in (pickle.dumps, copy.copy):
        with pytest.raises(TypeError, match="cannot pickle 'Record' objects"):
            attempt(Record({"a": 1}))


def test_bad_record_data_is_refused_with_a_suggestion() -> None:
    """Record() takes a mapping or (name, value) pairs; anything else says what to do."""
    with pytest.raises(TypeError, match=r"got the item 1\. For a row of values use rows"):
        Record([1, 2])  # type: ignore[list-item]


def test_isinstance_of_asyncpg_record_when_asyncpg_is_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    """With asyncpg imported, a fake row passes isinstance(row, asyncpg.Record); else it is itself."""
    asyncpg = pytest.importorskip("asyncpg")
    row = Record({"a": 1})

    assert (True, True, asyncpg.Record) == (
        isinstance(row, asyncpg.Record),
        isinstance(row, Record),
        row.__class__,
    )
    monkeypatch.delitem(sys.modules, "asyncpg")
    assert Record is row.__class__


def test_rows_builds_records_from_columns_and_tuples() -> None:
    """rows() takes names as a string or a sequence, and checks each row's width."""
    made: Any = rows("id, name", (1, "Ana"), [2, "Bo"])

    assert ([(1, "Ana"), (2, "Bo")], ["id", "name"]) == (made, list(made[1].keys()))
    assert [(1,)] == list(map(tuple, rows(["id"], (1,))))
    with pytest.raises(ValueError, match=r"row 0 is \(1,\), but there are 2 columns \['id', 'name'\]"):
        rows("id name", (1,))
    with pytest.raises(ValueError, match="row 0 is 'ab'"):
        rows("a b", "ab")


class Mine(Record):
    """A user record class on the fake's Record."""


def test_record_type_accepts_subclasses_and_refuses_others() -> None:
    """None is Record; a subclass is itself; anything else is asyncpg's InterfaceError."""
    assert (Record, Mine, Mine) == (record_type(None), record_type(Mine), Mine({"a": 1}).__class__)
    for wrong in (dict, 5):
        with pytest.raises(error_class("InterfaceError"), match="record_class is expected to be a subclass"):
            record_type(wrong)


def test_a_real_asyncpg_record_class_is_emulated() -> None:
    """A subclass of asyncpg.Record gets a fake twin with its methods, reported as that class."""
    asyncpg = pytest.importorskip("asyncpg")

    class Dotted(asyncpg.Record):  # type: ignore[misc,name-defined]
        def __getattr__(self, name: str) -> Any:
            return self[name]  # asyncpg ships no types  # pyright: ignore[reportUnknownVariableType]

    twin = record_type(Dotted)
    row = as_row({"id": 1}, twin, "fetchrow")

    assert twin is record_type(Dotted)
    assert (1, "<Dotted id=1>", True, True) == (
        row.id,  # type: ignore[union-attr]
        repr(row),
        isinstance(row, Dotted),
        isinstance(row, asyncpg.Record),
    )


def test_shaping_turns_plain_data_into_records() -> None:
    """Dicts and records become rows of the wanted class; one dict is one row; None no row."""
    mixed: Any = as_rows([{"a": 1}, Record({"a": 2}), Mine({"a": 3})], Mine, "fetch")

    assert ([(1,), (2,), (3,)], {Mine}) == (mixed, {type(row) for row in mixed})
    shaped: Any = (
        as_rows({"a": 1}, Record, "fetch"),
        as_rows((), Record, "fetch"),
        as_row(None, Record, "fetchrow"),
        as_row([], Record, "fetchrow"),
        as_row([{"a": 1}, {"a": 2}], Record, "fetchrow"),
    )
    assert ([(1,)], [], None, None, (1,)) == shaped
    row = Record({"a": 1})
    assert row is as_row(row, Record, "fetchrow")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, r"fetch\(\) answers a list of rows; the script gave None"),
        (5, r"fetch\(\) answers a list of rows; the script gave 5 \(int\)"),
        ([1], r"fetch\(\): a scripted row must be a dict or a Record, got 1 \(int\)"),
    ],
)
def test_shaping_refuses_what_asyncpg_never_answers(value: Any, message: str) -> None:
    """fetch never answers None or scalars: the script is wrong, and the error says how to fix it."""
    with pytest.raises(TypeError, match=message):
        as_rows(value, Record, "fetch")
