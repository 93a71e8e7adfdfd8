"""The public surface: __all__, docstrings, the lazy version, light imports, caller-facing tracebacks."""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import subprocess
import sys

import pytest

import asyncfakes

PUBLIC_MODULES = ["asyncfakes"]


def test_all_is_sorted_and_resolves() -> None:
    """__all__ is sorted and every name in it exists."""
    assert sorted(asyncfakes.__all__) == asyncfakes.__all__
    for name in asyncfakes.__all__:
        assert hasattr(asyncfakes, name), name


def test_every_public_name_is_exported() -> None:
    """Nothing public is defined in the package namespace without being in __all__."""
    public = {
        n for n in vars(asyncfakes) if not n.startswith("_") and not inspect.ismodule(getattr(asyncfakes, n))
    }
    public -= {"annotations"}
    assert public == set(asyncfakes.__all__)


@pytest.mark.parametrize("name", asyncfakes.__all__)
def test_every_public_name_has_a_docstring(name: str) -> None:
    """Each exported class and function has a docstring, and so do their public methods."""
    obj = getattr(asyncfakes, name)
    if not (inspect.isclass(obj) or inspect.isfunction(obj)):
        return  # constants and type aliases are documented in the module
    assert obj.__doc__, name
    if inspect.isclass(obj):
        for attr, value in vars(obj).items():
            if attr.startswith("_") or not (inspect.isfunction(value) or isinstance(value, property)):
                continue
            assert value.__doc__, f"{name}.{attr}"


def test_version_is_lazy_and_matches_metadata() -> None:
    """__version__ comes from the installed metadata; other unknown names raise AttributeError."""
    assert importlib.metadata.version("asyncfakes") == asyncfakes.__version__
    with pytest.raises(AttributeError, match="module 'asyncfakes' has no attribute 'nope'"):
        asyncfakes.nope  # noqa: B018


def test_import_is_light() -> None:
    """Importing asyncfakes loads neither pytest, unittest.mock, asyncio, trio, inspect nor SQLAlchemy."""
    code = (
        "import sys, asyncfakes; "
        "print(','.join(m for m in ('pytest', 'unittest.mock', 'asyncio', 'trio', 'inspect', 'dataclasses', 'sqlalchemy') "
        "if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "" == result.stdout.strip()


def test_assertion_failures_point_at_the_callers_frame() -> None:
    """Assertion helpers hide their own frames, so pytest shows the test's line."""
    conn = asyncfakes.FakeConnection()
    with pytest.raises(AssertionError) as excinfo:
        conn.fetch.assert_awaited()
    frames = [entry for entry in excinfo.traceback if not entry.ishidden(excinfo)]
    assert __file__ == str(frames[-1].path)
