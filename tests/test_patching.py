"""Patch helpers: code that calls asyncpg.connect / create_pool or psqlpy.connect / ConnectionPool gets fakes."""

from __future__ import annotations

import functools
import importlib.machinery
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import asyncpg
import psqlpy
import pytest

from asyncfakes import DriverPatch, EntryCall, ExpectationsNotMet
from asyncfakes import FakeConnection as GenericConnection
from asyncfakes.asyncpg import AsyncpgPatch, FakeConnection, FakePool, patch_asyncpg
from asyncfakes.psqlpy import FakeConnection as PsqlpyConnection
from asyncfakes.psqlpy import FakeConnectionPool, patch_psqlpy

pytestmark = pytest.mark.anyio

# asyncpg ships no types (pyright sees its connect() and create_pool() partially unknown): the tests
# call its entry points through this Any view, as code under test typed Any would.
untyped_asyncpg: Any = asyncpg
REAL_CONNECT, REAL_CREATE_POOL = untyped_asyncpg.connect, untyped_asyncpg.create_pool


@pytest.fixture
def imported_before() -> Iterator[types.ModuleType]:
    """A module that did `from asyncpg import connect, create_pool` before the patch started."""
    module = types.ModuleType("app_db")
    module.connect = untyped_asyncpg.connect  # type: ignore[attr-defined]
    module.create_pool = untyped_asyncpg.create_pool  # type: ignore[attr-defined]
    sys.modules["app_db"] = module
    yield module
    del sys.modules["app_db"]


async def test_connect_hands_out_connections_sharing_one_script(imported_before: Any) -> None:
    """asyncpg.connect, and every module's imported copy of it, give connections answering from db.connection."""
    with patch_asyncpg() as db:
        db.connection.fetchval.returns(41)
        first = await untyped_asyncpg.connect("postgresql://app@db/orders", timeout=5)
        second = await imported_before.connect(dsn="postgresql://other")
        assert 41 == await first.fetchval("SELECT count(*) FROM orders")
        await first.close()
        await second.close()

    assert isinstance(first, FakeConnection)
    assert [first, second] == db.connections
    assert first is not second
    assert [
        EntryCall("connect", ("postgresql://app@db/orders",), {"timeout": 5}),
        EntryCall("connect", (), {"dsn": "postgresql://other"}),
    ] == db.calls
    assert ["connect", "connect", "fetchval", "close", "close"] == [
        call.method for call in db.connection.calls
    ]
    assert {
        "app_db.connect",
        "app_db.create_pool",
        "asyncpg.connect",
        "asyncpg.create_pool",
        "asyncpg.connection.connect",
        "asyncpg.pool.create_pool",
    } <= set(db.patched)
    assert (
        REAL_CONNECT
        is untyped_asyncpg.connect
        is untyped_asyncpg.connection.connect
        is imported_before.connect
    )
    assert (
        REAL_CREATE_POOL
        is untyped_asyncpg.create_pool
        is untyped_asyncpg.pool.create_pool
        is imported_before.create_pool
    )


async def test_create_pool_returns_the_scripted_pool() -> None:
    """asyncpg.create_pool gives db.pool, configured from the arguments, awaitable and usable in async with."""
    db = patch_asyncpg()
    db.pool.connection.fetchval.returns(7)  # scripted before the code creates the pool
    async with db, untyped_asyncpg.pool.create_pool("postgresql://x", min_size=1, max_size=2) as pool:
        assert 7 == await pool.fetchval("SELECT 7")

    assert isinstance(pool, FakePool)
    assert pool is db.pool
    assert {"dsn": "postgresql://x", "min_size": 1, "max_size": 2} == pool.create_args
    assert [EntryCall("create_pool", ("postgresql://x",), {"min_size": 1, "max_size": 2})] == db.calls


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_exit_verifies_every_fake_unless_the_body_raised() -> None:
    """Leftovers fail at exit, with each fake named; an error in the body is left alone."""
    with pytest.raises(ExpectationsNotMet) as excinfo:
        async with patch_asyncpg() as db:
            db.connection.fetch.returns_once([])
            conn = await untyped_asyncpg.connect()
            await conn.transaction().start()
            db.pool.connection.fetchval.returns_once(1)
    assert str(excinfo.value).splitlines()[1:4] == [
        "  1. conn.fetch: a one-shot answer was never used (returns []).",
        "  2. connection #0: <FakeTransaction #0 active> was never committed or rolled back.",
        "  3. pool: conn.fetchval: a one-shot answer was never used (returns 1).",
    ]

    with pytest.raises(ZeroDivisionError), patch_asyncpg() as db:
        db.connection.fetch.returns_once([])
        _ = 1 / 0
    assert not db.active
    assert ["conn.fetch: a one-shot answer was never used (returns [])."] == db.problems()


def test_the_decorator_patches_sync_and_async_functions_with_fresh_fakes() -> None:
    """Each decorated call runs patched and verified; a second use starts from fresh fakes."""
    db = patch_asyncpg()
    seen: list[Any] = []

    @db
    def sync_test(x: int) -> int:
        seen.append((untyped_asyncpg.connect, db.connection))
        return x * 2

    @db
    async def async_test() -> str:
        conn = await untyped_asyncpg.connect()
        return await conn.fetchval("SELECT 1") or "nothing"

    import asyncio

    assert 4 == sync_test(2)
    assert "nothing" == asyncio.run(async_test())
    assert 4 == sync_test(2)
    assert untyped_asyncpg.connect is REAL_CONNECT
    assert seen[0][0] is not REAL_CONNECT
    assert seen[0][1] is not seen[1][1]  # fresh fakes for the second use
    assert sync_test.__name__ == "sync_test"


def test_start_twice_is_refused_and_stop_is_idempotent() -> None:
    """A patch is active once at a time."""
    db = patch_asyncpg().start()
    with pytest.raises(
        RuntimeError, match=r"^AsyncpgPatch is already active: stop\(\) it before starting it again\.$"
    ):
        db.start()
    db.stop()
    db.stop()
    assert untyped_asyncpg.connect is REAL_CONNECT


async def test_psqlpy_entry_points_give_fakes() -> None:
    """psqlpy.connect gives connections sharing db.connection; connect_pool and ConnectionPool give db.pool."""
    real_pool_class = psqlpy.ConnectionPool
    with patch_psqlpy(strict=True) as db:
        db.connection.fetch_val.returns(1)
        db.pool.script.fetch_val.returns(3)
        conn: Any = await psqlpy.connect(dsn="postgresql://x")
        assert 1 == await conn.fetch_val("SELECT 1")
        conn.close()
        pool: Any = psqlpy.ConnectionPool(dsn="postgresql://x", max_db_pool_size=5)
        same: Any = psqlpy.connect_pool("postgresql://y", max_db_pool_size=5)
        pooled = await pool.connection()
        assert 3 == await pooled.fetch_val("SELECT 3")
        pooled.close()

    assert isinstance(conn, PsqlpyConnection)
    assert [conn] == db.connections
    assert isinstance(pool, FakeConnectionPool)
    assert pool is same is db.pool
    assert 5 == pool.status().max_size
    assert "postgresql://y" == pool.create_args["dsn"]  # configured by the last call
    assert ["connect", "ConnectionPool", "connect_pool"] == [call.name for call in db.calls]
    assert psqlpy.ConnectionPool is real_pool_class
    assert {"psqlpy.ConnectionPool", "psqlpy.connect", "psqlpy.connect_pool"} <= set(db.patched)


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_psqlpy_patch_reports_every_fakes_problems() -> None:
    """Problems of the shared script, of one connection, and of the pool fail at exit."""
    kept: list[Any] = []  # still referenced at exit (one dropped goes back to the pool)
    with pytest.raises(ExpectationsNotMet) as excinfo, patch_psqlpy() as db:
        db.connection.fetch.returns_once([])
        conn: Any = await psqlpy.connect()
        await conn.transaction().begin()
        pool: Any = psqlpy.connect_pool()
        kept.append(await pool.connection())
    lines = str(excinfo.value).splitlines()
    assert lines[1] == "  1. conn.fetch: a one-shot answer was never used (returns [])."
    assert lines[2].startswith("  2. connection #0: ")
    assert lines[3].startswith("  3. pool: connection #0 (taken at ")
    assert "is still out: never closed, and still referenced" in lines[3]
    kept[0].close()


class GenericPatch(DriverPatch[GenericConnection, GenericConnection]):
    """A patch of the test driver below, with the generic fake as connection and as "pool"."""

    driver = "asyncfakes_test_driver"
    places: ClassVar[tuple[str, ...]] = ("connect", "Driver.connect", "Driver.inherited")

    def new_connection(self, share_with: GenericConnection | None, **options: Any) -> GenericConnection:
        return GenericConnection(strict=self.strict, ordered=self.ordered, share_with=share_with, **options)

    def new_pool(self) -> GenericConnection:
        return GenericConnection(strict=self.strict)

    def replacements(self) -> dict[str, Callable[..., Any]]:
        return {place: functools.partial(self.fake, place) for place in self.places}

    def fake(self, place: str, *args: Any, **kwargs: Any) -> GenericConnection:
        self.record(place, args, kwargs)
        return self.hand_out()


class Base:
    def inherited(self) -> str:
        return "real"


class Driver(Base):
    @classmethod
    def connect(cls, dsn: str) -> str:
        return f"real {cls.__name__} {dsn}"


def real_connect() -> str:
    return "real"


@pytest.fixture
def test_driver() -> Iterator[types.ModuleType]:
    """An importable driver module with a function and a class, and a module that imported both."""
    module = types.ModuleType("asyncfakes_test_driver")
    module.__spec__ = importlib.machinery.ModuleSpec("asyncfakes_test_driver", None)
    module.connect = real_connect  # type: ignore[attr-defined]
    module.Driver = Driver  # type: ignore[attr-defined]
    user = types.ModuleType("asyncfakes_test_user")
    user.__spec__ = importlib.machinery.ModuleSpec("asyncfakes_test_user", None)
    user.connect = real_connect  # type: ignore[attr-defined]
    user.Connector = Driver  # type: ignore[attr-defined]  # a re-export under another name
    sys.modules.update(asyncfakes_test_driver=module, asyncfakes_test_user=user)
    yield module
    del sys.modules["asyncfakes_test_driver"], sys.modules["asyncfakes_test_user"]


def test_a_class_attribute_is_replaced_on_the_class_for_every_holder_and_subclass(test_driver: Any) -> None:
    """A "Class.name" place is set on the class (re-exports and subclasses see it), then put back as it was."""
    user = sys.modules["asyncfakes_test_user"]

    class Mine(Driver):
        pass

    original = Driver.__dict__["connect"]
    with GenericPatch() as db:
        handed = [
            Driver.connect("dsn=a"),
            user.Connector.connect(dsn="b"),
            Mine.connect("c"),
            Driver().inherited(),
        ]
        assert real_connect is not user.connect
        user.connect()
    assert handed == db.connections[:4]
    assert [
        EntryCall("Driver.connect", ("dsn=a",), {}),
        EntryCall("Driver.connect", (), {"dsn": "b"}),
        EntryCall("Driver.connect", ("c",), {}),
        EntryCall("Driver.inherited", (), {}),  # a staticmethod: no self
        EntryCall("connect", (), {}),
    ] == db.calls
    assert {
        "asyncfakes_test_driver.Driver.connect",
        "asyncfakes_test_driver.Driver.inherited",
        "asyncfakes_test_driver.connect",
        "asyncfakes_test_user.connect",
    } == set(db.patched)
    assert Driver.__dict__["connect"] is original
    assert "inherited" not in Driver.__dict__  # inherited before: deleted again, not set to Base's
    assert ["real Mine c", "real", "real"] == [Mine.connect("c"), Driver().inherited(), user.connect()]


def test_a_place_in_another_module_is_patched_and_a_failure_undoes_everything(test_driver: Any) -> None:
    """ "module:name" reaches another module; a place that cannot be patched leaves nothing patched."""
    user = sys.modules["asyncfakes_test_user"]

    class Elsewhere(GenericPatch):
        places = ("asyncfakes_test_user:Connector.connect", "connect")

    with Elsewhere() as db:
        Driver.connect("x")
    assert ["asyncfakes_test_user.Connector.connect", "asyncfakes_test_driver.connect"] == db.patched[:2]

    class Broken(GenericPatch):
        places = ("Driver.connect", "asyncfakes_no_such_module:connect")

    with pytest.raises(ModuleNotFoundError, match="^Broken patches the asyncfakes_no_such_module module"):
        Broken().start()
    assert "real Driver x" == Driver.connect("x")
    assert real_connect is user.connect


def test_a_driver_that_is_not_installed_is_named() -> None:
    """Patching a driver that is not installed says so, and does not try to import it."""

    class Missing(GenericPatch):
        driver = "asyncfakes_no_such_driver"

    with pytest.raises(
        ModuleNotFoundError,
        match="^Missing patches the asyncfakes_no_such_driver module, which is not installed",
    ):
        Missing().start()


def test_a_flavour_must_define_each_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    """A DriverPatch lacking a hook says which; sys.modules entries that are not modules are skipped."""

    class Bare(DriverPatch[GenericConnection, GenericConnection]):
        driver = "asyncpg"

    with pytest.raises(
        NotImplementedError, match=r"^Bare must define new_connection\(\): DriverPatch is the base"
    ):
        Bare()

    class NoPool(Bare):
        def new_connection(self, share_with: GenericConnection | None, **options: Any) -> GenericConnection:
            return GenericConnection(share_with=share_with)

    with pytest.raises(NotImplementedError, match=r"^NoPool must define new_pool\(\)"):
        NoPool()

    class NoPlaces(NoPool):
        def new_pool(self) -> GenericConnection:
            return GenericConnection()

    patch = NoPlaces()
    with pytest.raises(NotImplementedError, match=r"^NoPlaces must define replacements\(\)"):
        patch.start()
    assert not patch.active

    monkeypatch.setitem(sys.modules, "not_a_module", object())

    class Partial(AsyncpgPatch):
        def replacements(self) -> dict[str, Callable[..., Any]]:
            return {"connect": self._connect}

    with Partial() as db:
        assert untyped_asyncpg.create_pool is REAL_CREATE_POOL
    assert "asyncpg.connect" in db.patched
