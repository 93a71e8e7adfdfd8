"""Contract: the same ORM and Core code on FakeEngine and on a real engine (asyncpg, PostgreSQL).

Each scenario runs on both sides (see _sqlalchemy_support) and compares what user code observes:
entities and rows, rowcount, exception classes and the type of ``.orig``, and the SQL and
parameters SQLAlchemy sent.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("sqlalchemy")

from sqlalchemy import bindparam, delete, exc, func, insert, select, text, update
from sqlalchemy.orm import selectinload

from asyncfakes import Contains
from asyncfakes.asyncpg import unique_violation
from tests.contract._sqlalchemy_support import Side, anyio_backend, database, side
from tests.sqlalchemy_models import Address, User

__all__ = ["anyio_backend", "database", "side"]

pytestmark = pytest.mark.anyio

INSERT_USER = "INSERT INTO users (name, active) VALUES ($1::VARCHAR, $2::BOOLEAN) RETURNING users.id"
SELECT_USERS = "SELECT users.id, users.name, users.active FROM users"
DUPLICATE = unique_violation("users_name_key", table="users", detail="Key (name)=(Ana) already exists.")


async def test_add_and_commit_assigns_the_primary_key(side: Side) -> None:
    """session.add + commit: one INSERT ... RETURNING, and user.id is the new key."""
    async with side.session() as session:
        user = User(name="Ana")
        session.add(user)
        await session.commit()

    assert 1 == user.id
    side.assert_sent((INSERT_USER, ("Ana", True)))


async def test_add_all_uses_insertmanyvalues(side: Side) -> None:
    """Several rows in one flush: one statement, keys assigned in order."""
    async with side.session() as session:
        users = [User(name="Ana"), User(name="Bo"), User(name="Cy")]
        session.add_all(users)
        await session.commit()

    assert [1, 2, 3] == [user.id for user in users]
    ((sql, params),) = side.sent
    assert ("Ana", True, "Bo", True, "Cy", True) == tuple(params)
    assert "RETURNING users.id" in sql


async def test_select_entities(side: Side) -> None:
    """scalars(select(User)) gives entities with the rows' values."""
    await side.seed(User(name="Ana"), User(name="Bo", active=False))
    if side.fake:
        side.fake.when(select(User).order_by(User.id)).returns(
            [{"name": "Ana", "id": 1, "active": True}, {"active": False, "id": 2, "name": "Bo"}]
        )

    async with side.session() as session:
        users = (await session.scalars(select(User).order_by(User.id))).all()

    assert [(1, "Ana", True), (2, "Bo", False)] == [(u.id, u.name, u.active) for u in users]
    side.assert_sent((SELECT_USERS + " ORDER BY users.id", ()))


async def test_select_with_no_rows(side: Side) -> None:
    """A SELECT matching nothing: [] and scalar() None, keys still known."""
    async with side.engine.connect() as conn:
        result = await conn.execute(select(User.id, User.name).where(User.name == "nobody"))
        keys, rows = list(result.keys()), result.all()
        none = await conn.scalar(select(User.id).where(User.id == 42))

    assert (["id", "name"], [], None) == (keys, rows, none)


async def test_session_get(side: Side) -> None:
    """session.get() by primary key; a missing key gives None."""
    await side.seed(User(name="Ana"))
    if side.fake:
        side.fake.when(select(User).where(User.id == 1)).returns([{"id": 1, "name": "Ana", "active": True}])

    async with side.session() as session:
        found, missing = await session.get(User, 1), await session.get(User, 2)

    assert ("Ana", None) == (found.name if found else None, missing)
    side.assert_sent(
        (SELECT_USERS + " WHERE users.id = $1::INTEGER", (1,)),
        (SELECT_USERS + " WHERE users.id = $1::INTEGER", (2,)),
    )


async def test_change_and_commit_updates_one_row(side: Side) -> None:
    """Changing a loaded entity flushes one UPDATE by key."""
    await side.seed(User(name="Ana"))
    if side.fake:
        side.fake.when(select(User).where(User.id == 1)).returns([{"id": 1, "name": "Ana", "active": True}])

    async with side.session() as session:
        user = await session.get(User, 1)
        assert user is not None
        user.name = "Bea"
        await session.commit()

    assert "UPDATE users SET name=$1::VARCHAR WHERE users.id = $2::INTEGER" == side.sent[-1][0]
    assert ("Bea", 1) == tuple(side.sent[-1][1])


async def test_delete_an_entity(side: Side) -> None:
    """session.delete + commit: one DELETE by key."""
    await side.seed(User(name="Ana"))
    if side.fake:
        side.fake.when(select(User).where(User.id == 1)).returns([{"id": 1, "name": "Ana", "active": True}])

    async with side.session() as session:
        user = await session.get(User, 1)
        await session.delete(user)
        await session.commit()

    assert ("DELETE FROM users WHERE users.id = $1::INTEGER", (1,)) == (
        side.sent[-1][0],
        tuple(side.sent[-1][1]),
    )


async def test_core_update_rowcount(side: Side) -> None:
    """A Core UPDATE's rowcount is the number of rows it changed."""
    await side.seed(User(name="Ana", active=False), User(name="Bo", active=False), User(name="Cy"))
    statement = update(User).where(User.active.is_(False)).values(active=True)
    if side.fake:
        side.fake.when(statement).returns(2)

    async with side.engine.begin() as conn:
        result = await conn.execute(statement)

    assert 2 == result.rowcount


async def test_core_delete_rowcount_zero(side: Side) -> None:
    """A DELETE that matches nothing has rowcount 0."""
    async with side.engine.begin() as conn:
        result = await conn.execute(delete(User).where(User.name == "nobody"))

    assert 0 == result.rowcount


async def test_core_insert_returning(side: Side) -> None:
    """insert().returning() gives the new key and the values written."""
    async with side.engine.begin() as conn:
        row = (await conn.execute(insert(User).values(name="Ana").returning(User.id, User.name))).one()

    assert (1, "Ana") == tuple(row)


async def test_text_query_with_a_bound_value(side: Side) -> None:
    """text() with :name parameters; rows by name."""
    await side.seed(User(name="Ana"), User(name="Bo"))
    query = text("SELECT id, name FROM users WHERE name = :name")
    if side.fake:
        side.fake.when(query.bindparams(name="Bo")).returns([{"id": 2, "name": "Bo"}])

    async with side.engine.connect() as conn:
        row = (await conn.execute(query, {"name": "Bo"})).mappings().one()

    assert {"id": 2, "name": "Bo"} == dict(row)
    side.assert_sent(("SELECT id, name FROM users WHERE name = $1", ("Bo",)))


async def test_count_scalar(side: Side) -> None:
    """select(func.count()) as a scalar."""
    await side.seed(User(name="Ana"), User(name="Bo"))
    statement = select(func.count()).select_from(User)
    if side.fake:
        side.fake.when(statement).returns([{"count_1": 2}])

    async with side.session() as session:
        assert 2 == await session.scalar(statement)


async def test_selectinload_relationship(side: Side) -> None:
    """selectinload: the second statement loads the children by the parents' keys."""
    await side.seed(User(name="Ana", addresses=[Address(email="a@x"), Address(email="b@x")]))
    if side.fake:
        side.fake.when(select(User)).returns([{"id": 1, "name": "Ana", "active": True}])
        side.fake.when(Contains("FROM addresses WHERE addresses.user_id IN")).returns(
            [{"user_id": 1, "id": 1, "email": "a@x"}, {"user_id": 1, "id": 2, "email": "b@x"}]
        )

    async with side.session() as session:
        (user,) = (await session.scalars(select(User).options(selectinload(User.addresses)))).all()

    assert ["a@x", "b@x"] == [address.email for address in user.addresses]
    assert 2 == len(side.sent)
    assert (1,) == tuple(side.sent[1][1])


async def test_unique_violation_then_pending_rollback(side: Side) -> None:
    """A duplicate key: IntegrityError with the dialect's error as .orig, then PendingRollbackError."""
    await side.seed(User(name="Ana"))
    if side.fake:
        side.fake.when(INSERT_USER, params=("Ana", True)).raises(DUPLICATE)

    async with side.session() as session:
        session.add(User(name="Ana"))
        with pytest.raises(exc.IntegrityError) as caught:
            await session.flush()
        with pytest.raises(exc.PendingRollbackError):
            await session.execute(select(User))
        await session.rollback()

    orig: Any = caught.value.orig
    assert ("23505", "UniqueViolationError") == (orig.sqlstate, type(orig.__cause__).__name__)
    assert "sqlalchemy.dialects.postgresql.asyncpg" == type(orig).__module__
    assert "users_name_key" == orig.__cause__.constraint_name


async def test_savepoint_rolls_back_the_nested_part(side: Side) -> None:
    """begin_nested(): the failing nested insert is undone, the outer one commits."""
    await side.seed(User(name="Ana"))
    if side.fake:
        side.fake.when(INSERT_USER, params=("Ana", True)).raises(DUPLICATE)

    async with side.session() as session:
        async with session.begin():
            session.add(User(name="Bo"))
            with pytest.raises(exc.IntegrityError):
                async with session.begin_nested():
                    session.add(User(name="Ana"))
                    await session.flush()
        assert ["SAVEPOINT sa_savepoint_1", "ROLLBACK TO SAVEPOINT sa_savepoint_1"] == [
            sql for sql, _ in side.sent if "SAVEPOINT" in sql
        ]


async def test_stream_scalars(side: Side) -> None:
    """session.stream_scalars() iterates the rows through a server-side cursor."""
    await side.seed(User(name="Ana"), User(name="Bo"))
    statement = select(User.name).order_by(User.name)
    if side.fake:
        side.fake.when(statement).returns([{"name": "Ana"}, {"name": "Bo"}])

    async with side.session() as session:
        names = [name async for name in await session.stream_scalars(statement)]

    assert ["Ana", "Bo"] == names


async def test_core_executemany(side: Side) -> None:
    """execute(statement, [params, ...]) on an UPDATE sends every set."""
    await side.seed(User(name="a"), User(name="b"))
    statement = update(User).where(User.id == bindparam("uid")).values(name=bindparam("n"))

    async with side.engine.begin() as conn:
        await conn.execute(statement, [{"uid": 1, "n": "x"}, {"uid": 2, "n": "y"}])

    ((sql, params),) = side.sent
    assert ("UPDATE users SET name=$1::VARCHAR WHERE users.id = $2::INTEGER", [("x", 1), ("y", 2)]) == (
        sql,
        [tuple(p) for p in params],
    )


async def test_scalar_one_or_none(side: Side) -> None:
    """scalar_one_or_none() on a match and on none."""
    await side.seed(User(name="Ana"))
    if side.fake:
        side.fake.when(select(User).where(User.name == "Ana")).returns(
            [{"id": 1, "name": "Ana", "active": True}]
        )

    async with side.session() as session:
        found = (await session.execute(select(User).where(User.name == "Ana"))).scalar_one_or_none()
        none = (await session.execute(select(User).where(User.name == "Bo"))).scalar_one_or_none()

    assert (1, None) == (found.id if found else None, none)


async def test_scalar_one_raises_when_there_is_no_row(side: Side) -> None:
    """scalar_one() with no row raises NoResultFound."""
    async with side.session() as session:
        result = await session.execute(select(User).where(User.id == 9))
        with pytest.raises(exc.NoResultFound):
            result.scalar_one()


async def test_rows_as_tuples_and_mappings(side: Side) -> None:
    """Column selects give Row tuples and mappings in the statement's column order."""
    await side.seed(User(name="Ana"))
    statement = select(User.name, User.id)
    if side.fake:
        side.fake.when(statement).returns([{"id": 1, "name": "Ana"}])

    async with side.engine.connect() as conn:
        rows = (await conn.execute(statement)).all()
        mappings = (await conn.execute(statement)).mappings().all()

    assert ([("Ana", 1)], [{"name": "Ana", "id": 1}]) == (
        [tuple(r) for r in rows],
        [dict(m) for m in mappings],
    )
    assert ("Ana", 1) == (rows[0].name, rows[0].id)


async def test_in_list_expands_to_one_parameter_per_value(side: Side) -> None:
    """in_([...]) sends one placeholder per value."""
    statement = select(User.id).where(User.id.in_([1, 2, 3]))

    async with side.engine.connect() as conn:
        assert [] == (await conn.execute(statement)).all()

    side.assert_sent(("SELECT users.id FROM users WHERE users.id IN ($1, $2, $3)", (1, 2, 3)))


async def test_limit_and_offset_are_parameters(side: Side) -> None:
    """limit/offset are bound parameters."""
    statement = select(User.id).order_by(User.id).limit(2).offset(1)

    async with side.engine.connect() as conn:
        await conn.execute(statement)

    side.assert_sent(("SELECT users.id FROM users ORDER BY users.id LIMIT $1 OFFSET $2", (2, 1)))


async def test_rollback_discards_pending_objects(side: Side) -> None:
    """A flushed object rolled back is gone; its transaction ends with ROLLBACK."""
    async with side.session() as session:
        session.add(User(name="Ana"))
        await session.flush()
        await session.rollback()
        assert [] == (await session.scalars(select(User))).all()


async def test_begin_block_commits(side: Side) -> None:
    """async with session.begin(): commits on exit; the key is assigned."""
    async with side.session() as session:
        async with session.begin():
            user = User(name="Ana")
            session.add(user)
        assert 1 == user.id


async def test_error_in_begin_block_rolls_back(side: Side) -> None:
    """An exception in session.begin() rolls back and propagates."""
    async with side.session() as session:
        with pytest.raises(RuntimeError):
            async with session.begin():
                session.add(User(name="Ana"))
                await session.flush()
                raise RuntimeError
        assert [] == (await session.scalars(select(User))).all()


async def test_merge_of_a_missing_entity_inserts_it(side: Side) -> None:
    """session.merge() of an unknown key SELECTs it, then INSERTs."""
    async with side.session() as session:
        merged = await session.merge(User(id=5, name="Eve"))
        await session.commit()

    assert 5 == merged.id
    assert 2 == len(side.sent)
    assert ("Eve", True) == tuple(side.sent[1][1])[1:]


async def test_expire_on_commit_then_refresh(side: Side) -> None:
    """refresh() reloads an entity after commit expired it."""
    if side.fake:
        side.fake.when(select(User).where(User.id == 1)).returns([{"id": 1, "name": "Ana", "active": True}])

    async with side.session(expire_on_commit=True) as session:
        user = User(name="Ana")
        session.add(user)
        await session.commit()
        await session.refresh(user)
        assert ("Ana", True) == (user.name, user.active)


async def test_exists_query(side: Side) -> None:
    """select(exists()) as a scalar: False on an empty table."""
    from sqlalchemy import exists

    statement = select(exists().where(User.name == "Ana"))
    if side.fake:
        side.fake.when(statement).returns([{"anon_1": False}])

    async with side.engine.connect() as conn:
        assert False is await conn.scalar(statement)


async def test_run_sync_in_a_session(side: Side) -> None:
    """run_sync runs sync ORM code on the async session's connection."""
    await side.seed(User(name="Ana"))
    statement = select(User.name)
    if side.fake:
        side.fake.when(statement).returns([{"name": "Ana"}])

    async with side.session() as session:
        names = await session.run_sync(lambda sync: sync.scalars(statement).all())

    assert ["Ana"] == names


async def test_connection_commit_and_rollback_in_core(side: Side) -> None:
    """AsyncConnection: commit() keeps the insert; rollback() drops the second."""
    async with side.engine.connect() as conn:
        await conn.execute(insert(User).values(name="Ana"))
        await conn.commit()
        await conn.execute(insert(User).values(name="Bo"))
        await conn.rollback()

    assert 2 == len(side.sent)
