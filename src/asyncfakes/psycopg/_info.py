"""``conn.info`` and ``connect()``: what psycopg tells about a connection, and how one is made."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from psycopg.pq import ConnStatus, TransactionStatus

if TYPE_CHECKING:
    from ._connection import FakeAsyncConnection

__all__ = ["ConnectionInfo", "connect_descriptor"]


class ConnectionInfo:
    """psycopg's ``ConnectionInfo`` for a fake connection: status, server, encoding."""

    __slots__ = ("_conn",)

    vendor = "PostgreSQL"
    server_version = 150000
    encoding = "utf-8"
    backend_pid = 4242
    host = "localhost"
    hostaddr = "127.0.0.1"
    port = 5432
    dbname = "asyncfakes"
    user = "asyncfakes"
    password = ""
    options = ""
    dsn = "host=localhost port=5432 dbname=asyncfakes user=asyncfakes"

    def __init__(self, conn: FakeAsyncConnection) -> None:
        self._conn = conn

    @property
    def transaction_status(self) -> TransactionStatus:
        """``IDLE``, ``INTRANS``, ``INERROR``, ``ACTIVE`` (a call in flight) or ``UNKNOWN`` (closed)."""
        return self._conn._transaction_status()

    @property
    def status(self) -> ConnStatus:
        """``OK``, or ``BAD`` once closed."""
        return ConnStatus.BAD if self._conn.closed else ConnStatus.OK

    @property
    def pipeline_status(self) -> int:
        """Always off: the fake has no pipeline mode."""
        return 0

    def get_parameters(self) -> dict[str, str]:
        """The connection parameters, as a dict."""
        return dict(item.split("=", 1) for item in self.dsn.split())

    def parameter_status(self, param_name: str) -> str | None:
        """A server setting reported at connection time (``TimeZone``, ``server_encoding``, ...)."""
        return _PARAMETERS.get(param_name)

    def __repr__(self) -> str:
        return f"<ConnectionInfo {self.transaction_status.name}>"


_PARAMETERS = {
    "server_version": "15.0",
    "server_encoding": "UTF8",
    "client_encoding": "UTF8",
    "TimeZone": "UTC",
    "DateStyle": "ISO, MDY",
    "standard_conforming_strings": "on",
    "integer_datetimes": "on",
}


class _Connect:
    """``connect(...)``: on the class, a new fake; on a fake, that fake (to hand to code under test).

    ``monkeypatch.setattr(psycopg.AsyncConnection, "connect", conn.connect)`` makes the code's
    ``await psycopg.AsyncConnection.connect(dsn)`` return the scripted ``conn``.
    """

    def __get__(self, instance: FakeAsyncConnection | None, owner: type[FakeAsyncConnection]) -> Any:
        async def connect(
            conninfo: str = "",
            *,
            autocommit: bool = False,
            prepare_threshold: int | None = 5,
            context: Any = None,
            row_factory: Any = None,
            cursor_factory: Any = None,
            **kwargs: Any,
        ) -> FakeAsyncConnection:
            conn = owner() if instance is None else instance
            conn._autocommit = bool(autocommit)
            conn.prepare_threshold = prepare_threshold
            if row_factory is not None:
                conn.row_factory = row_factory
            if cursor_factory is not None:
                conn.cursor_factory = cursor_factory
            conn.conninfo = conninfo
            conn.conninfo_kwargs = kwargs
            return conn

        connect.__doc__ = _Connect.__doc__
        return connect


def connect_descriptor() -> Any:
    """The ``connect`` attribute of :class:`FakeAsyncConnection`."""
    return _Connect()
