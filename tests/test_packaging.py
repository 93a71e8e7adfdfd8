"""The package's metadata says what is tested: Pythons in CI, the pytest plugin, where to read more."""

from __future__ import annotations

import importlib.metadata
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ci_pythons() -> set[str]:
    """The Pythons .ci/run tests on: the default interpreter's and the loop's."""
    loop = re.search(r"^for version in ([\d. ]+); do$", (ROOT / ".ci" / "run").read_text(), re.M)
    assert loop, ".ci/run has no 'for version in ...' loop"
    return set(loop.group(1).split()) | {f"{sys.version_info.major}.{sys.version_info.minor}"}


def test_classifiers_name_every_python_ci_runs_and_the_pytest_plugin() -> None:
    metadata = importlib.metadata.metadata("asyncfakes")
    classifiers = set(metadata.get_all("Classifier") or [])
    declared = {
        c.rsplit(" :: ", 1)[1]
        for c in classifiers
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    }
    assert ci_pythons() <= declared
    assert "Framework :: Pytest" in classifiers
    assert f">={min(declared, key=lambda v: tuple(map(int, v.split('.'))))}" == metadata["Requires-Python"]


def test_project_urls_and_keywords() -> None:
    metadata = importlib.metadata.metadata("asyncfakes")
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL") or [])
    assert {"Documentation", "Source", "Changelog", "Issues"} <= set(urls)
    assert all(url.startswith("https://") for url in urls.values())
    assert "pytest" in (metadata["Keywords"] or "")
