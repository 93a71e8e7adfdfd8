"""Contract: what a prepared statement describes (columns, parameters, status) matches real asyncpg.

These are the calls SQLAlchemy's asyncpg dialect makes on every statement: ``prepare``, then
``get_attributes()`` before ``fetch``, then ``get_statusmsg()``.
"""

from __future__ import annotations

import pytest

from tests.contract._asyncpg_support import Target, anyio_backend, db

__all__ = ["anyio_backend", "db"]

pytestmark = pytest.mark.anyio

TABLE = "CREATE TEMPORARY TABLE people (id serial PRIMARY KEY, name text, age int)"


async def test_attributes_name_the_columns_before_fetch(db: Target) -> None:
    """get_attributes() names the SELECT list's columns (plain, qualified, labelled, counted)."""
    await db.setup(TABLE)
    statement = await db.conn.prepare(
        "SELECT people.id, name AS who, count(*) FROM people GROUP BY people.id"
    )

    found = statement.get_attributes()

    assert ["id", "who", "count"] == [attribute.name for attribute in found]
    assert ("name", "type") == type(found[0])._fields  # asyncpg ships no types  # pyright: ignore[reportUnknownMemberType]
    assert ("oid", "name", "kind", "schema") == type(found[0].type)._fields  # asyncpg ships no types  # pyright: ignore[reportUnknownMemberType]


async def test_attributes_of_returning_and_of_a_statement_without_rows(db: Target) -> None:
    """RETURNING names the columns; an UPDATE without it has none."""
    await db.setup(TABLE)
    insert = await db.conn.prepare(
        "INSERT INTO people (name) VALUES ($1) RETURNING people.id, people.id AS id__1"
    )
    update = await db.conn.prepare("UPDATE people SET age = $1")

    assert (["id", "id__1"], ()) == ([a.name for a in insert.get_attributes()], update.get_attributes())


async def test_parameters_are_described_one_per_placeholder(db: Target) -> None:
    """get_parameters() has one Type per $n."""
    await db.setup(TABLE)
    statement = await db.conn.prepare("SELECT id FROM people WHERE name = $1 AND age > $2")

    found = statement.get_parameters()

    assert 2 == len(found)
    assert ("oid", "name", "kind", "schema") == type(found[0])._fields  # asyncpg ships no types  # pyright: ignore[reportUnknownMemberType]


async def test_statusmsg_after_each_kind_of_statement(db: Target) -> None:
    """get_statusmsg() is None before a run, then INSERT 0 n / UPDATE n / DELETE n / SELECT n."""
    await db.setup(TABLE)
    insert = await db.conn.prepare("INSERT INTO people (name) VALUES ($1) RETURNING people.id")
    update = await db.conn.prepare("UPDATE people SET age = $1")
    delete = await db.conn.prepare("DELETE FROM people WHERE age = $1")
    select = await db.conn.prepare("SELECT name, id FROM people")
    before = insert.get_statusmsg()
    if db.fake:
        db.fake.fetch.returns_once([{"id": 1}]).returns_once([{"id": 2}])
        db.fake.when(sql="UPDATE people SET age = $1").returns(2)
        db.fake.when(sql="SELECT name, id FROM people").returns(
            [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
        )
        db.fake.when(sql="DELETE FROM people WHERE age = $1").returns(2)

    ids = [(await insert.fetch("a"))[0]["id"], (await insert.fetch("b"))[0]["id"]]
    inserted = insert.get_statusmsg()
    assert [] == await update.fetch(30)
    updated = update.get_statusmsg()
    found = await select.fetch()
    selected = select.get_statusmsg()
    assert [] == await delete.fetch(30)

    assert (None, [1, 2], "INSERT 0 1", "UPDATE 2", "SELECT 2") == (before, ids, inserted, updated, selected)
    assert ([("a", 1), ("b", 2)], ["name", "id"]) == ([tuple(r) for r in found], list(found[0].keys()))
    assert "DELETE 2" == delete.get_statusmsg()


async def test_reload_schema_state_and_is_closed(db: Target) -> None:
    """reload_schema_state() answers None; is_closed() follows close()."""
    assert None is await db.conn.reload_schema_state()  # real asyncpg is untyped here
    assert False is db.conn.is_closed()
    await db.conn.close()
    assert True is db.conn.is_closed()
