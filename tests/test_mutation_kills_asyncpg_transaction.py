"""The failing side of asyncpg's transaction: the messages of its state machine, checked without a server."""

from __future__ import annotations

from typing import Any

import pytest

# These tests leave transactions and errors behind on purpose.
pytestmark = [pytest.mark.anyio, pytest.mark.asyncfakes(verify=False)]


async def test_asyncpg_transaction_state_errors_name_the_action_and_the_state() -> None:
    """Each wrong call raises asyncpg's InterfaceError wording for that action and state."""
    from asyncfakes.asyncpg import FakeConnection as AsyncpgConnection
    from asyncfakes.asyncpg import error_class

    conn = AsyncpgConnection()
    messages: list[str] = []

    async def attempt(action: Any) -> None:
        with pytest.raises(error_class("InterfaceError")) as caught:
            await action()
        messages.append(str(caught.value))

    fresh = conn.transaction()
    await attempt(fresh.commit)
    await attempt(fresh.rollback)
    await fresh.start()
    await attempt(fresh.start)
    await fresh.commit()
    await attempt(fresh.commit)
    await attempt(fresh.start)
    undone = conn.transaction()
    await undone.start()
    await undone.rollback()
    await attempt(undone.rollback)

    assert [
        "cannot commit; the transaction is not yet started",
        "cannot rollback; the transaction is not yet started",
        "cannot start; the transaction is already started",
        "cannot commit; the transaction is already committed",
        "cannot start; the transaction is already committed",
        "cannot rollback; the transaction is already rolled back",
    ] == messages


async def test_asyncpg_async_with_forbids_manual_commit_rollback_and_reentry() -> None:
    """Inside `async with`, commit(), rollback() and entering again raise; after it, they work again."""
    from asyncfakes.asyncpg import FakeConnection as AsyncpgConnection
    from asyncfakes.asyncpg import error_class

    conn = AsyncpgConnection()
    tx = conn.transaction()
    async with tx:
        with pytest.raises(
            error_class("InterfaceError"), match="^cannot manually commit from within an `async with` block$"
        ):
            await tx.commit()
        with pytest.raises(
            error_class("InterfaceError"),
            match="^cannot manually rollback from within an `async with` block$",
        ):
            await tx.rollback()
        with pytest.raises(
            error_class("InterfaceError"), match="^cannot enter context: already in an `async with` block$"
        ):
            async with tx:
                pass  # pragma: no cover

    tx.assert_committed()
    other = conn.transaction()
    async with other:
        pass
    await conn.transaction().start()
    assert "active" == conn.transactions[-1].state


async def test_asyncpg_isolation_is_checked_at_creation_and_when_nested() -> None:
    """An unknown isolation is refused at once; a nested one must match the outer (read committed by default)."""
    from asyncfakes.asyncpg import FakeConnection as AsyncpgConnection
    from asyncfakes.asyncpg import error_class

    conn = AsyncpgConnection()
    with pytest.raises(ValueError, match="^isolation is expected") as refused:
        conn.transaction(isolation="SERIALIZABLE")
    assert (
        "isolation is expected to be either of {'read_committed', 'read_uncommitted', 'repeatable_read', "
        "'serializable'}, got 'SERIALIZABLE'",
    ) == refused.value.args

    async with conn.transaction():
        await conn.transaction(isolation="read_committed").start()
        with pytest.raises(error_class("InterfaceError")) as caught:
            await conn.transaction(isolation="serializable").start()
    assert (
        "nested transaction has a different isolation level: current 'serializable' != outer 'read_committed'"
        == str(caught.value)
    )

    async with conn.transaction(isolation="repeatable_read", readonly=True, deferrable=True):
        await conn.transaction().start()
        await conn.transaction(isolation="repeatable_read").start()
    assert [
        "BEGIN;",
        "SAVEPOINT asyncfakes_sp_1;",
        "COMMIT;",
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY DEFERRABLE;",
        "SAVEPOINT asyncfakes_sp_4;",
        "SAVEPOINT asyncfakes_sp_5;",
        "COMMIT;",
    ] == conn.calls.sql


async def test_asyncpg_nested_transactions_release_and_roll_back_their_savepoints() -> None:
    """A nested transaction commits as RELEASE SAVEPOINT and rolls back as ROLLBACK TO."""
    from asyncfakes.asyncpg import FakeConnection as AsyncpgConnection

    conn = AsyncpgConnection()
    async with conn.transaction():
        inner = conn.transaction()
        await inner.start()
        await inner.commit()
        undone = conn.transaction()
        await undone.start()
        await undone.rollback()

    assert [
        "BEGIN;",
        "SAVEPOINT asyncfakes_sp_1;",
        "RELEASE SAVEPOINT asyncfakes_sp_1;",
        "SAVEPOINT asyncfakes_sp_2;",
        "ROLLBACK TO asyncfakes_sp_2;",
        "COMMIT;",
    ] == conn.calls.sql
    assert ("committed", "rolled_back") == (inner.state, undone.state)


async def test_asyncpg_top_level_rollback_sends_rollback() -> None:
    """A transaction that is not nested rolls back with a plain ROLLBACK, by hand or by an error."""
    from asyncfakes.asyncpg import FakeConnection as AsyncpgConnection

    conn = AsyncpgConnection()
    tx = conn.transaction()
    await tx.start()
    await tx.rollback()
    with pytest.raises(KeyError):
        async with conn.transaction():
            raise KeyError("boom")

    assert ["BEGIN;", "ROLLBACK;", "BEGIN;", "ROLLBACK;"] == conn.calls.sql


async def test_asyncpg_commit_and_rollback_on_a_closed_connection_name_the_transaction_method() -> None:
    """asyncpg's guarded Transaction methods: 'cannot call Transaction.commit(): ... is closed'."""
    from asyncfakes.asyncpg import FakeConnection as AsyncpgConnection
    from asyncfakes.asyncpg import error_class

    conn = AsyncpgConnection()
    tx = conn.transaction()
    await tx.start()
    await conn.close()
    messages: list[str] = []
    for action in (tx.commit, tx.rollback):
        with pytest.raises(error_class("InterfaceError")) as caught:
            await action()
        messages.append(str(caught.value))

    assert [
        "cannot call Transaction.commit(): the underlying connection is closed",
        "cannot call Transaction.rollback(): the underlying connection is closed",
    ] == messages
    assert "active" == tx.state  # nothing was sent


async def test_asyncpg_releasing_a_savepoint_its_outer_transaction_ended_fails_on_the_server() -> None:
    """commit() of a savepoint the outer rollback ended: RELEASE SAVEPOINT outside a transaction block."""
    from asyncfakes.asyncpg import FakeConnection as AsyncpgConnection
    from asyncfakes.asyncpg import error_class

    conn = AsyncpgConnection()
    outer = conn.transaction()
    await outer.start()
    inner = conn.transaction()
    await inner.start()
    await outer.rollback()

    with pytest.raises(error_class("NoActiveSQLTransactionError")) as caught:
        await inner.commit()

    assert "RELEASE SAVEPOINT can only be used in transaction blocks" == str(caught.value)
    assert "failed" == inner.state


async def test_asyncpg_a_commit_postgresql_turned_into_a_rollback_leaves_the_connection_usable() -> None:
    """After the rolled-back commit the connection is out of the aborted state: a later COMMIT is a COMMIT."""
    from asyncfakes.asyncpg import FakeConnection as AsyncpgConnection
    from asyncfakes.asyncpg import error_class, serialization_failure

    conn = AsyncpgConnection()
    conn.fetchval.raises_once(serialization_failure())
    tx = conn.transaction()
    await tx.start()
    with pytest.raises(error_class("SerializationError")):
        await conn.fetchval("SELECT 1")
    await tx.commit()

    # Outside any transaction PostgreSQL warns "there is no transaction in progress" and answers COMMIT.
    assert "COMMIT" == await conn.execute("COMMIT")
    assert 1 == len(conn.problems())  # the rolled-back commit only, not the later COMMIT


async def test_asyncpg_start_on_a_closed_connection_names_the_transaction_method() -> None:
    """start() is guarded as commit() and rollback() are: 'cannot call Transaction.start(): ...'."""
    from asyncfakes.asyncpg import FakeConnection as AsyncpgConnection
    from asyncfakes.asyncpg import error_class

    conn = AsyncpgConnection()
    tx = conn.transaction()
    await conn.close()

    with pytest.raises(error_class("InterfaceError")) as caught:
        await tx.start()

    assert "cannot call Transaction.start(): the underlying connection is closed" == str(caught.value)
    assert ("new", ["close"]) == (tx.state, [call.method for call in conn.calls])  # no BEGIN sent


async def test_asyncpg_a_transaction_is_no_longer_managed_after_its_async_with_block() -> None:
    """After the block (committed or rolled back), a manual call gets the state error, not the block's."""
    from asyncfakes.asyncpg import FakeConnection as AsyncpgConnection
    from asyncfakes.asyncpg import error_class

    conn = AsyncpgConnection()
    committed, rolled_back = conn.transaction(), conn.transaction()
    async with committed:
        pass
    with pytest.raises(KeyError):
        async with rolled_back:
            raise KeyError("boom")
    messages: list[str] = []
    for action in (committed.commit, rolled_back.rollback):
        with pytest.raises(error_class("InterfaceError")) as caught:
            await action()
        messages.append(str(caught.value))
    with pytest.raises(error_class("InterfaceError")) as reentered:
        async with committed:
            pass

    assert [
        "cannot commit; the transaction is already committed",
        "cannot rollback; the transaction is already rolled back",
    ] == messages
    assert "cannot start; the transaction is already committed" == str(reentered.value)


async def test_asyncpg_a_transaction_made_directly_is_read_write_and_not_deferrable() -> None:
    """FakeTransaction(conn) without options sends a plain BEGIN, as conn.transaction() does."""
    from asyncfakes.asyncpg import FakeConnection as AsyncpgConnection
    from asyncfakes.asyncpg import FakeTransaction

    conn = AsyncpgConnection()
    tx = FakeTransaction(conn)
    await tx.start()
    await tx.commit()

    assert (None, False, False) == (tx.isolation, tx.readonly, tx.deferrable)
    assert ["BEGIN;", "COMMIT;"] == conn.calls.sql
