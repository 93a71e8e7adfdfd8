"""Compiles, from a method's signature, the function that binds a call and picks out SQL and params."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._calls import UNSET
from ._errors import did_you_mean

__all__ = ["make_binder"]

_PARAM_NAMES = ("parameters", "params", "args", "parameters_list")
_CO_VARARGS = 0x04
_CO_VARKEYWORDS = 0x08


def make_binder(
    func: Callable[..., Any],
    sql: str | Callable[[Any], str] | Any | None,
    params: str | tuple[str, ...] | Any | None,
    method_name: str | None = None,
) -> Callable[..., tuple[str | None, Any]]:
    """Compile a function with ``func``'s signature that returns ``(sql, params)``.

    Python's own argument binding then rejects a bad call with the same ``TypeError`` the real
    driver gives, at C speed, and the SQL and parameters come out without ``inspect``. The
    function is named as the driver's method (``Connection.fetch``: the fake's class without
    ``Fake``), so the error reads ``Connection.fetch() got an unexpected keyword argument ...``.
    """
    code = func.__code__
    count, kwonly_count = code.co_argcount, code.co_kwonlyargcount
    positional = code.co_varnames[:count]
    kwonly = code.co_varnames[count : count + kwonly_count]
    index = count + kwonly_count
    varargs = code.co_varnames[index] if code.co_flags & _CO_VARARGS else None
    index += bool(varargs)
    varkw = code.co_varnames[index] if code.co_flags & _CO_VARKEYWORDS else None
    names = set(positional[1:]) | set(kwonly) | {n for n in (varargs, varkw) if n}

    namespace: dict[str, Any] = {}
    defaults = func.__defaults__ or ()
    first_default = count - len(defaults)
    parts: list[str] = []
    for i, name in enumerate(positional):
        if i >= first_default:
            namespace[f"_d_{name}"] = defaults[i - first_default]
            parts.append(f"{name}=_d_{name}")
        else:
            parts.append(name)
        if i + 1 == code.co_posonlyargcount:
            parts.append("/")
    if varargs:
        parts.append(f"*{varargs}")
    elif kwonly:
        parts.append("*")
    kwdefaults = func.__kwdefaults__ or {}
    for name in kwonly:
        if name in kwdefaults:
            namespace[f"_d_{name}"] = kwdefaults[name]
            parts.append(f"{name}=_d_{name}")
        else:
            parts.append(name)
    if varkw:
        parts.append(f"**{varkw}")

    def check(name: str, option: str) -> str:
        if name not in names:
            msg = (
                f"fake_method({option}={name!r}) on {func.__qualname__}: there is no such "
                f"parameter; it has {sorted(names)}.{did_you_mean(name, names)}"
            )
            raise TypeError(msg)
        return name

    if sql is UNSET:
        sql_expr = positional[1] if len(positional) > 1 else "None"
    elif sql is None:
        sql_expr = "None"
    elif isinstance(sql, str):
        sql_expr = check(sql, "sql")
    else:
        namespace["_sql_of"] = sql
        sql_expr = f"_sql_of({positional[0]})"
    if params is UNSET:
        found = [n for n in _PARAM_NAMES if n in names]
        params = found[0] if found else varargs
    if params is None:
        params_expr = "None"
    elif isinstance(params, str):
        params_expr = check(params, "params")
    else:
        checked = [check(n, "params") for n in params]
        params_expr = "".join(f"{n} if {n} is not None else " for n in checked[:-1]) + checked[-1]
    method = method_name if method_name is not None and method_name.isidentifier() else func.__name__
    owner = func.__qualname__.split(".")[-2:-1]
    owner_name = owner[0].removeprefix("Fake") if owner and owner[0].isidentifier() else ""
    body = f"def {method}({', '.join(parts)}):\n    return ({sql_expr}, {params_expr})\n"
    if owner_name.isidentifier():
        body = f"class {owner_name}:\n" + "".join(f"    {line}\n" for line in body.splitlines())
        body += f"_bind = {owner_name}.{method}\n"
    else:
        body += f"_bind = {method}\n"
    exec(body, namespace)
    binder: Callable[..., tuple[str | None, Any]] = namespace["_bind"]
    return binder
