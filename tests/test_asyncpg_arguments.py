"""asyncpg flavour: a list or tuple bound to a scalar $n raises asyncpg's DataError (issue 10, item 5)."""

from __future__ import annotations

import json

import pytest

from asyncfakes.asyncpg import FakeConnection, error_class
from asyncfakes.asyncpg._arguments import COMPARED, scalar_slots

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("sql", "slots"),
    [
        ("SELECT $1::int, $2::int[], $3::point", {1: "int"}),
        ("SELECT $1::numeric(5, 2), $2::varchar(3)[]", {}),
        ("SELECT $1::numeric(5", {}),
        ("SELECT $1::", {}),
        ("SELECT CAST($1 AS text), CAST($2 AS text[])", {1: "text"}),
        ("SELECT * FROM t WHERE id = $1 AND id = ANY($1)", {}),
        ("SELECT * FROM t WHERE a = $1 AND $1::int > 0", {1: "int"}),
        ("SELECT * FROM t WHERE a = $1::point", {}),
        ("SELECT * FROM t WHERE $1 <@ tags OR tags && $2", {}),
        ("SELECT * FROM t WHERE a LIKE $1", {1: COMPARED}),
        ("UPDATE t SET a = $1, b = $2 WHERE c = $3", {3: COMPARED}),
        ("SELECT f($1), $2", {}),
        ("SELECT * FROM t WHERE id IN ($1, $2)", {1: COMPARED, 2: COMPARED}),
        ("SELECT * FROM t WHERE (id, $1) = (1, 2)", {}),
        ("SELECT $1::double precision, $2::character varying(9)", {1: "double", 2: "character"}),
        ("SELECT * FROM t WHERE $1 = x", {1: COMPARED}),
        ("x = $1", {1: COMPARED}),
    ],
)
def test_scalar_slots(sql: str, slots: dict[int, str]) -> None:
    """Only placeholders certainly scalar are listed; any array use, or an unknown cast, exempts them."""
    assert slots == scalar_slots(sql)


async def test_the_classic_list_on_a_compared_placeholder() -> None:
    """fetch(sql, [1, 2]) where $1 is compared raises DataError, saying how to bind a list."""
    conn = FakeConnection()

    with pytest.raises(error_class("DataError")) as caught:
        await conn.fetch("SELECT * FROM users WHERE id = $1", [1, 2])

    assert str(caught.value) == (
        "invalid input for query argument $1: [1, 2] (expected a single value, got list: $1 is compared "
        "as a single value here, and asyncpg refuses a list for any scalar column type (asyncfakes "
        "cannot know which one). To bind a list, compare with = ANY($1) or cast it, e.g. $1::int[])"
    )


async def test_a_type_codec_exempts_compared_placeholders_but_not_casts() -> None:
    """With set_type_codec (a jsonb codec may take lists) only explicit scalar casts are still refused."""
    conn = FakeConnection()
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")

    await conn.fetch("SELECT * FROM t WHERE data = $1", [1, 2])
    with pytest.raises(error_class("DataError")):
        await conn.fetch("SELECT $1::int", [1, 2])


async def test_fetchmany_and_execute_with_arguments_are_checked() -> None:
    """fetchmany names the element (as executemany() like asyncpg); execute with arguments is checked."""
    conn = FakeConnection()
    with pytest.raises(
        error_class("DataError"), match=r"^invalid input for query argument \$1 in element #0 "
    ):
        await conn.fetchmany("SELECT $1::int", [([1],)])
    with pytest.raises(
        error_class("DataError"), match=r"^invalid input for query argument \$1: \[0, 1, 2, .*11, 1\.\.\. \("
    ):
        await conn.fetch("SELECT $1::int", list(range(20)))
    with pytest.raises(error_class("DataError"), match=r"^invalid input for query argument \$2: \['a'\]"):
        await conn.execute("UPDATE t SET a = $1 WHERE b = $2::text", 1, ["a"])
    await conn.execute("UPDATE t SET a = $1 WHERE b = $2::text", [1], "a")


async def test_a_client_side_data_error_leaves_the_transaction_usable() -> None:
    """The DataError never reached the server, so the transaction is not aborted (asyncpg measured)."""
    conn = FakeConnection()
    conn.fetchval.returns(1)
    tx = conn.transaction()
    await tx.start()
    with pytest.raises(error_class("DataError")):
        await conn.fetchval("SELECT $1::int", [1])

    assert 1 == await conn.fetchval("SELECT 1")
    await tx.commit()
    tx.assert_committed()


async def test_the_argument_counts_kept_per_statement_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The counts the fast path reads are learnt once per SQL; a full table starts over, answers unchanged."""
    from asyncfakes.asyncpg import _argument_count

    full = {f"SELECT {i}": 0 for i in range(4096)}
    monkeypatch.setattr(_argument_count.expected_arguments, "known", full)
    conn = FakeConnection()
    conn.fetch.returns([])
    assert [] == await conn.fetch("SELECT $1 + $2", 1, 2)
    assert {"SELECT $1 + $2": 2} == full
    assert (True, False) == (
        _argument_count.fits("SELECT $1 + $2", 2),
        _argument_count.fits("SELECT 1; SELECT 2", 0),
    )
    assert -1 == full["SELECT 1; SELECT 2"]
    with pytest.raises(error_class("InterfaceError"), match="the server expects 2 arguments"):
        await conn.fetch("SELECT $1 + $2", 1)
