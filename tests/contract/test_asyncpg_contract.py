"""Contract: the asyncpg fake's records, results, statuses and argument checks match real asyncpg.

Every scenario runs on the fake and on real asyncpg against PostgreSQL (see _asyncpg_support).
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from asyncfakes.asyncpg import Record, error_class, rows
from tests.contract._asyncpg_support import Target, anyio_backend, db

__all__ = ["anyio_backend", "db"]

pytestmark = pytest.mark.anyio

ANA = "SELECT 1 AS id, 'Ana' AS name"
TWO = "SELECT g AS n FROM generate_series(1, 2) g"


# --- records -------------------------------------------------------------------------------


async def test_fetch_answers_a_list_of_records_by_position_and_by_name(db: Target) -> None:
    """fetch gives a list of records readable by position, by name, and as a dict."""
    if db.fake:
        db.fake.fetch.returns([{"id": 1, "name": "Ana"}])

    found = await db.conn.fetch(ANA)

    assert list is type(found)
    row = found[0]
    assert (1, "Ana", "Ana", "Ana") == (row[0], row[1], row["name"], row[-1])
    assert {"id": 1, "name": "Ana"} == dict(row)
    assert (["id", "name"], [1, "Ana"], [("id", 1), ("name", "Ana")]) == (
        list(row.keys()),
        list(row.values()),
        list(row.items()),
    )
    assert ([1, "Ana"], 2, True, False) == (list(row), len(row), "name" in row, "Ana" in row)
    assert ("Ana", None, 7, None) == (row.get("name"), row.get("nope"), row.get("nope", 7), row.get(0))


async def test_record_repr_and_errors_for_a_missing_column(db: Target) -> None:
    """The repr shows the columns; a missing name is a KeyError, a bad position an IndexError."""
    if db.fake:
        db.fake.fetchrow.returns({"id": 1, "name": "Ana"})

    row = await db.conn.fetchrow(ANA)

    assert ("<Record id=1 name='Ana'>", "<Record id=1 name='Ana'>") == (repr(row), str(row))
    with pytest.raises(KeyError) as missing:
        row["nope"]
    with pytest.raises(IndexError, match="^record index out of range$"):
        row[5]
    with pytest.raises(KeyError):
        row[1.5]
    assert ("nope",) == missing.value.args
    with pytest.raises(AttributeError):
        _ = row.name


async def test_records_compare_and_hash_as_tuples_of_their_values(db: Target) -> None:
    """Records equal tuples (and records with other column names), hash like them, and order."""
    if db.fake:
        db.fake.fetchrow.returns_once({"id": 1, "name": "Ana"}).returns_once({"x": 1, "y": "Ana"})

    first = await db.conn.fetchrow(ANA)
    other = await db.conn.fetchrow("SELECT 1 AS x, 'Ana' AS y")

    assert (True, True, False, False) == (
        first == (1, "Ana"),
        first == other,
        first == [1, "Ana"],
        first == {},
    )
    assert hash((1, "Ana")) == hash(first) == hash(other)
    assert (True, True) == (first < (2,), first >= (1, "Ana"))
    with pytest.raises(TypeError):
        _ = first < [2]


async def test_duplicate_column_names_keep_every_value_and_the_last_by_name(db: Target) -> None:
    """SELECT 1 AS a, 2 AS a: both values by position; by name (and in dict()) the last wins."""
    if db.fake:
        db.fake.fetchrow.returns(Record([("a", 1), ("a", 2)]))

    row = await db.conn.fetchrow("SELECT 1 AS a, 2 AS a")

    assert ((1, 2), 2, {"a": 2}, ["a", "a"]) == (tuple(row), row["a"], dict(row), list(row.keys()))
    assert "<Record a=1 a=2>" == repr(row)


async def test_record_is_an_asyncpg_record_but_no_mapping_or_sequence(db: Target) -> None:
    """isinstance(row, asyncpg.Record) holds; it is neither a Mapping nor a Sequence; no pickling."""
    asyncpg = pytest.importorskip("asyncpg")
    if db.fake:
        db.fake.fetchrow.returns({"id": 1})

    row = await db.conn.fetchrow("SELECT 1 AS id")

    assert (True, False, False, False) == (
        isinstance(row, asyncpg.Record),
        isinstance(row, Mapping),
        isinstance(row, Sequence),
        isinstance(row, tuple),
    )
    with pytest.raises(TypeError):
        pickle.dumps(row)


async def test_keys_values_and_items_are_one_pass_iterators(db: Target) -> None:
    """keys(), values() and items() are iterators: a second pass finds nothing."""
    if db.fake:
        db.fake.fetchrow.returns({"id": 1, "name": "Ana"})

    row = await db.conn.fetchrow(ANA)
    keys, values, items = row.keys(), row.values(), row.items()

    assert (["id", "name"], [], [1, "Ana"], []) == (list(keys), list(keys), list(values), list(values))
    assert ([("id", 1), ("name", "Ana")], []) == (list(items), list(items))


async def test_slices_negative_positions_and_booleans_index_a_record(db: Target) -> None:
    """A slice gives a tuple, -1 the last value, True position 1; reversed() works; empty is falsy."""
    if db.fake:
        db.fake.fetchrow.returns_once({"a": 1, "b": 2, "c": 3}).returns_once(Record())

    row = await db.conn.fetchrow("SELECT 1 AS a, 2 AS b, 3 AS c")
    empty = await db.conn.fetchrow("SELECT")

    assert ((2, 3), (1, 3), 3, 2, [3, 2, 1]) == (row[1:], row[::2], row[-1], row[True], list(reversed(row)))
    assert (False, 0, "<Record>") == (bool(empty), len(empty), repr(empty))


def _dotted_getattr(self: Any, name: str) -> Any:
    return self[name]


async def test_record_class_makes_rows_of_that_class(db: Target) -> None:
    """record_class=, a subclass of asyncpg.Record as users write them, gives rows of that class."""
    asyncpg = pytest.importorskip("asyncpg")
    named = type("Named", (asyncpg.Record,), {"__getattr__": _dotted_getattr})
    if db.fake:
        db.fake.fetch.returns([{"id": 1}])

    found = await db.conn.fetch("SELECT 1 AS id", record_class=named)

    assert (1, "<Named id=1>", True, True) == (
        found[0].id,
        repr(found[0]),
        isinstance(found[0], named),
        isinstance(found[0], asyncpg.Record),
    )
    with pytest.raises(error_class("InterfaceError"), match="record_class is expected to be a subclass"):
        await db.conn.fetch("SELECT 1 AS id", record_class=dict)


# --- what each method answers -----------------------------------------------------------------


async def test_no_rows_is_an_empty_list_none_and_none(db: Target) -> None:
    """Without rows fetch gives [], fetchrow None and fetchval None (also with a bad column)."""
    empty = "SELECT 1 AS id WHERE false"

    assert ([], None, None, None) == (
        await db.conn.fetch(empty),
        await db.conn.fetchrow(empty),
        await db.conn.fetchval(empty),
        await db.conn.fetchval(empty, column=5),
    )


async def test_fetchval_takes_a_column_by_position_or_name(db: Target) -> None:
    """fetchval answers column 0, or column=; a bad column raises IndexError or KeyError."""
    if db.fake:
        db.fake.fetchval.returns({"id": 1, "name": "Ana"})

    assert (1, "Ana", "Ana") == (
        await db.conn.fetchval(ANA),
        await db.conn.fetchval(ANA, column=1),
        await db.conn.fetchval(ANA, column="name"),
    )
    with pytest.raises(IndexError, match="record index out of range"):
        await db.conn.fetchval(ANA, column=2)
    with pytest.raises(KeyError):
        await db.conn.fetchval(ANA, column="nope")


async def test_fetchrow_of_several_rows_answers_the_first(db: Target) -> None:
    """fetchrow on a query with several rows gives the first; fetch gives them all."""
    if db.fake:
        db.fake.when(sql=TWO).returns(rows("n", (1,), (2,)))

    assert ((1,), [(1,), (2,)]) == (await db.conn.fetchrow(TWO), await db.conn.fetch(TWO))


async def test_executemany_answers_none_and_fetchmany_the_rows_of_every_run(db: Target) -> None:
    """executemany gives None; fetchmany the rows of all argument sets."""
    if db.fake:
        db.fake.fetchmany.returns([{"n": 1}, {"n": 2}])

    assert None is await db.conn.executemany("SELECT $1::int", [(1,), (2,)])
    found = await db.conn.fetchmany("SELECT $1::int AS n", [(1,), (2,)])
    assert [(1,), (2,)] == found
    assert [{"n": 1}, {"n": 2}] == [dict(row) for row in found]


STATUSES = [
    ("CREATE TEMP TABLE t (id int PRIMARY KEY, v text)", 0, "CREATE TABLE"),
    ("INSERT INTO t VALUES (1, 'a')", 1, "INSERT 0 1"),
    ("INSERT INTO t VALUES (2, 'b'), (3, 'c')", 2, "INSERT 0 2"),
    ("INSERT INTO t VALUES (1, 'a') ON CONFLICT DO NOTHING", 0, "INSERT 0 0"),
    ("UPDATE t SET v = 'z'", 3, "UPDATE 3"),
    ("update t set v = 'y' where id = 1;", 1, "UPDATE 1"),
    ("WITH gone AS (SELECT 1) DELETE FROM t WHERE id = 3", 1, "DELETE 1"),
    ("DELETE FROM t WHERE false", 0, "DELETE 0"),
    ("SELECT * FROM t", 2, "SELECT 2"),
    ("VALUES (1), (2), (3)", 3, "SELECT 3"),
    ("-- a comment\nSELECT 1; UPDATE t SET v = 'x'", 2, "UPDATE 2"),
    ("CREATE INDEX ON t (v)", 0, "CREATE INDEX"),
    ("CREATE TEMP TABLE t2 AS SELECT * FROM t", 2, "SELECT 2"),
    ("ALTER TABLE t ADD COLUMN w int", 0, "ALTER TABLE"),
    ("TRUNCATE t", 0, "TRUNCATE TABLE"),
    ("DROP TABLE t", 0, "DROP TABLE"),
    ("SET search_path = public", 0, "SET"),
]


async def test_execute_answers_the_status_postgresql_reports(db: Target) -> None:
    """execute answers PostgreSQL's status for each statement; the fake derives it from the count."""
    for _sql, count, _status in STATUSES:
        if db.fake:
            db.fake.execute.returns_once(count)

    got = [await db.conn.execute(sql) for sql, _, _ in STATUSES]

    assert [status for _, _, status in STATUSES] == got


async def test_execute_with_arguments_answers_the_status(db: Target) -> None:
    """execute(query, *args) runs a prepared statement and answers its status."""
    await db.setup("CREATE TEMP TABLE t (id int)")
    if db.fake:
        db.fake.execute.returns(1)

    assert "INSERT 0 1" == await db.conn.execute("INSERT INTO t VALUES ($1)", 5)


async def test_the_server_counts_the_arguments(db: Target) -> None:
    """A wrong number of arguments raises InterfaceError with asyncpg's message and hint."""
    interface_error = error_class("InterfaceError")
    with pytest.raises(interface_error) as one_too_many:
        await db.conn.fetch("SELECT $1::int", 1, 2)
    with pytest.raises(interface_error) as missing:
        await db.conn.fetchval("SELECT $1::int + $2::int", 1)
    with pytest.raises(interface_error) as none_expected:
        await db.conn.execute("SELECT 1", 5)
    with pytest.raises(interface_error) as in_a_batch:
        await db.conn.executemany("SELECT $1::int", [(1,), (1, 2)])

    assert str(one_too_many.value) == (
        "the server expects 1 argument for this query, 2 were passed\n"
        "HINT:  Check the query against the passed list of arguments."
    )
    assert str(missing.value).startswith("the server expects 2 arguments for this query, 1 was passed")
    assert "Note that parameters are supported only in SELECT" in str(none_expected.value)
    assert str(in_a_batch.value).startswith("the server expects 1 argument for this query, 2 were passed")


async def test_execute_without_arguments_sends_placeholders_to_the_server(db: Target) -> None:
    """execute('... $1') without arguments: the server knows no parameter $1."""
    with pytest.raises(error_class("UndefinedParameterError")) as caught:
        await db.conn.execute("SELECT $1::int")

    assert ("there is no parameter $1", "42P02") == (str(caught.value), caught.value.sqlstate)  # type: ignore[attr-defined]


async def test_only_execute_without_arguments_runs_several_statements(db: Target) -> None:
    """fetch (and execute with arguments) use a prepared statement: one statement only."""
    if db.fake:
        db.fake.execute.returns(2)

    assert "UPDATE 2" == await db.conn.execute(
        "CREATE TEMP TABLE t AS VALUES (1), (2); UPDATE t SET column1 = 3; "
    )
    with pytest.raises(
        error_class("PostgresSyntaxError"), match="^cannot insert multiple commands into a prepared"
    ):
        await db.conn.fetch("SELECT 1; SELECT 2")
    with pytest.raises(error_class("PostgresSyntaxError")):
        await db.conn.execute("SELECT $1::int; SELECT 2", 1)
