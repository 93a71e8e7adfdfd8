"""How many parameters a statement takes, by its placeholders, and what is wrong with the ones given.

Pure functions over the SQL text, reading the same tokens as the normaliser: ``$1`` (numbered),
``%s`` and ``%(name)s`` (psycopg's format styles), ``:name`` and ``?`` (sqlite's styles). One
statement uses one style; ``$n`` wins over the others, then ``%s``/``%(name)s``, then ``:name``,
then ``?``, because PostgreSQL also uses ``?`` as a jsonb operator and ``:`` in array slices.
For the same reason ``?`` and ``:name`` are checked only when parameters are passed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Final, NamedTuple, cast

from ._matchers import _TOKEN
from ._memo import Memo

__all__ = ["ONE_SET", "Placeholders", "call_problem", "parameter_problem", "placeholders", "positional_count"]

ONE_SET: Final = frozenset({"execute", "fetch", "fetch_row", "fetch_val"})
"""The generic fake's methods that take one set of parameters (``execute_many`` takes a list)."""


class Placeholders(NamedTuple):
    """The placeholders of one statement: their ``style``, the parameter ``total``, the ``names``.

    ``style`` is ``"$n"``, ``"%s"``, ``"%(name)s"``, ``":name"``, ``"?"`` or ``""`` (none).
    ``total`` is the highest ``$n``, the number of ``%s`` or ``?``, or of distinct names.
    """

    style: str
    total: int
    names: tuple[str, ...]


@lru_cache(maxsize=4096)
def placeholders(sql: str) -> Placeholders:
    """Return the placeholders of ``sql`` (outside strings and comments).

    >>> placeholders("SELECT * FROM t WHERE a = $1 OR b = $2 OR c = $1")
    Placeholders(style='$n', total=2, names=())
    """
    highest = formats = qmarks = 0
    pynames: dict[str, None] = {}
    colons: dict[str, None] = {}
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup
        if kind == "numbered":
            highest = max(highest, int(match.group()[1:]))
        elif kind == "positional":
            if match.group() == "?":
                qmarks += 1
            else:
                formats += 1
        elif kind == "pyformat":
            pynames[match.group("pyname")] = None
        elif kind == "named":
            colons[match.group("name")] = None
    if highest:
        return Placeholders("$n", highest, ())
    if pynames:
        return Placeholders("%(name)s", len(pynames), tuple(pynames))
    if formats:
        return Placeholders("%s", formats, ())
    if colons:
        return Placeholders(":name", len(colons), tuple(colons))
    return Placeholders("?", qmarks, ()) if qmarks else Placeholders("", 0, ())


def _positional_count(sql: str) -> int:
    return placeholders(sql).total


positional_count: Final[Memo[str, int]] = Memo(_positional_count)
"""``positional_count[sql]``: how many values a list or tuple of parameters must hold for ``sql``.

The fast path of the generic fake's check (a dict lookup): when ``len(params)`` equals it, the
call fits.
"""


def _shown(found: Placeholders) -> str:
    if found.style == "$n":
        return "$1" if found.total == 1 else f"$1..${found.total}"
    if found.names:
        prefix, suffix = (":", "") if found.style == ":name" else ("%(", ")s")
        return ", ".join(f"{prefix}{name}{suffix}" for name in found.names)
    return ", ".join([found.style] * found.total)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def parameter_problem(sql: str, params: Any) -> str | None:
    """Say what is wrong with ``params`` for ``sql``'s placeholders, or ``None`` when they fit.

    ``params`` is a list or tuple (positional), a mapping (named), or ``None`` (none); any other
    object is not checked, since drivers differ on what they accept there.
    """
    found = placeholders(sql)
    if params is None:
        if found.total and found.style not in (":name", "?"):
            return (
                f"the SQL expects {_plural(found.total, 'parameter')} ({_shown(found)}), "
                "but no parameters were passed."
            )
        return None
    if isinstance(params, Mapping):
        if found.names:
            missing = [name for name in found.names if name not in params]
            if missing:
                return (
                    f"the SQL uses the named placeholders {_shown(found)}; the mapping given has no "
                    f"{', '.join(repr(name) for name in missing)}: {params!r}."
                )
            return None
        if found.total:
            return (
                f"the SQL uses positional placeholders ({_shown(found)}), which take a list or tuple "
                f"of values; a mapping was given: {params!r}."
            )
        return None
    if not isinstance(params, (list, tuple)):
        return None
    given = len(cast("Sequence[object]", params))
    if given == found.total:
        return None
    was = "was" if given == 1 else "were"
    if not found.total:
        return (
            f"the SQL has no placeholders, but {_plural(given, 'parameter')} {was} given: {params!r}. "
            "Add the placeholders to the SQL, or pass no parameters."
        )
    return (
        f"the SQL expects {_plural(found.total, 'parameter')} ({_shown(found)}), "
        f"{given} {was} given: {params!r}."
    )


def call_problem(method: str, sql: str, params: Any) -> str | None:
    """What is wrong with the parameters of a generic fake's call, or ``None`` (other methods: ``None``)."""
    if method in ONE_SET:
        return parameter_problem(sql, params)
    if method != "execute_many" or not isinstance(params, (list, tuple)):
        return None
    for number, one in enumerate(cast("Sequence[object]", params)):
        problem = parameter_problem(sql, one)
        if problem is not None:
            return f"parameter set #{number}: {problem}"
    return None
