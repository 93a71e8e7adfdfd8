"""Contract: the same ORM and Core code on FakeEngine and on a real engine, on the psycopg dialect.

The asyncpg half (test_sqlalchemy_contract.py) has the full set; these scenarios run the
driver-dependent parts on ``postgresql+psycopg://``: keys from RETURNING, rows, rowcount, the
error classes and ``.orig``, savepoints, and the SQL and named parameters sent.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("psycopg")

from sqlalchemy import exc, func, select, update
from sqlalchemy.orm import selectinload

from asyncfakes import Contains
from asyncfakes.psycopg import unique_violation
from tests.contract._sqlalchemy_support import Side, anyio_backend, database, side
from tests.sqlalchemy_models import Address, User

__all__ = ["anyio_backend", "database", "side"]

pytestmark = pytest.mark.anyio

DRIVER = "psycopg"
INSERT_USER = "INSERT INTO users (name, active) VALUES (%(name)s::VARCHAR, %(active)s) RETURNING users.id"
SELECT_USERS = "SELECT users.id, users.name, users.active FROM users"
DUPLICATE = unique_violation("users_name_key", table="users")


async def test_add_and_commit_assigns_the_primary_key(side: Side) -> None:
    """One INSERT ... RETURNING with named parameters; user.id is the new key."""
    async with side.session() as session:
        user = User(name="Ana")
        session.add(user)
        await session.commit()

    assert 1 == user.id
    side.assert_sent((INSERT_USER, {"name": "Ana", "active": True}))


async def test_add_all_assigns_keys_in_order(side: Side) -> None:
    """insertmanyvalues: one statement, keys in order."""
    async with side.session() as session:
        users = [User(name="Ana"), User(name="Bo")]
        session.add_all(users)
        await session.commit()

    assert [1, 2] == [user.id for user in users]
    assert 1 == len(side.sent)


async def test_select_entities(side: Side) -> None:
    """Rows become entities, in the statement's column order."""
    await side.seed(User(name="Ana"), User(name="Bo", active=False))
    if side.fake:
        side.fake.when(select(User).order_by(User.id)).returns(
            [{"name": "Ana", "id": 1, "active": True}, {"active": False, "id": 2, "name": "Bo"}]
        )

    async with side.session() as session:
        users = (await session.scalars(select(User).order_by(User.id))).all()

    assert [(1, "Ana", True), (2, "Bo", False)] == [(u.id, u.name, u.active) for u in users]
    side.assert_sent((SELECT_USERS + " ORDER BY users.id", {}))


async def test_empty_select_and_get(side: Side) -> None:
    """No rows: [] and session.get() None; the keys are known."""
    async with side.session() as session:
        result = await session.execute(select(User.id, User.name).where(User.name == "nobody"))
        keys, rows = list(result.keys()), result.all()
        missing = await session.get(User, 9)

    assert (["id", "name"], [], None) == (keys, rows, missing)


async def test_core_update_rowcount(side: Side) -> None:
    """rowcount of a Core UPDATE."""
    await side.seed(User(name="Ana", active=False), User(name="Bo", active=False))
    statement = update(User).where(User.active.is_(False)).values(active=True)
    if side.fake:
        side.fake.when(statement).returns(2)

    async with side.engine.begin() as conn:
        assert 2 == (await conn.execute(statement)).rowcount


async def test_count_scalar(side: Side) -> None:
    """A labelled count as a scalar."""
    await side.seed(User(name="Ana"))
    statement = select(func.count()).select_from(User)
    if side.fake:
        side.fake.when(statement).returns([{"count_1": 1}])

    async with side.session() as session:
        assert 1 == await session.scalar(statement)


async def test_selectinload(side: Side) -> None:
    """The relationship's second statement."""
    await side.seed(User(name="Ana", addresses=[Address(email="a@x")]))
    if side.fake:
        side.fake.when(select(User)).returns([{"id": 1, "name": "Ana", "active": True}])
        side.fake.when(Contains("FROM addresses WHERE addresses.user_id IN")).returns(
            [{"user_id": 1, "id": 1, "email": "a@x"}]
        )

    async with side.session() as session:
        (user,) = (await session.scalars(select(User).options(selectinload(User.addresses)))).all()

    assert ["a@x"] == [address.email for address in user.addresses]


async def test_unique_violation_then_pending_rollback(side: Side) -> None:
    """IntegrityError whose .orig is psycopg's UniqueViolation; then PendingRollbackError."""
    await side.seed(User(name="Ana"))
    if side.fake:
        side.fake.when(INSERT_USER, params={"name": "Ana", "active": True}).raises(DUPLICATE)

    async with side.session() as session:
        session.add(User(name="Ana"))
        with pytest.raises(exc.IntegrityError) as caught:
            await session.flush()
        with pytest.raises(exc.PendingRollbackError):
            await session.execute(select(User))
        await session.rollback()

    orig: Any = caught.value.orig
    assert ("UniqueViolation", "psycopg.errors", "23505") == (
        type(orig).__name__,
        type(orig).__module__,
        orig.sqlstate,
    )
    assert "users_name_key" == orig.diag.constraint_name


async def test_savepoint_rolls_back_the_nested_part(side: Side) -> None:
    """begin_nested() on psycopg: SAVEPOINT, ROLLBACK TO SAVEPOINT, the outer insert commits."""
    await side.seed(User(name="Ana"))
    if side.fake:
        side.fake.when(INSERT_USER, params={"name": "Ana", "active": True}).raises(DUPLICATE)

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


async def test_change_and_commit_updates_one_row(side: Side) -> None:
    """The unit of work's UPDATE by key, with named parameters."""
    await side.seed(User(name="Ana"))
    if side.fake:
        side.fake.when(select(User).where(User.id == 1)).returns([{"id": 1, "name": "Ana", "active": True}])

    async with side.session() as session:
        user = await session.get(User, 1)
        assert user is not None
        user.name = "Bea"
        await session.commit()

    assert (
        "UPDATE users SET name=%(name)s::VARCHAR WHERE users.id = %(users_id)s::INTEGER",
        {"name": "Bea", "users_id": 1},
    ) == side.sent[-1]
