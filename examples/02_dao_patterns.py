"""The eight everyday DAO-testing patterns, done with asyncfakes instead of a hand-written fake.

1. DAO calls: assert the SQL and parameters sent, no ``__wrapped__`` needed.
2. Error mapping: a database error becomes the DAO's own exception.
3. Service over DAO: the real DAO on a fake connection, no dummy DAO class.
4. Connection acquisition: hand the DAL a fake connection source instead of monkeypatching it.
5. Batch writes: ``execute_many`` inside a transaction, recorded, with no patching of the fake.
6. An endpoint-style handler: the whole stack on one fake.
7. Several queued answers for consecutive queries.
8. A table of scenarios answered by parameter-matched stubs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from asyncfakes import Contains, FakeConnection


@dataclass
class User:
    id: int
    name: str
    status: str = "pending"


class DAOError(Exception):
    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


class UserDAO:
    """Data access: each method takes the connection it runs on."""

    @staticmethod
    async def create(conn: Any, user: User) -> None:
        await conn.execute(
            "INSERT INTO users (id, name, status) VALUES ($1, $2, $3)", [user.id, user.name, user.status]
        )

    @staticmethod
    async def fetch_by_id(conn: Any, user_id: int) -> User:
        try:
            record = await conn.fetch_row("SELECT id, name, status FROM users WHERE id = $1", [user_id])
        except ConnectionError as error:
            raise DAOError(500, f"could not load user {user_id}") from error
        return User(**record.result())

    @staticmethod
    async def sync(conn: Any, users: list[User]) -> None:
        async with conn.transaction() as tx:
            await tx.execute_many(
                "INSERT INTO users (id, name, status) VALUES ($1, $2, $3)",
                [[u.id, u.name, u.status] for u in users],
            )

    @staticmethod
    async def count_by_status(conn: Any, status: str) -> int:
        count: int = await conn.fetch_val("SELECT count(*) FROM users WHERE status = $1", [status])
        return count


class DAL:
    """Acquires connections; tests give it a fake source instead of monkeypatching a private method."""

    def __init__(self, connect: Callable[[], Awaitable[Any]]) -> None:
        self._connect = connect

    async def rename(self, user_id: int, name: str) -> None:
        conn = await self._connect()
        await conn.execute("UPDATE users SET name = $1 WHERE id = $2", [name, user_id])


class UserService:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def names(self, *ids: int) -> list[str]:
        return [(await UserDAO.fetch_by_id(self.conn, i)).name for i in ids]


async def get_user_handler(conn: Any, user_id: int) -> tuple[int, dict[str, Any]]:
    """What a web endpoint does: call the DAO, map errors to a status code."""
    try:
        user = await UserDAO.fetch_by_id(conn, user_id)
    except DAOError as error:
        return error.status_code, {"detail": error.detail}
    return 200, {"id": user.id, "name": user.name}


async def main() -> None:
    # 1. DAO calls: what was sent, exactly.
    conn = FakeConnection()
    await UserDAO.create(conn, User(1, "Ana"))
    conn.execute.assert_awaited_once_with(
        "INSERT INTO users (id, name, status) VALUES ($1, $2, $3)", [1, "Ana", "pending"]
    )

    # 2. Error mapping: script the failure, no hand-written broken coroutine.
    conn = FakeConnection()
    conn.fetch_row.raises(ConnectionResetError("db fail"))
    try:
        await UserDAO.fetch_by_id(conn, 1)
    except DAOError as error:
        assert error.status_code == 500
    else:
        raise AssertionError("expected DAOError")

    # 3. Service over the real DAO on a fake connection.
    conn = FakeConnection()
    conn.fetch_row.when(params=[1]).returns({"id": 1, "name": "Ana", "status": "ok"})
    conn.fetch_row.when(params=[2]).returns({"id": 2, "name": "Bo", "status": "ok"})
    assert await UserService(conn).names(2, 1) == ["Bo", "Ana"]

    # 4. Connection acquisition: inject the source.
    conn = FakeConnection()

    async def connect() -> FakeConnection:
        return conn

    await DAL(connect).rename(7, "Cy")
    conn.assert_executed("UPDATE users SET name = ? WHERE id = ?", params=["Cy", 7])

    # 5. Batch writes inside a transaction: recorded on the connection, no patching.
    conn = FakeConnection()
    await UserDAO.sync(conn, [User(1, "Ana"), User(2, "Bo"), User(3, "Cy")])
    batch = conn.execute_many.calls.one()
    assert len(batch.params) == 3
    assert batch.transaction is conn.transactions[0]
    conn.transactions[0].assert_committed()

    # 6. A handler over the whole stack: success and failure on one fake.
    conn = FakeConnection()
    conn.fetch_row.returns_once({"id": 1, "name": "Ana", "status": "ok"}).raises_once(ConnectionResetError)
    assert await get_user_handler(conn, 1) == (200, {"id": 1, "name": "Ana"})
    assert await get_user_handler(conn, 1) == (500, {"detail": "could not load user 1"})

    # 7. Several queued answers, one per query, in order.
    conn = FakeConnection()
    conn.fetch_row.returns_once({"id": 1, "name": "Ana", "status": "pending"})
    conn.fetch_row.returns_once({"id": 2, "name": "Bo", "status": "approved"})
    first, second = await UserDAO.fetch_by_id(conn, 1), await UserDAO.fetch_by_id(conn, 2)
    assert (first.status, second.status) == ("pending", "approved")
    conn.verify()  # every queued answer was used

    # 8. A table of scenarios: one stub per parameter value.
    conn = FakeConnection(strict=True)
    table = {"pending": 5, "approved": 3, "rejected": 2}
    for status, count in table.items():
        conn.fetch_val.when(sql=Contains("FROM users WHERE status"), params=[status]).returns(count)
    for status, count in table.items():
        assert await UserDAO.count_by_status(conn, status) == count
    assert len(conn.fetch_val.calls) == 3
    conn.verify()


if __name__ == "__main__":
    asyncio.run(main())
