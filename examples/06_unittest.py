"""The same fakes in a unittest.IsolatedAsyncioTestCase: no pytest; VerifyFakesMixin verifies them."""

from __future__ import annotations

import unittest
from typing import Any

from asyncfakes import FakeConnection
from asyncfakes.unittest import VerifyFakesMixin


async def latest_order_id(conn: Any, customer_id: int) -> int | None:
    value: int | None = await conn.fetch_val(
        "SELECT id FROM orders WHERE customer_id = $1 ORDER BY created DESC LIMIT 1", [customer_id]
    )
    return value


class LatestOrderTest(VerifyFakesMixin, unittest.IsolatedAsyncioTestCase):
    # The mixin verifies every fake made during each test when it ends: no tearDown to write.
    async def asyncSetUp(self) -> None:
        self.conn = FakeConnection(strict=True)

    async def test_returns_the_id(self) -> None:
        self.conn.fetch_val.returns_once(42)
        self.assertEqual(42, await latest_order_id(self.conn, 3))
        self.conn.fetch_val.assert_awaited_once()
        self.assertEqual([3], self.conn.fetch_val.calls.one().params)

    async def test_none_when_no_orders(self) -> None:
        self.conn.fetch_val.returns_once(None)
        self.assertIsNone(await latest_order_id(self.conn, 3))


def main() -> None:
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(LatestOrderTest)
    result = unittest.TextTestRunner(verbosity=0).run(suite)
    assert result.wasSuccessful() and result.testsRun == 2, result


if __name__ == "__main__":
    main()
