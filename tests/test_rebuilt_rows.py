"""``fake_method(rebuilds_rows=True)``: flat scripted rows reach such a shape uncopied, and stay safe."""

from __future__ import annotations

from typing import Any

import pytest

from asyncfakes import BaseConnection, Call, fake_method
from asyncfakes._copies import flat_rows
from asyncfakes.asyncpg import FakeConnection as AsyncpgConnection

pytestmark = pytest.mark.anyio

SQL = "SELECT id, tags FROM t"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([{"id": 1, "name": "Ana"}, {"id": 2, "name": None}], True),
        ([], True),
        ([{"id": 1, "tags": ["a"]}], False),
        ([{"id": 1, "meta": {"a": 1}}], False),
        ([{"id": 1}, ("id", 2)], False),
        (({"id": 1},), False),
        ({"id": 1}, False),
        (5, False),
    ],
)
def test_flat_rows_is_a_list_of_dicts_holding_no_container(value: Any, expected: bool) -> None:
    """Only a list of dicts whose values are no list, dict, set or tuple of them counts as flat."""
    assert flat_rows(value) is expected


seen: list[Any] = []


def _keep(host: Any, call: Call, value: Any) -> list[tuple[Any, ...]]:
    seen.append(value)
    return [tuple(row.values()) for row in value]


class RowsConnection(BaseConnection):
    """Two methods with the same row-building shape; only one says it rebuilds the rows."""

    @fake_method(shape=_keep, rebuilds_rows=True)
    async def rebuilt(self, sql: str) -> list[tuple[Any, ...]]:
        return []

    @fake_method(shape=_keep)
    async def copied(self, sql: str) -> list[tuple[Any, ...]]:
        return []


async def test_flat_rows_reach_a_rebuilding_shape_uncopied_and_others_get_copies() -> None:
    """The per-call copy is skipped only for flat rows and a shape declared ``rebuilds_rows``."""
    seen.clear()
    conn = RowsConnection()
    conn.rebuilt.returns([{"id": 1}])
    conn.copied.returns([{"id": 1}])
    assert await conn.rebuilt(SQL) == [(1,)]
    assert await conn.rebuilt(SQL) == [(1,)]
    assert await conn.copied(SQL) == [(1,)]
    assert await conn.copied(SQL) == [(1,)]
    assert seen[0] is seen[1]  # the answer's own rows, read twice
    assert seen[2] is not seen[3]
    assert seen[2] is not seen[0]


async def test_nested_rows_are_copied_even_for_a_rebuilding_shape() -> None:
    """A row holding a list is copied per call: the shape hands that list out inside its row."""
    seen.clear()
    conn = RowsConnection()
    conn.rebuilt.returns([{"id": 1, "tags": ["a"]}])
    first = await conn.rebuilt(SQL)
    first[0][1].append("changed by the code under test")
    assert await conn.rebuilt(SQL) == [(1, ["a"])]
    assert seen[0] is not seen[1]


async def test_asyncpg_rows_stay_the_scripted_ones_whatever_the_code_does_with_them() -> None:
    """fetch, fetchrow and fetchmany answer fresh lists and records; nested values are fresh copies."""
    conn = AsyncpgConnection()
    conn.fetch.returns([{"id": 1, "tags": "a"}])
    rows = await conn.fetch(SQL)
    rows.clear()
    rows_again = await conn.fetch(SQL)
    assert [dict(r) for r in rows_again] == [{"id": 1, "tags": "a"}]
    assert rows_again is not rows

    conn.fetch.returns([{"id": 1, "tags": ["a"]}])
    (row,) = await conn.fetch(SQL)
    row["tags"].append("b")
    (row_again,) = await conn.fetch(SQL)
    assert row_again["tags"] == ["a"]

    conn.fetchrow.returns([{"id": 2, "tags": ["x"]}])
    found = await conn.fetchrow(SQL)
    assert found is not None
    found["tags"].append("y")
    found_again = await conn.fetchrow(SQL)
    assert found_again is not None
    assert found_again["tags"] == ["x"]

    conn.fetchmany.returns([{"id": 3, "tags": "z"}])
    many = await conn.fetchmany("SELECT id, tags FROM t WHERE id = $1", [(3,)])
    many.append(many[0])
    assert len(await conn.fetchmany("SELECT id, tags FROM t WHERE id = $1", [(3,)])) == 1


async def test_asyncpg_rows_are_new_records_on_every_call() -> None:
    """A sticky answer gives equal rows, never the same Record objects, call after call."""
    conn = AsyncpgConnection()
    conn.fetch.returns([{"id": 1, "tags": "a"}, {"id": 2, "tags": "b"}])
    first = await conn.fetch(SQL)
    second = await conn.fetch(SQL)
    assert first == second
    assert all(a is not b for a, b in zip(first, second, strict=True))
    assert [r["id"] for r in second] == [1, 2]


@pytest.mark.asyncfakes(verify=False)  # the refused rows are the point: verify() reports them
async def test_asyncpg_rows_are_checked_against_each_statements_columns() -> None:
    """The same scripted rows fit one statement and are refused by another naming other columns."""
    conn = AsyncpgConnection()
    conn.fetch.returns([{"id": 1}])
    assert [dict(r) for r in await conn.fetch("SELECT id FROM t")] == [{"id": 1}]
    with pytest.raises(ValueError, match="name"):
        await conn.fetch("SELECT name FROM t")
    assert [dict(r) for r in await conn.fetch("SELECT id FROM t")] == [{"id": 1}]
    assert any("SELECT name" in problem for problem in conn.problems())


async def test_asyncpg_rows_follow_a_callable_whose_list_changes() -> None:
    """A callable answering the same list, changed between calls, answers what the list holds now."""
    data = [{"id": 1, "tags": "a"}]
    conn = AsyncpgConnection()
    conn.fetch.answers(lambda call: data)
    assert [r["id"] for r in await conn.fetch(SQL)] == [1]
    data[0]["id"] = 2
    data.append({"id": 3, "tags": "c"})
    assert [r["id"] for r in await conn.fetch(SQL)] == [2, 3]


async def test_asyncpg_rows_of_two_connections_taking_turns() -> None:
    """Two answers used in turn (one kept between calls) each give their own rows."""
    one, two = AsyncpgConnection(), AsyncpgConnection()
    one.fetch.returns([{"id": 1, "tags": "one"}])
    two.fetch.returns([{"id": 2, "tags": "two"}])
    for _ in range(2):
        assert [r["tags"] for r in await one.fetch(SQL)] == ["one"]
        assert [r["tags"] for r in await two.fetch(SQL)] == ["two"]


def test_rebuilds_rows_without_a_shape_is_refused_where_the_method_is_declared() -> None:
    """Without a shape the scripted rows would be returned themselves: refused, saying what to do."""
    with pytest.raises(TypeError, match=r"rebuilds_rows=True\) on .*needs a shape="):

        @fake_method(rebuilds_rows=True)
        async def rows(self: Any, sql: str) -> list[Any]:
            return []
