"""SQLAlchemy statements as the fake matches them: compiled with the engine's dialect, by value.

A statement (``select``, ``insert``, ``update``, ``delete``, ``text()``) is compiled as the engine
sends it (``IN`` lists expanded) into its SQL and its positional parameters. SQL is compared
normalised, and also without what differs between SQLAlchemy versions or between a hand-written
string and SQLAlchemy's rendering: the casts on placeholders (``$1::VARCHAR``) and the labels
SQLAlchemy 2.0 puts on ORM loader columns (``users.id AS users_id``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, cast

from asyncfakes import Matcher as _Matcher
from asyncfakes import normalize_sql

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect

__all__ = ["BoundValues", "Statement", "compile_statement", "statement_key"]

_CAST: Final = re.compile(r"(\$\d+|%\(\w+\)s|%s|\?)::\s*[A-Za-z_][\w ]*?(\[\])?(?=[\s,)]|$)")
_LOADER_LABEL: Final = re.compile(r"\b(\w+)\.(\w+) AS \1_\2\b", re.IGNORECASE)


@lru_cache(maxsize=2048)
def statement_key(sql: str) -> str:
    """``sql`` normalised, without placeholder casts and ORM loader labels."""
    return normalize_sql(_LOADER_LABEL.sub(r"\1.\2", _CAST.sub(r"\1", sql)))


class Statement(_Matcher):
    """Matches SQL that is the same statement as ``sql`` (see the module docstring).

    ``Statement(select(User).where(User.id == 1), engine)`` compiles a SQLAlchemy statement;
    ``Statement("SELECT ...")`` takes SQL text. Its repr shows the SQL it expects.
    """

    __slots__ = ("key", "text")

    def __init__(self, sql: str) -> None:
        self.text: str = sql
        self.key: str = statement_key(sql)

    def matches(self, sql: str) -> bool:
        """Whether ``sql`` is this statement."""
        return statement_key(sql) == self.key

    def __repr__(self) -> str:
        return f"Statement({' '.join(self.text.split())!r})"


class BoundValues:
    """A statement's bound values, in order; equal to a call's parameters with those values.

    Named parameters (psycopg's ``%(name_1)s``) are compared by value in order, not by name:
    SQLAlchemy names them after the construct (``select(User).where(User.id == 1)`` binds
    ``id_1``, ``session.get(User, 1)`` binds ``pk_1``), and the SQL matches either way.
    """

    __slots__ = ("values",)

    def __init__(self, values: tuple[Any, ...]) -> None:
        self.values = values

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            other = tuple(cast("Mapping[object, object]", other).values())
        if not isinstance(other, (list, tuple)):
            return False
        theirs = cast("Sequence[object]", other)
        return len(theirs) == len(self.values) and all(
            mine == their for mine, their in zip(self.values, theirs, strict=True)
        )

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"BoundValues{self.values!r}"


def compile_statement(statement: Any, dialect: Dialect) -> tuple[str, Any]:
    """The SQL and parameters the engine sends for ``statement``, as the dialect passes them.

    A tuple for a positional paramstyle (asyncpg's ``$1``), a dict for a named one (psycopg's
    ``%(name)s``). A string is SQL as it is, with ``None`` for its parameters (not compared).
    """
    if isinstance(statement, str):
        return statement, None
    if not callable(getattr(statement, "compile", None)):
        msg = (
            f"expected a SQLAlchemy statement (select(), insert(), update(), delete(), text()), SQL "
            f"text or a matcher (Contains(...), Regex(...)), got {statement!r} ({type(statement).__name__})."
        )
        raise TypeError(msg)
    compiled, bound = _compiled(statement, dialect)
    names = compiled.positiontup
    if names is None:
        return str(compiled), dict(bound)
    return str(compiled), tuple(bound[name] for name in names)


_cache: dict[tuple[Any, ...], Any] = {}
_CACHE_SIZE: Final = 1000


def _compiled(statement: Any, dialect: Dialect) -> tuple[Any, dict[str, Any]]:
    """The compiled statement and its bound values; compiled once per statement shape and dialect.

    Compiling costs more than the rest of a scripted fake call; a test suite scripts the same
    statements over and over (with other values), so the compilation is kept by SQLAlchemy's own
    cache key, as the engine does. Statements with ``IN`` lists are compiled each time (their
    SQL depends on the lists' lengths).
    """
    key = getattr(statement, "_generate_cache_key", lambda: None)()
    if key is None or any(bind.expanding for bind in key.bindparams):
        compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        return compiled, compiled.params
    cache_key = (dialect, key.key)
    compiled = _cache.get(cache_key)
    if compiled is None:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        # As Engine.execute compiles: with the cache key, so later values can be bound to it.
        compiled = _cache[cache_key] = dialect.statement_compiler(dialect, statement, cache_key=key)
    return compiled, compiled.construct_params(extracted_parameters=key.bindparams)  # pyright: ignore[reportReturnType]
