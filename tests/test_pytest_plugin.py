"""The optional pytest plugin: fixtures that verify fakes when the test ends (run with pytester)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

CONFTEST = 'pytest_plugins = ["asyncfakes.pytest_plugin"]\n'
INI = "[pytest]\nfilterwarnings = error\n"


def run(pytester: pytest.Pytester, source: str) -> pytest.RunResult:
    pytester.makeconftest(CONFTEST)
    pytester.makeini(INI)
    pytester.makepyfile(test_it=source)
    return pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:asyncio")


def test_fake_connection_passes_when_all_is_used(pytester: pytest.Pytester) -> None:
    """A test that uses every scripted answer passes, teardown included."""
    result = run(
        pytester,
        """
import asyncio

def test_ok(fake_connection):
    fake_connection.fetch_val.returns_once(1)
    assert asyncio.run(fake_connection.fetch_val("SELECT 1")) == 1
""",
    )
    result.assert_outcomes(passed=1)


def test_fake_connection_fails_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    """An unused one-shot answer fails the test at teardown, with verify()'s report."""
    result = run(
        pytester,
        """
def test_forgot(fake_connection):
    fake_connection.fetch_val.returns_once(1)
""",
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*ExpectationsNotMet*", "*conn.fetch_val: a one-shot answer was never used*"]
    )


def test_verify_fakes_registers_any_fake(pytester: pytest.Pytester) -> None:
    """verify_fakes() returns what it is given and verifies each at teardown; it refuses non-fakes."""
    result = run(
        pytester,
        """
import asyncio
import pytest
from asyncfakes import FakeConnection, UnexpectedCall
from asyncfakes.asyncpg import FakePool

def test_registered(verify_fakes):
    conn = verify_fakes(FakeConnection(strict=True))
    pool = verify_fakes(FakePool())
    assert isinstance(conn, FakeConnection) and isinstance(pool, FakePool)
    with pytest.raises(TypeError, match="verify_fakes\\\\(\\\\) takes a fake with verify\\\\(\\\\), got 3"):
        verify_fakes(3)

def test_swallowed(verify_fakes):
    conn = verify_fakes(FakeConnection(strict=True))
    try:
        asyncio.run(conn.fetch("SELECT 1"))
    except UnexpectedCall:
        pass
""",
    )
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*an UnexpectedCall was raised into the code under test*"])
