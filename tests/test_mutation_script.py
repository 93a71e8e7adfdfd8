"""scripts/mutation.py: which mutants it makes, how it names and applies them, how it reads exclusions."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "mutation.py"


@pytest.fixture(scope="module")
def mutation() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("mutation_script", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["mutation_script"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


SAMPLE = '''\
"""Module docstring."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import os

__all__ = ["f"]


class K:
    """Class docstring."""

    __slots__ = ("a",)
    LIMIT: int = 3

    def f(self, x: int, y: str = "d") -> bool:
        """Function docstring."""
        if x == 1 and not y:
            return x + 1 > 2
        print(x, *y, k=y)
        for _ in y:
            break
        return True
'''


def changes(mutation: types.ModuleType, tmp_path: Path, source: str = SAMPLE) -> list[str]:
    path = tmp_path / "sample.py"
    path.write_text(source)
    return [
        f"{m.line} {m.scope} {m.where}: {m.old} -> {m.new}"
        for m in mutation.collect_mutants(path, "sample.py")
    ]


def test_it_makes_one_mutant_per_change_and_skips_what_cannot_matter(
    mutation: types.ModuleType, tmp_path: Path
) -> None:
    """Docstrings, TYPE_CHECKING, __all__, __slots__ and annotations are left alone."""
    assert [
        "16 K other: 3 -> 4",
        "18 K defaults: \"d\" -> 'XXdXX'",
        "20 K.f body: x == 1 and not y -> x == 1 or not y",
        "20 K.f body: x == 1 -> x != 1",
        "20 K.f body: 1 -> 2",
        "20 K.f body: not y -> y",
        "21 K.f body: x + 1 > 2 -> None",
        "21 K.f body: x + 1 > 2 -> x + 1 >= 2",
        "21 K.f body: x + 1 -> x - 1",
        "21 K.f body: 1 -> 2",
        "21 K.f body: 2 -> 3",
        "22 K.f body: print(x, *y, k=y) -> pass",
        "22 K.f body: x -> None",
        "22 K.f body: *y -> *()",
        "22 K.f body: k=y -> None",
        "24 K.f body: break -> continue",
        "25 K.f body: True -> None",
        "25 K.f body: True -> False",
    ] == changes(mutation, tmp_path)


def test_ids_name_the_change_not_the_line(mutation: types.ModuleType, tmp_path: Path) -> None:
    """Lines added above a mutant leave its id unchanged; a repeated change is numbered."""
    first = tmp_path / "a.py"
    first.write_text("def f(x):\n    return x + 1 + 1\n")
    second = tmp_path / "b.py"
    second.write_text("import os\n\n\ndef f(x):\n    return x + 1 + 1\n")

    ids_a = [m.ident.replace("a.py", "m.py") for m in mutation.collect_mutants(first, "a.py")]
    ids_b = [m.ident.replace("b.py", "m.py") for m in mutation.collect_mutants(second, "b.py")]

    assert ids_a == ids_b
    assert "m.py::f: `1` -> `2` #2" in ids_a


def test_a_mutant_replaces_exactly_its_span(mutation: types.ModuleType, tmp_path: Path) -> None:
    """apply() splices the change into the source bytes, non-ASCII text before it included."""
    path = tmp_path / "m.py"
    path.write_text('def f(x):\n    s = "é"\n    return x < 2 and s\n')
    by_change = {f"{m.old} -> {m.new}": m for m in mutation.collect_mutants(path, "m.py")}

    mutated = by_change["x < 2 -> x <= 2"].apply(path.read_bytes()).decode()

    assert 'def f(x):\n    s = "é"\n    return ((x) <= (2)) and s\n' == mutated


def test_in_place_patching_changes_the_function_not_its_identity(
    mutation: types.ModuleType, tmp_path: Path
) -> None:
    """The live function object gets the mutant's code: every reference to it sees the change."""
    source = "class K:\n    @property\n    def p(self):\n        return 1 + 1\n\ndef g():\n    return 2\n"
    path = tmp_path / "live.py"
    path.write_text(source)
    module = types.ModuleType("live")
    exec(compile(source, str(path), "exec"), module.__dict__)
    getter = module.K.__dict__["p"].fget
    mutant = next(m for m in mutation.collect_mutants(path, "live.py") if m.new == "1 - 1")

    mutation.apply_in_place(module, path, mutant.apply(source.encode()), mutant.function)

    assert 0 == module.K().p
    assert getter is module.K.__dict__["p"].fget
    assert 2 == module.g()
    with pytest.raises(mutation.Unpatchable):
        mutation.apply_in_place(module, path, source.encode(), "missing")


def test_in_place_patching_refuses_a_different_closure(mutation: types.ModuleType, tmp_path: Path) -> None:
    """Code whose free variables differ cannot be patched in; the mutant is re-imported instead."""
    source = "class K:\n    def f(self):\n        return super().__repr__()\n"
    changed = "class K:\n    def f(self):\n        return None\n"
    path = tmp_path / "c.py"
    path.write_text(source)
    module = types.ModuleType("c")
    exec(compile(source, str(path), "exec"), module.__dict__)

    with pytest.raises(mutation.Unpatchable):
        mutation.apply_in_place(module, path, changed.encode(), "K.f")


def test_exclusions_need_a_reason_and_are_listed_once(mutation: types.ModuleType, tmp_path: Path) -> None:
    """Each excluded id is followed by its indented reason; no reason or a repeat is refused."""
    good = tmp_path / "good.txt"
    good.write_text(
        "# comment\nm.py::f: `a` -> `b`\n    the reason,\n    on two lines\n\nm.py::g: `1` -> `2`\n  why\n"
    )
    assert {"m.py::f: `a` -> `b`": "the reason, on two lines", "m.py::g: `1` -> `2`": "why"} == (
        mutation.read_equivalents(good)
    )
    assert {} == mutation.read_equivalents(tmp_path / "missing.txt")

    for text, error in [
        ("m.py::f: `a` -> `b`\n", "no reason given for m.py::f: `a` -> `b`"),
        ("  a reason\n", "a reason line before any mutant id"),
        ("x\n  why\nx\n  why\n", "x is listed twice"),
    ]:
        bad = tmp_path / "bad.txt"
        bad.write_text(text)
        with pytest.raises(SystemExit, match=error):
            mutation.read_equivalents(bad)


def test_the_shipped_exclusions_all_have_reasons(mutation: types.ModuleType) -> None:
    """The exclusion file parses, and names only modules the script mutates."""
    targets = {str(mutation.module_path(t).relative_to(mutation.ROOT)) for t in mutation.TARGETS}
    for ident in mutation.read_equivalents():
        assert ident.split("::", 1)[0] in targets


def test_tests_are_chosen_by_the_lines_they_run(mutation: types.ModuleType) -> None:
    """A mutant runs the tests executing its lines, else those running its scope, else all."""
    by_line = {3: {"t::a"}, 4: {"t::b"}, 9: {"t::c"}}

    def mutant(line: int, end: int) -> object:
        return mutation.Mutant("m.py", "f", line, end, "a", "b", 0, 1, b"b")

    assert {"t::a", "t::b"} == mutation.tests_for(mutant(3, 4), by_line, [(2, 5)])
    assert {"t::a", "t::b"} == mutation.tests_for(mutant(2, 2), by_line, [(2, 5)])
    assert {"t::a", "t::b", "t::c"} == mutation.tests_for(mutant(1, 1), by_line, [(2, 5)])


def test_lines_run_at_import_time_are_marked_and_never_chosen_as_a_test(mutation: types.ModuleType) -> None:
    """A line coverage saw run outside any test (a decorator building methods) goes to a fresh import."""
    marker = mutation.IMPORT_TIME
    by_line = {3: {marker, "t::a"}, 4: {marker}, 9: {"t::c"}}

    def mutant(line: int, end: int) -> object:
        return mutation.Mutant("m.py", "f", line, end, "a", "b", 0, 1, b"b")

    assert [True, True, False, False] == [
        mutation.runs_at_import(mutant(3, 3), by_line),
        mutation.runs_at_import(mutant(2, 4), by_line),
        mutation.runs_at_import(mutant(9, 9), by_line),
        mutation.runs_at_import(mutant(5, 8), by_line),
    ]
    assert {"t::a"} == mutation.tests_for(mutant(3, 4), by_line, [(2, 5)])
    assert {"t::a"} == mutation.tests_for(mutant(4, 4), by_line, [(2, 5)])  # its scope's tests
    assert {"t::a", "t::c"} == mutation.tests_for(mutant(4, 4), by_line, [(4, 4)])  # all tests


def test_failing_tests_are_read_from_the_junit_report(mutation: types.ModuleType, tmp_path: Path) -> None:
    """A test failing unmutated is named by its node id, so the mapping can leave it out."""
    report = tmp_path / "report.xml"
    report.write_text(
        '<testsuites><testsuite name="pytest">'
        '<testcase classname="tests.test_calls" name="test_a[asyncio]"><failure message="x"/></testcase>'
        '<testcase classname="tests.test_calls" name="test_b"/>'
        '<testcase classname="tests.test_calls" name="test_c"><error message="y"/></testcase>'
        "</testsuite></testsuites>"
    )

    assert {"tests/test_calls.py::test_a[asyncio]", "tests/test_calls.py::test_c"} == mutation._failing_tests(
        report
    )
