"""as_connection() / as_pool() / as_transaction(): the fake itself, refused with a hint otherwise."""

from __future__ import annotations

import pytest

from asyncfakes import FakeConnection as GenericConnection
from asyncfakes import asyncpg as fake_asyncpg
from asyncfakes import psqlpy as fake_psqlpy


def test_asyncpg_hands_back_the_same_fake() -> None:
    conn = fake_asyncpg.FakeConnection()
    pool = fake_asyncpg.FakePool()
    handed: list[object] = [fake_asyncpg.as_connection(conn), fake_asyncpg.as_pool(pool)]
    assert handed[0] is conn
    assert handed[1] is pool


def test_psqlpy_hands_back_the_same_fake() -> None:
    conn = fake_psqlpy.FakeConnection()
    pool = fake_psqlpy.FakeConnectionPool()
    tx = conn.transaction()
    handed: list[object] = [
        fake_psqlpy.as_connection(conn),
        fake_psqlpy.as_pool(pool),
        fake_psqlpy.as_transaction(tx),
    ]
    assert handed == [conn, pool, tx]
    assert all(a is b for a, b in zip(handed, [conn, pool, tx], strict=True))


def test_asyncpg_refuses_the_wrong_fake_and_names_the_right_function() -> None:
    pool = fake_asyncpg.FakePool()
    with pytest.raises(
        TypeError, match=r"as_connection\(\) takes an asyncfakes.asyncpg.FakeConnection, got "
    ):
        fake_asyncpg.as_connection(pool)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"For a FakePool, use as_pool\(\)\.$"):
        fake_asyncpg.as_connection(pool)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"as_pool\(\) .* For a FakeConnection, use as_connection\(\)\.$"):
        fake_asyncpg.as_pool(fake_asyncpg.FakeConnection())  # type: ignore[arg-type]


def test_psqlpy_refuses_the_wrong_fake_and_names_the_right_function() -> None:
    conn = fake_psqlpy.FakeConnection()
    with pytest.raises(
        TypeError, match=r"as_transaction\(\) .* For a FakeConnection, use as_connection\(\)\.$"
    ):
        fake_psqlpy.as_transaction(conn)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"as_pool\(\) .* For a FakeTransaction, use as_transaction\(\)\.$"):
        fake_psqlpy.as_pool(conn.transaction())  # type: ignore[arg-type]


def test_another_flavours_fake_gets_no_hint() -> None:
    generic = GenericConnection()
    with pytest.raises(
        TypeError, match=r"takes an asyncfakes.psqlpy.FakeConnection, got .*FakeConnection.*\.$"
    ):
        fake_psqlpy.as_connection(generic)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"takes an asyncfakes.asyncpg.FakeConnection, got .*\.$") as caught:
        fake_asyncpg.as_connection(fake_psqlpy.FakeConnection())  # type: ignore[arg-type]
    assert "use" not in str(caught.value)


def test_psycopg_hands_back_the_same_fake_and_refuses_others() -> None:
    from asyncfakes import psycopg as fake_psycopg

    conn = fake_psycopg.FakeAsyncConnection()
    handed: object = fake_psycopg.as_connection(conn)
    assert handed is conn
    with pytest.raises(
        TypeError, match=r"as_connection\(\) takes an asyncfakes.psycopg.FakeAsyncConnection, got "
    ):
        fake_psycopg.as_connection(fake_psqlpy.FakeConnection())  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_each_flavour_lists_its_own_transactions() -> None:
    from asyncfakes import psycopg as fake_psycopg

    asyncpg_conn = fake_asyncpg.FakeConnection()
    async with asyncpg_conn.transaction():
        pass
    psqlpy_conn = fake_psqlpy.FakeConnection()
    async with psqlpy_conn.transaction():
        pass
    psycopg_conn = fake_psycopg.FakeAsyncConnection()
    async with psycopg_conn.transaction():
        pass

    assert [type(tx) for tx in asyncpg_conn.transactions] == [fake_asyncpg.FakeTransaction]
    assert [type(tx) for tx in psqlpy_conn.transactions] == [fake_psqlpy.FakeTransaction]
    assert [type(tx) for tx in psycopg_conn.transactions] == [fake_psycopg.FakeAsyncTransaction]
