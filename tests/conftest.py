"""Shared fixtures: every async test runs on asyncio and on trio, through anyio's pytest plugin."""

from __future__ import annotations

import importlib.util

import pytest
from hypothesis import settings

import asyncfakes.pytest_plugin

# Property tests check what holds, not how fast: a loaded CI machine must not fail them on
# Hypothesis's per-example deadline (200 ms by default; 678 ms was seen under load).
settings.register_profile("asyncfakes", deadline=None)
settings.load_profile("asyncfakes")


def pytest_configure(config: pytest.Config) -> None:
    """Register asyncfakes' plugin now that coverage runs (its entry point is blocked in pyproject)."""
    config.pluginmanager.register(asyncfakes.pytest_plugin, "asyncfakes-own-suite")


BACKENDS = [pytest.param("asyncio", id="asyncio")]
if importlib.util.find_spec("trio"):
    BACKENDS.append(pytest.param("trio", id="trio"))


@pytest.fixture(params=BACKENDS)
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Run each ``@pytest.mark.anyio`` test once per installed async library."""
    backend: str = request.param
    return backend
