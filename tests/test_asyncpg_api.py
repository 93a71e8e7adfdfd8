"""The asyncpg flavour's public surface, and that it is built on the public asyncfakes API only."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import asyncfakes.asyncpg as flavour

PACKAGE = Path(flavour.__file__).parent


def test_all_is_sorted_complete_and_resolves() -> None:
    """__all__ is sorted, every name exists, and nothing public is left out."""
    assert sorted(flavour.__all__) == flavour.__all__
    public = {
        name
        for name in vars(flavour)
        if not name.startswith("_") and not inspect.ismodule(getattr(flavour, name))
    }
    assert public - {"annotations"} == set(flavour.__all__)


@pytest.mark.parametrize("name", flavour.__all__)
def test_every_public_name_has_a_docstring(name: str) -> None:
    """Each exported class and function, and their public methods and properties, are documented."""
    obj = getattr(flavour, name)
    assert obj.__doc__, name
    if inspect.isclass(obj):
        for attr, value in vars(obj).items():
            if not attr.startswith("_") and (inspect.isfunction(value) or isinstance(value, property)):
                assert value.__doc__, f"{name}.{attr}"


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for flavour_dir in PACKAGE.parent.iterdir()
        if flavour_dir.is_dir()
        for p in flavour_dir.glob("*.py")
    ),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_modules_import_only_the_public_core_and_stay_small(path: Path) -> None:
    """The flavour proves the extension API: no `asyncfakes._x` imports; each module < 400 lines."""
    tree = ast.parse(path.read_text())
    imported = [
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 0
    ]
    imported += [
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    ]
    # Neither the core's private modules nor another flavour's: only public names.
    assert [] == [name for name in imported if name and name.startswith("asyncfakes.") and "._" in name]
    assert len(path.read_text().splitlines()) < 400


def test_importing_the_flavour_is_light() -> None:
    """`import asyncfakes.asyncpg` loads neither asyncpg, asyncio, trio nor pytest."""
    code = (
        "import sys, asyncfakes.asyncpg; "
        "print(','.join(m for m in ('asyncpg', 'asyncio', 'trio', 'pytest') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "" == result.stdout.strip()
