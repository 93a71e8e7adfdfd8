"""A FastAPI service on SQLAlchemy's AsyncSession, tested end to end with asyncfakes.sqlalchemy.

The application (top half) is what a team writes: ORM models, a repository on an
``AsyncSession``, a ``get_session`` dependency and a router. The checks (bottom half) run the
real application and the real SQLAlchemy ORM on ``FakeEngine``, a real ``AsyncEngine`` whose
driver is asyncfakes' asyncpg fake: no database, no ``AsyncMock``, no SQLite stand-in.

1. The repository: script rows as plain dicts, get real entities; assert the SQL it sent.
2. Inserting: ``session.add`` + ``commit`` gets a fresh primary key from ``RETURNING``.
3. A unique violation: the driver's error surfaces as SQLAlchemy's ``IntegrityError``, mapped to 409.
4. The endpoints: ``httpx.AsyncClient`` + ``ASGITransport``; ``dependency_overrides`` swaps
   ``get_session`` for one on the fake engine.

Run: ``python examples/31_sqlalchemy_fastapi.py`` (needs fastapi, httpx and SQLAlchemy: the test group).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# --- the application ----------------------------------------------------------------------


class Base(DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    isbn: Mapped[str] = mapped_column(String(13), unique=True)


class BookIn(BaseModel):
    title: str
    isbn: str


class BookOut(BaseModel):
    id: int
    title: str
    isbn: str


class IsbnTaken(Exception):
    pass


class BookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, book: BookIn) -> Book:
        row = Book(title=book.title, isbn=book.isbn)
        self.session.add(row)
        try:
            await self.session.commit()
        except IntegrityError as error:
            await self.session.rollback()
            raise IsbnTaken(book.isbn) from error
        return row

    async def get(self, book_id: int) -> Book | None:
        return await self.session.get(Book, book_id)

    async def search(self, word: str) -> list[Book]:
        query = select(Book).where(Book.title.ilike(f"%{word}%")).order_by(Book.title)
        return list((await self.session.scalars(query)).all())


engine = create_async_engine("postgresql+asyncpg://app@localhost/books")  # production wiring
Session = async_sessionmaker(engine, expire_on_commit=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with Session() as session:
        yield session


def get_repository(session: Annotated[AsyncSession, Depends(get_session)]) -> BookRepository:
    return BookRepository(session)


Repository = Annotated[BookRepository, Depends(get_repository)]
router = APIRouter()


@router.post("/books", status_code=201)
async def create_book(body: BookIn, books: Repository) -> BookOut:
    try:
        book = await books.add(body)
    except IsbnTaken:
        raise HTTPException(409, f"ISBN {body.isbn} is taken") from None
    return BookOut(id=book.id, title=book.title, isbn=book.isbn)


@router.get("/books/{book_id}")
async def read_book(book_id: int, books: Repository) -> BookOut:
    book = await books.get(book_id)
    if book is None:
        raise HTTPException(404, f"no book {book_id}")
    return BookOut(id=book.id, title=book.title, isbn=book.isbn)


@router.get("/books")
async def search_books(q: str, books: Repository) -> list[BookOut]:
    return [BookOut(id=b.id, title=b.title, isbn=b.isbn) for b in await books.search(q)]


def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    return app


# --- the checks -----------------------------------------------------------------------------

from asyncfakes import Contains  # noqa: E402  (the tests' imports, kept below the app on purpose)
from asyncfakes.asyncpg import unique_violation  # noqa: E402
from asyncfakes.sqlalchemy import FakeEngine  # noqa: E402

DUNE = {"id": 1, "title": "Dune", "isbn": "9780441013593"}


async def test_repository_search_gives_entities() -> None:
    """Pattern 1: rows scripted as dicts (any key order) come back as Book entities."""
    fake = FakeEngine()
    query = select(Book).where(Book.title.ilike("%dun%")).order_by(Book.title)
    fake.when(query).returns([{"isbn": "9780441013593", "title": "Dune", "id": 1}])

    async with AsyncSession(fake.engine) as session:
        found = await BookRepository(session).search("dun")

    assert [(1, "Dune")] == [(book.id, book.title) for book in found]
    fake.assert_executed(query)  # the same statement, compiled, with its parameter '%dun%'
    fake.verify()


async def test_repository_add_gets_a_fresh_key() -> None:
    """Pattern 2: nothing scripted; INSERT ... RETURNING answers a fresh primary key."""
    fake = FakeEngine()

    async with AsyncSession(fake.engine, expire_on_commit=False) as session:
        book = await BookRepository(session).add(BookIn(title="Dune", isbn="9780441013593"))

    assert 1 == book.id
    (insert,) = fake.statements
    assert ("Dune", "9780441013593") == insert.params
    fake.verify()


async def test_repository_maps_a_duplicate_isbn() -> None:
    """Pattern 3: asyncpg's UniqueViolationError becomes IntegrityError, then the app's own error."""
    fake = FakeEngine()
    fake.when(Contains("INSERT INTO books")).raises_once(unique_violation("books_isbn_key", table="books"))

    async with AsyncSession(fake.engine) as session:
        try:
            await BookRepository(session).add(BookIn(title="Dune", isbn="9780441013593"))
        except IsbnTaken as error:
            assert isinstance(error.__cause__, IntegrityError)
        else:
            raise AssertionError("expected IsbnTaken")
    fake.verify()


async def test_endpoints_on_the_fake_engine() -> None:
    """Pattern 4: the whole app; get_session is overridden with a session on the fake engine."""
    fake = FakeEngine()
    fake.when(select(Book).where(Book.id == 1)).returns([DUNE])
    fake.when(Contains("INSERT INTO books"), params=("Dune", "9780441013593")).raises(
        unique_violation("books_isbn_key", table="books")
    )
    sessions = async_sessionmaker(fake.engine, expire_on_commit=False)

    async def fake_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    app = create_app()
    app.dependency_overrides[get_session] = fake_session
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        created = await client.post("/books", json={"title": "Emma", "isbn": "9780141439587"})
        taken = await client.post("/books", json={"title": "Dune", "isbn": "9780441013593"})
        read = await client.get("/books/1")
        missing = await client.get("/books/2")

    assert (201, {"id": 1, "title": "Emma", "isbn": "9780141439587"}) == (created.status_code, created.json())
    assert (409, 200, DUNE, 404) == (taken.status_code, read.status_code, read.json(), missing.status_code)
    fake.verify()  # every session was closed: no transaction left open
    await fake.dispose()


async def main() -> None:
    await test_repository_search_gives_entities()
    await test_repository_add_gets_a_fresh_key()
    await test_repository_maps_a_duplicate_isbn()
    await test_endpoints_on_the_fake_engine()


if __name__ == "__main__":
    asyncio.run(main())
