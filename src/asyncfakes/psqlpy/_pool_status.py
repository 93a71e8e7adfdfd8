"""What a psqlpy pool reports: its status snapshot, and the error for a connection it cannot open."""

from __future__ import annotations

from . import exceptions as exc

__all__ = ["ConnectionPoolStatus", "connection_refused"]


class ConnectionPoolStatus:
    """A snapshot of the pool, as psqlpy's ``pool.status()`` gives: read-only counts."""

    __slots__ = ("_available", "_max_size", "_size", "_waiting")

    def __init__(self, max_size: int, size: int, available: int, waiting: int) -> None:
        self._max_size, self._size, self._available, self._waiting = max_size, size, available, waiting

    @property
    def max_size(self) -> int:
        """The most connections the pool opens."""
        return self._max_size

    @property
    def size(self) -> int:
        """How many connections the pool has opened so far."""
        return self._size

    @property
    def available(self) -> int:
        """How many opened connections are idle in the pool."""
        return self._available

    @property
    def waiting(self) -> int:
        """How many acquisitions are blocked, waiting for a connection."""
        return self._waiting

    def __repr__(self) -> str:
        return (
            f"Connection Pool Status - [max_size: {self._max_size}, size: {self._size}, "
            f"available: {self._available}, waiting: {self._waiting}]"
        )


def connection_refused() -> Exception:
    """What psqlpy's pool raises from ``connection()`` when the server refuses: a database that is down.

    Script it with ``pool.fail_connection(connection_refused())``.
    """
    return exc.BaseConnectionPoolError(
        "Database engine pool exception: Error occurred while creating a new object: "
        "error connecting to server: Connection refused (os error 111)"
    )
