"""FakeEngine on SQLAlchemy's psycopg dialect (``postgresql+psycopg://``), on the fake psycopg driver."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("psycopg")

from sqlalchemy import exc, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from asyncfakes import Contains
from asyncfakes.psycopg import FakeAsyncConnection, unique_violation
from asyncfakes.sqlalchemy import FakeEngine, compile_statement
from tests.sqlalchemy_models import User

pytestmark = pytest.mark.anyio

URL = "postgresql+psycopg://"


@pytest.fixture
def anyio_backend() -> str:
    """SQLAlchemy's asyncio extension runs on asyncio only."""
    return "asyncio"


def session(fake: FakeEngine) -> AsyncSession:
    return async_sessionmaker(fake.engine, expire_on_commit=False)()


async def test_the_orm_round_trip_on_psycopg() -> None:
    """Fresh keys from RETURNING (one and several rows), scripted rows placed by column, row counts."""
    fake = FakeEngine(URL)
    fake.when(select(User).where(User.name == "Ana")).returns([{"active": True, "name": "Ana", "id": 1}])
    fake.when(update(User).where(User.active.is_(False)).values(active=True)).returns(3)

    async with session(fake) as s:
        ana = User(name="Ana")
        s.add(ana)
        await s.commit()
        more = [User(name="Bo"), User(name="Cy")]
        s.add_all(more)
        await s.commit()
        found = (await s.scalars(select(User).where(User.name == "Ana"))).one()
        counted = (await s.execute(update(User).where(User.active.is_(False)).values(active=True))).rowcount  # type: ignore[attr-defined]

    assert (1, [2, 3], ("Ana", True), 3) == (
        ana.id,
        [u.id for u in more],
        (found.name, found.active),
        counted,
    )
    assert isinstance(fake.db, FakeAsyncConnection)
    assert {"name": "Ana", "active": True} == fake.statements[0].params
    fake.verify()


async def test_unique_violation_and_savepoints_on_psycopg() -> None:
    """psycopg's UniqueViolation is .orig; ROLLBACK TO SAVEPOINT recovers the failed transaction."""
    fake = FakeEngine(URL)
    fake.when(Contains("INSERT INTO users"), params={"name": "Bo", "active": True}).raises(
        unique_violation("users_name_key")
    )

    async with session(fake) as s, s.begin():
        with pytest.raises(exc.IntegrityError) as caught:
            async with s.begin_nested():
                s.add(User(name="Bo"))
                await s.flush()
        s.add(User(name="Cy"))

    orig: Any = caught.value.orig
    assert ("UniqueViolation", "23505") == (type(orig).__name__, orig.sqlstate)
    fake.verify()


async def test_statements_compile_to_named_parameters() -> None:
    """The psycopg dialect's parameters are a dict, compared by value."""
    fake = FakeEngine(URL)
    sql, params = compile_statement(select(User.id).where(User.name == "Ana"), fake.engine.dialect)

    assert ("SELECT users.id FROM users WHERE users.name = %(name_1)s::VARCHAR", {"name_1": "Ana"}) == (
        " ".join(sql.split()),
        params,
    )
    async with fake.engine.connect() as conn:
        assert [] == (await conn.execute(select(User.id).where(User.name == "Ana"))).all()
    fake.assert_executed(select(User.id).where(User.name == "Ana"))
    fake.assert_not_executed(select(User.id).where(User.name == "Bo"))


@pytest.mark.asyncfakes(verify=False)  # the UnexpectedCall is the point
async def test_strict_psycopg_engine() -> None:
    """strict=True: unscripted statements are UnexpectedCalls there too."""
    from asyncfakes import UnexpectedCall

    fake = FakeEngine(URL, strict=True)
    async with fake.engine.connect() as conn:
        with pytest.raises(UnexpectedCall):
            await conn.execute(select(User.id))


def test_insert_values_from_named_parameters() -> None:
    """INSERT rows take their values from %(name)s parameters."""
    from asyncfakes.sqlalchemy._natural import inserted_rows

    sql = "INSERT INTO t (a, b) VALUES (%(a)s::VARCHAR, %(b)s)"
    assert [{"a": "x", "b": None}] == inserted_rows(sql, {"a": "x"})
    assert [{"a": None, "b": None}] == inserted_rows(sql, ("x",))


@pytest.mark.asyncfakes(verify=False)  # the misfit row is the point
async def test_psycopg_rows_follow_the_statement_columns() -> None:
    """Direct psycopg users: dicts are placed by the SELECT list; a misfit names both lists."""
    conn = FakeAsyncConnection(autocommit=True)
    conn.execute.returns_once([{"name": "Ana", "id": 1}]).returns_once([{"id": 1}])

    first = await conn.execute("SELECT id, name FROM users")
    assert ([(1, "Ana")], ["id", "name"]) == (
        await first.fetchall(),
        [c.name for c in first.description or []],
    )
    with pytest.raises(
        ValueError, match=r"returns \['id', 'name'\] \(missing \['name'\], not returned \[\]\)"
    ):
        await conn.execute("SELECT id, name FROM users")
    empty = await conn.execute("SELECT id, name FROM users WHERE false")
    assert ["id", "name"] == [c.name for c in empty.description or []]


def test_bound_values_compare_by_value_in_order() -> None:
    """Named parameters match by their values in order, whatever SQLAlchemy named them."""
    from asyncfakes import ANY
    from asyncfakes.sqlalchemy._statements import BoundValues

    expected = BoundValues((1, "Ana"))
    assert expected == {"pk_1": 1, "name": "Ana"}
    assert expected == (1, "Ana")
    assert expected != {"pk_1": 1}
    assert expected != "1, Ana"
    assert BoundValues((ANY, "Ana")) == {"a": 7, "b": "Ana"}
    assert "BoundValues(1, 'Ana')" == repr(expected)


@pytest.mark.asyncfakes(verify=False)  # the misfit row is the point
async def test_psycopg_rows_may_name_a_labelled_column_by_the_column_it_reads() -> None:
    """SQLAlchemy 2.0's loader labels (users.id AS users_id): {"id": ...} fits; ambiguous reads do not."""
    conn = FakeAsyncConnection(autocommit=True)
    conn.execute.returns_once([{"name": "Ana", "id": 1}]).returns_once([{"id": 1}])

    found = await conn.execute('SELECT users.id AS users_id, users.name AS "users_name" FROM users')
    assert ([(1, "Ana")], ["users_id", "users_name"]) == (
        await found.fetchall(),
        [c.name for c in found.description or []],
    )
    with pytest.raises(ValueError, match=r"returns \['a_id', 'b_id'\]"):
        await conn.execute("SELECT a.id AS a_id, b.id AS b_id FROM a, b")
