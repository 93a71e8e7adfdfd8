"""Scripted answers and recorded parameters are isolated from the code under test."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

import pytest

from asyncfakes import Call, FakeConnection, FakeRecord
from asyncfakes._copies import copier, snapshot

pytestmark = pytest.mark.anyio


# --- snapshot and copier, the building blocks ---------------------------------------------------

NESTED: list[Any] = [
    {"id": 1, "tags": ["a", "b"], "meta": {"k": [1]}},
    ({"x": 1}, 2),
    {3, 4},
    bytearray(b"ab"),
    FakeRecord([{"n": [1]}], rowcount=4),
    (1, "s"),
    [],
]


def _mutable_parts(value: Any) -> list[Any]:
    """Every mutable container inside ``value`` (``value`` included)."""
    found: list[Any] = []
    if isinstance(value, (list, dict, set, bytearray)):
        found.append(value)
    if isinstance(value, FakeRecord):
        found += _mutable_parts(value.result())
    elif isinstance(value, dict):
        for item in cast("dict[object, object]", value).values():
            found += _mutable_parts(item)
    elif isinstance(value, (list, tuple)):
        for item in cast("Sequence[object]", value):
            found += _mutable_parts(item)
    return found


def _shares_nothing(copy: Any, original: Any) -> bool:
    ours = {id(part) for part in _mutable_parts(original)}
    return all(id(part) not in ours for part in _mutable_parts(copy))


def _compiled(value: Any) -> Any:
    copy = copier(value)
    assert copy is not None
    return copy(value)


@pytest.mark.parametrize("make", [snapshot, _compiled], ids=["snapshot", "copier"])
def test_a_copy_equals_the_value_and_shares_no_mutable_container(make: Any) -> None:
    """Lists, dicts, sets, bytearrays, tuples holding them and FakeRecords are copied all the way down."""
    copy = make(NESTED)

    assert NESTED == copy
    assert _shares_nothing(copy, NESTED)
    assert 4 == copy[4].rowcount
    assert NESTED[5] is copy[5]  # a tuple of scalars needs no copy


@pytest.mark.parametrize(
    "value", [None, 1, "s", b"b", 2.5, (1, "a"), uuid.UUID(int=1), frozenset({1}), FakeRecord(3)]
)
def test_values_without_mutable_containers_are_not_copied(value: Any) -> None:
    """Scalars, tuples of scalars and other objects are handed out as they are: no copy to pay for."""
    assert value is snapshot(value)
    assert copier(value) is None


def test_other_objects_are_handed_out_as_they_are() -> None:
    """Only the built-in containers are copied: a user's object, even a mutable one, is the same object."""

    class Box:
        items: list[int] = []  # noqa: RUF012

    box = Box()
    assert box is snapshot([box])[0]
    assert box is copier([box, [1]])([box, [1]])[0]  # type: ignore[misc]


def test_copier_compiles_the_flat_shapes_to_c_level_copies() -> None:
    """A flat list or dict copies with one C call; a list of flat dicts with one map."""
    assert list[object].copy is copier([1, 2])
    assert dict[object, object].copy is copier({"a": 1})
    rows = [{"id": 1}, {"id": 2}]
    copy = copier(rows)
    assert copy is not None
    fresh = copy(rows)
    assert rows == fresh
    assert _shares_nothing(fresh, rows)


def test_copier_keeps_positions_in_mixed_lists_and_tuples() -> None:
    """Items of different shapes in one list or tuple are each copied by their own copier."""
    value = [1, [2], {"a": [3]}]
    mixed = (1, [2])
    for original in (value, mixed):
        copy = copier(original)
        assert copy is not None
        fresh = copy(original)
        assert original == fresh
        assert _shares_nothing(fresh, original)


# --- answers are copied for every call --------------------------------------------------------


async def test_mutating_an_answer_changes_neither_later_answers_nor_the_tests_data() -> None:
    """Code that mutates what a call returned cannot change the next answer or the scripted constant."""
    rows = [{"id": 1, "tags": ["a"]}]
    conn = FakeConnection()
    conn.fetch.returns(rows)

    first = (await conn.fetch("SELECT 1")).result()
    first[0]["tags"].append("mutated")
    first.append({"id": 2})

    assert [{"id": 1, "tags": ["a"]}] == (await conn.fetch("SELECT 1")).result()
    assert [{"id": 1, "tags": ["a"]}] == rows


async def test_a_value_is_copied_when_scripted() -> None:
    """Changing the test's data after scripting it does not change the answer."""
    rows = [{"id": 1}]
    conn = FakeConnection()
    conn.fetch.returns_once(rows)
    rows.append({"id": 2})

    assert [{"id": 1}] == (await conn.fetch("SELECT 1")).result()


async def test_one_shot_stub_callable_and_gate_answers_are_copies() -> None:
    """Every way of answering hands out a copy: one-shots, stubs, delays, callables and gates."""
    data = {"n": [1]}
    conn = FakeConnection()
    conn.fetch_val.returns_once(data)
    conn.fetch_val.when(sql="SELECT 2").returns(data)
    conn.fetch_val.delays(0).returns_once(data)
    conn.fetch_val.answers(lambda call: data)

    for sql in ("SELECT 1", "SELECT 2", "SELECT 3", "SELECT 4"):
        answer = await conn.fetch_val(sql)
        assert data == answer
        answer["n"].append(0)
    gate = conn.fetch.gate()
    gate.release(data)
    (await conn.fetch("SELECT 5")).result()["n"].append(0)

    assert {"n": [1]} == data


async def test_the_migration_attributes_answer_copies() -> None:
    """fetch_return & co. are the test's data too: each call gets a copy."""
    conn = FakeConnection()
    conn.fetch_return = [{"id": 1}]
    conn.fetch_row_return = {"id": 9}
    conn.fetch_val_return = ["v"]
    conn.execute_return = {"n": 1}

    (await conn.fetch("SELECT")).result().clear()
    (await conn.fetch_row("SELECT")).result().clear()
    (await conn.fetch_val("SELECT")).clear()
    (await conn.execute("SELECT")).result().clear()

    assert [{"id": 1}] == conn.fetch_return
    assert {"id": 9} == conn.fetch_row_return
    assert ["v"] == conn.fetch_val_return
    assert {"n": 1} == conn.execute_return


async def test_a_scripted_fake_record_is_copied() -> None:
    """A scripted FakeRecord (to set rowcount) comes back as an equal copy with its own data."""
    record = FakeRecord([{"a": [1]}], rowcount=7)
    conn = FakeConnection()
    conn.execute.returns(record)

    first = await conn.execute("UPDATE t SET a = 1")
    first.result()[0]["a"].append(2)

    assert record == await conn.execute("UPDATE t SET a = 1")
    assert FakeRecord([{"a": [1]}], rowcount=7) == record


# --- recorded parameters are deep snapshots ---------------------------------------------------


async def test_recorded_params_are_a_deep_snapshot() -> None:
    """Mutating nested lists and dicts after the call cannot rewrite the recorded params."""
    conn = FakeConnection()
    params: list[Any] = [[1, 2], {"k": [3]}]
    await conn.execute("INSERT INTO t VALUES ($1, $2)", params)
    params[0].append(9)
    params[1]["k"].append(9)
    params.append("extra")

    call = conn.execute.calls.one()
    assert [[1, 2], {"k": [3]}] == call.params
    assert ("INSERT INTO t VALUES ($1, $2)", [[1, 2], {"k": [3]}]) == call.args
    conn.execute.assert_awaited_once_with("INSERT INTO t VALUES ($1, $2)", [[1, 2], {"k": [3]}])


async def test_keyword_and_extra_arguments_are_snapshots_too() -> None:
    """Params passed by keyword, and args kept as passed, hold snapshots as well."""
    conn = FakeConnection()
    nested = {"ids": [1]}
    await conn.fetch("SELECT $1", parameters=[nested])
    many = [[1]]
    await conn.execute_many("INSERT INTO t VALUES ($1)", many, None)
    nested["ids"].append(2)
    many[0].append(2)

    assert [{"ids": [1]}] == conn.fetch.calls.one().params
    assert [{"ids": [1]}] == conn.fetch.calls.one().kwargs["parameters"]
    assert ("INSERT INTO t VALUES ($1)", [[1]], None) == conn.execute_many.calls.one().args


def test_a_tuple_of_scalars_is_recorded_as_it_is() -> None:
    """The flat case pays no copy: a tuple of scalars is kept, a flat list is copied once."""
    flat = (1, "a")
    listed = [1, "a"]
    assert flat is Call("fetch", "SELECT $1, $2", flat, ("SELECT $1, $2", *flat), {}, 0, None).params
    recorded = Call("fetch", "SELECT $1, $2", listed, ("SELECT $1, $2", listed), {}, 0, None).params
    assert listed == recorded
    assert listed is not recorded


# --- the flavours get copies too --------------------------------------------------------------


async def test_asyncpg_records_do_not_share_the_scripted_lists() -> None:
    """An asyncpg Record's array column is a fresh list on every call."""
    from asyncfakes.asyncpg import FakeConnection as AsyncpgConnection

    rows = [{"id": 1, "tags": ["a"]}]
    conn = AsyncpgConnection()
    conn.fetch.returns(rows)

    (await conn.fetch("SELECT id, tags FROM t"))[0]["tags"].append("mutated")

    assert ["a"] == (await conn.fetch("SELECT id, tags FROM t"))[0]["tags"]
    assert [{"id": 1, "tags": ["a"]}] == rows


async def test_psqlpy_results_do_not_share_the_scripted_rows() -> None:
    """psqlpy's result() dicts are fresh on every call."""
    from asyncfakes.psqlpy import FakeConnection as PsqlpyConnection

    rows = [{"id": 1}]
    conn = PsqlpyConnection()
    conn.fetch.returns(rows)

    (await conn.fetch("SELECT id FROM t")).result()[0]["id"] = 99

    assert [{"id": 1}] == (await conn.fetch("SELECT id FROM t")).result()
    assert [{"id": 1}] == rows
