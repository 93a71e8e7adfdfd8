"""Fixtures for contract tests that run against a real PostgreSQL server.

``pg_dsn`` (session scope, ``str``)
    DSN of a PostgreSQL server on which we are superuser.  When the
    ``ASYNCFAKES_PG_DSN`` environment variable is set (``.ci/run`` sets it via
    ``.ci/postgres.sh``), that server is used and shared by every pytest-xdist
    worker.  Otherwise each session (each xdist worker, with its own temp dir
    and port) starts a throwaway cluster (see ``_cluster.py``; as the
    ``postgres`` user when running as root) and stops it at session end.  If no
    PostgreSQL binaries can be found the requesting tests are *skipped*.

``pg_isolated_dsn`` (function scope, ``str``)
    DSN of a brand-new, empty database created for this test only (from
    ``template0``, named ``asyncfakes_<worker>_<random>``) on the ``pg_dsn``
    server, dropped ``WITH (FORCE)`` after the test, so tests may create tables
    freely and never see each other's data, even with ``-n auto`` against one
    shared server.  Costs ~25 ms per test.  Creating and dropping the database
    uses asyncpg (in its own ``asyncio.run``), so it works whatever anyio backend
    the test itself runs on.

To run these tests, either install PostgreSQL (``apt-get install postgresql``;
``initdb``/``pg_ctl`` on ``PATH`` or in ``/usr/lib/postgresql/*/bin``), or set
``ASYNCFAKES_PG_DSN=postgresql://user@host:port/db`` to a server where that user
may create databases, or run ``.ci/run``.
"""

from __future__ import annotations

import asyncio
import os
import urllib.parse
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.contract._cluster import DSN_ENV, Cluster, PostgresNotFoundError

HOW_TO_RUN = (
    "to run these tests, install PostgreSQL (e.g. `apt-get install postgresql`), "
    f"or set {DSN_ENV}=postgresql://user@host:port/db (a server where that user may "
    "create databases), or run `.ci/run`"
)


def _worker_id() -> str:
    """The pytest-xdist worker id (``gw0``...), or ``main`` without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """DSN of a PostgreSQL server we are superuser on (see the module docstring)."""
    dsn = os.environ.get(DSN_ENV, "").strip()
    if dsn:
        yield dsn
        return
    try:
        cluster = Cluster.start(name=_worker_id())
    except PostgresNotFoundError as exc:
        pytest.skip(f"no PostgreSQL server: {exc}; {HOW_TO_RUN}")
    try:
        yield cluster.dsn
    finally:
        cluster.stop()


def _with_database(dsn: str, dbname: str) -> str:
    """``dsn`` with its database (the URI path) replaced by ``dbname``."""
    parts = urllib.parse.urlsplit(dsn)
    return urllib.parse.urlunsplit(parts._replace(path="/" + urllib.parse.quote(dbname)))


def _asyncpg() -> Any:
    """The asyncpg module, or skip the test (it creates/drops the test databases)."""
    return pytest.importorskip("asyncpg", reason=f"asyncpg is needed to create test databases; {HOW_TO_RUN}")


async def _create_database(asyncpg: Any, dsn: str, dbname: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        major: int = conn.get_server_version().major
        # STRATEGY FILE_COPY (PostgreSQL 15+) is several times faster than WAL_LOG.
        strategy = " STRATEGY FILE_COPY" if major >= 15 else ""
        await conn.execute(f'CREATE DATABASE "{dbname}" TEMPLATE template0{strategy}')
    finally:
        await conn.close()


async def _drop_database(asyncpg: Any, dsn: str, dbname: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        # FORCE (PostgreSQL 13+) also ends connections the test leaked.
        force = " WITH (FORCE)" if conn.get_server_version().major >= 13 else ""
        await conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"{force}')
    finally:
        await conn.close()


@pytest.fixture
def pg_isolated_dsn(pg_dsn: str) -> Iterator[str]:
    """DSN of a fresh database that exists for this test only."""
    asyncpg = _asyncpg()
    dbname = f"asyncfakes_{_worker_id()}_{uuid.uuid4().hex[:12]}"
    asyncio.run(_create_database(asyncpg, pg_dsn, dbname))
    try:
        yield _with_database(pg_dsn, dbname)
    finally:
        asyncio.run(_drop_database(asyncpg, pg_dsn, dbname))
