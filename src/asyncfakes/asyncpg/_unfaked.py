"""What asyncpg has that the fakes do not fake yet: named, so reading one says so (and what to do)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["UNFAKED_CONNECTION", "UNFAKED_POOL"]

_LISTEN = "LISTEN/NOTIFY has no fake: call your listener callback directly in the test."
_COPY = "COPY has no fake yet: wrap it in a function of your own and fake that."
_COPIES = ("copy_from_query", "copy_from_table", "copy_records_to_table", "copy_to_table")

UNFAKED_CONNECTION: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(("add_listener", "remove_listener"), _LISTEN),
        **dict.fromkeys(_COPIES, _COPY),
        **dict.fromkeys(
            (
                "add_log_listener",
                "add_query_logger",
                "add_termination_listener",
                "get_reset_query",
                "get_server_pid",
                "get_server_version",
                "get_settings",
                "query_logger",
                "remove_log_listener",
                "remove_query_logger",
                "remove_termination_listener",
                "reset",
                "reset_type_codec",
                "set_builtin_type_codec",
            ),
            "",
        ),
    }
)
"""asyncpg ``Connection`` methods the fake connection does not have."""

UNFAKED_POOL: Mapping[str, str] = MappingProxyType(
    {**dict.fromkeys(_COPIES, _COPY), "get_init_size": "", "set_connect_args": ""}
)
"""asyncpg ``Pool`` methods the fake pool does not have."""
