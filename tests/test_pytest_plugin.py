"""The pytest plugin: every fake created during a test is verified when it ends (run with pytester)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
# The inner runs share this process: fakes they make at import time must not be verified here.
pytestmark = pytest.mark.asyncfakes(verify=False)

INI = "[pytest]\nfilterwarnings = error\n"
# Entry-point plugins are not loaded (they take seconds to import): each run names what it needs.
PLUGIN = ("-p", "asyncfakes.pytest_plugin")


@pytest.fixture(autouse=True)
def _no_autoload(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    # On CI (CI or BUILD_NUMBER set) pytest prints whole messages in the short summary too:
    # the inner runs print as on a developer's machine, so the counts below hold everywhere.
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("BUILD_NUMBER", raising=False)


def run(
    pytester: pytest.Pytester, source: str, *args: str, ini: str = INI, load: tuple[str, ...] = PLUGIN
) -> pytest.RunResult:
    pytester.makeini(ini)
    pytester.makepyfile(test_it=source)
    return pytester.runpytest("-p", "no:cacheprovider", *load, *args)


LEAKY = """
import asyncio
from asyncfakes import FakeConnection
from asyncfakes.asyncpg import FakePool

async def take(pool):
    return await pool.acquire()

def test_leaky():
    conn = FakeConnection()
    conn.fetch_val.returns_once(1)
    pool = FakePool()
    pool.connection.fetch.returns_once([])
    asyncio.run(take(pool))
"""


def test_every_fake_of_the_test_is_verified_into_one_failure(pytester: pytest.Pytester) -> None:
    """A connection and a pool left with problems fail the test once, at teardown, with both reports."""
    result = run(pytester, LEAKY)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ExpectationsNotMet: 2 fake(s) created during this test have problems (verified automatically*",
            "*<FakeConnection open, 0 calls>:",
            "*1. conn.fetch_val: a one-shot answer was never used (returns 1).",
            "*<asyncfakes.asyncpg.FakePool open, 1/10 in use>:",
            "*1. conn.fetch: a one-shot answer was never used (returns []).",
            "*2. acquired connection #0 was never released*",
        ]
    )
    # The pool's connections are reported by the pool, not once more on their own.
    assert 2 == result.stdout.str().count("problem(s) found by verify()")


def test_a_test_that_uses_its_fakes_well_passes(pytester: pytest.Pytester) -> None:
    """Fakes without problems, in the test and in a fixture, let the test pass."""
    result = run(
        pytester,
        """
import asyncio
from pathlib import Path

import pytest
from asyncfakes import FakeConnection

@pytest.fixture
def conn():
    return FakeConnection()

def test_ok(conn, fake_connection):
    conn.fetch_val.returns_once(1)
    assert asyncio.run(conn.fetch_val("SELECT 1")) == 1
""",
    )
    result.assert_outcomes(passed=1)


def test_a_fixtures_fake_is_verified_with_the_test(pytester: pytest.Pytester) -> None:
    """A fake made by a function-scoped fixture belongs to the test; the fixture's teardown runs first."""
    result = run(
        pytester,
        """
import asyncio
from pathlib import Path

import pytest
from asyncfakes.asyncpg import FakePool

HELD = []

async def take(pool):
    HELD.append(await pool.acquire())

@pytest.fixture
def pool():
    pool = FakePool()
    yield pool
    asyncio.run(pool.release(HELD.pop()))  # teardown cleans up before verification

@pytest.fixture
def leaky(fake_connection):
    fake_connection.fetch.returns_once([])
    return fake_connection

def test_cleaned_up(pool):
    asyncio.run(take(pool))

def test_leaky(leaky):
    pass
""",
    )
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_leaky*", "*one-shot answer was never used*"])


def test_quiet_when_the_test_already_failed(pytester: pytest.Pytester) -> None:
    """A failed or xfailed test gets no second, confusing error at teardown."""
    result = run(
        pytester,
        LEAKY
        + """
    assert False, "the real failure"

from pathlib import Path

import pytest

@pytest.mark.xfail(reason="known")
def test_xfailed():
    test_leaky()
""",
    )
    result.assert_outcomes(failed=1, xfailed=1)
    assert "ExpectationsNotMet" not in result.stdout.str()


def test_the_marker_and_the_ini_option_turn_it_off(pytester: pytest.Pytester) -> None:
    """@pytest.mark.asyncfakes(verify=False) turns it off for a test, asyncfakes_verify = false for all."""
    marked = LEAKY.replace(
        "def test_leaky", "import pytest\n@pytest.mark.asyncfakes(verify=False)\ndef test_leaky"
    )
    result = run(pytester, marked)
    result.assert_outcomes(passed=1)
    result = run(pytester, LEAKY, ini=INI + "asyncfakes_verify = false\n")
    result.assert_outcomes(passed=1)
    result = run(
        pytester, marked.replace("verify=False", "verify=True"), ini=INI + "asyncfakes_verify = false\n"
    )
    result.assert_outcomes(passed=1, errors=1)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            "asyncfakes(False)",
            "*@pytest.mark.asyncfakes takes only the keywords ordered, strict, verify; got False.*",
        ),
        (
            "asyncfakes(verfy=False)",
            "*@pytest.mark.asyncfakes takes only the keywords ordered, strict, verify; got verfy=.*",
        ),
        ("asyncfakes(verify='no')", "*@pytest.mark.asyncfakes(verify=...) takes True or False, got 'no'.*"),
    ],
)
def test_a_wrong_marker_is_an_error_at_setup(pytester: pytest.Pytester, marker: str, message: str) -> None:
    """Arguments the marker does not take are refused when the test is set up, saying what it takes."""
    result = run(pytester, f"import pytest\n\n@pytest.mark.{marker}\ndef test_it():\n    pass\n")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([message])


def test_a_fake_collected_during_the_test_is_still_reported(pytester: pytest.Pytester) -> None:
    """A fake garbage-collected before teardown with problems is reported with the others, not warned."""
    result = run(
        pytester,
        """
import gc
from asyncfakes import FakeConnection

def test_dropped():
    conn = FakeConnection()
    conn.fetch.returns_once([])
    del conn
    gc.collect()
""",
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*<FakeConnection open, 0 calls> (garbage-collected before the end):",
            "*one-shot answer was never used*",
        ]
    )


def test_fakes_of_broader_fixtures_are_verified_when_the_fixture_ends(pytester: pytest.Pytester) -> None:
    """A module-scoped fixture's fake is not verified per test, but when the fixture is torn down."""
    result = run(
        pytester,
        """
import asyncio
from pathlib import Path

import pytest
from asyncfakes import FakeConnection

AT_IMPORT = FakeConnection()
AT_IMPORT.fetch.returns_once([])  # made at import time: never verified by the plugin

@pytest.fixture(scope="module")
def shared():
    conn = FakeConnection()
    conn.fetch_val.returns_once(1).returns_once(2)
    return conn

def test_first(shared):
    assert asyncio.run(shared.fetch_val("SELECT 1")) == 1

def test_second(shared):
    pass
""",
    )
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_second*",
            "*1 fake(s) created during the fixture 'shared' have problems*",
            "*conn.fetch_val: a one-shot answer was never used (returns 2).",
        ]
    )


def test_no_state_leaks_between_tests(pytester: pytest.Pytester) -> None:
    """Each test verifies only its own fakes, whatever ran before it, with or without xdist."""
    source = """
from pathlib import Path

import pytest
from asyncfakes import FakeConnection

@pytest.mark.asyncfakes(verify=False)
def test_a():
    FakeConnection().fetch.returns_once([])

def test_b():
    FakeConnection()
"""
    run(pytester, source).assert_outcomes(passed=2)
    run(pytester, source, "-p", "xdist", "-n", "2").assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("how", "conftest", "args"),
    [
        ("entry point", "", ()),
        ("-p", "", ("-p", "asyncfakes.pytest_plugin")),
        ("pytest_plugins", 'pytest_plugins = ["asyncfakes.pytest_plugin"]\n', ()),
    ],
)
@pytest.mark.parametrize("autoload", [True, False])
def test_it_loads_once_however_it_is_named(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
    conftest: str,
    args: tuple[str, ...],
    autoload: bool,
) -> None:
    """By entry point, -p or pytest_plugins, alone or with the entry point also active: loaded once."""
    if autoload:
        monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    if conftest:
        pytester.makeconftest(conftest)
    result = run(pytester, LEAKY, "-p", "no:randomly", "-p", "no:asyncio", *args, load=())
    if how == "entry point" and not autoload:
        result.assert_outcomes(passed=1)  # not loaded at all
    else:
        result.assert_outcomes(passed=1, errors=1)
        assert 1 == result.stdout.str().count("2 fake(s) created during this test have problems")


FIXTURES = """
import asyncfakes
import asyncfakes.asyncpg
import asyncfakes.psqlpy
import asyncfakes.psycopg
import asyncpg
import psqlpy
import psycopg
import psycopg_pool
from pathlib import Path

import pytest

EXPECTED = {
    "fake_connection": asyncfakes.FakeConnection,
    "asyncpg_connection": asyncfakes.asyncpg.FakeConnection,
    "asyncpg_pool": asyncfakes.asyncpg.FakePool,
    "psqlpy_connection": asyncfakes.psqlpy.FakeConnection,
    "psqlpy_pool": asyncfakes.psqlpy.FakeConnectionPool,
    "asyncpg_patch": asyncfakes.asyncpg.AsyncpgPatch,
    "psqlpy_patch": asyncfakes.psqlpy.PsqlpyPatch,
    "psycopg_connection": asyncfakes.psycopg.FakeAsyncConnection,
    "psycopg_pool": asyncfakes.psycopg.FakeAsyncConnectionPool,
    "psycopg_patch": asyncfakes.psycopg.PsycopgPatch,
}

@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_types(request, name):
    assert type(request.getfixturevalue(name)) is EXPECTED[name]

def strictness(request):
    conn = request.getfixturevalue("fake_connection")
    pool = request.getfixturevalue("asyncpg_pool")
    patch = request.getfixturevalue("psqlpy_patch")
    pg_pool = request.getfixturevalue("psycopg_pool")
    pg_patch = request.getfixturevalue("psycopg_patch")
    return [
        conn.strict,
        pool.connection.strict,
        patch.pool.script.strict,
        pg_pool.script.strict and pg_patch.connection.strict and pg_patch.pool.script.strict,
        conn._script.ordered,
    ]

def test_defaults(request):
    assert [False, False, False, False, False] == strictness(request)

@pytest.mark.asyncfakes(strict=True, ordered=True)
def test_marker(request):
    assert [True, True, True, True, True] == strictness(request)

def test_patches_are_active_during_the_test(asyncpg_patch, psqlpy_patch, psycopg_patch):
    assert asyncpg.connect is not asyncpg_patch.__class__ and "asyncpg.connect" in asyncpg_patch.patched
    assert isinstance(psqlpy.connect_pool(), asyncfakes.psqlpy.FakeConnectionPool)
    assert psycopg_patch.pool is psycopg_pool.AsyncConnectionPool("dbname=app", open=False)

async def use_the_pool(pool):
    async with pool.connection() as conn:
        await conn.execute("SELECT 1")

def test_the_psycopg_pool_fixture_is_open(psycopg_pool):
    import asyncio

    psycopg_pool.script.execute.returns([{"one": 1}])
    asyncio.run(use_the_pool(psycopg_pool))
    assert ["SELECT 1"] == psycopg_pool.script.execute.calls.sql
"""


def test_fixtures_give_the_flavours_fakes_with_the_tests_settings(pytester: pytest.Pytester) -> None:
    """Each fixture gives its fake; strict= and ordered= come from the marker, else the ini options."""
    run(pytester, FIXTURES).assert_outcomes(passed=14)
    result = run(
        pytester,
        FIXTURES.replace("[False, False, False, False, False] ==", "[True, True, True, True, False] =="),
        ini=INI + "asyncfakes_strict = true\n",
    )
    result.assert_outcomes(passed=14)


def test_a_wrong_setting_in_the_marker_is_refused(pytester: pytest.Pytester) -> None:
    """strict= and ordered= take booleans."""
    result = run(
        pytester,
        "import pytest\n\n@pytest.mark.asyncfakes(strict=1)\ndef test_it(fake_connection):\n    pass\n",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.asyncfakes(strict=...) takes True or False, got 1.*"])


def test_a_patch_fixture_is_undone_and_verified_when_the_test_ends(pytester: pytest.Pytester) -> None:
    """The patch fixtures restore the driver after the test; their fakes are verified with the test's."""
    result = run(
        pytester,
        """
import asyncio
import asyncpg

REAL = asyncpg.connect

def test_leaves_a_problem(asyncpg_patch):
    assert asyncpg.connect is not REAL
    asyncpg_patch.connection.fetch.returns_once([])

def test_restored():
    assert asyncpg.connect is REAL
""",
    )
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*<AsyncpgPatch*", "*1. conn.fetch: a one-shot answer was never used (returns []).*"]
    )


EXAMPLE = Path(__file__).parent.parent / "examples" / "pytest_plugin"


def test_the_plugin_example_passes(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """examples/pytest_plugin (the README's plugin snippet) passes with the plugin loaded by its entry point."""
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    for path in sorted(EXAMPLE.glob("*.py")):
        pytester.makepyfile(**{path.stem: path.read_text()})
    pytester.makeini(INI)
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:asyncio", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
