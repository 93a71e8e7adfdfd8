"""Contract: a list or tuple bound to a scalar ``$n`` fails on the fake as on asyncpg; arrays pass.

Every scenario runs on the fake and on real asyncpg against PostgreSQL (see _asyncpg_support).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from asyncfakes.asyncpg import error_class
from tests.contract._asyncpg_support import Target, anyio_backend, db, error_name

__all__ = ["anyio_backend", "db"]

pytestmark = pytest.mark.anyio

TABLE = "CREATE TEMP TABLE t (id int, name text, tags text[], u uuid)"


@pytest.mark.parametrize(
    ("sql", "value", "message"),
    [
        ("SELECT $1::int", [1, 2], "[1, 2] ('list' object cannot be interpreted as an integer)"),
        (
            "SELECT $1::int",
            list(range(20)),
            "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 1... ('list' object cannot be interpreted as an integer)",
        ),
        ("SELECT CAST($1 AS bigint)", (1, 2), "(1, 2) ('tuple' object cannot be interpreted as an integer)"),
        ("SELECT $1::text", [1, 2], "[1, 2] (expected str, got list)"),
        ("SELECT $1::character varying(5)", ["a"], "['a'] (expected str, got list)"),
        ("SELECT $1::jsonb", [1], "[1] (expected str, got list)"),
        ("SELECT $1::boolean", [True], "[True] (a boolean is required (got type list))"),
        ("SELECT $1::double precision", [1.5], "[1.5] (must be real number, not list)"),
        ("SELECT $1::uuid", [1], "[1] ('list' object has no attribute 'bytes')"),
        ("SELECT $1::date", [1], "[1] ('list' object has no attribute 'toordinal')"),
        (
            "SELECT $1::timestamp",
            [1],
            "[1] (expected a datetime.date or datetime.datetime instance, got 'list')",
        ),
    ],
)
async def test_a_list_cast_to_a_scalar_type_raises_asyncpgs_data_error(
    db: Target, sql: str, value: Any, message: str
) -> None:
    """A list bound to ``$1::int`` (and other scalar casts) raises DataError with asyncpg's message."""
    with pytest.raises(error_class("DataError")) as caught:
        await db.conn.fetch(sql, value)

    assert ("DataError", f"invalid input for query argument $1: {message}") == (
        error_name(caught.value),
        str(caught.value),
    )


@pytest.mark.parametrize(
    ("sql", "args"),
    [
        ("SELECT * FROM t WHERE id = $1", ([1, 2],)),
        ("SELECT * FROM t WHERE name = $1", (["a"],)),
        ("SELECT * FROM t WHERE id IN ($1, $2)", (1, [2])),
        ("SELECT * FROM t WHERE $1 = ANY(tags)", (["a"],)),
        ("UPDATE t SET name = 'x' WHERE u = $1", ((uuid.UUID(int=1),),)),
    ],
)
async def test_the_classic_psqlpy_list_on_a_compared_placeholder_raises_data_error(
    db: Target, sql: str, args: tuple[Any, ...]
) -> None:
    """``fetch("... WHERE id = $1", [1, 2])``, psqlpy's habit, fails with DataError on both sides."""
    await db.setup(TABLE)
    number = next(i for i, a in enumerate(args, 1) if isinstance(a, (list, tuple)))

    with pytest.raises(error_class("DataError")) as caught:
        await db.conn.fetch(sql, *args)

    shown = repr(args[number - 1])
    shown = shown if len(shown) <= 40 else shown[:40] + "..."  # asyncpg cuts the repr at 40 characters
    assert str(caught.value).startswith(f"invalid input for query argument ${number}: {shown} (")


@pytest.mark.parametrize(
    ("sql", "value"),
    [
        ("SELECT * FROM t WHERE id = ANY($1)", [1, 2]),
        ("SELECT * FROM t WHERE id = ANY($1::int[])", (1, 2)),
        ("SELECT * FROM t WHERE id IN (SELECT unnest($1::int[]))", [1, 2]),
        ("SELECT * FROM t WHERE tags @> $1", ["a"]),
        ("SELECT * FROM t WHERE tags = $1::text[]", ["a"]),
        ("SELECT $1::int4range", [1, 2]),
        ("INSERT INTO t (tags) VALUES ($1) RETURNING id", ["a"]),
        ("UPDATE t SET tags = $1 RETURNING id", ["a"]),
    ],
)
async def test_a_list_in_an_array_context_is_accepted(db: Target, sql: str, value: Any) -> None:
    """Lists bound where PostgreSQL expects an array (ANY, []-casts, array columns) pass on both sides."""
    await db.setup(TABLE)

    rows = await db.conn.fetch(sql, value)

    assert isinstance(rows, list)


async def test_a_data_error_does_not_abort_the_transaction(db: Target) -> None:
    """The DataError is raised before the server sees the statement: the transaction goes on."""
    if db.fake:
        db.fake.fetchval.returns(1)

    async with db.conn.transaction():
        with pytest.raises(error_class("DataError")):
            await db.conn.fetchval("SELECT $1::int", [1, 2])
        after = await db.conn.fetchval("SELECT 1")

    assert 1 == after


async def test_executemany_names_the_element(db: Target) -> None:
    """In executemany the message names the element of the sequence that failed."""
    await db.setup(TABLE)

    with pytest.raises(error_class("DataError")) as caught:
        await db.conn.executemany("INSERT INTO t (id) VALUES ($1::int)", [(1,), ([2, 3],)])

    assert str(caught.value) == (
        "invalid input for query argument $1 in element #1 of executemany() sequence: [2, 3] "
        "('list' object cannot be interpreted as an integer)"
    )
