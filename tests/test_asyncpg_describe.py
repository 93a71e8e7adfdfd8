"""What a fake prepared statement describes before it runs: columns from the SQL, parameters, placing."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from asyncfakes.asyncpg import FakeConnection, Record, rows
from asyncfakes.asyncpg._describe import (
    UNKNOWN,
    Attribute,
    Type,
    attributes,
    described_columns,
    parameter_types,
    place,
    sources,
)

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("sql", "columns"),
    [
        ("SELECT id, name FROM users", ("id", "name")),
        ("select users.id, users.name AS n from users where id = $1", ("id", "n")),
        ('SELECT "Mixed"."Case", x "Alias" FROM t', ("Case", "Alias")),
        ("SELECT count(*) FROM t", ("count",)),
        ("SELECT count(users.id) AS count_1 FROM users", ("count_1",)),
        ("SELECT 1", ("?column?",)),
        ("SELECT $1::int", ("?column?",)),
        ("SELECT name::text FROM t", ("name",)),
        ("SELECT 'a' || b::text FROM t", ("?column?",)),
        ("SELECT (a + 1) FROM t", ("?column?",)),
        ("SELECT DISTINCT a, b FROM t", ("a", "b")),
        ("SELECT DISTINCT ON (a, b) a, c FROM t ORDER BY a", ("a", "c")),
        ("SELECT ALL a FROM t;", ("a",)),
        ("SELECT a, ARRAY[1, 2] AS arr FROM t", ("a", "arr")),
        ("SELECT a FROM t UNION SELECT b FROM u", ("a",)),
        ("WITH x AS (SELECT 1 AS q) SELECT q FROM x", ("q",)),
        ("INSERT INTO t (a) VALUES ($1) RETURNING t.id, t.id AS id__1", ("id", "id__1")),
        ("UPDATE t SET a = 1 WHERE b = 2", ()),
        ("DELETE FROM t RETURNING *", None),
        ("SELECT * FROM t", None),
        ("SELECT t.* FROM t", None),
        ("VALUES (1, 2)", None),
        ("TABLE t", None),
        ("show standard_conforming_strings", ("standard_conforming_strings",)),
        ("SHOW transaction isolation level", ("transaction_isolation",)),
        ("BEGIN", ()),
        ("SELECT DISTINCT ON (a", ()),
        ("", ()),
    ],
)
def test_output_columns_are_read_from_the_top_level_list(sql: str, columns: tuple[str, ...] | None) -> None:
    """The names PostgreSQL gives the output columns; None when the text does not settle them."""
    assert columns == described_columns(sql)


def test_sources_name_the_plain_column_each_output_reads() -> None:
    """A labelled plain column reads that column; an expression reads none."""
    sql = "INSERT INTO t (a) SELECT p0 FROM x RETURNING t.id, t.id AS id__1, now() AS at, b"
    assert ("id", "id", None, "b") == sources(sql)
    assert ((None,), ()) == (sources("SELECT * FROM t"), sources("UPDATE t SET a = 1"))


def test_attributes_without_asyncpg_are_named_tuples_of_the_same_shape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without asyncpg imported, the fake's own Attribute/Type have asyncpg's fields."""
    monkeypatch.delitem(sys.modules, "asyncpg.types", raising=False)
    found = attributes("SELECT a FROM t")
    assert (Attribute("a", UNKNOWN),) == found
    assert (Type(705, "unknown", "scalar", "pg_catalog"),) * 2 == parameter_types(2)
    assert (("name", "type"), ("oid", "name", "kind", "schema")) == (Attribute._fields, Type._fields)


def test_attributes_with_asyncpg_are_asyncpgs_own_types() -> None:
    """Once asyncpg is imported, the fake answers asyncpg.types.Attribute and Type."""
    types = pytest.importorskip("asyncpg.types")
    (found,) = attributes("SELECT a FROM t")
    assert (types.Attribute, types.Type, "a", 705) == (
        type(found),
        type(found.type),
        found.name,
        found.type.oid,
    )
    assert types.Type is type(parameter_types(1)[0])


def test_place_puts_values_in_the_statement_order() -> None:
    """A dict in another key order is placed by the statement's columns, never garbled."""
    (placed,) = place([Record({"name": "Ana", "id": 1})], ("id", "name"), "fetch")
    assert (["id", "name"], (1, "Ana"), "Ana") == (list(placed.keys()), tuple(placed), placed["name"])


@pytest.mark.parametrize(
    ("row", "detail"),
    [
        ({"id": 1}, "missing ['name']"),
        ({"id": 1, "name": "A", "extra": 2}, "not returned ['extra']"),
        ({"id": 1, "nme": "A"}, "missing ['name'], not returned ['nme']"),
    ],
)
def test_place_fails_naming_both_lists(row: dict[str, Any], detail: str) -> None:
    """A missing or unknown key fails at once with the row's and the statement's columns."""
    with pytest.raises(
        ValueError,
        match=r"the statement returns \['id', 'name'\] \(" + detail.replace("[", r"\[").replace("]", r"\]"),
    ):
        place([Record(row)], ("id", "name"), "fetch")


def test_place_with_repeated_names() -> None:
    """Repeated names need rows(); a dict cannot hold them and fails with the hint."""
    columns = ("id", "id")
    assert [(1, 2)] == place(rows(["id", "id"], (1, 2)), columns, "fetch")
    with pytest.raises(ValueError, match=r"a column repeats\). .*rows\(columns, values\)"):
        place([Record([("id", 1), ("id", 2)])], ("id",), "fetch")


def test_place_on_a_statement_without_rows_suggests_a_row_count() -> None:
    """Rows for an UPDATE fail with the hint to script its row count."""
    with pytest.raises(
        ValueError, match=r"returns \[\] \(it returns no rows: script a row count, e.g. returns\(1\)\)"
    ):
        place([Record({"id": 1})], (), "fetch")


def test_place_leaves_unknown_and_unnamed_columns_alone() -> None:
    """SELECT * and unnamed expressions are not checked."""
    found = [Record({"z": 1})]
    assert found == place(found, None, "fetch")


async def test_prepared_statement_describes_its_columns_before_fetch() -> None:
    """get_attributes() and get_parameters() answer at once, from the SQL."""
    conn = FakeConnection()
    statement = await conn.prepare("SELECT users.id, users.name AS n FROM users WHERE id = $1 AND x = $2")

    assert ["id", "n"] == [attribute.name for attribute in statement.get_attributes()]
    assert [705, 705] == [kind.oid for kind in statement.get_parameters()]
    assert () == (await conn.prepare("UPDATE t SET a = 1")).get_attributes()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_prepared_fetch_places_scripted_rows_by_the_statement_columns() -> None:
    """Rows come back in the statement's column order; a misfit fails and verify() reports it."""
    conn = FakeConnection()
    conn.fetch.returns_once([{"name": "Ana", "id": 1}]).returns_once([{"id": 1}])
    conn.fetchrow.returns_once({"name": "Bo", "id": 2}).returns_once(None)
    statement = await conn.prepare("SELECT id, name FROM users")

    assert [(1, "Ana")] == await statement.fetch()
    with pytest.raises(ValueError, match=r"missing \['name'\]"):
        await statement.fetch()
    got: Any = (await statement.fetchrow(), await statement.fetchrow())
    assert ((2, "Bo"), None) == got
    with pytest.raises(AssertionError, match="does not fit"):
        conn.verify()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_statement_without_rows_takes_a_scripted_row_count_or_status() -> None:
    """returns(2) on an UPDATE gives no rows and the status "UPDATE 2", as the server reports it."""
    conn = FakeConnection()
    conn.fetch.returns_once(2).returns_once("DELETE 5").returns_once([])
    update = await conn.prepare("UPDATE t SET a = $1")

    assert ([], "UPDATE 2") == (await update.fetch(1), update.get_statusmsg())
    assert ([], "DELETE 5") == (await update.fetch(1), update.get_statusmsg())
    assert ([], "UPDATE 0") == (await update.fetch(1), update.get_statusmsg())
    select = await conn.prepare("SELECT a FROM t")
    conn.fetch.returns_once(2)
    with pytest.raises(TypeError, match="answers a list of rows"):
        await select.fetch()
    with pytest.raises(AssertionError):
        conn.verify()


async def test_reload_schema_state_is_recorded() -> None:
    """reload_schema_state() answers None and is recorded."""
    conn = FakeConnection()
    await conn.reload_schema_state()
    assert ["reload_schema_state"] == [call.method for call in conn.calls]
