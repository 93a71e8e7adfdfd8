"""What psqlpy has that the fakes do not fake yet: named, so reading one says so (and what to do)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["UNFAKED_CONNECTION", "UNFAKED_POOL"]

_COPY = "COPY has no fake yet: wrap it in a function of your own and fake that."
_DETAILS = ("conn_dbname", "host_addrs", "hosts", "is_closed", "options", "ports", "user")
_INFO = "Connection details have no fake: the fake is connected to nothing."

UNFAKED_CONNECTION: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(("binary_copy_to_table", "copy_records_to_table"), _COPY),
        **dict.fromkeys(
            ("conn_dbname", "host_addrs", "hosts", "is_closed", "options", "ports", "user"), _INFO
        ),
    }
)
"""psqlpy ``Connection`` (and ``Transaction``) methods and attributes the fakes do not have."""

UNFAKED_POOL: Mapping[str, str] = MappingProxyType(
    {"listener": "LISTEN/NOTIFY has no fake: call your listener callback directly in the test."}
)
"""psqlpy ``ConnectionPool`` methods the fake pool does not have."""
