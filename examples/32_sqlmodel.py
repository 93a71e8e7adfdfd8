"""SQLModel on asyncfakes.sqlalchemy: SQLModel's AsyncSession.exec() on a fake engine.

A small service written with SQLModel (the models are both tables and pydantic models), tested
without a database: ``FakeEngine`` answers the queries the test scripts, gives fresh keys to
new rows, and the test asserts the statements SQLModel sent.

Run: ``python examples/32_sqlmodel.py`` (needs sqlmodel: the test group).
"""

from __future__ import annotations

import asyncio

from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

# --- the application ----------------------------------------------------------------------


class Hero(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    age: int | None = None


async def create_hero(session: AsyncSession, name: str, age: int | None = None) -> Hero:
    hero = Hero(name=name, age=age)
    session.add(hero)
    await session.commit()
    await session.refresh(hero)
    return hero


async def heroes_older_than(session: AsyncSession, age: int) -> list[Hero]:
    query = select(Hero).where(col(Hero.age) > age).order_by(col(Hero.age).desc())
    return list((await session.exec(query)).all())


# --- the checks -----------------------------------------------------------------------------

from asyncfakes.sqlalchemy import FakeEngine  # noqa: E402  (the tests' import, kept below the app)


async def test_create_hero() -> None:
    """Add + commit + refresh: the INSERT gets a fresh key, the refresh reads the row back."""
    fake = FakeEngine()
    fake.when(select(Hero).where(Hero.id == 1)).returns([{"id": 1, "name": "Deadpond", "age": 30}])

    async with AsyncSession(fake.engine) as session:
        hero = await create_hero(session, "Deadpond", 30)

    assert (1, "Deadpond", 30) == (hero.id, hero.name, hero.age)
    insert, refresh = fake.statements
    assert (("Deadpond", 30), (1,)) == (insert.params, refresh.params)
    fake.verify()


async def test_heroes_older_than() -> None:
    """exec(select(...)) gives Hero objects from rows scripted as dicts."""
    fake = FakeEngine()
    query = select(Hero).where(col(Hero.age) > 40).order_by(col(Hero.age).desc())
    fake.expect(query).returns(
        [{"id": 3, "name": "Tarantula", "age": 62}, {"id": 2, "name": "Rusty", "age": 48}]
    )

    async with AsyncSession(fake.engine) as session:
        found = await heroes_older_than(session, 40)

    assert ["Tarantula", "Rusty"] == [hero.name for hero in found]
    fake.verify()  # the expected query ran exactly once


async def main() -> None:
    await test_create_hero()
    await test_heroes_older_than()


if __name__ == "__main__":
    asyncio.run(main())
