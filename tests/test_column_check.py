"""Scripted rows are checked against the columns the SQL names, on the generic fake and both flavours."""

from __future__ import annotations

from typing import Any

import pytest

import asyncfakes
import asyncfakes.asyncpg as apg
import asyncfakes.psqlpy as pq
from asyncfakes import Call, ExpectationsNotMet, FakeConnection
from asyncfakes._columns import row_misfit

pytestmark = pytest.mark.anyio

SQL = "SELECT id, name FROM users WHERE id = $1"


@pytest.mark.parametrize(
    ("columns", "names", "detail"),
    [
        (("id", "name"), ("id", "name"), None),
        (("id", "name"), ("name", "id"), None),
        (("a", "a"), ("a", "a"), None),
        (("id", "name"), ("id",), "missing ['name']"),
        (("id",), ("id", "extra"), "not returned ['extra']"),
        (("id",), ("uid", "x"), "missing ['id']; not returned ['uid', 'x']"),
        (("a", "b"), ("a", "a", "b"), "a column repeats"),
        ((), ("id",), "it returns no rows: no RETURNING clause"),
    ],
)
def test_row_misfit_names_what_differs(
    columns: tuple[str, ...], names: tuple[str, ...], detail: str | None
) -> None:
    """The same names in any order fit; otherwise the message lists both and says what differs."""
    found = row_misfit(columns, names, "fetch")
    if detail is None:
        assert found is None
    else:
        assert found is not None
        assert found.startswith(
            f"fetch(): a scripted row has the columns {list(names)}, but the statement returns {list(columns)} ({detail})."
        )


@pytest.mark.asyncfakes(verify=False)  # the misfits are the point of this test
async def test_the_generic_fake_checks_fetch_and_fetch_row_rows() -> None:
    """fetch/fetch_row rows must have the statement's columns; execute answers are free-form."""
    conn = FakeConnection()
    conn.fetch.returns([{"id": 1, "name": "Ana"}, {"id": 2, "nom": "Bo"}])
    conn.fetch_row.returns(asyncfakes.FakeRecord({"id": 1}))
    conn.execute.returns({"id": 1})

    with pytest.raises(ValueError, match=r"missing \['name'\]; not returned \['nom'\]"):
        await conn.fetch(SQL, [1])
    with pytest.raises(ValueError, match=r"fetch_row\(\): .* \(missing \['name'\]\)"):
        await conn.fetch_row(SQL, [1])
    assert {"id": 1} == (await conn.execute("UPDATE users SET a = 1")).result()
    assert 2 == len((await conn.fetch("SELECT * FROM users")).rows)
    with pytest.raises(ExpectationsNotMet, match="a scripted row has the columns"):
        conn.verify()


async def test_select_star_and_unnamed_expressions_are_not_checked() -> None:
    """Without names in the text there is nothing to check against: any scripted row answers."""
    conn = apg.FakeConnection()
    conn.fetch.returns([{"whatever": 1}])

    assert [1] == [row["whatever"] for row in await conn.fetch("SELECT * FROM users")]
    assert [1] == [row["whatever"] for row in await conn.fetch("SELECT count(*) FROM users")]


async def test_asyncpg_rows_come_back_in_the_statements_column_order() -> None:
    """A row scripted in another key order is refitted: keys, positions and fetchval's column 0."""
    conn = apg.FakeConnection()
    conn.fetch.returns([{"name": "Ana", "id": 1}])
    conn.fetchrow.returns(apg.rows("name id", ("Bo", 2)))
    conn.fetchval.returns({"name": "Cy", "id": 3})

    row = (await conn.fetch(SQL, 1))[0]
    assert (["id", "name"], (1, "Ana")) == (list(row.keys()), tuple(row))
    other = await conn.fetchrow(SQL, 2)
    assert other is not None
    assert (2, "Bo") == tuple(other)
    assert 3 == await conn.fetchval(SQL, 3)
    assert "Cy" == await conn.fetchval(SQL, 3, column=1)


@pytest.mark.asyncfakes(verify=False)  # the misfits are the point of this test
async def test_asyncpg_refuses_rows_that_do_not_fit_in_every_method() -> None:
    """fetch, fetchrow, fetchval (from rows) and cursors refuse rows missing or adding columns."""
    conn = apg.FakeConnection()
    bad: Any = [{"id": 1}]
    for method in ("fetch", "fetchrow", "fetchval"):
        getattr(conn, method).returns(bad)
    conn.when(method="cursor").returns(bad)

    for method in ("fetch", "fetchrow", "fetchval"):
        with pytest.raises(ValueError, match=rf"^{method}\(\): .*\(missing \['name'\]\)"):
            await getattr(conn, method)(SQL, 1)
    async with conn.transaction():
        with pytest.raises(ValueError, match=r"^cursor\(\): "):
            await conn.cursor(SQL, 1)
    assert 7 == await _plain_fetchval(conn)


async def _plain_fetchval(conn: apg.FakeConnection) -> Any:
    conn.fetchval.returns(7)
    return await conn.fetchval(SQL, 1)


@pytest.mark.asyncfakes(verify=False)  # the misfits are the point of this test
async def test_psqlpy_rows_are_checked_and_refitted() -> None:
    """psqlpy's fetch, fetch_row and fetch_val check rows and give them in the statement's order."""
    conn = pq.FakeConnection()
    conn.fetch.returns([{"name": "Ana", "id": 1}])
    conn.fetch_row.returns({"name": "Bo", "id": 2})
    conn.fetch_val.returns_once(pq.QueryResult([{"name": "Cy", "id": 3}]))
    conn.fetch_val.returns_once(pq.SingleQueryResult({"name": "Di", "id": 4}))
    conn.fetch_val.returns_once(pq.QueryResult([{"id": 5, "name": "Ed"}]))
    conn.execute.returns([{"nope": 1}])

    assert [(1, "Ana")] == (await conn.fetch(SQL, [1])).result(as_tuple=True)
    assert (2, "Bo") == (await conn.fetch_row(SQL, [2])).result(as_tuple=True)
    assert [3, 4, 5] == [await conn.fetch_val(SQL, [n]) for n in (3, 4, 5)]
    with pytest.raises(ValueError, match=r"^execute\(\): .*not returned \['nope'\]"):
        await conn.execute(SQL, [1])


async def test_a_connection_type_can_turn_the_check_off() -> None:
    """row_columns() is the hook: a subclass returning None accepts any scripted row."""

    class Lenient(apg.FakeConnection):
        def row_columns(self, call: Call) -> tuple[str, ...] | None:
            return None

    conn = Lenient()
    conn.fetchrow.returns({"anything": 1})
    row = await conn.fetchrow(SQL, 1)
    assert row is not None
    assert 1 == row["anything"]


async def test_only_mapping_rows_are_checked_on_the_generic_fake() -> None:
    """Rows that are not dicts (tuples, scalars) carry no names, so they are not checked."""
    conn = FakeConnection()
    conn.fetch.returns([(1, "Ana"), 2])

    assert [(1, "Ana"), 2] == (await conn.fetch(SQL, [1])).result()


async def test_a_prepared_statements_fetchval_takes_the_column_of_a_scripted_row() -> None:
    """stmt.fetchval() answers from rows too (the statement's own column check applies there)."""
    conn = apg.FakeConnection()
    conn.fetchval.returns_once([{"id": 1, "name": "Ana"}])
    conn.fetchval.returns_once({"id": 2, "name": "Bo"})
    stmt = await conn.prepare(SQL)

    assert [1, 2] == [await stmt.fetchval(1), await stmt.fetchval(2)]


async def test_asyncpg_rows_of_every_kind_are_fitted_one_by_one() -> None:
    """Records, dicts in order and out of order, and other mappings mix in one answer."""
    from types import MappingProxyType

    conn = apg.FakeConnection()
    conn.fetch.returns(
        [*apg.rows("id name", (1, "Ana")), {"name": "Bo", "id": 2}, MappingProxyType({"id": 3, "name": "Cy"})]
    )

    assert [(1, "Ana"), (2, "Bo"), (3, "Cy")] == [tuple(row) for row in await conn.fetch(SQL, 1)]


@pytest.mark.asyncfakes(verify=False)  # the problems are the point of this test
async def test_asyncpg_refuses_a_dict_row_with_names_that_are_not_strings() -> None:
    """A row's keys are column names: anything else is refused with Record's message."""
    conn = apg.FakeConnection()
    conn.fetch.returns([{1: "x"}])

    with pytest.raises(TypeError, match="Record\\(\\) takes a mapping of column names to values"):
        await conn.fetch("SELECT * FROM t")


@pytest.mark.asyncfakes(verify=False)  # the misfit is the point of this test
async def test_a_connection_overriding_row_columns_decides_the_generic_fetch_check() -> None:
    """The hook is asked instead of the SQL's own columns: here it turns the check off."""

    class Unchecked(FakeConnection):
        def row_columns(self, call: Call) -> tuple[str, ...] | None:
            return None

    rows = [{"id": 1, "nickname": "Ana"}]  # not the columns SQL names
    conn = Unchecked()
    conn.fetch.returns(rows)
    assert rows == (await conn.fetch(SQL, [1])).result()
    conn.fetch_row.returns(rows[0])  # a single row asks the hook too
    assert rows[0] == (await conn.fetch_row(SQL, [1])).result()
    checked = FakeConnection()
    checked.fetch.returns(rows)
    with pytest.raises(ValueError, match=r"missing \['name'\]"):
        await checked.fetch(SQL, [1])
    with pytest.raises(ExpectationsNotMet, match="missing"):
        checked.verify()  # remembered for verify(), as any misfit
    conn.verify()


def test_row_columns_learns_a_statement_once() -> None:
    """The default hook computes a statement's columns at its first call and reads them back after."""
    from asyncfakes._columns import known_columns

    known_columns.known.clear()  # a memo: forgetting only costs a recomputation
    call = Call("fetch", SQL, [1], (SQL, [1]), {}, 0, None)
    conn = FakeConnection()
    assert ("id", "name") == conn.row_columns(call)
    assert {SQL: ("id", "name")} == known_columns.known
    assert ("id", "name") == conn.row_columns(call)
    assert None is conn.row_columns(Call("close", None, None, (), {}, 1, None))  # no SQL: no check
