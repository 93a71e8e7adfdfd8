"""Contract: asyncfakes.psqlpy's results, parameters and errors match real psqlpy 0.13 on PostgreSQL.

Every scenario runs on the fake and on real psqlpy (see _psqlpy_support): the fake is scripted
with what the server answers, and both must show user code the same values, shapes and errors.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest

from asyncfakes.psqlpy import QueryResult, connection_lost, foreign_key_violation, unique_violation
from tests.contract._psqlpy_support import Side, anyio_backend, caught, db, psqlpy_side

__all__ = ["anyio_backend", "db", "psqlpy_side"]

pytestmark = pytest.mark.anyio

ROWS = "SELECT id, name FROM (VALUES (1, 'ax'), (2, 'bx')) AS v(id, name) ORDER BY id"
ONE = "SELECT id, name FROM (VALUES (1, 'ax')) AS v(id, name)"
AX_BX = [{"id": 1, "name": "ax"}, {"id": 2, "name": "bx"}]
TABLE = "CREATE TABLE t (id int PRIMARY KEY, name text)"
DUPLICATE = 'db error: ERROR: duplicate key value violates unique constraint "t_pkey"\nDETAIL: Key (id)=(1) already exists.'
ROW_COUNT = ("ConnectionExecuteError", "query returned an unexpected number of rows")
NOT_SEQUENCE = ("PyToRustValueMappingError", "Parameters must be sequence or mapping")


@dataclass
class User:
    id: int
    name: str


async def test_result_gives_dicts_and_as_tuple_gives_tuples(db: Side) -> None:
    """fetch and execute give a QueryResult: result() is a list of dicts, as_tuple=True of tuples."""
    if db.fake:
        db.fake.fetch.returns(AX_BX)
        db.fake.execute.returns(AX_BX)

    fetched = await db.conn.fetch(ROWS)
    executed = await db.conn.execute(ROWS, prepared=False)

    assert (AX_BX, [(1, "ax"), (2, "bx")]) == (fetched.result(), fetched.result(as_tuple=True))
    assert (AX_BX, AX_BX) == (executed.result(), executed.result(as_tuple=False))


async def test_a_statement_without_rows_gives_an_empty_result(db: Side) -> None:
    """INSERT without RETURNING gives a QueryResult with no rows, no count, no records."""
    await db.setup(TABLE)

    inserted = await db.conn.execute("INSERT INTO t VALUES ($1, $2)", [1, "ax"])

    assert ([], [], []) == (inserted.result(), inserted.result(as_tuple=True), inserted.records())
    assert not hasattr(inserted, "rowcount")


async def test_as_class_makes_a_list_and_on_one_row_a_single_object(db: Side) -> None:
    """as_class(cls) calls cls(**row): a list on QueryResult, one object on SingleQueryResult."""
    if db.fake:
        db.fake.fetch.returns(AX_BX)
        db.fake.fetch_row.returns(AX_BX[0])

    many = (await db.conn.fetch(ROWS)).as_class(User)
    one = (await db.conn.fetch_row(ONE)).as_class(User)

    assert ([User(1, "ax"), User(2, "bx")], User(1, "ax")) == (many, one)


async def test_row_factory_works_with_psqlpys_own_factories(db: Side) -> None:
    """row_factory takes any callable of the row dict, psqlpy's tuple_row and class_row included."""
    factories = pytest.importorskip("psqlpy.row_factories")
    if db.fake:
        db.fake.fetch.returns(AX_BX)
        db.fake.fetch_row.returns(AX_BX[0])

    many = await db.conn.fetch(ROWS)
    one = await db.conn.fetch_row(ONE)

    assert [(("id", 1), ("name", "ax")), (("id", 2), ("name", "bx"))] == many.row_factory(factories.tuple_row)
    assert [User(1, "ax"), User(2, "bx")] == many.row_factory(factories.class_row(User))
    assert ((("id", 1), ("name", "ax")), User(1, "ax")) == (
        one.row_factory(factories.tuple_row),
        one.row_factory(factories.class_row(User)),
    )

    def id_of(row: dict[str, Any]) -> object:
        return row["id"]

    assert [1, 2] == many.row_factory(id_of)


async def test_records_read_by_position_name_and_slice(db: Side) -> None:
    """records() gives Records: index, name, slice, get, list keys/values/items, `in` over values."""
    if db.fake:
        db.fake.fetch.returns(AX_BX)

    record = (await db.conn.fetch(ROWS)).records()[0]

    assert (1, "ax", "ax", [1], 2) == (record[0], record["name"], record[-1], record[0:1], len(record))
    assert (["id", "name"], [1, "ax"], [("id", 1), ("name", "ax")]) == (
        record.keys(),
        record.values(),
        record.items(),
    )
    assert (None, 5, {"id": 1, "name": "ax"}, [1, "ax"]) == (
        record.get("nope"),
        record.get("nope", 5),
        dict(record),
        list(record),
    )
    assert (False, True) == ("id" in record, 1 in record)
    assert "<Record id: 1, name: 'ax'>" == repr(record)
    with pytest.raises(KeyError):
        record["nope"]
    with pytest.raises(IndexError, match="^Record index 5 out of range$"):
        record[5]


async def test_custom_decoders_get_the_raw_value_and_skip_nulls(db: Side) -> None:
    """A custom decoder gets the column's raw bytes (scripted as bytes on the fake); NULL stays None."""
    if db.fake:
        db.fake.fetch.returns([{"n": None, "s": b"x"}])
        db.fake.fetch_row.returns({"n": None, "s": b"x"})

    def decode(raw: bytes) -> tuple[str, bytes]:
        return ("decoded", raw)

    decoders: dict[str, Any] = {"n": decode, "s": decode}

    many = await db.conn.fetch("SELECT NULL::text AS n, 'x'::text AS s")
    one = await db.conn.fetch_row("SELECT NULL::text AS n, 'x'::text AS s")

    expected = {"n": None, "s": ("decoded", b"x")}
    assert ([expected], expected) == (
        many.result(custom_decoders=decoders),
        one.result(custom_decoders=decoders),
    )

    def whole(row: dict[str, Any]) -> dict[str, Any]:
        return row

    assert [expected] == many.row_factory(whole, custom_decoders=decoders)


async def test_a_query_result_cannot_be_iterated_indexed_or_measured(db: Side) -> None:
    """Code must call result(): iterating, indexing or len() of a QueryResult is a TypeError."""
    if db.fake:
        db.fake.fetch.returns(AX_BX)
    found = await db.conn.fetch(ROWS)

    with pytest.raises(TypeError):
        iter(found)
    with pytest.raises(TypeError):
        found[0]
    with pytest.raises(TypeError):
        len(found)


async def test_nulls_come_back_as_none(db: Side) -> None:
    """NULL is None in result(), in fetch_row and from fetch_val."""
    if db.fake:
        db.fake.fetch.returns([{"n": None}])
        db.fake.fetch_row.returns({"n": None})
        db.fake.fetch_val.returns(None)

    many = await db.conn.fetch("SELECT NULL::int AS n")
    one = await db.conn.fetch_row("SELECT NULL::int AS n")
    value = await db.conn.fetch_val("SELECT NULL::int AS n")

    assert ([{"n": None}], {"n": None}, None) == (many.result(), one.result(), value)


@pytest.mark.parametrize("method", ["fetch_row", "fetch_val"])
@pytest.mark.parametrize("rows", [0, 2])
async def test_fetch_row_and_fetch_val_fail_on_zero_or_several_rows(db: Side, method: str, rows: int) -> None:
    """fetch_row and fetch_val need exactly one row; zero or several is a ConnectionExecuteError."""
    if db.fake:
        getattr(db.fake, method).returns(QueryResult(AX_BX[:rows]))

    error = await caught(getattr(db.conn, method)(ROWS if rows == 2 else f"{ROWS} LIMIT 0"))

    assert ROW_COUNT == error


async def test_fetch_val_gives_the_first_column_of_the_one_row(db: Side) -> None:
    """fetch_val of a row with several columns gives the first one, without complaint."""
    if db.fake:
        db.fake.fetch_val.returns(QueryResult([{"a": 42, "b": 43}]))

    assert 42 == await db.conn.fetch_val("SELECT 42 AS a, 43 AS b")


async def test_execute_many_returns_none_and_runs_every_set(db: Side) -> None:
    """execute_many returns None (also for no sets); the fake records one call with the whole list."""
    await db.setup(TABLE)
    if db.fake:
        db.fake.fetch_val.returns(3)

    first = await db.conn.execute_many("INSERT INTO t VALUES ($1, $2)", [[1, "a"], (2, "b"), [3, "c"]])
    empty = await db.conn.execute_many("INSERT INTO t VALUES ($1, $2)", [])

    assert (None, None, 3) == (first, empty, await db.conn.fetch_val("SELECT count(*) FROM t"))
    if db.fake:
        assert [[[1, "a"], (2, "b"), [3, "c"]], []] == db.fake.execute_many.calls.params


async def test_execute_many_refuses_what_psqlpy_refuses(db: Side) -> None:
    """execute_many wants a sequence of sequences or mappings, each with enough values."""
    sql = "SELECT $1::int, $2::int"

    errors = [
        await caught(db.conn.execute_many(sql, [1, 2])),
        await caught(db.conn.execute_many(sql, [[1, 2], 5])),
        await caught(db.conn.execute_many(sql, [[1]])),
        await caught(db.conn.execute_many(sql, 5)),
        await caught(db.conn.execute_many(sql, "ab")),
    ]

    assert [
        (
            "ConnectionExecuteError",
            "Cannot build statement in execute_many: Parameters must be sequence or mapping",
        ),
        NOT_SEQUENCE,
        (
            "ConnectionExecuteError",
            "Error occurred in `execute_many` statement: expected 2 parameters but got 1",
        ),
        ("TypeError", "'int' object is not an instance of 'Sequence'"),
        ("TypeError", "Can't extract `str` to `Vec`"),
    ] == errors


async def test_execute_batch_returns_none(db: Side) -> None:
    """execute_batch runs ;-separated statements and returns None, even for SELECTs."""
    await db.setup(TABLE)

    assert None is await db.conn.execute_batch("INSERT INTO t VALUES (1, 'a'); SELECT 1")
    assert None is await db.conn.execute_batch("")
    with pytest.raises(TypeError):
        await db.conn.execute_batch("SELECT 1", [1])


@pytest.mark.parametrize("method", ["execute", "fetch", "fetch_row", "fetch_val"])
async def test_parameters_must_be_a_sequence_or_a_mapping(db: Side, method: str) -> None:
    """A scalar, a str or a set as parameters is refused before the server sees anything."""
    run = getattr(db.conn, method)

    errors = [await caught(run("SELECT $1::int", params)) for params in (5, "ab", {1})]

    assert [NOT_SEQUENCE] * 3 == errors


@pytest.mark.parametrize(
    ("method", "prefix"),
    [("execute", "Cannot execute query, error - "), ("fetch", "Cannot execute query, error - "),
     ("fetch_row", ""), ("fetch_val", "")],
)  # fmt: skip
async def test_too_few_parameters_fail_and_too_many_are_ignored(db: Side, method: str, prefix: str) -> None:
    """Fewer values than placeholders fail with psqlpy's message for the method; extra ones are ignored."""
    if db.fake:
        db.fake.fetch_val.returns(1)
    run = getattr(db.conn, method)

    few = await caught(run("SELECT $1::int + $2::int AS x", [1]))
    none = await caught(run("SELECT $1::int AS x"))

    assert ("ConnectionExecuteError", f"{prefix}expected 2 parameters but got 1") == few
    assert ("ConnectionExecuteError", f"{prefix}expected 1 parameters but got 0") == none
    assert 1 == await db.conn.fetch_val("SELECT $1::int", [1, 2])


async def test_a_mapping_fills_named_placeholders(db: Side) -> None:
    """A dict fills $(name)p placeholders; a missing name or $1 placeholders are refused."""
    if db.fake:
        db.fake.fetch_val.returns(3)

    total = await db.conn.fetch_val("SELECT $(a)p::int + $(b)p::int", {"a": 1, "b": 2, "c": 9})
    missing = await caught(db.conn.fetch_val("SELECT $(a)p::int + $(b)p::int", {"a": 1}))
    numbered = await caught(db.conn.fetch_val("SELECT $1::int", {"a": 1}))

    assert (3, ("PyToRustValueMappingError", "Cannot find parameter with name <b>"), NOT_SEQUENCE) == (
        total,
        missing,
        numbered,
    )


async def test_a_unique_violation_has_psqlpys_class_and_message_for_each_method(db: Side) -> None:
    """One server error, six shapes: the fake's unique_violation() takes the one of the method that meets it."""
    await db.setup(TABLE, "INSERT INTO t VALUES (1, 'a')")
    if db.fake:
        error = unique_violation("t_pkey", detail="Key (id)=(1) already exists.")
        for method in ("execute", "fetch", "fetch_row", "fetch_val", "execute_many", "execute_batch"):
            getattr(db.fake, method).raises(error)
    insert = "INSERT INTO t VALUES (1, 'b') RETURNING id"

    errors = [
        await caught(db.conn.execute(insert)),
        await caught(db.conn.fetch(insert, prepared=False)),
        await caught(db.conn.fetch_row(insert)),
        await caught(db.conn.fetch_val(insert)),
        await caught(db.conn.execute_many("INSERT INTO t VALUES ($1, 'b')", [[1]])),
        await caught(db.conn.execute_batch("INSERT INTO t VALUES (1, 'b')")),
    ]

    assert [
        ("ConnectionExecuteError", f"Cannot execute query, error - {DUPLICATE}"),
        ("ConnectionExecuteError", f"Cannot execute query, error - {DUPLICATE}"),
        ("ConnectionExecuteError", DUPLICATE),
        ("ConnectionExecuteError", DUPLICATE),
        ("ConnectionExecuteError", f"Error occurred in `execute_many` statement: {DUPLICATE}"),
        ("DatabaseError", DUPLICATE),
    ] == errors


async def test_a_foreign_key_violation_names_table_and_constraint(db: Side) -> None:
    """An FK violation reads as PostgreSQL words it, inside psqlpy's execute prefix."""
    await db.setup(TABLE, "CREATE TABLE o (id int PRIMARY KEY, t_id int REFERENCES t (id))")
    if db.fake:
        db.fake.execute.raises(
            foreign_key_violation(
                "o_t_id_fkey", table="o", detail='Key (t_id)=(99) is not present in table "t".'
            )
        )

    error = await caught(db.conn.execute("INSERT INTO o VALUES (1, 99)"))

    assert (
        "ConnectionExecuteError",
        'Cannot execute query, error - db error: ERROR: insert or update on table "o" violates foreign key '
        'constraint "o_t_id_fkey"\nDETAIL: Key (t_id)=(99) is not present in table "t".',
    ) == error


async def test_a_closed_connection_refuses_every_call(db: Side) -> None:
    """After close() (sync, repeatable) every call raises ConnectionClosedError; transaction() at once."""
    db.conn.close()
    db.conn.close()
    closed = ("ConnectionClosedError", "Underlying connection is returned to the pool")

    errors = [
        await caught(db.conn.execute("SELECT 1")),
        await caught(db.conn.fetch_row("SELECT 1")),
        await caught(db.conn.fetch_val("SELECT 1")),
        await caught(db.conn.execute_many("SELECT 1", [])),
        await caught(db.conn.execute_batch("SELECT 1")),
        await caught(db.conn.prepare("SELECT 1")),
        await caught(db.conn.cursor("SELECT 1").start()),
    ]

    assert [closed] * 7 == errors
    with pytest.raises(Exception, match="^Underlying connection is returned to the pool$") as sync:
        db.conn.transaction()
    assert "ConnectionClosedError" == type(sync.value).__name__


async def test_a_lost_connection_fails_every_later_call_in_psqlpys_shape(db: Side) -> None:
    """Once the server connection is gone, each method fails with its own 'connection closed' error."""
    if db.fake:
        db.fake.fetch_val.returns_once(1)
        db.fake.execute.raises_once(connection_lost())
    pid = await db.conn.fetch_val("SELECT pg_backend_pid()")
    if db.is_real:
        killer = await db.other()
        await killer.execute("SELECT pg_terminate_backend($1)", [pid])
        await asyncio.sleep(0.2)

    errors: list[Any] = [
        await caught(db.conn.execute("SELECT 2")),
        await caught(db.conn.fetch_row("SELECT 3")),
        await caught(db.conn.fetch_val("SELECT 4")),
        await caught(db.conn.execute_many("SELECT $1::int", [[1]])),
        await caught(db.conn.execute_batch("SELECT 5")),
        await caught(db.conn.transaction().begin()),
    ]

    assert [
        ("ConnectionExecuteError", "Cannot execute query, error - connection closed"),
        ("DatabaseError", "connection closed"),
        ("DatabaseError", "connection closed"),
        ("ConnectionExecuteError", "Cannot build statement in execute_many: connection closed"),
        ("DatabaseError", "connection closed"),
        (
            "TransactionBeginError",
            "Transaction begin error: Cannot start transaction due to - connection closed",
        ),
    ] == errors
