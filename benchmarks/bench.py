"""asyncfakes benchmark: cost per awaited call, bytes per recorded call, import time, stub scaling.

One command, from the repository root::

    python benchmarks/bench.py            # the full run (about a minute)
    python benchmarks/bench.py --quick    # the CI smoke run (a few seconds)
    python benchmarks/bench.py --strict   # exit 1 when a target (issues 5, 11) is missed

Every figure is measured in the same run and reported as a ratio against the other doubles, so
the verdicts hold on any machine even though the nanoseconds do not. What is measured:

1. ns per awaited call: many awaits in one coroutine under ``asyncio.run``, nothing subtracted
   (the bare-coroutine row is the floor: the loop and the await themselves), best of a few
   repeats, the garbage collector on, as in a test run;
2. bytes per recorded call: ``tracemalloc`` growth over N calls, every call kept, divided by N;
3. ``python -X importtime -c "import <module>"``: the modules the import adds, best of several;
4. ns per call with 1, 100 and 1,000 exact-SQL stubs, and with 100 ``Regex`` stubs;
5. a long run of recorded calls: time and traced memory at 1/4, 1/2 and all of it.

Without ``--strict`` the script exits 0 whatever the figures: CI only checks it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from unittest.mock import AsyncMock

import asyncfakes
from asyncfakes import FakeConnection, Regex

SQL = "SELECT id, name FROM users WHERE id = $1"
ROWS = [{"id": 42, "name": "Ana"}]
# The statement's two columns (scripted rows are checked against them), holding nested values.
NESTED_ROWS = [{"id": 42, "name": {"first": "Ana", "tags": ["admin", "ops"], "address": {"city": "Oslo"}}}]
"""A scripted answer with containers inside its rows: what each call's copy of the answer costs."""

# The call each double is driven with, as code under test writes it: a fresh parameter list
# per call for the generic API, positional arguments for asyncpg's.
AsyncFn = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class Settings:
    """How much work each section does."""

    calls: int
    stub_calls: int
    repeats: int
    memory_calls: int
    growth_calls: int
    import_runs: int
    nested: bool
    """Also time a call whose scripted rows hold a list and a dict (left out of the quick run)."""


QUICK = Settings(
    calls=10_000,
    stub_calls=3_000,
    repeats=3,
    memory_calls=5_000,
    growth_calls=100_000,
    import_runs=3,
    nested=False,
)
FULL = Settings(
    calls=100_000,
    stub_calls=50_000,
    repeats=5,
    memory_calls=50_000,
    growth_calls=1_000_000,
    import_runs=9,
    nested=True,
)


# --- the doubles -------------------------------------------------------------------------


class HandRecord:
    """The result object of a typical hand-written fake: the data, and a row count."""

    def __init__(self, data: Any, rowcount: int | None = None) -> None:
        self._data = data
        if rowcount is None:
            rowcount = len(data) if isinstance(data, list) else 1  # pyright: ignore[reportUnknownArgumentType]
        self.rowcount = rowcount

    def result(self) -> Any:
        return self._data


class HandWrittenConnection:
    """A minimal hand-written fake: a ``*_return`` attribute in, a ``*_calls`` list out."""

    def __init__(self) -> None:
        self.fetch_return: Any = None
        self.fetch_calls: list[tuple[str, Any]] = []

    async def fetch(self, stmt: str, parameters: Any = None) -> HandRecord:
        self.fetch_calls.append((stmt, parameters))
        if isinstance(self.fetch_return, Exception):
            raise self.fetch_return
        return HandRecord(self.fetch_return)


async def bare_coroutine(stmt: str, parameters: Any = None) -> Any:
    """The floor: an ``async def`` that records nothing and returns a constant."""
    return ROWS


@dataclass
class Double:
    """One test double under measurement, made fresh for each timed run."""

    name: str
    style: str  # "list": fn(SQL, [42]); "args": fn(SQL, 42)
    make: Callable[[], tuple[AsyncFn, Callable[[], int]]]
    """Returns the awaitable callable and a function counting the calls it recorded."""


def _bare() -> tuple[AsyncFn, Callable[[], int]]:
    return bare_coroutine, lambda: -1


def _hand() -> tuple[AsyncFn, Callable[[], int]]:
    conn = HandWrittenConnection()
    conn.fetch_return = ROWS
    return conn.fetch, lambda: len(conn.fetch_calls)


def _mock() -> tuple[AsyncFn, Callable[[], int]]:
    mock = AsyncMock(return_value=ROWS)
    return mock, lambda: mock.await_count


def _generic() -> tuple[AsyncFn, Callable[[], int]]:
    conn = FakeConnection()
    conn.fetch.returns(ROWS)
    return conn.fetch, lambda: len(conn.calls)


class _WiderRows(FakeConnection):
    """The nested rows carry columns SQL does not name: the column check is off for this double."""

    def row_columns(self, call: Any) -> None:
        return None


def _generic_nested() -> tuple[AsyncFn, Callable[[], int]]:
    conn = _WiderRows()
    conn.fetch.returns(NESTED_ROWS)
    return conn.fetch, lambda: len(conn.calls)


def _asyncpg_double() -> tuple[Double | None, str]:
    """The asyncpg flavour's double, or ``None`` and the reason it is skipped."""
    try:
        module = importlib.import_module("asyncfakes.asyncpg")
        cls = module.FakeConnection

        def make() -> tuple[AsyncFn, Callable[[], int]]:
            conn = cls()
            conn.fetch.returns(ROWS)
            return conn.fetch, lambda: len(conn.calls)

        asyncio.run(_drive(make()[0], "args", 3))  # fails here, not mid-table, if it cannot run
    except Exception as error:  # any failure only skips the row, with the reason
        return None, f"asyncfakes.asyncpg skipped: {type(error).__name__}: {error}"
    return Double("asyncfakes.asyncpg FakeConnection.fetch", "args", make), ""


PSYCOPG_SQL = "SELECT id, name FROM users WHERE id = %s"


def _psycopg_double() -> tuple[Double | None, str]:
    """The psycopg flavour's double (``await conn.execute(...)``, a cursor), or why it is skipped."""
    try:
        module = importlib.import_module("asyncfakes.psycopg")
        cls = module.FakeAsyncConnection

        def make() -> tuple[AsyncFn, Callable[[], int]]:
            conn = cls(autocommit=True)
            conn.execute.returns(ROWS)

            def execute(sql: str, params: Any) -> Awaitable[Any]:
                awaited: Awaitable[Any] = conn.execute(PSYCOPG_SQL, params)  # fetching is local
                return awaited

            return execute, lambda: len(conn.calls)

        asyncio.run(_drive(make()[0], "list", 3))  # fails here, not mid-table, if it cannot run
    except Exception as error:  # any failure only skips the row, with the reason
        return None, f"asyncfakes.psycopg skipped: {type(error).__name__}: {error}"
    return Double(PSYCOPG, "list", make), ""


# --- measuring -----------------------------------------------------------------------------


async def _drive(fn: AsyncFn, style: str, n: int, marks: tuple[int, ...] = ()) -> list[float]:
    """Await ``fn`` ``n`` times; return the elapsed seconds at each of ``marks`` and at ``n``."""
    times: list[float] = []
    stops = [*marks, n]
    done = 0
    start = time.perf_counter()
    for stop in stops:
        if style == "list":
            for _ in range(stop - done):
                await fn(SQL, [42])
        else:
            for _ in range(stop - done):
                await fn(SQL, 42)
        done = stop
        times.append(time.perf_counter() - start)
    return times


async def _traced(fn: AsyncFn, style: str, n: int, marks: tuple[int, ...] = ()) -> list[int]:
    """Await ``fn`` ``n`` times under tracemalloc; return the bytes grown at each mark and at ``n``."""
    grown: list[int] = []
    done = 0
    gc.collect()
    base = tracemalloc.get_traced_memory()[0]
    for stop in [*marks, n]:
        await _drive(fn, style, stop - done)
        done = stop
        gc.collect()
        grown.append(tracemalloc.get_traced_memory()[0] - base)
    return grown


def _check_recorded(double: Double, counted: int, expected: int) -> None:
    if counted not in (-1, expected):
        msg = f"{double.name} recorded {counted} calls, expected {expected}: the benchmark is invalid."
        raise RuntimeError(msg)


def time_doubles(doubles: list[Double], settings: Settings) -> dict[str, float]:
    """Best-of-repeats ns per awaited call for each double; repeats are interleaved."""
    best = dict.fromkeys((d.name for d in doubles), float("inf"))
    for double in doubles:  # warm-up: caches, lazily made attributes, the allocator
        fn, _ = double.make()
        asyncio.run(_drive(fn, double.style, min(settings.calls, 2_000)))
    for _ in range(settings.repeats):
        for double in doubles:
            fn, count = double.make()
            gc.collect()
            (elapsed,) = asyncio.run(_drive(fn, double.style, settings.calls))
            _check_recorded(double, count(), settings.calls)
            best[double.name] = min(best[double.name], elapsed / settings.calls * 1e9)
    return best


def memory_doubles(doubles: list[Double], settings: Settings) -> dict[str, float]:
    """Bytes of traced memory each recorded call keeps alive, all calls kept."""
    result: dict[str, float] = {}
    for double in doubles:
        fn, count = double.make()
        asyncio.run(_drive(fn, double.style, 1))  # first-call allocations are not per call
        tracemalloc.start()
        try:
            (grown,) = asyncio.run(_traced(fn, double.style, settings.memory_calls))
        finally:
            tracemalloc.stop()
        _check_recorded(double, count(), settings.memory_calls + 1)
        result[double.name] = grown / settings.memory_calls
    return result


# --- import time ---------------------------------------------------------------------------

_IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)\s*$")


def _importtime(code: str, env: dict[str, str]) -> list[tuple[str, int, int]]:
    """Run ``python -X importtime -c code``; return (module, self us, cumulative us) per import."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if proc.returncode:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed")
    found: list[tuple[str, int, int]] = []
    for line in proc.stderr.splitlines():
        match = _IMPORTTIME.match(line)
        if match:
            found.append((match[4], int(match[1]), int(match[2])))
    return found


@dataclass
class ImportResult:
    """What ``import module`` adds to a fresh interpreter."""

    module: str
    total_ms: float = float("nan")
    top: list[tuple[str, float]] = field(default_factory=list[tuple[str, float]])
    heavy: list[str] = field(default_factory=list[str])
    error: str = ""


HEAVY = ("asyncio", "unittest.mock", "inspect", "trio", "anyio", "pytest", "typing_extensions", "asyncpg")


def import_time(module: str, runs: int) -> ImportResult:
    """Best-of-``runs`` time to import ``module``: the self times of every module it adds.

    Bytecode is cached, as it is after ``pip install``, but in a temporary
    ``PYTHONPYCACHEPREFIX`` (so nothing is written into the source tree), and even when
    ``PYTHONDONTWRITEBYTECODE`` is set here; a first, uncounted run fills the cache.
    """
    result = ImportResult(module)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    try:
        with tempfile.TemporaryDirectory(prefix="asyncfakes-bench-") as cache:
            env["PYTHONPYCACHEPREFIX"] = cache
            startup = {name for name, _, _ in _importtime("pass", env)}
            _importtime(f"import {module}", env)
            best: list[tuple[str, int]] | None = None
            for _ in range(runs):
                added = [(n, s) for n, s, _ in _importtime(f"import {module}", env) if n not in startup]
                if best is None or sum(s for _, s in added) < sum(s for _, s in best):
                    best = added
    except (OSError, RuntimeError) as error:
        result.error = str(error)
        return result
    assert best is not None
    result.total_ms = sum(s for _, s in best) / 1000
    result.top = [(n, s / 1000) for n, s in sorted(best, key=lambda a: -a[1])[:6]]
    result.heavy = [n for n, _ in best if n in HEAVY]
    return result


# --- stub scaling and growth ---------------------------------------------------------------


def stub_case(count: int, regex: bool) -> tuple[str, AsyncFn, str]:
    """``conn.fetch`` with ``count`` stubs, and the SQL of the last one (the worst case for a scan)."""
    conn = FakeConnection(optional_stubs=True)  # all but one stay unused on purpose
    for i in range(count):
        sql = Regex(rf"^SELECT {i} WHERE") if regex else f"SELECT {i} WHERE id = $1"
        conn.fetch.when(sql=sql, optional=True).returns(ROWS)  # only the last one answers
    kind = "Regex" if regex else "exact-SQL"
    return f"{count:,} {kind} stub{'s' if count > 1 else ''}", conn.fetch, f"SELECT {count - 1} WHERE id = $1"


async def _drive_stub(fn: AsyncFn, sql: str, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        await fn(sql, [42])
    return time.perf_counter() - start


def time_stubs(settings: Settings) -> dict[str, float]:
    """Best-of-repeats ns per call of ``conn.fetch`` answered by a stub among many.

    Each case keeps one connection across repeats (registering 1,000 stubs is not what is
    timed), so its history grows by ``calls`` per repeat, as it would in a long test.
    """
    cases = [stub_case(1, False), stub_case(100, False), stub_case(1000, False), stub_case(100, True)]
    best = dict.fromkeys((name for name, _, _ in cases), float("inf"))
    for _, fn, sql in cases:
        asyncio.run(_drive_stub(fn, sql, min(settings.stub_calls, 1_000)))
    for _ in range(settings.repeats):
        for name, fn, sql in cases:
            gc.collect()
            elapsed = asyncio.run(_drive_stub(fn, sql, settings.stub_calls))
            best[name] = min(best[name], elapsed / settings.stub_calls * 1e9)
    return best


def _per_call(edges: list[int], cumulative: list[float]) -> list[float]:
    """The per-call cost of each segment between ``edges``, from cumulative totals at them."""
    starts, ends = [0.0, *cumulative[:-1]], cumulative
    lows, highs = [0, *edges[:-1]], edges
    return [(e - s) / (h - lo) for s, e, lo, h in zip(starts, ends, lows, highs, strict=True)]


def _drift(values: list[float]) -> float:
    """Worst over best of per-segment costs: 1.00 means the total grows exactly linearly."""
    return max(values) / min(values)


@dataclass
class Growth:
    """Cumulative time and traced memory of one connection's calls at 1/4, 1/2 and all of them."""

    calls: list[int]
    seconds: list[float]
    megabytes: list[float]
    hand_seconds: list[float]

    @property
    def time_drift(self) -> float:
        """How much the per-call time of the slowest quarter-segment exceeds the fastest's."""
        return _drift(_per_call(self.calls, self.seconds))

    @property
    def memory_drift(self) -> float:
        """How much the per-call memory of the largest segment exceeds the smallest's."""
        return _drift(_per_call(self.calls, self.megabytes))

    @property
    def hand_time_drift(self) -> float:
        """The same time drift for the hand-written fake: what the garbage collector alone adds."""
        return _drift(_per_call(self.calls, self.hand_seconds))

    @property
    def linear(self) -> bool:
        """Memory per call is flat and time per call drifts no more than the hand-written fake's."""
        return self.memory_drift <= 1.1 and self.time_drift <= max(1.5, 1.1 * self.hand_time_drift)


def growth(settings: Settings) -> Growth:
    """Record ``growth_calls`` calls on one connection: time, then traced memory, at each mark."""
    n = settings.growth_calls
    marks = (n // 4, n // 2)
    conn = FakeConnection()
    conn.fetch.returns(ROWS)
    gc.collect()
    seconds = asyncio.run(_drive(conn.fetch, "list", n, marks))
    del conn
    hand, _ = _hand()
    gc.collect()
    hand_seconds = asyncio.run(_drive(hand, "list", n, marks))
    del hand
    conn = FakeConnection()
    conn.fetch.returns(ROWS)
    asyncio.run(_drive(conn.fetch, "list", 1))
    tracemalloc.start()
    try:
        grown = asyncio.run(_traced(conn.fetch, "list", n, marks))
    finally:
        tracemalloc.stop()
    if n + 1 != len(conn.calls):
        msg = "the growth run lost calls: the benchmark is invalid"
        raise RuntimeError(msg)
    return Growth([*marks, n], seconds, [b / 1e6 for b in grown], hand_seconds)


# --- the report ----------------------------------------------------------------------------


_NUMBER = re.compile(r"^[-+]?[\d,.]+ ?(x|ms|B)?$")


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, padded so it also reads as plain text; numeric columns align right."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    right = [all(_NUMBER.match(r[i]) for r in rows) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        padded = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (w + 1) + (":" if r else "-") for w, r in zip(widths, right, strict=True))
    return "\n".join([line(headers), rule + "|", *(line(r) for r in rows)])


@dataclass
class Target:
    """One target (of issue 5, or 11) and whether this run met it."""

    what: str
    measured: str
    met: bool


HAND = "hand-written fake"
MOCK = "unittest.mock.AsyncMock"
BARE = "bare coroutine (floor)"
GENERIC = "asyncfakes FakeConnection.fetch"
NESTED = "asyncfakes FakeConnection.fetch, nested rows"
PSYCOPG = "asyncfakes.psycopg AsyncConnection.execute"


def section_calls(settings: Settings, figures: dict[str, Any]) -> tuple[list[Target], str | None]:
    """Sections 1 and 2: ns and bytes per awaited call; returns the targets and the flavour's name."""
    doubles = [Double(BARE, "list", _bare), Double(HAND, "list", _hand), Double(MOCK, "list", _mock)]
    doubles.append(Double(GENERIC, "list", _generic))
    if settings.nested:
        doubles.append(Double(NESTED, "list", _generic_nested))
    flavour, note = _asyncpg_double()
    if flavour is not None:
        doubles.append(flavour)
    psycopg, psycopg_note = _psycopg_double()
    if psycopg is not None:
        doubles.append(psycopg)
    ns = time_doubles(doubles, settings)
    memory = memory_doubles(doubles, settings)
    print("1-2. Per awaited call (the asyncfakes rows are scripted with returns() and recorded)")
    rows = [
        [
            d.name,
            f"{ns[d.name]:,.0f}",
            f"{ns[d.name] / ns[BARE]:.2f}x",
            f"{ns[d.name] / ns[HAND]:.2f}x",
            f"{ns[MOCK] / ns[d.name]:.1f}x",
            f"{memory[d.name]:,.0f}",
        ]
        for d in doubles
    ]
    headers = ["double", "ns/call", "vs floor", "vs hand-written", "AsyncMock / this", "bytes/call"]
    print(table(headers, rows))
    print("note: " + (note or "the asyncpg flavour is called fetch(sql, 42), the others fetch(sql, [42])."))
    print("note: every call gets its own copy of the scripted rows; the nested row holds a list and a dict.")
    print(
        "note: "
        + (
            psycopg_note
            or "the psycopg row is `await conn.execute(sql, [42])`, giving a cursor with the rows."
        )
    )
    print()
    figures.update(ns_per_call=ns, bytes_per_call=memory, notes=[n for n in (note, psycopg_note) if n])
    targets: list[Target] = []
    for name in [GENERIC] + ([flavour.name] if flavour else []):
        label = "generic" if name == GENERIC else "asyncpg"
        ratio, faster = ns[name] / ns[HAND], ns[MOCK] / ns[name]
        targets += [
            Target(f"{label}: call <= 1.0x hand-written fake", f"{ratio:.2f}x", ratio <= 1.0),
            Target(f"{label}: call >= 25x faster than AsyncMock", f"{faster:.1f}x", faster >= 25),
            Target(f"{label}: <= 200 bytes per recorded call", f"{memory[name]:,.0f} B", memory[name] <= 200),
        ]
    if flavour is not None:
        faster = ns[MOCK] / ns[flavour.name]
        targets.append(
            Target("asyncpg: call >= 3x faster than AsyncMock (#11)", f"{faster:.1f}x", faster >= 3)
        )
    if psycopg is not None:
        ratio = ns[PSYCOPG] / ns[GENERIC]
        targets.append(Target("psycopg: conn.execute <= 2x the generic call", f"{ratio:.2f}x", ratio <= 2.0))
    return targets, flavour.name if flavour else None


def section_imports(settings: Settings, flavour: str | None, figures: dict[str, Any]) -> list[Target]:
    """Section 3: import time of the package and of each flavour that runs."""
    imports = [import_time("asyncfakes", settings.import_runs)]
    if flavour is not None:
        imports.append(import_time("asyncfakes.asyncpg", settings.import_runs))
    runs = settings.import_runs
    print(f"3. Import time (python -X importtime, bytecode cached, best of {runs} fresh interpreters)")
    rows: list[list[str]] = []
    for result in imports:
        if result.error:
            rows.append([f"import {result.module}", "failed", result.error[:60], ""])
            continue
        top = ", ".join(f"{n} {ms:.1f}" for n, ms in result.top[:4])
        heavy = ", ".join(result.heavy) or "-"
        rows.append([f"import {result.module}", f"{result.total_ms:.1f}", top, heavy])
    print(table(["module", "ms", "largest self times (ms)", "heavy modules pulled in"], rows))
    print()
    figures["import_ms"] = {r.module: r.total_ms for r in imports}
    return [
        Target(
            f"import {r.module} <= 15 ms",
            "failed" if r.error else f"{r.total_ms:.1f} ms",
            not r.error and r.total_ms <= 15,
        )
        for r in imports
    ]


def section_stubs(settings: Settings, figures: dict[str, Any]) -> list[Target]:
    """Section 4: per-call cost with many stubs registered."""
    stubs = time_stubs(settings)
    one, thousand = stubs["1 exact-SQL stub"], stubs["1,000 exact-SQL stubs"]
    print("4. Per call with many stubs registered (each call hits the last stub registered)")
    rows = [[name, f"{value:,.0f}", f"{value / one:.2f}x"] for name, value in stubs.items()]
    print(table(["stubs on conn.fetch", "ns/call", "vs 1 stub"], rows))
    print()
    figures["stubs_ns_per_call"] = stubs
    return [Target("1,000 exact stubs <= 1.5x one stub", f"{thousand / one:.2f}x", thousand <= 1.5 * one)]


def section_growth(settings: Settings, figures: dict[str, Any]) -> list[Target]:
    """Section 5: time and memory of a long run of recorded calls."""
    grown = growth(settings)
    print(f"5. {settings.growth_calls:,} recorded calls on one connection (cumulative)")
    rows = [
        [
            f"{calls:,}",
            f"{seconds:.3f}",
            f"{seconds / calls * 1e9:,.0f}",
            f"{mb:.1f}",
            f"{mb * 1e6 / calls:,.0f}",
        ]
        for calls, seconds, mb in zip(grown.calls, grown.seconds, grown.megabytes, strict=True)
    ]
    print(table(["calls", "seconds", "ns/call", "traced MB", "bytes/call"], rows))
    print(
        f"drift (slowest over fastest segment, 1.00 = linear): memory {grown.memory_drift:.2f}, "
        f"time {grown.time_drift:.2f}; the hand-written fake's time drifts {grown.hand_time_drift:.2f} "
        "in the same run (the garbage collector's share)"
    )
    print()
    figures["growth"] = {
        "calls": grown.calls,
        "seconds": grown.seconds,
        "megabytes": grown.megabytes,
        "hand_seconds": grown.hand_seconds,
    }
    measured = f"mem {grown.memory_drift:.2f}, time {grown.time_drift:.2f}"
    return [Target("grows linearly (memory flat, time drift <= hand's)", measured, grown.linear)]


def section_orm(settings: Settings, figures: dict[str, Any]) -> list[Target]:
    """Section 6: one typical SQLAlchemy ORM test on FakeEngine, on in-memory SQLite, with AsyncMock."""
    try:
        from bench_sqlalchemy import FAKE, SQLITE, time_orm_tests
    except ImportError as error:  # SQLAlchemy is optional: the test group has it
        print(f"6. SQLAlchemy ORM test: skipped ({error})")
        print()
        return []
    runs = max(3, settings.calls // 10_000)
    ms = time_orm_tests(runs, settings.repeats)
    what = "engine, session, add + commit, select back, assert"
    print(f"6. One SQLAlchemy ORM test ({what}): CPU ms per test, best of {settings.repeats}")
    rows = [[name, f"{value:.2f}", f"{ms[SQLITE] / value:.1f}x"] for name, value in ms.items()]
    print(table(["way", "ms/test", "SQLite / this"], rows))
    print()
    figures["orm_test_ms"] = ms
    faster = ms[SQLITE] / ms[FAKE]
    return [Target("FakeEngine ORM test >= 3x faster than SQLite :memory:", f"{faster:.1f}x", faster >= 3)]


def run(settings: Settings, mode: str) -> tuple[list[Target], dict[str, Any]]:
    """Measure everything, print the tables, and return the verdicts and the raw figures."""
    print(f"asyncfakes benchmark ({mode} mode)")
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; "
        f"asyncfakes from {os.path.dirname(asyncfakes.__file__)}"
    )
    print(f"ns/call: best of {settings.repeats} runs of {settings.calls:,} awaits in one asyncio.run, GC on.")
    print()
    figures: dict[str, Any] = {"mode": mode, "python": platform.python_version()}
    targets, flavour = section_calls(settings, figures)
    targets += section_imports(settings, flavour, figures)
    targets += section_stubs(settings, figures)
    targets += section_growth(settings, figures)
    targets += section_orm(settings, figures)
    print("Targets (issues 5 and 11)")
    rows = [[t.what, t.measured, "PASS" if t.met else "MISS"] for t in targets]
    print(table(["target", "measured", "verdict"], rows))
    missed = sum(not t.met for t in targets)
    print(f"{len(targets) - missed} of {len(targets)} targets met.")
    figures["targets"] = [{"what": t.what, "measured": t.measured, "met": t.met} for t in targets]
    return targets, figures


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 on a missed target only with ``--strict``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small counts, for CI (a few seconds)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    options = parser.parse_args(argv)
    settings = QUICK if options.quick else FULL
    targets, figures = run(settings, "quick" if options.quick else "full")
    if options.json:
        with open(options.json, "w", encoding="utf-8") as out:
            json.dump(figures, out, indent=2)
    if options.strict and not all(t.met for t in targets):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
