"""FakeEngine: real SQLAlchemy (ORM and Core, asyncio) on the fake asyncpg driver."""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

import pytest

pytest.importorskip("sqlalchemy")

from sqlalchemy import delete, exc, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

import asyncfakes.sqlalchemy
from asyncfakes import ANY, Contains, ExpectationsNotMet, FakeAssertionError, UnexpectedCall
from asyncfakes.asyncpg import unique_violation
from asyncfakes.sqlalchemy import FakeEngine, Statement, compile_statement
from tests.sqlalchemy_models import Event, User

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """SQLAlchemy's asyncio extension runs on asyncio only."""
    return "asyncio"


@pytest.fixture
async def fake() -> Any:
    engine = FakeEngine()
    yield engine
    await engine.dispose()


def session(fake: FakeEngine) -> AsyncSession:
    return async_sessionmaker(fake.engine, expire_on_commit=False)()


def test_the_public_surface() -> None:
    """__all__ is sorted, and every name has a docstring."""
    names = asyncfakes.sqlalchemy.__all__
    assert sorted(names) == names
    assert all(getattr(asyncfakes.sqlalchemy, name).__doc__ for name in names)


async def test_add_and_commit_gets_fresh_primary_keys(fake: FakeEngine) -> None:
    """INSERT ... RETURNING answers fresh keys, one per row, insertmanyvalues included."""
    async with session(fake) as s:
        ana = User(name="Ana")
        s.add(ana)
        await s.commit()
        more = [User(name="Bo"), User(name="Cy")]
        s.add_all(more)
        await s.commit()

    assert (1, [2, 3]) == (ana.id, [user.id for user in more])
    fake.assert_executed(insert(User).values(name="Ana", active=True).returning(User.id))
    fake.verify()


async def test_values_the_database_fills_in(fake: FakeEngine) -> None:
    """Server defaults come back typed: uuid, aware and naive datetimes, else None."""
    async with session(fake) as s:
        event = Event()
        s.add(event)
        await s.commit()

    assert isinstance(event.key, uuid.UUID)
    assert isinstance(event.ref, uuid.UUID)
    assert (datetime.timezone.utc, None) == (event.at.tzinfo, event.plain.tzinfo)
    assert None is event.note


async def test_core_insert_returning_and_default_values(fake: FakeEngine) -> None:
    """Core inserts: echoed values, a literal is None, DEFAULT VALUES gives one row."""
    async with fake.engine.begin() as conn:
        row = (await conn.execute(insert(User).values(name="Ana").returning(User.id, User.name))).one()
        literal = (
            await conn.execute(text("INSERT INTO users (name) VALUES ('x') RETURNING users.name"))
        ).one()
        default = (
            await conn.execute(text("INSERT INTO things DEFAULT VALUES RETURNING things.id, now() AS at"))
        ).one()

    assert ((1, "Ana"), (None,), (1, 1)) == (tuple(row), tuple(literal), tuple(default))


async def test_unscripted_select_gives_no_rows_and_knows_its_columns(fake: FakeEngine) -> None:
    """An unscripted SELECT answers no rows; the result still has the statement's columns."""
    async with fake.engine.connect() as conn:
        result = await conn.execute(select(User.id, User.name))
        assert (["id", "name"], []) == (list(result.keys()), result.all())


async def test_scripted_rows_are_placed_by_the_statements_columns(fake: FakeEngine) -> None:
    """Rows scripted as dicts in any key order become real entities."""
    fake.when(select(User).where(User.name == "Ana")).returns([{"active": True, "name": "Ana", "id": 7}])

    async with session(fake) as s:
        users = (await s.scalars(select(User).where(User.name == "Ana"))).all()
        other = (await s.scalars(select(User).where(User.name == "Bo"))).all()

    assert ([(7, "Ana", True)], []) == ([(u.id, u.name, u.active) for u in users], other)


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_row_missing_a_column_fails_naming_the_columns(fake: FakeEngine) -> None:
    """A scripted row without a column the statement returns fails at once."""
    fake.when(select(User)).returns([{"id": 1, "name": "Ana"}])

    async with session(fake) as s:
        with pytest.raises(
            ValueError, match=r"the statement returns \['id', 'name', 'active'\] \(missing \['active'\]\)"
        ):
            await s.scalars(select(User))
    with pytest.raises(ExpectationsNotMet, match="does not fit"):
        fake.verify()


async def test_selectinload_answers_its_second_statement_from_the_script(fake: FakeEngine) -> None:
    """The relationship's own query is scripted like any other (text or statement)."""
    fake.when(select(User)).returns([{"id": 1, "name": "Ana", "active": True}])
    fake.when(
        "SELECT addresses.user_id, addresses.id, addresses.email FROM addresses "
        "WHERE addresses.user_id IN ($1) ORDER BY addresses.id",
        params=(1,),
    ).returns([{"user_id": 1, "id": 3, "email": "a@x"}])

    async with session(fake) as s:
        (user,) = (await s.scalars(select(User).options(selectinload(User.addresses)))).all()

    assert ["a@x"] == [address.email for address in user.addresses]


async def test_get_update_and_delete_through_the_unit_of_work(fake: FakeEngine) -> None:
    """session.get loads an entity; changing and deleting it flush one-row statements."""
    # SQLAlchemy 2.0 labels the loader's columns (users.id AS users_id), 2.1 does not: the same
    # script serves both.
    fake.when(select(User).where(User.id == 5)).returns([{"id": 5, "name": "Ana", "active": True}])
    async with session(fake) as s:
        user = await s.get(User, 5)
        assert user is not None
        user.name = "Bea"
        await s.commit()
        await s.delete(user)
        await s.commit()

    fake.assert_executed(update(User).where(User.id == 5).values(name="Bea"))
    fake.assert_executed(delete(User).where(User.id == 5))


async def test_update_and_delete_row_counts_are_scripted(fake: FakeEngine) -> None:
    """returns(n) on an UPDATE or DELETE is its rowcount; unscripted they match nothing."""
    stale = update(User).where(User.active.is_(False)).values(name="gone")
    fake.when(stale).returns(3)

    async with fake.engine.begin() as conn:
        counts = [
            (await conn.execute(stale)).rowcount,
            (await conn.execute(delete(User).where(User.id == 9))).rowcount,
        ]

    assert [3, 0] == counts


async def test_unique_violation_surfaces_as_sqlalchemy_does(fake: FakeEngine) -> None:
    """IntegrityError wrapping the dialect's error (asyncpg's as its cause), then PendingRollbackError."""
    fake.when(Contains("INSERT INTO users")).raises_once(unique_violation("users_name_key", table="users"))

    async with session(fake) as s:
        s.add(User(name="Ana"))
        with pytest.raises(exc.IntegrityError) as caught:
            await s.flush()
        with pytest.raises(exc.PendingRollbackError):
            await s.execute(select(User))
        await s.rollback()
        s.add(User(name="Ana"))
        await s.commit()

    orig: Any = caught.value.orig
    assert ("23505", "UniqueViolationError") == (orig.sqlstate, type(orig.__cause__).__name__)


async def test_savepoints_roll_back_only_the_nested_part(fake: FakeEngine) -> None:
    """begin_nested(): a failure inside rolls back to the savepoint; the outer work commits."""
    fake.when(Contains("INSERT INTO users"), params=("Bo", True)).raises_once(
        unique_violation("users_name_key")
    )

    async with session(fake) as s, s.begin():
        with pytest.raises(exc.IntegrityError):
            async with s.begin_nested():
                s.add(User(name="Bo"))
                await s.flush()
        s.add(User(name="Cy"))

    assert ["SAVEPOINT sa_savepoint_1", "ROLLBACK TO SAVEPOINT sa_savepoint_1"] == [
        call.sql for call in fake.statements if "SAVEPOINT" in (call.sql or "")
    ]
    fake.verify()


async def test_stream_and_text(fake: FakeEngine) -> None:
    """session.stream() reads a cursor; text() statements match by their SQL and values."""
    fake.when(select(User.name)).returns([{"name": "Ana"}, {"name": "Bo"}])
    fake.when(text("SELECT count(*) AS n FROM users WHERE name = :name").bindparams(name="Ana")).returns(
        [{"n": 2}]
    )

    async with session(fake) as s:
        streamed = [name async for name in await s.stream_scalars(select(User.name))]
        counted = await s.scalar(text("SELECT count(*) AS n FROM users WHERE name = :name"), {"name": "Ana"})

    assert (["Ana", "Bo"], 2) == (streamed, counted)


async def test_sqlmodel_session_exec(fake: FakeEngine) -> None:
    """SQLModel's AsyncSession.exec() runs on the fake engine."""
    import sqlmodel
    from sqlmodel.ext.asyncio.session import AsyncSession as ModelSession

    class Sidekick(sqlmodel.SQLModel, table=True):
        id: int | None = sqlmodel.Field(default=None, primary_key=True)
        name: str

    fake.when(sqlmodel.select(Sidekick).where(Sidekick.name == "Robin")).returns([{"name": "Robin", "id": 4}])
    async with ModelSession(fake.engine, expire_on_commit=False) as s:
        hero = Sidekick(name="Bucky")
        s.add(hero)
        await s.commit()
        found = (await s.exec(sqlmodel.select(Sidekick).where(Sidekick.name == "Robin"))).one()

    assert (1, 4) == (hero.id, found.id)
    sqlmodel.SQLModel.metadata.remove(Sidekick.__table__)  # type: ignore[attr-defined]


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_expect_and_verify(fake: FakeEngine) -> None:
    """expect() must be used; verify() lists what was not, with the compiled SQL."""
    fake.expect(select(User).where(User.id == 1))
    fake.expect(select(User).where(User.id == 2), params=ANY, times=1)

    async with fake.engine.connect() as conn:
        await conn.execute(select(User).where(User.id == 3))

    with pytest.raises(ExpectationsNotMet) as failed:
        fake.verify()
    assert (
        "Statement('SELECT users.id, users.name, users.active FROM users WHERE users.id = $1::INTEGER')"
        in str(failed.value)
    )
    assert "was expected 1 time(s), but was used 0 time(s)" in str(failed.value)


async def test_verify_reports_a_transaction_left_open(fake: FakeEngine) -> None:
    """A connection whose transaction the code never ended is reported."""
    conn = await fake.engine.connect()
    await conn.execute(select(User))
    with pytest.raises(ExpectationsNotMet, match="was never committed or rolled back"):
        fake.verify()
    await conn.close()
    fake.verify()


async def test_assertions_print_compiled_sql_and_parameters(fake: FakeEngine) -> None:
    """assert_executed / assert_not_executed compare SQL normalised and parameters by value."""
    async with fake.engine.connect() as conn:
        await conn.execute(select(User).where(User.name == "Ana"))

    fake.assert_executed(select(User).where(User.name == "Ana"), times=1)
    fake.assert_executed("SELECT users.id, users.name, users.active FROM users WHERE users.name = $1")
    fake.assert_not_executed(select(User).where(User.name == "Bo"))
    with pytest.raises(FakeAssertionError, match=r"(?s)users.name = \$1::VARCHAR.*'Bo'"):
        fake.assert_executed(select(User).where(User.name == "Bo"))
    assert 1 == len(fake.statements)
    assert fake.calls[0].method == "set_type_codec"
    assert re.match(r"<asyncfakes.sqlalchemy.FakeEngine postgresql\+asyncpg://, \d+ calls>", repr(fake))


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_strict_engine_refuses_unscripted_statements() -> None:
    """strict=True: the start-up queries are answered, anything unscripted is an UnexpectedCall."""
    fake = FakeEngine(strict=True)
    fake.when(select(func.count()).select_from(User)).returns([{"count_1": 0}])
    async with fake.engine.connect() as conn:
        assert 0 == await conn.scalar(select(func.count()).select_from(User))
        with pytest.raises(UnexpectedCall):
            await conn.execute(select(User))
    await fake.dispose()


def test_statement_matching_ignores_casts_and_loader_labels() -> None:
    """What differs between SQLAlchemy versions, or from hand-written SQL, does not matter."""
    expected = Statement("SELECT users.id, users.name FROM users WHERE users.id = $1")
    assert (
        expected
        == "SELECT users.id AS users_id, users.name AS users_name FROM users WHERE users.id = $1::INTEGER"
    )
    assert expected != "SELECT users.id AS uid, users.name FROM users WHERE users.id = $1"
    assert "Statement('SELECT users.id, users.name FROM users WHERE users.id = $1')" == repr(expected)


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_bad_statements_and_urls_fail_clearly(fake: FakeEngine) -> None:
    """Only statements, SQL text and matchers script; only faked drivers make an engine."""
    with pytest.raises(TypeError, match=r"expected a SQLAlchemy statement .* got 42 \(int\)"):
        fake.when(42)
    with pytest.raises(
        ValueError, match=r"no fake driver for 'mysql\+aiomysql'; it fakes postgresql\+asyncpg://"
    ):
        FakeEngine("mysql+aiomysql://")
    assert ("SELECT 1", None) == compile_statement("SELECT 1", fake.engine.dialect)
    assert fake.when(re.compile("SELECT")) is not None


async def test_executemany_answers_none_and_is_recorded(fake: FakeEngine) -> None:
    """Core executemany (an UPDATE per parameter set) goes to the driver's executemany."""
    from sqlalchemy import bindparam

    statement = update(User).where(User.id == bindparam("uid")).values(name=bindparam("n"))
    async with fake.engine.begin() as conn:
        await conn.execute(statement, [{"uid": 1, "n": "a"}, {"uid": 2, "n": "b"}])

    (call,) = fake.db.executemany.calls
    assert [("a", 1), ("b", 2)] == [tuple(p) for p in call.params]


def test_insert_parsing_edges() -> None:
    """Unterminated VALUES, no RETURNING: the natural answers stay defined."""
    from asyncfakes.sqlalchemy._natural import inserted_rows, returning

    assert [{"a": 1}] == inserted_rows("INSERT INTO t (a) VALUES ($1", (1,))
    assert [{"a": None, "b": None}] == inserted_rows("INSERT INTO t (a, b) VALUES ($9, DEFAULT)", ())
    assert () == returning("INSERT INTO t (a) VALUES (1)")


async def test_statements_with_in_lists_and_the_compile_cache(
    fake: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """IN lists compile expanded; the compile cache is bounded and binds each statement's own values."""
    from asyncfakes.sqlalchemy import _statements  # pyright: ignore[reportPrivateUsage]

    monkeypatch.setattr(_statements, "_CACHE_SIZE", 1)
    fake.when(select(User.id).where(User.id.in_([1, 2]))).returns([{"id": 1}])
    dialect = fake.engine.dialect
    first = compile_statement(select(User.id).where(User.id == 1), dialect)
    other = compile_statement(select(User.name).where(User.id == 2), dialect)
    again = compile_statement(select(User.id).where(User.id == 3), dialect)

    async with fake.engine.connect() as conn:
        found = (await conn.execute(select(User.id).where(User.id.in_([1, 2])))).all()

    assert [(1,)] == [tuple(row) for row in found]
    assert ((1,), (2,), (3,)) == (first[1], other[1], again[1])
    assert first[0] == again[0]


async def test_later_engines_reuse_the_initialised_dialect(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first engine answers the start-up queries; later ones with the same URL skip them."""
    from asyncfakes.sqlalchemy import _templates

    monkeypatch.setattr(_templates, "_initialised", {})
    first, second = FakeEngine(), None
    async with first.engine.connect() as conn:
        await conn.execute(select(User.id))
    second = FakeEngine()
    async with second.engine.connect() as conn:
        await conn.execute(select(User.id))

    assert second.engine.dialect is first.engine.dialect
    assert ["select pg_catalog.version()"] == [c.sql for c in first.calls if c.sql and "version" in c.sql]
    assert [] == [c.sql for c in second.calls if c.sql and "version" in c.sql]
    assert [1, 1] == [len(first.statements), len(second.statements)]
    first.verify()
    second.verify()
