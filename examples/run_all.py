"""Run every numbered example in this folder and report; exit 1 if any fails.

    python examples/run_all.py

An example that needs an optional package which is not installed is reported as skipped
(install the ``examples`` extra to run them all); the test suite runs them all.
"""

from __future__ import annotations

import runpy
import sys
import traceback
from pathlib import Path

OPTIONAL = {
    "trio",
    "anyio",
    "fastapi",
    "httpx",
    "pydantic",
    "psqlpy",
    "psycopg",
    "psycopg_pool",
    "uvloop",
    "sqlalchemy",
    "sqlmodel",
    "greenlet",
}


def main() -> int:
    failed = 0
    for path in sorted(Path(__file__).parent.glob("[0-9]*.py")):
        try:
            runpy.run_path(str(path), run_name="__main__")
        except ModuleNotFoundError as error:
            if error.name not in OPTIONAL:
                raise
            print(f"skip  {path.name}: needs {error.name} (pip install -e . --group examples)")
        except Exception:
            failed += 1
            print(f"FAIL  {path.name}")
            traceback.print_exc()
        else:
            print(f"ok    {path.name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
