"""Tests on asyncfakes' pytest fixtures; run with ``pytest examples/pytest_plugin``."""

from __future__ import annotations

import pytest
from orders import OrderRepository, count_orders

from asyncfakes import EntryCall
from asyncfakes.asyncpg import AsyncpgPatch, FakeConnection, FakePool

pytestmark = pytest.mark.anyio


async def test_total(repo: OrderRepository, asyncpg_connection: FakeConnection) -> None:
    asyncpg_connection.fetchval.returns(120)

    assert 120 == await repo.total(7)
    asyncpg_connection.fetchval.assert_awaited_once_with(
        "SELECT sum(amount) FROM orders WHERE customer_id = $1", 7
    )


@pytest.mark.asyncfakes(strict=True)  # every statement must be scripted
async def test_place_runs_in_one_transaction(
    repo: OrderRepository, asyncpg_connection: FakeConnection
) -> None:
    asyncpg_connection.fetchval.expect(
        sql="INSERT INTO orders (customer_id, amount) VALUES ($1, $2) RETURNING id"
    ).returns(31)
    asyncpg_connection.execute.expect(sql="UPDATE customers SET orders = orders + 1 WHERE id = $1")

    assert 31 == await repo.place(7, 120)
    [tx] = asyncpg_connection.transactions
    tx.assert_committed()
    # No verify() here: the plugin verifies both expectations when the test ends.


async def test_a_pool_fixture(asyncpg_pool: FakePool) -> None:
    asyncpg_pool.connection.fetchval.returns(3)

    async with asyncpg_pool.acquire() as conn:
        assert 3 == await OrderRepository(conn).total(1)


async def test_code_that_creates_its_own_pool(asyncpg_patch: AsyncpgPatch) -> None:
    asyncpg_patch.pool.connection.fetchval.returns(12)

    assert 12 == await count_orders("postgresql://shop@db/orders")
    assert [EntryCall("create_pool", ("postgresql://shop@db/orders",), {"min_size": 1, "max_size": 2})] == (
        asyncpg_patch.calls
    )
