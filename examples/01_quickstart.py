"""The README example: script an answer, run the code under test, assert on what it sent."""

from __future__ import annotations

import asyncio
from typing import Any

from asyncfakes import FakeConnection


async def active_user_names(conn: Any) -> list[str]:
    record = await conn.fetch("SELECT name FROM users WHERE active = $1", [True])
    return [row["name"] for row in record]


async def main() -> None:
    conn = FakeConnection()
    conn.fetch.returns([{"name": "Ana"}, {"name": "Bo"}])

    assert await active_user_names(conn) == ["Ana", "Bo"]

    conn.fetch.assert_awaited_once_with("SELECT name FROM users WHERE active = $1", [True])
    assert conn.fetch.calls.one().params == [True]


if __name__ == "__main__":
    asyncio.run(main())
