"""Static checks: fakes satisfy the ``Protocol`` s that application code declares, in mypy and pyright.

Code under test often types its connection as a small ``Protocol`` of the driver's ``async def``
methods. Both checkers must accept a fake there (pyright matches the declared type of a class
attribute, so ``fake_method`` declares one callable with the driver's signature), and both must
still refuse a fake whose signature does not fit. Nothing here runs; the ``# type: ignore[code]``
lines are negative tests, kept honest by mypy's ``warn_unused_ignores`` and pyright's
``reportUnnecessaryTypeIgnoreComment``.
"""

# pyright: reportUnnecessaryTypeIgnoreComment=error
from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any, Protocol

from typing_extensions import Self

from asyncfakes import BaseConnection, FakeConnection, fake_method
from asyncfakes import asyncpg as fake_asyncpg
from asyncfakes import psqlpy as fake_psqlpy

# --- the generic connection and a custom one ---------------------------------------------------


class Executes(Protocol):
    async def execute(self, stmt: str, parameters: Any = None) -> Any: ...


class ExecutesWithTimeout(Protocol):
    async def execute(self, stmt: str, parameters: Any = None, *, timeout: float) -> Any: ...


class Custom(BaseConnection):
    @fake_method
    async def lookup(self, key: str, *, default: int = 0) -> int:
        return default


class LooksUp(Protocol):
    async def lookup(self, key: str, *, default: int = 0) -> int: ...


class LooksUpText(Protocol):
    async def lookup(self, key: str, *, default: int = 0) -> str: ...


def generic(conn: FakeConnection, custom: Custom) -> None:
    executes: Executes = conn
    looks_up: LooksUp = custom
    del executes, looks_up
    wrong_return: LooksUpText = custom  # type: ignore[assignment]
    wrong_parameters: ExecutesWithTimeout = conn  # type: ignore[assignment]
    del wrong_return, wrong_parameters


def not_callable_on_the_class() -> None:
    # Read from the class, a fake method is its (not callable) declaration, as at run time.
    Custom.lookup("key")  # type: ignore[operator]


# --- asyncpg -------------------------------------------------------------------------------------


class AsyncpgQueries(Protocol):
    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str: ...
    async def fetchval(
        self, query: str, *args: Any, column: int | str = 0, timeout: float | None = None
    ) -> Any: ...
    async def fetch(
        self, query: str, *args: Any, timeout: float | None = None, record_class: type[Any] | None = None
    ) -> Sequence[fake_asyncpg.Record]: ...


class AsyncpgPool(AsyncpgQueries, Protocol):
    async def close(self) -> None: ...


class AsyncpgFetchTakesInt(Protocol):
    async def fetch(self, query: int) -> Sequence[fake_asyncpg.Record]: ...


def asyncpg_flavour(conn: fake_asyncpg.FakeConnection, pool: fake_asyncpg.FakePool) -> None:
    queries: AsyncpgQueries = conn
    pooled: AsyncpgPool = pool
    del queries, pooled
    wrong: AsyncpgFetchTakesInt = conn  # type: ignore[assignment]
    del wrong


# --- psqlpy --------------------------------------------------------------------------------------


class Rows(Protocol):
    def result(self) -> list[dict[str, Any]]: ...


class PsqlpyQueryable(Protocol):
    async def execute(
        self, querystring: str, parameters: Sequence[Any] | None = None, prepared: bool = True
    ) -> Rows: ...
    async def fetch_val(
        self, querystring: str, parameters: Sequence[Any] | None = None, prepared: bool = True
    ) -> Any: ...
    async def execute_many(
        self, querystring: str, parameters: list[list[Any]] | None = None, prepared: bool = True
    ) -> None: ...


class PsqlpyTransaction(PsqlpyQueryable, Protocol):
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


class PsqlpyConnection(PsqlpyQueryable, Protocol):
    def transaction(self) -> PsqlpyTransaction: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


class PsqlpyPool(Protocol):
    def acquire(self) -> PsqlpyConnection: ...


class PsqlpyExecuteReturnsText(Protocol):
    async def execute(
        self, querystring: str, parameters: Sequence[Any] | None = None, prepared: bool = True
    ) -> str: ...


def psqlpy_flavour(conn: fake_psqlpy.FakeConnection, pool: fake_psqlpy.FakeConnectionPool) -> None:
    queryable: PsqlpyQueryable = conn
    connection: PsqlpyConnection = conn
    transaction: PsqlpyTransaction = conn.transaction()
    pooled: PsqlpyPool = pool
    del queryable, connection, transaction, pooled
    wrong: PsqlpyExecuteReturnsText = conn  # type: ignore[assignment]
    del wrong
