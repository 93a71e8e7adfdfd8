"""A service with a timeout and a retry around a flaky query: the first call hangs, the retry succeeds.

``hangs_once()`` makes the first query never answer, so the service's own timeout fires, exactly
as it would against a stuck database; the next query answers at once. No sleeping in the test
beyond the service's (tiny) timeout.
"""

from __future__ import annotations

import asyncio
from typing import Any

from asyncfakes import FakeConnection


class UserService:
    """Looks users up, giving each query ``timeout`` seconds and ``attempts`` tries."""

    def __init__(self, conn: Any, *, timeout: float = 2.0, attempts: int = 3) -> None:
        self.conn = conn
        self.timeout = timeout
        self.attempts = attempts

    async def name_of(self, user_id: int) -> str:
        attempt = 1
        while True:
            try:
                query = self.conn.fetch_val("SELECT name FROM users WHERE id = $1", [user_id])
                name: str = await asyncio.wait_for(query, self.timeout)
            except asyncio.TimeoutError:
                if attempt == self.attempts:
                    raise
                attempt += 1
            else:
                return name


async def retry_succeeds_after_a_hang() -> None:
    conn = FakeConnection()
    conn.fetch_val.hangs_once().returns("Ana")
    service = UserService(conn, timeout=0.01)

    assert "Ana" == await service.name_of(7)

    # Two queries were sent: the first was cancelled by the timeout, the retry answered.
    assert ["cancelled", "returned"] == [call.outcome for call in conn.fetch_val.calls]
    conn.fetch_val.assert_awaited_with("SELECT name FROM users WHERE id = $1", [7])
    conn.verify()  # the hang was used: no one-shot answer is left over


async def gives_up_after_the_last_attempt() -> None:
    conn = FakeConnection()
    conn.fetch_val.hangs()
    service = UserService(conn, timeout=0.01, attempts=3)

    try:
        await service.name_of(7)
    except asyncio.TimeoutError:
        pass
    else:
        raise AssertionError("expected the last timeout to reach the caller")

    assert ["cancelled"] * 3 == [call.outcome for call in conn.fetch_val.calls]


async def main() -> None:
    await retry_succeeds_after_a_hang()
    await gives_up_after_the_last_attempt()


if __name__ == "__main__":
    asyncio.run(main())
