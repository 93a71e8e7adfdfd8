"""VerifyFakesMixin: unittest test cases verify the fakes made during each test when it ends."""

from __future__ import annotations

import sys
import unittest

from asyncfakes import FakeConnection
from asyncfakes.asyncpg import FakePool
from asyncfakes.unittest import VerifyFakesMixin


def run(case: type[unittest.TestCase]) -> unittest.TestResult:
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    return result


def messages(result: unittest.TestResult) -> list[str]:
    return [text for _, text in [*result.errors, *result.failures]]


class Leaky(VerifyFakesMixin, unittest.IsolatedAsyncioTestCase):
    __test__ = False  # run by the tests below, not collected by pytest

    async def asyncSetUp(self) -> None:  # no super() call: the mixin does not need it
        self.conn = FakeConnection()
        self.conn.fetch_val.returns_once(1)

    async def asyncTearDown(self) -> None:
        self.cleaned = True

    async def test_forgot_the_answer(self) -> None:
        self.pool = FakePool()
        self.pool.connection.fetch.returns_once([])

    async def test_used_everything(self) -> None:
        assert 1 == await self.conn.fetch_val("SELECT 1")


def test_fakes_of_each_test_are_verified_into_one_error() -> None:
    """A test leaving fakes with problems errors with every report; a clean test passes."""
    result = run(Leaky)

    assert 2 == result.testsRun
    [message] = messages(result)
    assert "2 fake(s) created during this test have problems (verified automatically" in message
    assert "1. conn.fetch_val: a one-shot answer was never used (returns 1)." in message
    assert "1. conn.fetch: a one-shot answer was never used (returns [])." in message
    assert [] == result.errors  # ExpectationsNotMet is an AssertionError: a failure
    assert "test_forgot_the_answer" in str(result.failures[0][0])


class Opinions(VerifyFakesMixin, unittest.TestCase):
    __test__ = False  # run by the tests below, not collected by pytest

    def setUp(self) -> None:
        self.conn = FakeConnection()
        self.conn.fetch.returns_once([])

    def test_fails_first(self) -> None:
        self.fail("the real failure")

    def test_subtest_fails_first(self) -> None:
        with self.subTest("one"):
            self.fail("in a subtest")

    @unittest.expectedFailure
    def test_expected_to_fail(self) -> None:
        raise AssertionError("known")

    def test_opts_out(self) -> None:
        self.asyncfakes_verify = False

    @unittest.skip("not today")
    def test_skipped(self) -> None:
        pass  # pragma: no cover


def test_quiet_when_the_test_failed_xfailed_skipped_or_opted_out() -> None:
    """No second error after a failure, an expected failure or a skip, nor when the test opts out."""
    result = run(Opinions)

    # Python 3.12 leaves skipped tests out of testsRun (3.13 counts them again).
    assert (4 if sys.version_info[:2] == (3, 12) else 5) == result.testsRun
    assert 2 == len(result.failures)
    assert [] == result.errors
    assert ["the real failure", "in a subtest"] == [
        text.splitlines()[-1].split(": ", 1)[1] for text in messages(result)
    ]
    assert 1 == len(result.expectedFailures)
    assert 1 == len(result.skipped)


class QuietClass(VerifyFakesMixin, unittest.TestCase):
    __test__ = False  # run by the tests below, not collected by pytest

    asyncfakes_verify = False

    def test_leaks(self) -> None:
        FakeConnection().fetch.returns_once([])


def test_the_class_can_opt_out() -> None:
    """asyncfakes_verify = False on the class leaves every test's fakes alone."""
    assert run(QuietClass).wasSuccessful()
