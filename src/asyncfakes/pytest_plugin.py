"""The pytest plugin: each fake made during a test is verified when it ends. The only module importing pytest.

Installed with asyncfakes and loaded by its ``pytest11`` entry point (``-p
asyncfakes.pytest_plugin`` and ``pytest_plugins = ["asyncfakes.pytest_plugin"]`` work too, and
load it once). Each fake (connection, pool) created while a test runs, in the test or in its
function-scoped fixtures, is verified at teardown, and all their reports make one failure, unless
the test already failed. A fake made by a module- or session-scoped fixture is verified when that
fixture is torn down; a fake made at import time is not verified by the plugin.

Turn it off for one test with ``@pytest.mark.asyncfakes(verify=False)``, for a run with the ini
option ``asyncfakes_verify = false``.

Fixtures, each typed with the fake's own class: ``fake_connection``, ``asyncpg_connection``,
``asyncpg_pool``, ``psqlpy_connection``, ``psqlpy_pool``, ``psycopg_connection``,
``psycopg_pool``, and the patch helpers ``asyncpg_patch``, ``psqlpy_patch`` and ``psycopg_patch``.
``@pytest.mark.asyncfakes(strict=True, ordered=True)``
or the ini options ``asyncfakes_strict`` / ``asyncfakes_ordered`` set their fakes' modes.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

import pytest

from ._generic import FakeConnection
from ._patching import DriverPatch
from ._registry import Scope, open_scope

if TYPE_CHECKING:
    import asyncfakes.asyncpg
    import asyncfakes.psqlpy
    import asyncfakes.psycopg

__all__ = [
    "asyncpg_connection",
    "asyncpg_patch",
    "asyncpg_pool",
    "fake_connection",
    "psqlpy_connection",
    "psqlpy_patch",
    "psqlpy_pool",
    "psycopg_connection",
    "psycopg_patch",
    "psycopg_pool",
]

_MARKER = "asyncfakes"
_MARKER_OPTIONS = ("ordered", "strict", "verify")
_P = TypeVar("_P", bound="DriverPatch[Any, Any]")
_HINT = (
    " (verified automatically when the test ended; where problems are the point of the test, "
    "mark it @pytest.mark.asyncfakes(verify=False), or set asyncfakes_verify = false in the ini file "
    "to turn this off everywhere)"
)
_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ini options."""
    parser.addini(
        "asyncfakes_verify",
        type="bool",
        default=True,
        help="asyncfakes: verify every fake created during a test when it ends (default: true).",
    )
    parser.addini(
        "asyncfakes_strict",
        type="bool",
        default=False,
        help="asyncfakes: the fixtures' fakes refuse unscripted calls (default: false).",
    )
    parser.addini(
        "asyncfakes_ordered",
        type="bool",
        default=False,
        help="asyncfakes: the fixtures' fakes need expectations met in order (default: false).",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker."""
    config.addinivalue_line(
        "markers",
        "asyncfakes(verify=True, strict=False, ordered=False): asyncfakes settings for this test; "
        "verify=False leaves its fakes unverified, strict and ordered apply to the fixtures' fakes.",
    )


def _marker_options(node: Any) -> dict[str, Any]:  # a test item (function-scoped fixtures' node)
    marker = node.get_closest_marker(_MARKER)
    if marker is None:
        return {}
    unknown = sorted(set(marker.kwargs) - set(_MARKER_OPTIONS))
    if marker.args or unknown:
        got = [repr(arg) for arg in marker.args] + [f"{name}=" for name in unknown]
        msg = (
            f"@pytest.mark.asyncfakes takes only the keywords {', '.join(_MARKER_OPTIONS)}; got "
            f"{', '.join(got)}. Example: @pytest.mark.asyncfakes(verify=False)."
        )
        raise pytest.UsageError(msg)
    return dict(marker.kwargs)


def _setting(config: pytest.Config, options: dict[str, Any], name: str) -> bool:
    value = options.get(name, config.getini(f"asyncfakes_{name}"))
    if not isinstance(value, bool):
        msg = f"@pytest.mark.asyncfakes({name}=...) takes True or False, got {value!r}."
        raise pytest.UsageError(msg)
    return value


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """Remember each phase's report, so teardown knows whether the test already failed."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    item.stash.setdefault(_reports, {})[report.when] = report


def _already_failed(item: pytest.Item) -> bool:
    reports = item.stash.get(_reports, None) or {}
    return any(report.failed or hasattr(report, "wasxfail") for report in reports.values())


@pytest.fixture(autouse=True)
def _asyncfakes_autoverify(request: pytest.FixtureRequest) -> Iterator[None]:
    """Collect the fakes created during the test, and verify them all when it ends."""
    __tracebackhide__ = True
    item: pytest.Item = request.node
    wanted = _setting(request.config, _marker_options(item), "verify")
    scope = open_scope()
    try:
        yield
    finally:
        if wanted and not _already_failed(item):
            scope.verify("this test", _HINT)
        else:
            scope.dismiss()


def _verify_fixture_scope(scope: Scope, fixture: str) -> None:
    __tracebackhide__ = True
    scope.verify(f"the fixture {fixture!r}", _HINT)


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
) -> Iterator[None]:
    """Fakes made by a fixture broader than a test are verified when that fixture is torn down."""
    if fixturedef.scope == "function" or not request.config.getini("asyncfakes_verify"):
        yield
        return
    scope = open_scope()
    # Added before the fixture runs, so it runs after the fixture's own teardown.
    fixturedef.addfinalizer(lambda: _verify_fixture_scope(scope, fixturedef.argname))
    try:
        yield
    finally:
        scope.close()


# --- fixtures: typed with the fakes' own classes ---------------------------------------------
class _Settings(TypedDict):
    strict: bool
    ordered: bool


def _settings(request: pytest.FixtureRequest) -> _Settings:
    """``strict`` and ``ordered`` for a fixture's fakes: the test's marker, else the ini options."""
    options = _marker_options(request.node)
    return _Settings(
        strict=_setting(request.config, options, "strict"),
        ordered=_setting(request.config, options, "ordered"),
    )


@pytest.fixture
def fake_connection(request: pytest.FixtureRequest) -> FakeConnection:
    """A generic :class:`asyncfakes.FakeConnection`, verified when the test ends."""
    return FakeConnection(**_settings(request))


@pytest.fixture
def asyncpg_connection(request: pytest.FixtureRequest) -> asyncfakes.asyncpg.FakeConnection:
    """An :class:`asyncfakes.asyncpg.FakeConnection`, verified when the test ends."""
    from asyncfakes.asyncpg import FakeConnection as AsyncpgConnection

    return AsyncpgConnection(**_settings(request))


@pytest.fixture
def asyncpg_pool(request: pytest.FixtureRequest) -> asyncfakes.asyncpg.FakePool:
    """An :class:`asyncfakes.asyncpg.FakePool` (one shared script), verified when the test ends."""
    from asyncfakes.asyncpg import FakePool

    return FakePool(**_settings(request))


@pytest.fixture
def psqlpy_connection(request: pytest.FixtureRequest) -> asyncfakes.psqlpy.FakeConnection:
    """An :class:`asyncfakes.psqlpy.FakeConnection`, verified when the test ends."""
    from asyncfakes.psqlpy import FakeConnection as PsqlpyConnection

    return PsqlpyConnection(**_settings(request))


@pytest.fixture
def psqlpy_pool(request: pytest.FixtureRequest) -> asyncfakes.psqlpy.FakeConnectionPool:
    """An :class:`asyncfakes.psqlpy.FakeConnectionPool` (one shared script), verified when the test ends."""
    from asyncfakes.psqlpy import FakeConnectionPool

    return FakeConnectionPool(**_settings(request))


@pytest.fixture
def psycopg_connection(request: pytest.FixtureRequest) -> asyncfakes.psycopg.FakeAsyncConnection:
    """An :class:`asyncfakes.psycopg.FakeAsyncConnection`, verified when the test ends."""
    from asyncfakes.psycopg import FakeAsyncConnection

    return FakeAsyncConnection(**_settings(request))


@pytest.fixture
def psycopg_pool(request: pytest.FixtureRequest) -> asyncfakes.psycopg.FakeAsyncConnectionPool:
    """An open :class:`asyncfakes.psycopg.FakeAsyncConnectionPool` (one shared script), verified after."""
    from asyncfakes.psycopg import FakeAsyncConnectionPool

    pool = FakeAsyncConnectionPool(open=False, **_settings(request))
    pool._do_open()  # open, without psycopg_pool's warning for a pool opened by its constructor
    return pool


def _active(patch: _P) -> Iterator[_P]:
    # Not verified here: the patch was made during the test, so the test's scope verifies it.
    patch.start()
    try:
        yield patch
    finally:
        patch.stop()


@pytest.fixture
def asyncpg_patch(request: pytest.FixtureRequest) -> Iterator[asyncfakes.asyncpg.AsyncpgPatch]:
    """``asyncpg.connect`` and ``create_pool`` patched during the test (``patch_asyncpg()``)."""
    from asyncfakes.asyncpg import patch_asyncpg

    yield from _active(patch_asyncpg(**_settings(request)))


@pytest.fixture
def psqlpy_patch(request: pytest.FixtureRequest) -> Iterator[asyncfakes.psqlpy.PsqlpyPatch]:
    """Psqlpy's ``connect``, ``connect_pool`` and ``ConnectionPool`` patched during the test."""
    from asyncfakes.psqlpy import patch_psqlpy

    yield from _active(patch_psqlpy(**_settings(request)))


@pytest.fixture
def psycopg_patch(request: pytest.FixtureRequest) -> Iterator[asyncfakes.psycopg.PsycopgPatch]:
    """``psycopg.AsyncConnection.connect`` and psycopg_pool's two async pool classes patched for the test.

    ``AsyncConnectionPool(...)`` gives ``psycopg_patch.pool``, ``AsyncNullConnectionPool(...)``
    ``psycopg_patch.null_pool``.
    """
    from asyncfakes.psycopg import patch_psycopg

    yield from _active(patch_psycopg(**_settings(request)))
