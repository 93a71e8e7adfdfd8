"""Every script in examples/ runs and passes, in-process so coverage counts it."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("[0-9]*.py"))
# Examples that show verify() catching mistakes leave fakes with problems on purpose.
SHOWS_PROBLEMS = {"05_expectations.py", "12_asyncpg_pool.py"}


def test_examples_exist() -> None:
    """The examples folder is found, so the parametrised test below cannot pass empty."""
    assert len(EXAMPLES) >= 1


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, marks=pytest.mark.asyncfakes(verify=False)) if p.name in SHOWS_PROBLEMS else p
        for p in EXAMPLES
    ],
    ids=lambda p: p.name,
)
def test_example_runs(path: Path) -> None:
    """The example exits without an AssertionError."""
    runpy.run_path(str(path), run_name="__main__")
