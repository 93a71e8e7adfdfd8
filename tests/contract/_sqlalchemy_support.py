"""The two sides of every SQLAlchemy contract scenario: a real engine on PostgreSQL, and FakeEngine.

A scenario is written once against a :class:`Side` and runs twice (``[fake]`` and ``[real]``),
on the driver its module names in ``DRIVER`` (``"asyncpg"`` unless told).
It scripts the fake with what the server answers (``if side.fake: ...``), prepares the real
database with ``await side.seed(...)`` (nothing on the fake), runs the same ORM or Core code on
both, and asserts what user code observes, plus the SQL and parameters SQLAlchemy sent
(captured on both sides with the ``before_cursor_execute`` event).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, cast

import pytest

pytest.importorskip("sqlalchemy")

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from asyncfakes.sqlalchemy import FakeEngine, Statement
from tests.contract._asyncpg_support import SIDES
from tests.sqlalchemy_models import Base

_SETUP = ("select pg_catalog.version()", "select current_schema()", "show ")


class Side:
    """One side: ``engine`` is a real AsyncEngine, on PostgreSQL or on the fake driver."""

    def __init__(self, engine: AsyncEngine, fake: FakeEngine | None) -> None:
        self.engine = engine
        self.fake = fake
        self.sent: list[tuple[str, Any]] = []
        event.listen(engine.sync_engine, "before_cursor_execute", self._capture)

    def _capture(self, conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        if not sql.lower().startswith(_SETUP):
            self.sent.append((sql, params))

    def session(self, **options: Any) -> AsyncSession:
        """A new session on this side's engine (expire_on_commit=False unless told)."""
        options.setdefault("expire_on_commit", False)
        made: AsyncSession = async_sessionmaker(self.engine, **options)()
        return made

    async def seed(self, *objects: Any) -> None:
        """Add ``objects`` on the real database (the fake is scripted instead)."""
        if self.fake is None:
            async with self.session() as session:
                session.add_all(objects)
                await session.commit()
            self.sent.clear()

    def assert_sent(self, *expected: Any) -> None:
        """SQLAlchemy sent exactly these statements (SQL normalised; parameters by value)."""
        __tracebackhide__ = True
        got = [
            (
                Statement(sql),
                tuple(cast("Sequence[object]", params)) if isinstance(params, (list, tuple)) else params,
            )
            for sql, params in self.sent
        ]
        wanted = [(Statement(sql), params) for sql, params in expected]
        assert [(w.key, p) for w, p in wanted] == [(g.key, p) for g, p in got]


def database_fixture(request: pytest.FixtureRequest) -> str:
    """The URL of the side's database: a fresh PostgreSQL database, or the fake's (``fake+...``)."""
    driver = getattr(request.module, "DRIVER", "asyncpg")  # pytest leaves .module unannotated  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
    pytest.importorskip(driver)
    if request.param == "fake":
        return f"fake+postgresql+{driver}://"
    dsn: str = request.getfixturevalue("pg_isolated_dsn")
    return f"postgresql+{driver}://" + dsn.split("://", 1)[1]


async def side_fixture(database: str) -> AsyncIterator[Side]:
    """The engine a scenario runs on."""
    if database.startswith("fake+"):
        fake = FakeEngine(database.removeprefix("fake+"))
        side = Side(fake.engine, fake)
    else:
        engine = create_async_engine(database)
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        side = Side(engine, None)
    try:
        yield side
    finally:
        await side.engine.dispose()


database = pytest.fixture(params=SIDES)(database_fixture)
side = pytest.fixture(side_fixture)


@pytest.fixture
def anyio_backend() -> str:
    """SQLAlchemy's asyncio extension runs on asyncio only."""
    return "asyncio"
