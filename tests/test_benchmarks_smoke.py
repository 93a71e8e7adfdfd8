"""The benchmark script runs: CI checks it does not crash, never its timings."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent.parent / "benchmarks" / "bench.py"


def test_quick_benchmark_runs_and_prints_the_targets() -> None:
    """`bench.py --quick` exits 0 and prints the per-call ratios and a verdict for every target."""
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert 0 == proc.returncode, proc.stderr
    out = proc.stdout
    assert "| asyncfakes FakeConnection.fetch " in out
    assert "vs hand-written" in out
    assert "Targets (issues 5 and 11)" in out
    assert "asyncpg: call >= 3x faster than AsyncMock (#11)" in out
    verdicts = re.findall(r"^\|.*\| (?:PASS|MISS) +\|$", out, re.MULTILINE)
    assert 6 <= len(verdicts), out
