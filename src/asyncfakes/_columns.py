"""The output columns a SQL statement names: a top-level scan, no full SQL parser.

Only what PostgreSQL itself would call the columns, and only when the statement spells them out:
``SELECT a, b AS c, t.d`` and ``RETURNING a, b`` name theirs; ``SELECT *``, ``t.*`` and
expressions without an alias (``count(*)``, ``a + 1``, ``x::int``) do not, because their names are
the server's guesses (``count``, ``?column?``, ``x``) and guessing them here would make a correct
test fail. A real SQL parser (sqlglot) was weighed and left out: it costs more to import than the
whole library, and only the top-level list is needed, which a tokenizer finds reliably.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from ._memo import Memo

__all__ = ["known_columns", "output_columns", "row_misfit"]

_TOKEN_PATTERN = r"""
      (?P<space>\s+|--[^\n]*)
    | (?P<block>/\*)
    | (?P<string>[Ee]'(?:[^'\\]|''|\\.)*'|[BbXxNn]?'(?:[^']|'')*')
    | (?P<qident>(?:[Uu]&)?"(?:[^"]|"")*")
    | (?P<dollar>\$(?P<tag>[A-Za-z_]\w*)?\$)
    | (?P<param>\$\d+)
    | (?P<word>[^\W\d][\w$]*)
    | (?P<num>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)
    | (?P<open>[(\[])
    | (?P<close>[)\]])
    | (?P<cast>::)
    | (?P<other>.)
"""


@lru_cache(maxsize=1)
def _token() -> re.Pattern[str]:
    # Compiled at the first statement scanned, not when asyncfakes is imported.
    return re.compile(_TOKEN_PATTERN, re.VERBOSE | re.DOTALL)


# A bare word that cannot be a column name or a bare alias: PostgreSQL's reserved keywords and
# the words that act as operators in an expression.
_KEYWORDS = frozenset(
    """
    all analyse analyze and any array as asc asymmetric at between both case cast check collate
    column constraint create current_catalog current_date current_role current_time
    current_timestamp current_user default deferrable desc distinct do else end escape except
    false fetch for foreign from grant group having ilike in initially intersect into is isnull
    lateral leading like limit localtime localtimestamp not notnull null offset on only or order
    overlaps placing precision primary references returning select session_user similar some
    symmetric table then to trailing true union unique user using variadic varying when where
    window with without zone
    """.split()  # noqa: SIM905
)
# Words that end a SELECT list at top level.
_SELECT_END = frozenset(
    "from into where group having window order limit offset fetch for union intersect except".split()  # noqa: SIM905
)
_STATEMENTS = frozenset("select insert update delete merge values table".split())  # noqa: SIM905

# Token kinds: "w" bare word (lower-cased), "q" quoted identifier, "v" a value (string, number,
# parameter), "g" a parenthesised or bracketed group, and ",", ";", ".", "*" themselves; "o" is
# any other operator (including ``::``).
_Token = tuple[str, str]


def _skip_block_comment(sql: str, pos: int) -> int:
    depth = 1
    while depth:
        opening = sql.find("/*", pos)
        closing = sql.find("*/", pos)
        if closing < 0:
            return len(sql)
        if 0 <= opening < closing:
            depth, pos = depth + 1, opening + 2
        else:
            depth, pos = depth - 1, closing + 2
    return pos


def _tokens(sql: str) -> list[_Token] | None:
    """Tokens at parenthesis depth 0 (groups collapse to one ``g``); ``None`` if unbalanced."""
    found: list[_Token] = []
    token = _token()
    depth = 0
    pos = 0
    while pos < len(sql):
        match = token.match(sql, pos)
        assert match is not None  # the last alternative matches any character
        kind, text, pos = match.lastgroup, match.group(), match.end()
        if kind == "block":
            pos = _skip_block_comment(sql, pos)
            continue
        if kind == "dollar":
            end = sql.find(text, pos)
            pos = len(sql) if end < 0 else end + len(text)
            kind = "string"
        if kind == "space":
            continue
        if kind == "open":
            depth += 1
            if depth == 1:
                found.append(("g", text))
            continue
        if kind == "close":
            depth -= 1
            if depth < 0:
                return None
            continue
        if depth:
            continue
        if kind == "word":
            found.append(("w", text.lower()))
        elif kind == "qident":
            found.append(("q", _unquote(text)))
        elif kind in ("string", "param", "num"):
            found.append(("v", text))
        elif text in ",;.*":
            found.append((text, text))
        elif text in "'\"":
            return None  # an unterminated quote
        else:
            found.append(("o", text))
    return found if depth == 0 else None


def _unquote(text: str) -> str:
    if text[0] in "Uu":
        text = text[2:]
    return text[1:-1].replace('""', '"')


def _is_name(token: _Token) -> bool:
    return token[0] == "q" or (token[0] == "w" and token[1] not in _KEYWORDS)


def _column_name(item: list[_Token]) -> str | None:
    """The name of one output item, or ``None`` for a star or an expression without a name."""
    if not item:
        return None
    last = item[-1]
    if len(item) >= 2 and item[-2] == ("w", "as"):
        return last[1] if last[0] in "wq" else None
    # A column reference: name(.name)*
    if len(item) % 2 and all(
        _is_name(token) if i % 2 == 0 else token[0] == "." for i, token in enumerate(item)
    ):
        return last[1]
    # A bare alias after a complete value: ``count(*) n``, ``a b``, ``'x' label``.
    if _is_name(last) and len(item) >= 2 and not any(token[0] == "o" for token in item):
        before = item[-2]
        if before[0] in "vgq" or _is_name(before):
            return last[1]
    return None


def _split(tokens: list[_Token], start: int, ends: frozenset[str]) -> list[list[_Token]]:
    items: list[list[_Token]] = [[]]
    for token in tokens[start:]:
        # ``AS from`` is a name; ``a IS [NOT] DISTINCT FROM b`` is an expression.
        after = items[-1][-1:]
        ends_here = token[0] == "w" and token[1] in ends and after != [("w", "as")]
        if ends_here and not (token[1] == "from" and after == [("w", "distinct")]):
            break
        if token[0] == ",":
            items.append([])
        else:
            items[-1].append(token)
    return [] if items == [[]] else items


def _main_statement(tokens: list[_Token]) -> int | None:
    """Where the statement proper starts, after any ``WITH`` list of common table expressions."""
    if not tokens or tokens[0][0] != "w":
        return None
    if tokens[0][1] != "with":
        return 0
    for pos, token in enumerate(tokens):
        if token[0] == "w" and token[1] in _STATEMENTS:
            return pos
    return None


def output_columns(sql: str) -> tuple[str, ...] | None:
    """The names of the columns ``sql`` returns, when it names every one of them; else ``None``.

    ``SELECT a, b AS c, t.d FROM t`` gives ``("a", "c", "d")`` and ``INSERT ... RETURNING id``
    gives ``("id",)``; an ``INSERT``, ``UPDATE``, ``DELETE`` or ``MERGE`` without ``RETURNING``
    gives ``()``. ``None`` means the columns are not knowable from the text: ``SELECT *``,
    ``t.*``, an expression without an alias, ``VALUES``, any other statement. Unquoted names are
    lower-cased as PostgreSQL folds them; quoted ones keep their case.

    >>> output_columns('SELECT id, name AS "Name", count(*) AS n FROM users GROUP BY 1, 2')
    ('id', 'Name', 'n')
    >>> output_columns("SELECT * FROM users") is None
    True
    """
    return known_columns[sql]


def _scan(sql: str) -> tuple[str, ...] | None:
    tokens = _tokens(sql)
    while tokens and tokens[-1][0] == ";":
        tokens.pop()
    if not tokens or any(token[0] == ";" for token in tokens):
        return None  # empty, unbalanced, or several statements
    start = _main_statement(tokens)
    if start is None:
        return None
    verb = tokens[start][1]
    if verb == "select":
        pos = start + 1
        if tokens[pos : pos + 1] in ([("w", "all")], [("w", "distinct")]):
            pos += 1
            if tokens[pos - 1][1] == "distinct" and tokens[pos : pos + 1] == [("w", "on")]:
                pos += 2
        items = _split(tokens, pos, _SELECT_END)
    elif verb in ("insert", "update", "delete", "merge"):
        returning = tokens.index(("w", "returning"), start) if ("w", "returning") in tokens[start:] else -1
        if returning < 0:
            return ()
        if tokens[returning + 1 : returning + 2] == [("w", "with")]:
            return None  # PostgreSQL 18's RETURNING WITH (OLD AS o, NEW AS n)
        items = _split(tokens, returning + 1, frozenset())
    else:
        return None
    names = tuple(_column_name(item) for item in items)
    return None if None in names else names  # type: ignore[return-value]


known_columns: Final[Memo[str, tuple[str, ...] | None]] = Memo(_scan)
"""``known_columns[sql]`` is ``output_columns(sql)``, found once per statement (a dict lookup)."""


def row_misfit(columns: tuple[str, ...], names: tuple[str, ...], method: str) -> str | None:
    """Why a scripted row with column ``names`` cannot answer a statement returning ``columns``.

    ``None`` when it fits: the same names, in any order. Else the message names both lists.
    """
    if names == columns or sorted(names) == sorted(columns):
        return None
    if not columns:
        detail = "it returns no rows: no RETURNING clause"
    else:
        missing = [name for name in columns if name not in names]
        extra = [name for name in names if name not in columns]
        parts = [f"missing {missing}" if missing else "", f"not returned {extra}" if extra else ""]
        detail = "; ".join(part for part in parts if part) or "a column repeats"
    return (
        f"{method}(): a scripted row has the columns {list(names)}, but the statement returns "
        f"{list(columns)} ({detail}). Script rows with exactly the columns the SQL names, in any "
        "order, so the test reads what production would."
    )
