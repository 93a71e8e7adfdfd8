#!/usr/bin/env bash
# The SQLAlchemy tests (unit and contract) on the other supported SQLAlchemy line.
# The default test environment installs the newest SQLAlchemy (2.1.x); this runs the same tests
# on the newest 2.0.x in a venv of its own. Call it from .ci/run after pg_start (it reuses
# ASYNCFAKES_PG_DSN when set, else the contract tests start their own PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
SPEC=${SQLALCHEMY_SPEC:-"sqlalchemy[asyncio]>=2.0,<2.1"}
VENV=.ci/venv-sqlalchemy
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e . --group test "$SPEC"
echo "== SQLAlchemy $("$VENV/bin/python" -c 'import sqlalchemy; print(sqlalchemy.__version__)')"
"$VENV/bin/python" -m pytest -q -n 2 --no-cov -p no:randomly \
  tests/test_sqlalchemy_*.py tests/contract/test_sqlalchemy_*.py
