"""SQL normalisation, SQL matchers and parameter equality: pure functions and small value objects."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, ClassVar, Final

from ._errors import type_error

__all__ = [
    "ANY",
    "Contains",
    "Matcher",
    "Regex",
    "SQLMatcher",
    "StartsWith",
    "normalize_sql",
    "params_equal",
    "sql_matcher",
]

_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>--[^\n]*|/\*.*?\*/)
    | (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(?P<tag>\w*)\$.*?\$(?P=tag)\$)
    | (?P<numbered>\$\d+)
    | (?P<pyformat>%\((?P<pyname>\w+)\)s)
    | (?P<positional>\?|%s)
    | (?P<cast>::)
    | (?P<named>:(?P<name>[A-Za-z_]\w*))
    | (?P<word>\w+)
    | (?P<op><=|>=|<>|!=|\|\||->>|->|\#>>|\#>|@>|<@)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@lru_cache(maxsize=4096)
def normalize_sql(sql: str) -> str:
    """Return the canonical form of ``sql`` that plain-string matching compares.

    Whitespace and comments go, letters outside quotes are lower-cased, a trailing ``;`` is
    dropped, and every placeholder style (``$1``, ``?``, ``%s``, ``%(name)s``, ``:name``)
    becomes ``$n``, numbered by position (named ones by first appearance).

    >>> normalize_sql("SELECT *  FROM t WHERE id = ?;")
    'select * from t where id = $1'
    """
    tokens: list[str] = []
    counter = 0
    names: dict[str, str] = {}
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        if kind in ("word", "op", "other", "cast"):
            tokens.append(match.group().lower())
        elif kind in ("string", "numbered"):
            tokens.append(match.group(kind))
        elif kind == "positional":
            counter += 1
            tokens.append(f"${counter}")
        else:  # named or pyformat
            name = match.group("name") or match.group("pyname")
            if name not in names:
                names[name] = f"${len(names) + 1}"
            tokens.append(names[name])
    while tokens and tokens[-1] == ";":
        tokens.pop()
    return " ".join(tokens)


class Matcher:
    """Base of the SQL matchers: subclass it and implement ``matches(sql)``.

    A matcher also compares equal to the strings it matches, so it can stand inside an
    expected value: ``assert conn.calls.sql == [Contains("insert into users")]``.
    """

    __slots__ = ()

    def matches(self, sql: str) -> bool:
        """Return whether ``sql`` (as the code under test sent it) matches."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.matches(other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__: ClassVar[None] = None  # type: ignore[assignment]


class _Anything(Matcher):
    __slots__ = ()

    def matches(self, sql: str) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "ANY"


ANY: Final[Any] = _Anything()
"""Matches any SQL and equals any value, in ``sql=``, ``params=`` and inside expected params."""


class Regex(Matcher):
    r"""Matches SQL that ``re.search`` finds ``pattern`` in (the SQL as sent, not normalised).

    >>> Regex(r"FROM users\b").matches("SELECT * FROM users")
    True
    """

    __slots__ = ("pattern",)

    def __init__(self, pattern: str | re.Pattern[str], flags: int = 0) -> None:
        self.pattern: re.Pattern[str] = (
            pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags)
        )

    def matches(self, sql: str) -> bool:
        """Return whether the pattern is found anywhere in ``sql``."""
        return self.pattern.search(sql) is not None

    def __repr__(self) -> str:
        flags = self.pattern.flags & ~re.UNICODE
        shown = f", flags={re.RegexFlag(flags)!r}" if flags else ""
        return f"Regex({self.pattern.pattern!r}{shown})"


class _TextMatcher(Matcher):
    """A matcher defined by a text, kept with its normalised ``key``."""

    __slots__ = ("key", "text")

    def __init__(self, text: str) -> None:
        self.text: str = text
        self.key: str = normalize_sql(text)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text!r})"


class Contains(_TextMatcher):
    """Matches SQL whose normalised form contains the normalised ``text``.

    >>> Contains("insert into USERS").matches("INSERT  INTO users (name) VALUES ($1)")
    True
    """

    __slots__ = ()

    def matches(self, sql: str) -> bool:
        """Return whether the normalised ``sql`` contains the normalised text."""
        return self.key in normalize_sql(sql)


class StartsWith(_TextMatcher):
    """Matches SQL whose normalised form starts with the normalised ``text``.

    >>> StartsWith("select").matches("  SELECT 1")
    True
    """

    __slots__ = ()

    def matches(self, sql: str) -> bool:
        """Return whether the normalised ``sql`` starts with the normalised text."""
        return normalize_sql(sql).startswith(self.key)


class SQLMatcher(_TextMatcher):
    """Matches SQL equal to ``text`` after normalisation: what a plain string in ``sql=`` means.

    >>> SQLMatcher("SELECT $1").matches("select ?;")
    True
    """

    __slots__ = ()

    def matches(self, sql: str) -> bool:
        """Return whether ``sql`` normalises to the same text."""
        return normalize_sql(sql) == self.key

    def __repr__(self) -> str:
        return repr(self.text)


class _Predicate(Matcher):
    __slots__ = ("function",)

    def __init__(self, function: Callable[[str], object]) -> None:
        self.function = function

    def matches(self, sql: str) -> bool:
        return bool(self.function(sql))

    def __repr__(self) -> str:
        return getattr(self.function, "__name__", repr(self.function))


SQL_ACCEPTED = (
    "a str (compared after normalisation), Regex, Contains, StartsWith, re.Pattern, ANY or a predicate"
)


def sql_matcher(value: object, where: str = "sql=") -> Matcher:
    """Turn what a user passed as ``sql=`` into a Matcher, or raise ``TypeError`` at once."""
    if isinstance(value, Matcher):
        return value
    if isinstance(value, str):
        return SQLMatcher(value)
    if isinstance(value, re.Pattern):
        return Regex(value)  # pyright: ignore[reportUnknownArgumentType]
    if callable(value):
        return _Predicate(value)
    raise type_error(
        where,
        value,
        SQL_ACCEPTED,
        "To match any SQL, pass ANY from asyncfakes or leave sql= out.",
    )


def params_equal(expected: object, actual: object) -> bool:
    """Compare parameters with ``==``, expected first, where a list equals a tuple of the same items.

    Expected values go on the left so ``unittest.mock.ANY`` and dirty-equals objects decide.
    """
    if isinstance(expected, (list, tuple)):
        return (
            isinstance(actual, (list, tuple))
            and len(expected) == len(actual)  # pyright: ignore[reportUnknownArgumentType]
            and all(params_equal(e, a) for e, a in zip(expected, actual, strict=True))  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
        )
    if isinstance(expected, Mapping):
        return (
            isinstance(actual, Mapping)
            and expected.keys() == actual.keys()
            and all(params_equal(expected[k], actual[k]) for k in expected)  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
        )
    return bool(expected == actual)
