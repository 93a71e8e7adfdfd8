"""Faking a driver the library does not know: a few typed lines on the public extension API."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from asyncfakes import BaseConnection, Call, fake_method


def to_columns(conn: Any, call: Call, rows: Any) -> dict[str, list[Any]]:
    """Scripted rows (a list of dicts) become the driver's column-oriented result."""
    columns: dict[str, Any] = rows[0] if rows else {}
    return {key: [row[key] for row in rows] for key in columns}


class FakeColumnarConnection(BaseConnection):
    """A fake for an analytics driver whose query returns columns, not rows."""

    @fake_method(shape=to_columns)
    async def query_columns(
        self, sql: str, params: Sequence[Any] = (), *, timeout: float = 30.0
    ) -> dict[str, list[Any]]:
        return {}  # the natural answer when nothing is scripted


async def revenue_by_day(conn: Any, shop: str) -> dict[str, int]:
    columns = await conn.query_columns("SELECT day, total FROM revenue WHERE shop = ?", [shop], timeout=5)
    return dict(zip(columns["day"], columns["total"], strict=True))


async def main() -> None:
    conn = FakeColumnarConnection()
    conn.query_columns.returns_once([{"day": "mon", "total": 3}, {"day": "tue", "total": 5}])

    assert await revenue_by_day(conn, "north") == {"mon": 3, "tue": 5}

    call = conn.query_columns.calls.one()
    assert call.params == ["north"]
    assert call.kwargs == {"timeout": 5}
    conn.query_columns.assert_awaited_once_with(
        "SELECT day, total FROM revenue WHERE shop = $1", ["north"], timeout=5
    )
    assert await conn.query_columns("SELECT 1") == {}


if __name__ == "__main__":
    asyncio.run(main())
