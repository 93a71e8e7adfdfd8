"""make_binder: SQL and params picked out of any signature, with Python's own argument errors."""

from __future__ import annotations

from typing import Any

import pytest

from asyncfakes._binder import make_binder
from asyncfakes._calls import UNSET


async def positional_only(self: Any, sql: str, /, params: Any = None) -> None: ...
async def star_args(self: Any, query: str, *args: Any, timeout: float | None = None) -> None: ...
async def keyword_only(self: Any, *, statement: str, parameters: Any) -> None: ...
async def double_star(self: Any, sql: str, **options: Any) -> None: ...
async def two_names(self: Any, stmt: str, parameters_list: Any = None, parameters: Any = None) -> None: ...
async def no_sql(self: Any) -> None: ...


def _host_itself(host: object) -> object:
    return host


@pytest.mark.parametrize(
    ("func", "sql", "params", "args", "kwargs", "expected"),
    [
        (positional_only, UNSET, UNSET, ("SELECT 1", [1]), {}, ("SELECT 1", [1])),
        (positional_only, UNSET, UNSET, ("SELECT 1",), {"params": [2]}, ("SELECT 1", [2])),
        (star_args, UNSET, UNSET, ("SELECT $1", 1, 2), {"timeout": 3}, ("SELECT $1", (1, 2))),
        (keyword_only, "statement", UNSET, (), {"statement": "S", "parameters": 4}, ("S", 4)),
        (double_star, UNSET, UNSET, ("S",), {"x": 1}, ("S", None)),
        (two_names, UNSET, ("parameters_list", "parameters"), ("S", None), {"parameters": [5]}, ("S", [5])),
        (two_names, UNSET, ("parameters_list", "parameters"), ("S", [6]), {}, ("S", [6])),
        (no_sql, UNSET, UNSET, (), {}, (None, None)),
        (star_args, None, None, ("S",), {}, (None, None)),
        (no_sql, _host_itself, UNSET, (), {}, ("HOST", None)),
    ],
)
def test_binder_picks_sql_and_params(
    func: Any, sql: Any, params: Any, args: tuple[Any, ...], kwargs: dict[str, Any], expected: tuple[Any, Any]
) -> None:
    """Each parameter kind binds as in a real call and yields (sql, params)."""
    bind = make_binder(func, sql, params)
    assert expected == bind("HOST", *args, **kwargs)


@pytest.mark.parametrize(
    ("func", "args", "kwargs"),
    [
        (positional_only, (), {"sql": "S"}),
        (star_args, (), {}),
        (keyword_only, ("S",), {}),
        (positional_only, ("S", 1, 2), {}),
    ],
)
def test_binder_rejects_what_python_rejects(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """A call that does not fit the signature raises TypeError, as the real method would."""
    bind = make_binder(func, UNSET, UNSET)
    with pytest.raises(TypeError):
        bind("HOST", *args, **kwargs)
