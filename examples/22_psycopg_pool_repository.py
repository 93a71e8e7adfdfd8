"""A repository on a psycopg 3 connection pool, tested with asyncfakes.psycopg, without a database.

The application (top half) is what a team writes against ``psycopg_pool.AsyncConnectionPool``:
each method borrows a connection with ``async with pool.connection() as conn`` (commit on
success, rollback on error), uses psycopg's ``dict_row`` and maps ``UniqueViolation`` to a domain
error. The checks (bottom half) hand it a ``FakeAsyncConnectionPool`` and show:

1. Rows through psycopg's own row factory, and the SQL and parameters the code sent.
2. A psycopg error by SQLSTATE (``unique_violation``) mapped to a domain error, the work rolled back.
3. A command's row count (``returns(0)``) driving the code's "not found" branch.
4. ``executemany`` in a transaction block: one recorded call holding every row, then COMMIT.
5. An exhausted pool: ``PoolTimeout`` after the code's own timeout.
6. ``pool.verify()``: no connection leaked, no transaction left half-done.

Run: ``python examples/22_psycopg_pool_repository.py`` (needs psycopg and psycopg_pool: the test group).
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from psycopg import errors
from psycopg.rows import class_row
from psycopg_pool import PoolTimeout

from asyncfakes.psycopg import FakeAsyncConnectionPool, unique_violation

# --- the application ----------------------------------------------------------------------


class Pool(Protocol):
    """What the repository needs: psycopg_pool's AsyncConnectionPool (or the fake)."""

    def connection(self, timeout: float | None = None) -> AbstractAsyncContextManager[Any]: ...


@dataclass
class User:
    id: int
    email: str
    name: str


class EmailTakenError(Exception):
    pass


class UserRepository:
    def __init__(self, pool: Pool, *, timeout: float = 2.0) -> None:
        self.pool = pool
        self.timeout = timeout

    async def add(self, email: str, name: str) -> int:
        try:
            async with self.pool.connection(self.timeout) as conn:
                cur = await conn.execute(
                    "INSERT INTO users (email, name) VALUES (%s, %s) RETURNING id", (email, name)
                )
                row = await cur.fetchone()
                return int(row[0])
        except errors.UniqueViolation as error:
            raise EmailTakenError(email) from error

    async def get(self, user_id: int) -> User | None:
        async with self.pool.connection(self.timeout) as conn:
            cur = conn.cursor(row_factory=class_row(User))
            await cur.execute("SELECT id, email, name FROM users WHERE id = %(id)s", {"id": user_id})
            user: User | None = await cur.fetchone()
            return user

    async def rename(self, user_id: int, name: str) -> bool:
        async with self.pool.connection(self.timeout) as conn:
            cur = await conn.execute("UPDATE users SET name = %s WHERE id = %s", (name, user_id))
            return bool(cur.rowcount == 1)

    async def add_many(self, users: list[tuple[str, str]]) -> int:
        async with self.pool.connection(self.timeout) as conn, conn.transaction():
            cur = conn.cursor()
            await cur.executemany("INSERT INTO users (email, name) VALUES (%s, %s)", users)
            return int(cur.rowcount)


# --- the checks ---------------------------------------------------------------------------


async def rows_and_sql() -> None:
    async with FakeAsyncConnectionPool(min_size=1, max_size=2) as pool:
        pool.script.execute.returns_once([{"id": 7}])
        pool.script.execute.returns_once([{"id": 7, "email": "ana@example.com", "name": "Ana"}])
        repo = UserRepository(pool)

        assert await repo.add("ana@example.com", "Ana") == 7
        assert await repo.get(7) == User(7, "ana@example.com", "Ana")

        insert, select = pool.script.execute.calls
        assert insert.params == ("ana@example.com", "Ana")
        assert select == ("SELECT id, email, name FROM users WHERE id = %(id)s", {"id": 7})
        pool.script.assert_executed("COMMIT", times=2)  # each borrowed connection committed
        pool.verify()


async def errors_are_psycopgs_own() -> None:
    async with FakeAsyncConnectionPool(min_size=1) as pool:
        pool.script.execute.raises(unique_violation("users_email_key", key="(email)=(ana@example.com)"))
        repo = UserRepository(pool)

        try:
            await repo.add("ana@example.com", "Ana")
        except EmailTakenError as error:
            assert isinstance(error.__cause__, errors.UniqueViolation)
            assert error.__cause__.diag.constraint_name == "users_email_key"
        else:
            raise AssertionError("expected EmailTakenError")
        pool.script.assert_executed("ROLLBACK")  # the pool connection rolled the failed work back
        assert pool.connections[0].info.transaction_status.name == "IDLE"
        pool.verify()


async def row_counts_drive_not_found() -> None:
    async with FakeAsyncConnectionPool(min_size=1) as pool:
        pool.script.execute.returns_once(1).returns_once(0)
        repo = UserRepository(pool)

        assert await repo.rename(7, "Bo") is True
        assert await repo.rename(8, "Bo") is False
        pool.verify()


async def batches_in_a_transaction() -> None:
    async with FakeAsyncConnectionPool(min_size=1) as pool:
        repo = UserRepository(pool)
        rows = [("a@example.com", "A"), ("b@example.com", "B")]

        assert await repo.add_many(rows) == 2  # unscripted: each INSERT adds its row

        batch = pool.calls.filter(method="executemany").one()
        assert batch.params == rows
        assert [c.sql for c in pool.calls if c.method in ("start", "commit")] == ["BEGIN", "COMMIT"]
        pool.verify()


async def an_exhausted_pool_times_out() -> None:
    async with FakeAsyncConnectionPool(min_size=1, max_size=1) as pool:
        repo = UserRepository(pool, timeout=0.05)
        async with pool.connection():  # someone else holds the only connection
            try:
                await repo.get(1)
            except PoolTimeout as error:
                assert str(error) == "couldn't get a connection after 0.05 sec"
            else:
                raise AssertionError("expected PoolTimeout")


async def main() -> None:
    await rows_and_sql()
    await errors_are_psycopgs_own()
    await row_counts_drive_not_found()
    await batches_in_a_transaction()
    await an_exhausted_pool_times_out()
    print("22_psycopg_pool_repository: all checks passed")


if __name__ == "__main__":
    asyncio.run(main())
