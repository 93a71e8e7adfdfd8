"""Expectations and strict mode: the fake fails the test when the code does not do what it should."""

from __future__ import annotations

import asyncio
from typing import Any

from asyncfakes import ExpectationsNotMet, FakeConnection, StartsWith, UnexpectedCall


async def deactivate(conn: Any, user_id: int) -> None:
    await conn.execute("UPDATE users SET active = false WHERE id = $1", [user_id])
    try:
        await conn.execute("DELETE FROM session WHERE user_id = $1", [user_id])  # bug: table is "sessions"
    except Exception:
        pass  # the bug is swallowed here; verify() still sees it


async def main() -> None:
    conn = FakeConnection(strict=True)
    conn.execute.expect(sql="UPDATE users SET active = false WHERE id = $1", params=[7])
    conn.execute.expect(sql="DELETE FROM sessions WHERE user_id = $1", params=[7])

    await deactivate(conn, 7)

    try:
        conn.verify()
    except ExpectationsNotMet as report:
        text = str(report)
        assert "expected 1 time(s), but was used 0 time(s)" in text
        assert "- delete from sessions where user_id = $1" in text  # the nearest call, diffed
        assert "+ delete from session where user_id = $1" in text
        assert "an UnexpectedCall was raised into the code under test" in text
    else:
        raise AssertionError("verify() should have failed")

    # Ordered expectations: the calls must come in the declared order.
    conn = FakeConnection(ordered=True)
    conn.execute.expect(sql=StartsWith("INSERT INTO orders"))
    conn.execute.expect(sql=StartsWith("INSERT INTO order_lines"))
    try:
        await conn.execute("INSERT INTO order_lines VALUES (1)")
    except UnexpectedCall as error:
        assert "Call out of order" in str(error)
    # verify() lists both unmet expectations and the out-of-order call. A fake with problems that
    # nobody verifies warns with UnverifiedFakeWarning when it is garbage-collected.
    assert len(conn.problems()) == 3


if __name__ == "__main__":
    asyncio.run(main())
