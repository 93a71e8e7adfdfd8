"""Mutation testing of asyncfakes' core modules: prove that the test suite fails when the code is wrong.

Usage (from the repository root, in the test venv)::

    python scripts/mutation.py                      # every target module, score >= 90% each
    python scripts/mutation.py _matchers psqlpy/_transaction   # some modules only
    python scripts/mutation.py --list _calls        # print the mutants, run nothing

How it works, in three steps:

1. One pytest run of the unit suite (``tests/``, not the contract suite) under coverage with
   per-test contexts records which tests execute each line of each target module.
2. Every target module is parsed and mutated, one small change at a time (see ``MUTATORS``):
   comparison, boolean and arithmetic operators swapped, ``not`` dropped, constants changed,
   a returned value or a call argument replaced by ``None``, a call statement removed,
   ``break`` and ``continue`` swapped.
3. Each mutant runs in a forked child that imports the mutated source in place of the module and
   runs only the tests that execute the mutated lines (``-x``, no random order). A failing
   run or a collection error kills the mutant; a passing run lets it survive. A time-out is run
   again alone with four times the time (a loaded machine is slow, not wrong); a second
   time-out kills it (an endless loop), and the report lists it. A change to code that runs at
   import time (module and class level, defaults, decorators, and any function the coverage
   run saw executed outside a test, such as ``fake_method`` building a class's methods) cannot
   be patched into the live module: the child imports the mutated module afresh instead, with
   four times the tests and the time, and checks that the tests really used it.

A mutant that no test can kill because it does not change behaviour (an *equivalent* mutant) is
excluded by listing its id, with the reason, in ``scripts/mutation_equivalent.txt``. The script
prints a score per module (killed / (mutants - excluded)) and every surviving mutant as
``file:line id``, and exits with status 1 when a module scores under ``--threshold`` (90%) or an
exclusion no longer names an existing mutant.
"""

from __future__ import annotations

import argparse
import ast
import gc
import hashlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
EQUIVALENT_FILE = ROOT / "scripts" / "mutation_equivalent.txt"
TARGETS = (
    "_matchers",
    "_answers",
    "_stubs",
    "_calls",
    "_records",
    "_transaction",
    "_method",
    "_spec",
    "asyncpg/_transaction",
    "psqlpy/_transaction",
)
# Options for every pytest run: deterministic order, stop at the first failure, no cache writes.
# The warning filter: the parent imported the pytest plugins before forking, to fork fast.
PYTEST_OPTIONS = (
    "-x",
    "-q",
    "-p",
    "no:randomly",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:xdist",
    "-W",
    "ignore::pytest.PytestAssertRewriteWarning",
)
CACHE_FILE = ROOT / ".mutation-cache.json"
CACHE_FORMAT = 2  # 2: lines run at import time are marked with IMPORT_TIME
# Stands for "run at import time" (coverage's empty context: collection, plugin loading, class
# creation) among the test ids of a line. Patching a function's code in place cannot change what
# it already did at import (a decorator that built the class's methods), so a mutant on such a
# line is applied by importing the module again.
IMPORT_TIME = "<import>"
# The unit suite, without the contract suite (it needs PostgreSQL) and the pytest plugin's
# tests (pytester runs cannot be forked mid-session; the plugin is not a target).
UNIT_SUITE = (
    "tests",
    "--ignore=tests/contract",
    "--ignore=tests/test_pytest_plugin.py",
    # These run subprocesses, which import the unmutated files: they cannot kill a mutant.
    "--ignore=tests/test_examples.py",
    "--ignore=tests/test_benchmarks_smoke.py",
)


# --------------------------------------------------------------------------------------------
# Mutants
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    """One small change of one module's source."""

    path: str  # relative to ROOT, e.g. src/asyncfakes/_matchers.py
    scope: str  # qualified name of the enclosing function or class, or <module>
    line: int
    end_line: int
    old: str
    new: str
    start: int  # byte offsets of the replaced span in the source
    end: int
    replacement: bytes
    occurrence: int = 1
    # Where the change is: "body" of the function `function`, "defaults" of that function, or
    # "other" (module or class level, decorators): how a child applies it (see apply_in_place).
    where: str = "other"
    function: str = ""

    @property
    def ident(self) -> str:
        """The id that names this mutant in reports and in the exclusion file (no line number)."""
        suffix = f" #{self.occurrence}" if self.occurrence > 1 else ""
        return f"{self.path}::{self.scope}: `{self.old}` -> `{self.new}`{suffix}"

    def apply(self, source: bytes) -> bytes:
        """Return ``source`` with this mutant's change."""
        return source[: self.start] + self.replacement + source[self.end :]


_COMPARE_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
_BINOP_SWAPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Mult,
    ast.BitOr: ast.BitAnd,
    ast.BitAnd: ast.BitOr,
}
_OP_TEXT: dict[type[ast.AST], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.And: "and",
    ast.Or: "or",
}
# Calls whose arguments have no runtime effect worth testing (typing helpers).
_INERT_CALLS = frozenset({"cast", "TypeVar", "ParamSpec", "NewType", "overload"})
MUTATORS = (
    "compare operator swapped (== !=, < <=, > >=, is / is not, in / not in)",
    "boolean operator swapped (and / or), `not x` -> `x`, `-x` -> `x`",
    "arithmetic and bitwise operator swapped (+ -, * /, // *, | &), also in augmented assignments",
    "constant changed (True / False, n -> n + 1, 'text' -> 'XXtextXX')",
    "returned value -> None; call argument -> None (*args -> *(), **kwargs -> **{})",
    "call statement removed (-> pass); break / continue swapped",
)


class _Collector(ast.NodeVisitor):
    """Walk one module and collect its mutants."""

    def __init__(self, path: str, source: bytes) -> None:
        self.path = path
        self.source = source
        self.line_starts = [0]
        for index, byte in enumerate(source):
            if byte == 0x0A:
                self.line_starts.append(index + 1)
        self.scopes: list[str] = []
        self.where: tuple[str, str] = ("other", "")
        self.mutants: list[Mutant] = []
        self.seen: dict[str, int] = {}

    # -- helpers --------------------------------------------------------------------------

    def offset(self, line: int, col: int) -> int:
        return self.line_starts[line - 1] + col

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return start, end

    def text(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.source[start:end].decode()

    def add(self, node: ast.AST, new: str, *, old: str | None = None, replacement: str | None = None) -> None:
        start, end = self.span(node)
        old_text = " ".join((old if old is not None else self.text(node)).split())
        new_text = " ".join(new.split())
        scope = ".".join(self.scopes) or "<module>"
        key = f"{scope}: {old_text} -> {new_text}"
        self.seen[key] = self.seen.get(key, 0) + 1
        self.mutants.append(
            Mutant(
                path=self.path,
                scope=scope,
                line=node.lineno,  # type: ignore[attr-defined]
                end_line=node.end_lineno,  # type: ignore[attr-defined]
                old=old_text,
                new=new_text,
                start=start,
                end=end,
                replacement=(replacement if replacement is not None else new).encode(),
                occurrence=self.seen[key],
                where=self.where[0],
                function=self.where[1],
            )
        )

    def paren(self, node: ast.AST) -> str:
        return f"({self.text(node)})"

    # -- skipped code ---------------------------------------------------------------------

    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        text = self.text(node)
        if 'AssertionError("unreachable")' in text:
            return
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        # __all__ is checked by tests/test_public_api.py; __slots__ names storage, not behaviour
        # (a misspelt slot fails every test that sets it, and cannot be patched into a live class);
        # __tracebackhide__ only tells pytest which frames to show.
        names = ("__all__", "__slots__", "__tracebackhide__")
        if any(isinstance(t, ast.Name) and t.id in names for t in node.targets):
            return
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        value = node.value
        if (isinstance(value, ast.Name) and value.id == "Literal") or (
            isinstance(value, ast.Attribute) and value.attr == "Literal"
        ):
            return  # a type, not a value
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)  # never the annotation

    def _visit_body(self, body: list[ast.stmt]) -> None:
        for index, statement in enumerate(body):
            if (
                index == 0
                and isinstance(statement, ast.Expr)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            ):
                continue  # docstring
            self.visit(statement)

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            name = decorator.id if isinstance(decorator, ast.Name) else getattr(decorator, "attr", "")
            if name == "overload":
                return
        for decorator in node.decorator_list:
            self.visit(decorator)
        saved = self.where
        qualname = ".".join([*self.scopes, node.name])
        if saved[0] == "other":
            self.where = ("defaults", qualname)
        for default in [*node.args.defaults, *[d for d in node.args.kw_defaults if d is not None]]:
            self.visit(default)
        if saved[0] == "other":
            self.where = ("body", qualname)
        self.scopes.append(node.name)
        self._visit_body(node.body)
        self.scopes.pop()
        self.where = saved

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        for base in node.bases:
            self.visit(base)
        self.scopes.append(node.name)
        self._visit_body(node.body)
        self.scopes.pop()

    def visit_Module(self, node: ast.Module) -> None:
        self._visit_body(node.body)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.visit(node.body)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                self.visit(value.value)

    # -- mutations ------------------------------------------------------------------------

    def visit_Compare(self, node: ast.Compare) -> None:
        for index, op in enumerate(node.ops):
            swapped = _COMPARE_SWAPS[type(op)]
            parts, shown = [self.paren(node.left)], [self.text(node.left)]
            for position, (other, right) in enumerate(zip(node.ops, node.comparators, strict=True)):
                text = _OP_TEXT[swapped if position == index else type(other)]
                parts.append(f"{text} {self.paren(right)}")
                shown.append(f"{text} {self.text(right)}")
            self.add(node, " ".join(shown), replacement=f"({' '.join(parts)})")
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        swapped = "or" if isinstance(node.op, ast.And) else "and"
        new = f" {swapped} ".join(self.paren(value) for value in node.values)
        shown = f" {swapped} ".join(self.text(value) for value in node.values)
        self.add(node, shown, replacement=f"({new})")
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, (ast.Not, ast.USub)):
            self.add(node, self.text(node.operand), replacement=self.paren(node.operand))
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        swapped = _BINOP_SWAPS.get(type(node.op))
        if swapped is not None:
            new = f"{self.paren(node.left)} {_OP_TEXT[swapped]} {self.paren(node.right)}"
            shown = f"{self.text(node.left)} {_OP_TEXT[swapped]} {self.text(node.right)}"
            self.add(node, shown, replacement=f"({new})")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name) and node.target.id == "__all__":
            return
        swapped = _BINOP_SWAPS.get(type(node.op))
        if swapped is not None:
            new = f"{self.text(node.target)} {_OP_TEXT[swapped]}= {self.text(node.value)}"
            self.add(node, new)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool):
            self.add(node, repr(not value))
        elif isinstance(value, (int, float)):
            self.add(node, repr(value + 1))
        elif isinstance(value, str):
            self.add(node, repr(f"XX{value}XX"))

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None and not (isinstance(node.value, ast.Constant) and node.value.value is None):
            self.add(node.value, "None")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in _INERT_CALLS:
            return
        self.visit(func)
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                self.add(argument, "*()")
            elif not (isinstance(argument, ast.Constant) and argument.value is None):
                self.add(argument, "None")
        for keyword in node.keywords:
            if keyword.arg is None:
                self.add(keyword.value, "{}", old=f"**{self.text(keyword.value)}")
            elif not (isinstance(keyword.value, ast.Constant) and keyword.value.value is None):
                self.add(keyword.value, "None", old=f"{keyword.arg}={self.text(keyword.value)}")
        for argument in node.args:
            self.visit(argument.value if isinstance(argument, ast.Starred) else argument)
        for keyword in node.keywords:
            self.visit(keyword.value)

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant):
            return  # a docstring of a module attribute: no effect
        call = node.value.value if isinstance(node.value, ast.Await) else node.value
        if isinstance(call, ast.Call):
            self.add(node, "pass")
        self.generic_visit(node)

    def visit_Break(self, node: ast.Break) -> None:
        self.add(node, "continue")

    def visit_Continue(self, node: ast.Continue) -> None:
        self.add(node, "break")


def module_path(target: str) -> Path:
    """Return the source file of a target such as ``_matchers`` or ``psqlpy/_transaction``."""
    return SRC / "asyncfakes" / f"{target}.py"


def module_name(path: Path) -> str:
    """Return the dotted module name of a source file under ``src/``."""
    return ".".join(path.relative_to(SRC).with_suffix("").parts)


def collect_mutants(path: Path, name: str | None = None) -> list[Mutant]:
    """Return every mutant of the module at ``path`` (shown as ``name``), each one compiling."""
    source = path.read_bytes()
    collector = _Collector(name or path.relative_to(ROOT).as_posix(), source)
    collector.visit(ast.parse(source))
    mutants = []
    for mutant in collector.mutants:
        try:
            compile(mutant.apply(source), str(path), "exec", dont_inherit=True)
        except SyntaxError:  # pragma: no cover - a mutator bug, reported loudly
            print(f"mutation: skipped an invalid mutant {mutant.ident}", file=sys.stderr)
            continue
        mutants.append(mutant)
    return mutants


# --------------------------------------------------------------------------------------------
# Equivalent mutants
# --------------------------------------------------------------------------------------------


def read_equivalents(path: Path = EQUIVALENT_FILE) -> dict[str, str]:
    """Read ``id -> reason`` from the exclusion file: an id line, then indented reason lines."""
    if not path.exists():
        return {}
    entries: dict[str, str] = {}
    current: str | None = None
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw[0].isspace():
            if current is None:
                raise SystemExit(f"{path}:{number}: a reason line before any mutant id")
            entries[current] = f"{entries[current]} {raw.strip()}".strip()
        else:
            current = raw.strip()
            if current in entries:
                raise SystemExit(f"{path}:{number}: {current} is listed twice")
            entries[current] = ""
    missing = [ident for ident, reason in entries.items() if not reason]
    if missing:
        raise SystemExit(f"{path}: no reason given for {missing[0]}")
    return entries


# --------------------------------------------------------------------------------------------
# Which tests execute which lines
# --------------------------------------------------------------------------------------------


def _hash(files: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for file in sorted(files):
        digest.update(str(file).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def line_contexts(paths: Sequence[Path], jobs: int) -> dict[Path, dict[int, set[str]]]:
    """Run the unit suite once under coverage and return, per file, ``line -> test node ids``.

    The result is cached in ``.mutation-cache.json``: while ``src/`` and the shared test files
    (conftest, helpers) are unchanged, only new or changed ``tests/test_*.py`` files are run again.
    """
    test_files = {
        f.relative_to(ROOT).as_posix(): _hash([f]) for f in sorted((ROOT / "tests").glob("test_*.py"))
    }
    shared = [f for f in (ROOT / "tests").rglob("*.py") if f.relative_to(ROOT).as_posix() not in test_files]
    key = f"{CACHE_FORMAT}:{_hash([*SRC.rglob('*.py'), *shared])}"
    stored: dict[str, dict[str, list[str]]] = {}
    run: list[str] = list(UNIT_SUITE)
    if CACHE_FILE.exists():
        cached = json.loads(CACHE_FILE.read_text())
        if cached.get("key") == key:
            changed = {f for f, h in test_files.items() if cached["tests"].get(f) != h}
            changed |= set(cached["tests"]) - set(test_files)
            stored = {
                p: {n: [t for t in ts if t.split("::", 1)[0] not in changed] for n, ts in by_line.items()}
                for p, by_line in cached["map"].items()
            }
            run = [f for f in sorted(changed) if f in test_files]
            if run:
                print(f"mutation: mapping the changed test files {', '.join(run)}", flush=True)
    if run:
        for path, by_line in _run_coverage(run, jobs).items():
            merged = stored.setdefault(str(path), {})
            for line, tests in by_line.items():
                merged[str(line)] = sorted({*merged.get(str(line), []), *tests})
        CACHE_FILE.write_text(json.dumps({"key": key, "tests": test_files, "map": stored}))
    return {p: {int(n): set(ts) for n, ts in stored.get(str(p), {}).items()} for p in paths}


def _run_coverage(selection: Sequence[str], jobs: int) -> dict[Path, dict[int, set[str]]]:
    """Run ``selection`` (pytest arguments) under coverage with per-test contexts."""
    from coverage import CoverageData

    with tempfile.TemporaryDirectory() as tmp:
        data_file = Path(tmp) / ".coverage"
        report = Path(tmp) / "report.xml"
        command = [
            sys.executable,
            "-m",
            "pytest",
            *selection,
            *UNIT_SUITE[1:],
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "--cov=asyncfakes",
            "--cov-context=test",
            "--cov-report=",
            "--cov-fail-under=0",
            f"--junitxml={report}",
            *(["-n", str(jobs)] if jobs > 1 else ["-p", "no:xdist"]),
        ]
        env = {**os.environ, "COVERAGE_FILE": str(data_file)}
        result = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if not report.exists():
            sys.stdout.write(result.stdout.decode(errors="replace"))
            raise SystemExit("mutation: the unit suite does not run; fix it first")
        # A test failing unmutated (a timing test on a loaded machine) cannot kill mutants: drop it.
        failing = _failing_tests(report)
        for test in sorted(failing):
            print(f"mutation: {test} fails unmutated; it is not used", flush=True)
        data = CoverageData(basename=str(data_file))
        data.read()
        measured = {Path(name).resolve(): name for name in data.measured_files()}
        mapping: dict[Path, dict[int, set[str]]] = {}
        for path in SRC.rglob("*.py"):
            name = measured.get(path.resolve())
            if name is not None:
                mapping[path] = {
                    line: {c.rsplit("|", 1)[0] if c else IMPORT_TIME for c in contexts} - failing
                    for line, contexts in data.contexts_by_lineno(name).items()
                }
        return mapping


def _failing_tests(report: Path) -> set[str]:
    """Return the node ids of the failed tests in a JUnit XML report."""
    import xml.etree.ElementTree as ET

    failing = set()
    for case in ET.parse(report).iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            module = case.get("classname", "").split(".")
            name = case.get("name", "")
            # classname is dotted: tests.test_x or tests.test_x.TestClass
            parts = [*module]
            for cut in range(len(parts), 0, -1):
                candidate = ROOT.joinpath(*parts[:cut]).with_suffix(".py")
                if candidate.exists():
                    rest = parts[cut:]
                    file = candidate.relative_to(ROOT).as_posix()
                    failing.add("::".join([file, *rest, name]))
                    break
    return failing


def tests_for(mutant: Mutant, by_line: dict[int, set[str]], scopes: list[tuple[int, int]]) -> set[str]:
    """Return the tests to run against ``mutant``: those executing its lines, else its scope's."""
    selected: set[str] = set()
    for line in range(mutant.line, mutant.end_line + 1):
        selected |= by_line.get(line, set())
    selected.discard(IMPORT_TIME)
    if selected:
        return selected
    # Import-time code (defaults, class attributes): the tests running the innermost scope around it.
    for first, last in scopes:
        if first <= mutant.line <= last:
            for line in range(first, last + 1):
                selected |= by_line.get(line, set())
            selected.discard(IMPORT_TIME)
            if selected:
                return selected
    for tests in by_line.values():
        selected |= tests
    selected.discard(IMPORT_TIME)
    return selected


def runs_at_import(mutant: Mutant, by_line: dict[int, set[str]]) -> bool:
    """Whether the mutant's lines ran at import time (see ``IMPORT_TIME``)."""
    return any(IMPORT_TIME in by_line.get(line, ()) for line in range(mutant.line, mutant.end_line + 1))


def _distance(path: Path, test: str) -> int:
    """Order tests so the module's own test files run first: they kill most mutants, soonest."""
    words = [part.strip("_") for part in path.relative_to(SRC / "asyncfakes").with_suffix("").parts]
    file = test.split("::", 1)[0]
    if all(word in file for word in words):
        return 0
    return 1 if any(word in file for word in words) else 2


def scope_spans(path: Path) -> list[tuple[int, int]]:
    """Return the line spans of every function and class, innermost first."""
    tree = ast.parse(path.read_bytes())
    spans = [
        (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]
    return sorted(spans, key=lambda span: span[1] - span[0])


# --------------------------------------------------------------------------------------------
# Running mutants in forked children
# --------------------------------------------------------------------------------------------


class _MutantFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import one module from mutated source instead of its file."""

    def __init__(self, name: str, path: Path, source: bytes) -> None:
        self.name, self.path, self.source = name, path, source

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.name:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=str(self.path))

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        module.__file__ = str(self.path)
        exec(compile(self.source, str(self.path), "exec", dont_inherit=True), module.__dict__)


def _forget_project_modules() -> None:
    for name in list(sys.modules):
        if name == "asyncfakes" or name.startswith(("asyncfakes.", "tests", "conftest")):
            del sys.modules[name]


@dataclass
class ModuleResult:
    """The outcome of one module's mutants."""

    path: Path
    killed: list[Mutant] = field(default_factory=list)
    survived: list[Mutant] = field(default_factory=list)
    excluded: list[Mutant] = field(default_factory=list)
    timed_out: list[Mutant] = field(default_factory=list)

    @property
    def score(self) -> float:
        """Killed mutants in percent of the counted ones (not excluded)."""
        counted = len(self.killed) + len(self.survived)
        return 100.0 * len(self.killed) / counted if counted else 100.0


CPU_SECONDS = [0.0]  # used by the children so far, for the progress lines
# Exit statuses of a child beyond pytest's own.
_UNPATCHABLE = 99
_NOT_APPLIED = 98
_TIMED_OUT = -1


def _schedule(
    tasks: Sequence[tuple[Mutant, Callable[[], None]]], jobs: int, timeout: float
) -> dict[Mutant, int]:
    """Run each task's child function in a forked process, ``jobs`` at once; return exit statuses."""
    statuses: dict[Mutant, int] = {}
    gc.collect()
    gc.freeze()  # the children then share the parent's memory instead of copying it on a collection
    pending = iter(tasks)
    running: dict[int, tuple[Mutant, float]] = {}
    while True:
        while len(running) < jobs:
            task = next(pending, None)
            if task is None:
                break
            pid = os.fork()
            if pid == 0:  # the child
                status = 3
                try:
                    if not os.environ.get("MUTATION_DEBUG"):
                        devnull = os.open(os.devnull, os.O_WRONLY)
                        os.dup2(devnull, 1)
                        os.dup2(devnull, 2)
                    task[1]()
                finally:
                    os._exit(status)
            running[pid] = (task[0], time.monotonic())
        if not running:
            return statuses
        time.sleep(0.01)
        for pid, (mutant, started) in list(running.items()):
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done == 0 and time.monotonic() - started > timeout:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                statuses[mutant] = _TIMED_OUT
                del running[pid]
            elif done != 0:
                statuses[mutant] = os.waitstatus_to_exitcode(status)
                del running[pid]
                CPU_SECONDS[0] += usage.ru_utime + usage.ru_stime
            if done != 0 and len(statuses) % 50 == 0:
                print(
                    f"mutation: {len(statuses)}/{len(tasks)} run, "
                    f"{CPU_SECONDS[0] / len(statuses):.2f}s CPU each",
                    file=sys.stderr,
                    flush=True,
                )


def _hypothesis_profile() -> None:
    """No deadlines (a loaded machine must not kill mutants), no example database, fixed seeds."""
    import hypothesis

    hypothesis.settings.register_profile("mutation", deadline=None, database=None, derandomize=True)
    hypothesis.settings.load_profile("mutation")


# -- slow path: a fresh pytest run that imports the mutated module -------------------------


def _run_fresh(name: str, path: Path, source: bytes | None, tests: Sequence[str]) -> None:
    """In a child: forget the project's modules, import the mutant instead, run the tests."""
    sys.dont_write_bytecode = True
    _forget_project_modules()
    finder = None if source is None else _MutantFinder(name, path, source)
    if finder is not None:
        sys.meta_path.insert(0, finder)
    import pytest

    # --assert=plain: pytest's assertion rewriter would otherwise load the package from its files
    # (the asyncfakes distribution has a pytest11 entry point, so pytest rewrites all of it).
    status = int(pytest.main([*PYTEST_OPTIONS, "--assert=plain", *tests]))
    loaded = getattr(sys.modules.get(name), "__loader__", None)
    if status == 0 and finder is not None and loaded is not finder:
        os._exit(_NOT_APPLIED)  # the tests ran the module from its file: the run proves nothing
    os._exit(status)


# -- fast path: patch the mutated function's code into the live module ---------------------


class Unpatchable(Exception):
    """The mutant cannot be applied to the live module; it runs on the slow path."""


def _functions(obj: object, depth: int = 0) -> Iterator[FunctionType]:
    """Yield the plain functions in ``obj``: itself, or what a property or decorator wraps."""
    if depth > 5:
        return
    if isinstance(obj, FunctionType):
        yield obj
    for attribute in ("__wrapped__", "fget", "fset", "fdel", "__func__", "func"):
        inner = getattr(obj, attribute, None)
        if inner is not None and inner is not obj:
            yield from _functions(inner, depth + 1)


def apply_in_place(module: ModuleType, path: Path, source: bytes, function: str) -> None:
    """Run ``source`` in a scratch namespace and give ``function``'s new code to the live one.

    Every other object (classes, constants, other functions) stays the one the tests imported,
    so a mutant costs no re-import. ``function`` is a qualified name (``Class.method``); a nested
    function changes with the function around it. Raise ``Unpatchable`` when the new code cannot
    replace the old (its free variables differ).
    """
    namespace: dict[str, object] = {
        "__name__": module.__name__,
        "__package__": module.__package__,
        "__file__": str(path),
    }
    exec(compile(source, str(path), "exec", dont_inherit=True), namespace)
    old_scope: dict[str, object] = module.__dict__
    new_scope: dict[str, object] = namespace
    old: object = None
    new: object = None
    for part in function.split("."):
        if part not in old_scope or part not in new_scope:
            break
        old, new = old_scope[part], new_scope[part]
        if not isinstance(old, type) or not isinstance(new, type):
            break
        old_scope, new_scope = dict(vars(old)), dict(vars(new))
    old_functions, new_functions = list(_functions(old)), list(_functions(new))
    if not old_functions or len(old_functions) != len(new_functions):
        msg = f"no function {function} in {module.__name__}"
        raise Unpatchable(msg)
    for old_function, new_function in zip(old_functions, new_functions, strict=True):
        try:
            old_function.__code__ = new_function.__code__
        except ValueError as error:  # the closure's cells differ
            raise Unpatchable(str(error)) from error


def _clear_caches() -> None:
    """Forget what ``lru_cache`` remembered while the parent collected the tests."""
    for name, module in list(sys.modules.items()):
        if name.startswith("asyncfakes"):
            for value in list(vars(module).values()):
                clear = getattr(value, "cache_clear", None)
                if callable(clear):
                    clear()


class InPlaceRunner:
    """A pytest plugin: after collection, run each fast mutant in a fork of the session."""

    def __init__(
        self,
        work: Sequence[tuple[Mutant, ModuleType | str, Path, bytes, list[str]]],
        jobs: int,
        timeout: float,
    ) -> None:
        self.work = work
        self.jobs = jobs
        self.timeout = timeout
        self.failed = False
        self.statuses: dict[Mutant, int] = {}
        self.baseline = 0

    def pytest_runtest_logreport(self, report: Any) -> None:
        """Remember that a test failed (in a child: the mutant is killed)."""
        if report.failed:
            self.failed = True

    def _run_items(self, session: Any, tests: Sequence[str]) -> None:
        by_id = {item.nodeid: item for item in session.items}
        items = [by_id[test] for test in tests if test in by_id]  # a stale map may name gone tests
        for index, item in enumerate(items):
            following = items[index + 1] if index + 1 < len(items) else None
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
            if self.failed:
                if os.environ.get("MUTATION_DEBUG"):
                    print(f"mutation: failed {item.nodeid}", file=sys.stderr)
                os._exit(1)
        os._exit(0)

    def pytest_runtestloop(self, session: Any) -> bool:
        """Instead of running the tests: check the patching, then run each mutant in a fork."""
        if session.testsfailed:
            msg = "mutation: the unit suite does not collect"
            raise SystemExit(msg)

        def baseline() -> None:
            # Patch every function with its own unmutated code, and run one of its tests each.
            first: dict[tuple[str, Path, str], str] = {}
            for mutant, name, path, _, tests in self.work:
                first.setdefault((str(name), path, mutant.function), tests[0])
            for name, path, function in sorted(first):
                apply_in_place(sys.modules[name], path, path.read_bytes(), function)
            _clear_caches()
            self._run_items(session, sorted(set(first.values())))

        if self.work:
            self.baseline = _schedule([(self.work[0][0], baseline)], 1, 10 * self.timeout)[self.work[0][0]]
            if self.baseline != 0:
                return True

        def task(
            name: str, path: Path, source: bytes, mutant: Mutant, tests: list[str]
        ) -> Callable[[], None]:
            def run() -> None:
                try:
                    apply_in_place(sys.modules[name], path, source, mutant.function)
                except Unpatchable:
                    os._exit(_UNPATCHABLE)
                _clear_caches()
                self._run_items(session, tests)

            return run

        tasks = [(m, task(str(n), p, s, m, t)) for m, n, p, s, t in self.work]
        self.statuses = _schedule(tasks, self.jobs, self.timeout)
        return True


def run_all(
    all_mutants: dict[Path, list[Mutant]],
    by_path: dict[Path, dict[int, set[str]]],
    equivalents: dict[str, str],
    *,
    jobs: int,
    timeout: float,
    max_tests: int,
) -> list[ModuleResult]:
    """Run every mutant and sort them into killed, survived and excluded, per module."""
    import pytest

    _hypothesis_profile()
    results = {path: ModuleResult(path) for path in all_mutants}
    fast: list[tuple[Mutant, ModuleType | str, Path, bytes, list[str]]] = []
    slow: list[tuple[Mutant, str, Path, bytes, list[str]]] = []
    for path, mutants in all_mutants.items():
        source = path.read_bytes()
        scopes = scope_spans(path)
        for mutant in mutants:
            if mutant.ident in equivalents:
                results[path].excluded.append(mutant)
                continue
            # A change to code run at import (or outside a function) is re-imported, and may change
            # what any test sees: it gets four times the tests (and the time, below).
            at_import = mutant.where != "body" or runs_at_import(mutant, by_path[path])
            tests = sorted(
                tests_for(mutant, by_path[path], scopes), key=lambda test: (_distance(path, test), test)
            )[: 4 * max_tests if at_import else max_tests]
            if not tests:
                results[path].survived.append(mutant)
                continue
            entry = (mutant, module_name(path), path, mutant.apply(source), tests)
            (slow if at_import else fast).append(entry)
    runner = InPlaceRunner(fast, jobs, timeout)
    pytest.main([*PYTEST_OPTIONS, "-s", *UNIT_SUITE], plugins=[runner])
    if runner.baseline != 0:
        raise SystemExit(
            f"mutation: the in-place patching breaks the unmutated tests (status {runner.baseline})"
        )
    statuses = dict(runner.statuses)
    slow += [entry for entry in fast if statuses.get(entry[0]) == _UNPATCHABLE]  # type: ignore[misc]
    print(f"mutation: {len(fast)} mutants patched in place, {len(slow)} re-imported", flush=True)

    def fresh(name: str, path: Path, source: bytes, tests: list[str]) -> Callable[[], None]:
        return lambda: _run_fresh(name, path, source, tests)

    statuses.update(_schedule([(m, fresh(str(n), p, s, t)) for m, n, p, s, t in slow], jobs, 4 * timeout))
    unapplied = [m for m, status in statuses.items() if status == _NOT_APPLIED]
    if unapplied:
        raise SystemExit(f"mutation: the tests did not import the mutated module for {unapplied[0].ident}")
    # A time-out on a loaded machine proves nothing: run those again, one at a time, with four
    # times the time. A mutant that still times out (an endless loop) counts as killed.
    again = {entry[0]: entry for entry in [*fast, *slow] if statuses.get(entry[0]) == _TIMED_OUT}
    if again:
        print(f"mutation: {len(again)} mutants timed out; running them again, one at a time", flush=True)
        retries = [(m, fresh(str(n), p, s, t)) for m, n, p, s, t in again.values()]
        statuses.update(_schedule(retries, 1, 4 * timeout))
    for path, mutants in all_mutants.items():
        for mutant in mutants:
            status = statuses.get(mutant)
            if status is None:
                continue
            if status == 0:
                results[path].survived.append(mutant)
            else:
                results[path].killed.append(mutant)
                if status == _TIMED_OUT:
                    results[path].timed_out.append(mutant)
    return list(results.values())


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("modules", nargs="*", help=f"targets (default: all of {', '.join(TARGETS)})")
    parser.add_argument("--list", action="store_true", help="print the mutants and run nothing")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="mutants run at once (default 1)")
    parser.add_argument("--threshold", type=float, default=90.0, help="minimum score per module (default 90)")
    parser.add_argument(
        "--max-tests",
        type=int,
        default=150,
        help="run at most this many tests per mutant, the module's own test files first (default 150); "
        "a mutant they do not kill counts as surviving",
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds before a mutant counts as killed"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the mutation test and return the exit status."""
    args = parse_args(argv)
    targets = [t.removesuffix(".py").removeprefix("asyncfakes/") for t in args.modules] or list(TARGETS)
    paths = [module_path(t) for t in targets]
    for path in paths:
        if not path.exists():
            raise SystemExit(f"mutation: no module {path}; targets are {', '.join(TARGETS)}")
    equivalents = read_equivalents()
    all_mutants = {path: collect_mutants(path) for path in paths}
    if args.list:
        for mutants in all_mutants.values():
            for mutant in mutants:
                print(f"{mutant.path}:{mutant.line}  {mutant.ident}")
        return 0
    started = time.monotonic()
    print(
        f"mutation: {sum(map(len, all_mutants.values()))} mutants in {len(paths)} modules; mapping tests",
        flush=True,
    )
    by_path = line_contexts(paths, args.jobs)
    results = run_all(
        all_mutants, by_path, equivalents, jobs=args.jobs, timeout=args.timeout, max_tests=args.max_tests
    )
    failed = False
    for result in results:
        path = result.path
        relative = path.relative_to(ROOT)
        counted = len(result.killed) + len(result.survived)
        print(
            f"{relative}: {result.score:.1f}% ({len(result.killed)}/{counted} killed, "
            f"{len(result.excluded)} equivalent excluded, {len(result.timed_out)} timed out)",
            flush=True,
        )
        for mutant in sorted(result.survived, key=lambda m: m.line):
            print(f"  survived {mutant.path}:{mutant.line}  {mutant.ident}")
        for mutant in sorted(result.timed_out, key=lambda m: m.line):
            print(f"  timed out (counted as killed) {mutant.path}:{mutant.line}  {mutant.ident}")
        if result.score < args.threshold:
            failed = True
    known = {m.ident for mutants in all_mutants.values() for m in mutants}
    checked = {str(p.relative_to(ROOT)) for p in paths}
    stale = [i for i in equivalents if i.split("::", 1)[0] in checked and i not in known]
    for ident in stale:
        print(f"mutation: the exclusion {ident!r} names no mutant any more; remove it from the file")
    killed = sum(len(r.killed) for r in results)
    counted = killed + sum(len(r.survived) for r in results)
    total = 100.0 * killed / counted if counted else 100.0
    print(f"mutation: total {total:.1f}% ({killed}/{counted}) in {time.monotonic() - started:.0f}s")
    if failed:
        print(f"mutation: FAILED, a module scores under {args.threshold:.0f}%")
    return 1 if failed or stale else 0


if __name__ == "__main__":
    sys.exit(main())
