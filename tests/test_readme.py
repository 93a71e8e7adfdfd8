"""Every Python block of the README runs (or, marked ``<!-- fragment -->``, at least compiles).

A complete block is executed in a fresh namespace; the ``async def test_*`` functions it defines
are then awaited, so the README's examples are tests too and cannot rot. A block that is a
fragment of a larger program (it uses names defined elsewhere) is marked with an HTML comment
``<!-- fragment -->`` on the line before it, and is only compiled, top-level ``await`` allowed.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^(?P<marker><!-- fragment -->\n)?```python\n(?P<code>.*?)^```$", re.M | re.S)


def blocks() -> list[tuple[int, bool, str]]:
    """Return (line, is_fragment, code) for every ```python block of the README."""
    text = README.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, m.start("code")) + 1, bool(m.group("marker")), m.group("code"))
        for m in FENCE.finditer(text)
    ]


def test_the_readme_has_python_blocks_and_marks_fragments_explicitly() -> None:
    found = blocks()
    assert found, "the README has no ```python block"
    assert any(not fragment for _, fragment, _ in found), "at least one README block must be runnable"
    text = README.read_text(encoding="utf-8")
    assert text.count("```python") == len(found)  # no block escapes the pattern above


@pytest.mark.parametrize(("line", "fragment", "code"), blocks(), ids=[f"line {b[0]}" for b in blocks()])
def test_readme_block(line: int, fragment: bool, code: str) -> None:
    compiled = compile(code, f"README.md:{line}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    if fragment:
        return
    namespace: dict[str, Any] = {"__name__": f"readme_line_{line}"}
    exec(compiled, namespace)
    tests = [
        value
        for name, value in namespace.items()
        if name.startswith("test_") and inspect.iscoroutinefunction(value)
    ]
    for test in tests:
        asyncio.run(test())


def test_readme_links_are_absolute_so_they_work_on_the_package_index() -> None:
    readme = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", readme)
    relative = [t for t in targets if not t.startswith(("https://", "http://", "#", "mailto:"))]
    assert [] == relative
