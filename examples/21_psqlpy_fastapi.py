"""A FastAPI service on a psqlpy pool, tested end to end with asyncfakes.psqlpy, without a database.

The application (top half) is what a team writes: a DAO that runs SQL on a psqlpy connection or
transaction, a service that takes connections from the pool, and a router that gets the pool by
dependency injection. The checks (bottom half) test each layer with the fake, showing the eight
patterns of the hand-written-fake playbook without monkeypatching or ``__wrapped__``:

1. DAO calls: hand the DAO a ``FakeConnection``, assert the SQL and parameters it sent.
2. Database errors: script psqlpy's own error (``postgres_error``), assert the DAO maps it to 500.
3. Service with dependencies: a real DAO on a ``FakeConnectionPool`` handed to the service.
4. Connection acquisition: the pool is injected, so nothing needs patching to reach it.
5. Batch operations: ``execute_many`` inside a transaction is one recorded call with every row.
6. Endpoints: ``httpx.AsyncClient`` + ``ASGITransport``, the pool replaced by ``dependency_overrides``.
7. Several answers in order: ``returns_once(...).returns_once(...)``, or ``when(params=...)``.
8. A table of scenarios: one check run for each row.

Run: ``python examples/21_psqlpy_fastapi.py`` (needs fastapi, httpx and psqlpy: the test group).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypeVar

import httpx
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from psqlpy import ConnectionPool
from psqlpy.exceptions import ConnectionExecuteError, Error
from pydantic import BaseModel

if TYPE_CHECKING:
    from typing_extensions import Self

T = TypeVar("T")

# --- the application ----------------------------------------------------------------------


class Rows(Protocol):
    def result(self) -> list[dict[str, Any]]: ...
    def as_class(self, as_class: Callable[..., T]) -> list[T]: ...


class Queryable(Protocol):
    """What the DAO needs: a psqlpy Connection or Transaction (or a fake of either)."""

    async def execute(
        self, querystring: str, parameters: Sequence[Any] | None = None, prepared: bool = True
    ) -> Rows: ...
    async def fetch(
        self, querystring: str, parameters: Sequence[Any] | None = None, prepared: bool = True
    ) -> Rows: ...
    async def fetch_val(
        self, querystring: str, parameters: Sequence[Any] | None = None, prepared: bool = True
    ) -> Any: ...
    async def execute_many(
        self, querystring: str, parameters: list[list[Any]] | None = None, prepared: bool = True
    ) -> None: ...


class Transaction(Queryable, Protocol):
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


class Connection(Queryable, Protocol):
    def transaction(self) -> Transaction: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


class Pool(Protocol):
    def acquire(self) -> Connection: ...


class UserCreate(BaseModel):
    name: str
    email: str


class User(BaseModel):
    id: int
    name: str
    email: str


class DAOError(Exception):
    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


class UserDAO:
    async def create(self, conn: Queryable, user: UserCreate) -> int:
        try:
            rows = await conn.execute(
                "INSERT INTO users (name, email) VALUES ($1, $2) RETURNING id", [user.name, user.email]
            )
        except ConnectionExecuteError as error:
            if "users_email_key" in str(error):
                raise DAOError(409, f"email {user.email} is taken") from error
            raise DAOError(500, "could not create the user") from error
        new_id: int = rows.result()[0]["id"]
        return new_id

    async def fetch_by_id(self, conn: Queryable, user_id: int) -> User | None:
        try:
            rows = await conn.fetch("SELECT id, name, email FROM users WHERE id = $1", [user_id])
        except Error as error:
            raise DAOError(500, "could not read the user") from error
        found = rows.as_class(User)
        return found[0] if found else None

    async def count_by_domain(self, conn: Queryable, domain: str) -> int:
        count: int = await conn.fetch_val("SELECT count(*) FROM users WHERE email LIKE $1", [f"%@{domain}"])
        return count

    async def create_many(self, conn: Queryable, users: list[UserCreate]) -> None:
        await conn.execute_many(
            "INSERT INTO users (name, email) VALUES ($1, $2)", [[user.name, user.email] for user in users]
        )


class UserService:
    def __init__(self, pool: Pool, dao: UserDAO) -> None:
        self.pool = pool
        self.dao = dao

    async def register(self, user: UserCreate) -> User:
        async with self.pool.acquire() as conn:
            new_id = await self.dao.create(conn, user)
        return User(id=new_id, name=user.name, email=user.email)

    async def get(self, user_id: int) -> User:
        async with self.pool.acquire() as conn:
            user = await self.dao.fetch_by_id(conn, user_id)
        if user is None:
            raise DAOError(404, f"no user {user_id}")
        return user

    async def import_users(self, users: list[UserCreate]) -> int:
        async with self.pool.acquire() as conn, conn.transaction() as tx:
            await self.dao.create_many(tx, users)
            return await self.dao.count_by_domain(tx, "example.com")


def get_pool() -> Pool:
    """Production wiring: the app's pool (made at startup in a real app)."""
    pool: Pool = ConnectionPool(dsn="postgresql://app@localhost/app", max_db_pool_size=10)
    return pool


def get_service(pool: Annotated[Pool, Depends(get_pool)]) -> UserService:
    return UserService(pool, UserDAO())


router = APIRouter()


@router.post("/users", status_code=201)
async def create_user(body: UserCreate, service: Annotated[UserService, Depends(get_service)]) -> User:
    return await service.register(body)


@router.get("/users/{user_id}")
async def read_user(user_id: int, service: Annotated[UserService, Depends(get_service)]) -> User:
    return await service.get(user_id)


@router.post("/users/import")
async def import_users(
    body: list[UserCreate], service: Annotated[UserService, Depends(get_service)]
) -> dict[str, int]:
    return {"example.com users": await service.import_users(body)}


async def dao_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DAOError)
    return JSONResponse({"detail": error.detail}, status_code=error.status_code)


def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    app.add_exception_handler(DAOError, dao_error)
    return app


# --- the checks -----------------------------------------------------------------------------

from asyncfakes.psqlpy import (  # noqa: E402  (the tests' import, kept below the app on purpose)
    FakeConnection,
    FakeConnectionPool,
    QueryResult,
    postgres_error,
    unique_violation,
)

if TYPE_CHECKING:  # mypy checks that psqlpy's pool and the fake both fit the app's Pool protocol
    POOLS: list[Pool] = [ConnectionPool(), FakeConnectionPool()]

ANA = UserCreate(name="Ana", email="ana@example.com")


async def test_dao_create_sends_the_insert() -> None:
    """Pattern 1: the DAO gets a fake connection; the test reads the SQL and parameters it sent."""
    conn = FakeConnection()
    conn.execute.returns([{"id": 7}])

    assert 7 == await UserDAO().create(conn, ANA)

    call = conn.execute.calls.one()
    assert "INSERT INTO users" in (call.sql or "")
    assert ["Ana", "ana@example.com"] == call.params


async def test_dao_maps_database_errors() -> None:
    """Pattern 2: psqlpy's own errors, made by one-call helpers, map to 409 and 500."""
    conn = FakeConnection()
    conn.execute.raises_once(unique_violation("users_email_key")).raises_once(postgres_error("disk full"))
    conn.fetch.raises(postgres_error("canceling statement due to statement timeout"))

    codes: list[int] = []
    for attempt in (UserDAO().create(conn, ANA), UserDAO().create(conn, ANA), UserDAO().fetch_by_id(conn, 1)):
        try:
            await attempt
        except DAOError as error:
            codes.append(error.status_code)

    assert [409, 500, 500] == codes
    conn.verify()  # every scripted answer was used


async def test_dao_reads_in_order_and_by_parameters() -> None:
    """Pattern 7: answers queued in order, or routed by the parameters the DAO sends."""
    conn = FakeConnection()
    conn.fetch.returns_once([{"id": 1, "name": "Ana", "email": "a@x"}]).returns_once([])
    conn.fetch_val.when(params=["%@example.com"]).returns(2)
    conn.fetch_val.when(params=["%@example.org"]).returns(0)

    first, missing = await UserDAO().fetch_by_id(conn, 1), await UserDAO().fetch_by_id(conn, 2)

    assert (User(id=1, name="Ana", email="a@x"), None) == (first, missing)
    assert (2, 0) == (
        await UserDAO().count_by_domain(conn, "example.com"),
        await UserDAO().count_by_domain(conn, "example.org"),
    )


async def test_count_for_each_domain() -> None:
    """Pattern 8: one check, a table of scenarios."""
    for domain, count in [("example.com", 5), ("example.org", 3), ("example.net", 0)]:
        conn = FakeConnection()
        conn.fetch_val.returns(count)

        assert count == await UserDAO().count_by_domain(conn, domain)
        assert [f"%@{domain}"] == conn.fetch_val.calls.one().params


async def test_service_imports_in_one_transaction_with_one_batch() -> None:
    """Patterns 3, 4 and 5: a real DAO on a fake pool; one execute_many call in a committed transaction."""
    pool = FakeConnectionPool(2)
    pool.script.fetch_val.returns(2)
    service = UserService(pool, UserDAO())

    assert 2 == await service.import_users([ANA, UserCreate(name="Bo", email="bo@example.com")])

    batch = pool.script.execute_many.calls.one()
    assert [["Ana", "ana@example.com"], ["Bo", "bo@example.com"]] == batch.params
    assert batch.transaction is not None
    batch.transaction.assert_committed()
    pool.verify()  # every connection went back to the pool, no transaction left open


async def test_endpoints_with_the_pool_overridden() -> None:
    """Pattern 6: requests through ASGITransport; FastAPI's dependency_overrides hands in the fake pool."""
    pool = FakeConnectionPool(2)
    pool.script.execute.when(params=["Ana", "ana@example.com"]).returns([{"id": 1}])
    pool.script.execute.when(params=["Bo", "bo@example.com"]).raises(unique_violation("users_email_key"))
    pool.script.fetch.when(params=[1]).returns(
        QueryResult([{"id": 1, "name": "Ana", "email": "ana@example.com"}])
    )
    pool.script.fetch.when(params=[2]).returns([])  # said out loud: no user 2 (else a near miss)
    pool.script.fetch.when(params=[9]).raises(
        postgres_error("terminating connection due to administrator command")
    )
    app = create_app()
    app.dependency_overrides[get_pool] = lambda: pool

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        created = await client.post("/users", json={"name": "Ana", "email": "ana@example.com"})
        taken = await client.post("/users", json={"name": "Bo", "email": "bo@example.com"})
        read = await client.get("/users/1")
        missing = await client.get("/users/2")
        broken = await client.get("/users/9")

    assert (201, {"id": 1, "name": "Ana", "email": "ana@example.com"}) == (
        created.status_code,
        created.json(),
    )
    assert (409, {"detail": "email bo@example.com is taken"}) == (taken.status_code, taken.json())
    assert (200, "Ana") == (read.status_code, read.json()["name"])
    assert (404, 500) == (missing.status_code, broken.status_code)
    pool.verify()


async def main() -> None:
    await test_dao_create_sends_the_insert()
    await test_dao_maps_database_errors()
    await test_dao_reads_in_order_and_by_parameters()
    await test_count_for_each_domain()
    await test_service_imports_in_one_transaction_with_one_batch()
    await test_endpoints_with_the_pool_overridden()


if __name__ == "__main__":
    asyncio.run(main())
