"""The pytest plugin: each fake made during a test is verified when it ends. The only module importing pytest.

Installed with asyncfakes and loaded by its ``pytest11`` entry point (``-p
asyncfakes.pytest_plugin`` and ``pytest_plugins = ["asyncfakes.pytest_plugin"]`` work too, and
load it once). Each fake (connection, pool) created while a test runs, in the test or in its
function-scoped fixtures, is verified at teardown, and all their reports make one failure, unless
the test already failed. A fake made by a module- or session-scoped fixture is verified when that
fixture is torn down; a fake made at import time is not verified by the plugin.

Turn it off for one test with ``@pytest.mark.asyncfakes(verify=False)``, for a run with the ini
option ``asyncfakes_verify = false``.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest

from ._connection import FakeConnection
from ._registry import Scope, open_scope

__all__ = ["fake_connection"]

_MARKER = "asyncfakes"
_MARKER_OPTIONS = ("verify",)
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


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker."""
    config.addinivalue_line(
        "markers",
        "asyncfakes(verify=True): asyncfakes settings for this test; verify=False leaves the fakes "
        "created during it unverified.",
    )


def _marker_options(node: pytest.Item) -> dict[str, Any]:
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


def _verifies(config: pytest.Config, options: dict[str, Any]) -> bool:
    wanted = options.get("verify", config.getini("asyncfakes_verify"))
    if not isinstance(wanted, bool):
        msg = f"@pytest.mark.asyncfakes(verify=...) takes True or False, got {wanted!r}."
        raise pytest.UsageError(msg)
    return wanted


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """Remember each phase's report, so teardown knows whether the test already failed."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    item.stash.setdefault(_reports, {})[report.when] = report


def _already_failed(item: pytest.Item) -> bool:
    reports = item.stash.get(_reports, {})
    return any(report.failed or hasattr(report, "wasxfail") for report in reports.values())


@pytest.fixture(autouse=True)
def _asyncfakes_autoverify(request: pytest.FixtureRequest) -> Iterator[None]:
    """Collect the fakes created during the test, and verify them all when it ends."""
    __tracebackhide__ = True
    item: pytest.Item = request.node
    wanted = _verifies(request.config, _marker_options(item))
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


@pytest.fixture
def fake_connection() -> FakeConnection:
    """A generic :class:`FakeConnection`, verified when the test ends."""
    return FakeConnection()
