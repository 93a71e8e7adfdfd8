"""The session settings of psycopg's AsyncConnection: autocommit, isolation level, read-only, deferrable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus

__all__ = ["SessionSettings"]


class SessionSettings:
    """psycopg's settings: read-only properties, ``await set_...()`` only while idle; they shape ``BEGIN``."""

    _autocommit: bool
    _isolation_level: psycopg.IsolationLevel | None
    _read_only: bool | None
    _deferrable: bool | None
    _blocks: int

    _transaction_status: Callable[[], TransactionStatus]  # the connection's

    @property
    def autocommit(self) -> bool:
        """Whether each statement commits by itself (read-only: ``await set_autocommit()``)."""
        return self._autocommit

    @autocommit.setter
    def autocommit(self, value: bool) -> None:
        _read_only_setting("autocommit")

    @property
    def isolation_level(self) -> psycopg.IsolationLevel | None:
        """The isolation level of new transactions (read-only: ``await set_isolation_level()``)."""
        return self._isolation_level

    @isolation_level.setter
    def isolation_level(self, value: Any) -> None:
        _read_only_setting("isolation_level")

    @property
    def read_only(self) -> bool | None:
        """Whether new transactions are read-only (read-only: ``await set_read_only()``)."""
        return self._read_only

    @read_only.setter
    def read_only(self, value: Any) -> None:
        _read_only_setting("read_only")

    @property
    def deferrable(self) -> bool | None:
        """Whether new transactions are deferrable (read-only: ``await set_deferrable()``)."""
        return self._deferrable

    @deferrable.setter
    def deferrable(self, value: Any) -> None:
        _read_only_setting("deferrable")

    def _check_idle(self, attribute: str) -> None:
        status = self._transaction_status()
        if status != TransactionStatus.IDLE:
            if self._blocks:
                msg = f"can't change {attribute!r} now: connection.transaction() context in progress"
            else:
                msg = f"can't change {attribute!r} now: connection in transaction status {status.name}"
            raise psycopg.ProgrammingError(msg)

    async def set_autocommit(self, value: bool) -> None:
        """Turn autocommit on or off (only while idle)."""
        self._check_idle("autocommit")
        self._autocommit = bool(value)

    async def set_isolation_level(self, value: psycopg.IsolationLevel | int | None) -> None:
        """Set the isolation level of new transactions (only while idle)."""
        self._check_idle("isolation_level")
        self._isolation_level = None if value is None else psycopg.IsolationLevel(value)

    async def set_read_only(self, value: bool | None) -> None:
        """Make new transactions read-only or read-write (only while idle)."""
        self._check_idle("read_only")
        self._read_only = None if value is None else bool(value)

    async def set_deferrable(self, value: bool | None) -> None:
        """Make new transactions deferrable or not (only while idle)."""
        self._check_idle("deferrable")
        self._deferrable = None if value is None else bool(value)

    def _begin_statement(self) -> str:
        parts = ["BEGIN"]
        if self._isolation_level is not None:
            parts.append(f"ISOLATION LEVEL {self._isolation_level.name.replace('_', ' ')}")
        if self._read_only is not None:
            parts.append("READ ONLY" if self._read_only else "READ WRITE")
        if self._deferrable is not None:
            parts.append("DEFERRABLE" if self._deferrable else "NOT DEFERRABLE")
        return " ".join(parts)


def _read_only_setting(attribute: str) -> None:
    msg = (
        f"'the {attribute!r} property is read-only on async connections: please use "
        f"'await .set_{attribute}()' instead."
    )
    raise AttributeError(msg)
