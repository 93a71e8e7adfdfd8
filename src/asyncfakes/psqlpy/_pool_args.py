"""The keyword arguments psqlpy's ``ConnectionPool`` takes, and the check of the ones a test passes."""

from __future__ import annotations

import difflib
from typing import Any

__all__ = ["check_connect_args"]


# psqlpy's ConnectionPool arguments besides dsn and max_db_pool_size (psqlpy 0.13).
_CONNECT_ARGS = frozenset(
    """
    username password host hosts port ports db_name target_session_attrs options application_name
    connect_timeout_sec connect_timeout_nanosec tcp_user_timeout_sec tcp_user_timeout_nanosec
    keepalives keepalives_idle_sec keepalives_idle_nanosec keepalives_interval_sec
    keepalives_interval_nanosec keepalives_retries load_balance_hosts conn_recycling_method ssl_mode
    ca_file
    """.split()  # noqa: SIM905
)


def check_connect_args(given: dict[str, Any]) -> None:
    """Refuse keyword arguments psqlpy's ``ConnectionPool`` does not take, suggesting the closest."""
    unknown = sorted(set(given) - _CONNECT_ARGS)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(_CONNECT_ARGS), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        msg = (
            f"ConnectionPool() got unexpected keyword argument(s) {unknown}; psqlpy's are dsn, "
            f"max_db_pool_size and {sorted(_CONNECT_ARGS)}.{hint}"
        )
        raise TypeError(msg)
