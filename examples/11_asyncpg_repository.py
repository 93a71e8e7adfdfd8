"""A repository written for asyncpg, tested with asyncfakes.asyncpg: rows, statuses, errors, transactions.

The code under test is plain asyncpg code; the fake answers as asyncpg does (Records, status
strings, None for no row, UniqueViolationError with its constraint, aborted transactions).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from asyncfakes.asyncpg import FakeConnection, error_class, unique_violation


@dataclass
class User:
    id: int
    email: str


class EmailTaken(Exception):
    pass


class UserRepository:
    """The code under test: it only knows asyncpg's API."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def get(self, user_id: int) -> User | None:
        row = await self.conn.fetchrow("SELECT id, email FROM users WHERE id = $1", user_id)
        return None if row is None else User(**dict(row))

    async def add(self, email: str) -> int:
        try:
            user_id: int = await self.conn.fetchval(
                "INSERT INTO users (email) VALUES ($1) RETURNING id", email
            )
        except Exception as error:
            if getattr(error, "sqlstate", None) == "23505":  # unique_violation
                raise EmailTaken(email) from error
            raise
        return user_id

    async def deactivate_inactive(self, days: int) -> int:
        status = await self.conn.execute(
            "UPDATE users SET active = false WHERE last_seen < now() - make_interval(days => $1)", days
        )
        return int(status.split()[-1])  # "UPDATE 3" -> 3

    async def rename_all(self, renames: list[tuple[int, str]]) -> None:
        async with self.conn.transaction():
            await self.conn.executemany("UPDATE users SET email = $2 WHERE id = $1", renames)
            await self.conn.execute("INSERT INTO audit (event) VALUES ($1)", "renamed")


async def main() -> None:
    conn = FakeConnection()
    repo = UserRepository(conn)

    # Rows are scripted as plain dicts and come back as asyncpg Records; no row is None.
    conn.fetchrow.returns_once({"id": 1, "email": "ana@example.com"})
    assert await repo.get(1) == User(1, "ana@example.com")
    assert await repo.get(2) is None
    conn.fetchrow.assert_awaited_with("SELECT id, email FROM users WHERE id = $1", 2)

    # The status string is derived from the statement and the scripted row count.
    conn.execute.returns_once(3)
    assert await repo.deactivate_inactive(30) == 3

    # A one-call unique violation: asyncpg's class (when installed), sqlstate 23505, constraint.
    conn.fetchval.returns_once(7).raises_once(unique_violation("users_email_key", table="users"))
    assert await repo.add("bo@example.com") == 7
    try:
        await repo.add("bo@example.com")
    except EmailTaken as taken:
        assert isinstance(taken.__cause__, error_class("UniqueViolationError"))
    else:
        raise AssertionError("expected EmailTaken")

    # A failure inside the transaction rolls it back; the statement after it never ran.
    conn.executemany.raises_once(unique_violation("users_email_key"))
    try:
        await repo.rename_all([(1, "x@example.com"), (2, "x@example.com")])
    except Exception as error:
        assert error.sqlstate == "23505"  # type: ignore[attr-defined]
    else:
        raise AssertionError("expected the unique violation")
    conn.transactions[-1].assert_rolled_back()
    conn.assert_not_executed("INSERT INTO audit (event) VALUES ($1)")

    # The happy path commits, and every call is recorded in order, transaction statements included.
    await repo.rename_all([(1, "y@example.com")])
    conn.transactions[-1].assert_committed()
    assert [call.sql for call in conn.transactions[-1].calls] == [
        "BEGIN;",
        "UPDATE users SET email = $2 WHERE id = $1",
        "INSERT INTO audit (event) VALUES ($1)",
        "COMMIT;",
    ]

    # Wrong argument counts fail as on the server, so this bug cannot hide in a test.
    try:
        await conn.fetch("SELECT * FROM users WHERE id = $1 AND email = $2", 1)
    except error_class("InterfaceError") as error:
        assert "the server expects 2 arguments for this query, 1 was passed" in str(error)
    else:
        raise AssertionError("expected InterfaceError")

    conn.verify()


if __name__ == "__main__":
    asyncio.run(main())
