"""The subset of JQL a data pipeline uses, parsed honestly.

Supported: clauses joined by AND, with optional parentheses; `project`, `key`/`issuekey`/`id` and
`issuetype`/`type` with `=` or `IN (...)`; `created`/`updated` with `>`, `>=`, `<`, `<=` against
"yyyy-MM-dd HH:mm", "yyyy/MM/dd HH:mm", "yyyy-MM-dd", "yyyy/MM/dd" (read in the user's time zone, as
Jira does) or epoch milliseconds; `ORDER BY` created, updated, key/issuekey or id, ASC or DESC.
Anything else raises ``JqlError`` with the message Jira would put in `errorMessages`; for valid JQL
beyond this subset the message says that the sandbox, not JQL, is the limit.

Date values have minute precision, as in Jira: a value cannot name seconds, and issue times are
compared in full, so `updated >= "2025/08/01 12:15"` matches an issue updated at 12:15:30.

A compiled query also comes apart for the store's indexes: its `updated` clauses as one range of
epoch milliseconds, and the rest (with the order) as a key, so that keyset paging (the same query
again and again with a later `updated >=`) can look its pages up in one cached, ordered result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import NoReturn

UNBOUNDED_MESSAGE = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)
_FIELD_FAMILIES = {
    "project": "project",
    "key": "key",
    "issuekey": "key",
    "id": "key",
    "issuetype": "issuetype",
    "type": "issuetype",
    "created": "created",
    "createddate": "created",
    "updated": "updated",
    "updateddate": "updated",
}
# As a clause `id` takes ids and keys alike; as an ordering it means the issue id.
_SORT_FAMILIES = {
    name: family
    for name, family in _FIELD_FAMILIES.items()
    if family in ("key", "created", "updated")
} | {"id": "id"}
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")
_COMPARISONS: dict[str, Callable[[int, int], bool]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op>!=|>=|<=|!~|=|>|<|~)
      | (?P<punct>[(),])
      | (?P<word>[^\s"'(),=<>!~]+)
    )""",
    re.VERBOSE,
)


class JqlError(ValueError):
    """A query Jira would reject; ``str(error)`` is the user-facing message."""


@dataclasses.dataclass(frozen=True, slots=True)
class IssueRow:
    """What a query can see of one issue."""

    position: int  # index into the server's issue list
    id: int
    key: str
    project_key: str
    number: int  # the numeric part of the key
    issue_type: str
    created_ms: int
    updated_ms: int


@dataclasses.dataclass(frozen=True)
class Catalog:
    """Names a query may refer to, for resolving values as Jira does (case-insensitively)."""

    projects: Mapping[str, str]  # lower-cased key, name or id -> project key
    issue_types: Mapping[str, str]  # lower-cased name or id -> issue type name
    issues: Mapping[str, str]  # upper-cased key or id -> issue key
    time_zone: dt.tzinfo


@dataclasses.dataclass(frozen=True)
class Query:
    matches: Callable[[IssueRow], bool]  # every clause
    order_by: tuple[tuple[str, bool], ...]  # (family, descending)
    # The query less its `updated` clauses: `base_matches` and `updated_range` together are
    # `matches`. `base` identifies the rest, resolved, with the order: equal bases, equal results.
    base: tuple
    base_matches: Callable[[IssueRow], bool]
    updated_range: tuple[int | None, int | None]  # inclusive bounds in epoch ms, or None

    def sort(self, rows: list[IssueRow]) -> list[IssueRow]:
        """Rows in the requested order, ties broken by id so that paging is stable."""
        for family, descending in reversed((*self.order_by, ("id", False))):
            rows.sort(key=_SORT_KEYS[family], reverse=descending)
        return rows


_SORT_KEYS: dict[str, Callable[[IssueRow], object]] = {
    "key": lambda r: (r.project_key, r.number),
    "id": lambda r: r.id,
    "created": lambda r: r.created_ms,
    "updated": lambda r: r.updated_ms,
}


def compile_query(text: str, catalog: Catalog, *, bounded: bool = True) -> Query:
    """Parse ``text`` and resolve its values against ``catalog``; raise ``JqlError`` if invalid.

    ``bounded`` demands a search restriction, as Cloud's search/jql does; Data Center's search
    accepts an empty query, which matches every issue.
    """
    where, order_by = _parse(text)
    if where is None and bounded:
        raise JqlError(UNBOUNDED_MESSAGE)
    order_by = order_by or (("key", False),)
    # Clauses are resolved in order, so that the first invalid one is the one reported.
    predicates, base_predicates, base_terms, lows, highs = [], [], [], [], []
    for clause in where or ():
        predicate, term = _predicate(clause, catalog)
        predicates.append(predicate)
        if clause.family != "updated":
            base_predicates.append(predicate)
            base_terms.append(term)
        elif clause.operator.startswith(">"):  # epoch ms are integers: "> t" is ">= t + 1"
            lows.append(term[2] + (clause.operator == ">"))
        else:
            highs.append(term[2] - (clause.operator == "<"))
    return Query(
        _all_of(predicates),
        order_by,
        base=(tuple(base_terms), order_by),
        base_matches=_all_of(base_predicates),
        updated_range=(max(lows, default=None), min(highs, default=None)),
    )


@functools.lru_cache(maxsize=256)
def _parse(text: str) -> tuple[tuple[_Clause, ...] | None, tuple[tuple[str, bool], ...]]:
    """The clauses and order of ``text``: a function of the text alone, so cached."""
    where, order_by = _Parser(text).parse()
    return (None if where is None else tuple(where)), tuple(order_by)


@dataclasses.dataclass(frozen=True)
class _Token:
    kind: str  # string | op | punct | word | end
    text: str
    position: int  # 1-based character, as Jira reports it

    @property
    def value(self) -> str:
        if self.kind != "string":
            return self.text
        return re.sub(r"\\(.)", r"\1", self.text[1:-1])

    def is_keyword(self, *words: str) -> bool:
        return self.kind == "word" and self.text.lower() in words


@dataclasses.dataclass(frozen=True)
class _Clause:
    field: str  # as written
    family: str
    operator: str  # "in", "=", ">", ">=", "<" or "<="
    values: tuple[_Token, ...]


def _tokenise(text: str) -> list[_Token]:
    tokens, at = [], 0
    while True:
        match = _TOKEN.match(text, at)
        if match is None:
            rest = text[at:].lstrip()
            if rest:
                position = len(text) - len(rest) + 1
                raise JqlError(
                    f"Error in the JQL Query: The character '{rest[0]}' is a reserved "
                    f"JQL character or an unterminated string. "
                    f"(line 1, character {position})"
                )
            tokens.append(_Token("end", "", len(text) + 1))
            return tokens
        kind = match.lastgroup
        tokens.append(_Token(kind, match.group(kind), match.start(kind) + 1))
        at = match.end()


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenise(text)
        self.at = 0

    def parse(self) -> tuple[list[_Clause] | None, list[tuple[str, bool]]]:
        where = (
            None
            if self._peek().is_keyword("order") or self._peek().kind == "end"
            else self._conjunction()
        )
        order_by = self._order_by() if self._peek().is_keyword("order") else []
        end = self._peek()
        if end.kind != "end":
            self._fail(f"Expecting either 'AND' or 'ORDER BY' but got '{end.text}'.", end)
        return where, order_by

    def _peek(self) -> _Token:
        return self.tokens[self.at]

    def _take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    @staticmethod
    def _fail(message: str, token: _Token) -> NoReturn:
        raise JqlError(f"Error in the JQL Query: {message} (line 1, character {token.position})")

    def _unsupported(self, what: str, token: _Token) -> NoReturn:
        self._fail(f"The JQL sandbox does not support {what}.", token)

    def _conjunction(self) -> list[_Clause]:
        clauses = self._term()
        while True:
            token = self._peek()
            if token.is_keyword("and"):
                self._take()
                clauses += self._term()
            elif token.is_keyword("or"):
                self._unsupported("'OR'; split the query instead", token)
            else:
                return clauses

    def _term(self) -> list[_Clause]:
        token = self._take()
        if token.text == "(" and token.kind == "punct":
            clauses = self._conjunction()
            closing = self._take()
            if closing.text != ")":
                self._fail(f"Expecting ')' but got '{closing.text or '<EOF>'}'.", closing)
            return clauses
        if token.is_keyword("not"):
            self._unsupported("'NOT'", token)
        if token.kind not in ("word", "string"):
            self._fail(f"Expecting a field name but got '{token.text or '<EOF>'}'.", token)
        family = _FIELD_FAMILIES.get(token.value.lower())
        if family is None:
            self._unsupported(
                f"the field '{token.value}'; supported fields are {', '.join(_FIELD_FAMILIES)}",
                token,
            )
        return [self._clause(token, family)]

    def _clause(self, field: _Token, family: str) -> _Clause:
        operator = self._take()
        if operator.is_keyword("in"):
            return _Clause(field.value, family, "in", self._value_list())
        if operator.is_keyword("not", "is", "was", "changed"):
            self._unsupported(f"the operator '{operator.text.upper()}'", operator)
        if operator.kind != "op":
            self._fail(
                f"Expecting operator but got '{operator.text or '<EOF>'}'. The valid "
                "operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', "
                "'NOT IN', 'IS' and 'IS NOT'.",
                operator,
            )
        allowed = ("=",) if family in ("project", "key", "issuetype") else tuple(_COMPARISONS)
        if operator.text not in allowed:
            self._unsupported(f"the operator '{operator.text}' on '{field.value}'", operator)
        return _Clause(field.value, family, operator.text, (self._value(),))

    def _value(self) -> _Token:
        token = self._take()
        if token.kind not in ("word", "string"):
            self._fail(
                f"Expecting either a value, list or function but got '{token.text or '<EOF>'}'.",
                token,
            )
        if token.kind == "word" and self._peek().text == "(":
            self._unsupported(f"functions such as '{token.text}()'", token)
        return token

    def _value_list(self) -> tuple[_Token, ...]:
        opening = self._take()
        if opening.text != "(":
            self._fail(f"Expecting '(' but got '{opening.text or '<EOF>'}'.", opening)
        values = [self._value()]
        while self._peek().text == ",":
            self._take()
            values.append(self._value())
        closing = self._take()
        if closing.text != ")":
            self._fail(f"Expecting ')' but got '{closing.text or '<EOF>'}'.", closing)
        return tuple(values)

    def _order_by(self) -> list[tuple[str, bool]]:
        self._take()
        by = self._take()
        if not by.is_keyword("by"):
            self._fail(f"Expecting 'BY' but got '{by.text or '<EOF>'}'.", by)
        order = []
        while True:
            field = self._take()
            family = (
                _SORT_FAMILIES.get(field.value.lower())
                if field.kind in ("word", "string")
                else None
            )
            if family is None:
                self._unsupported(
                    f"ordering by '{field.text or '<EOF>'}'; use created, updated, key or id", field
                )
            descending = False
            if self._peek().is_keyword("asc", "desc"):
                descending = self._take().text.lower() == "desc"
            order.append((family, descending))
            if self._peek().text != ",":
                return order
            self._take()


def _all_of(predicates: Sequence[Callable[[IssueRow], bool]]) -> Callable[[IssueRow], bool]:
    return lambda row: all(predicate(row) for predicate in predicates)


def _predicate(clause: _Clause, catalog: Catalog) -> tuple[Callable[[IssueRow], bool], tuple]:
    """A clause's test of a row, and what identifies the clause once resolved (hashable):
    (family, operator, epoch ms) for dates, else (family, the values resolved)."""
    if clause.family in ("created", "updated"):
        instant = _instant(clause, catalog.time_zone)
        compare = _COMPARISONS[clause.operator]
        attribute = f"{clause.family}_ms"
        return (
            lambda row: compare(getattr(row, attribute), instant),
            (clause.family, clause.operator, instant),
        )
    lookup, attribute, missing = {
        "project": (
            catalog.projects,
            "project_key",
            "The value '{}' does not exist for the field '{}'.",
        ),
        "issuetype": (
            catalog.issue_types,
            "issue_type",
            "The value '{}' does not exist for the field '{}'.",
        ),
        "key": (catalog.issues, "key", "An issue with key '{}' does not exist for field '{}'."),
    }[clause.family]
    wanted = set()
    for token in clause.values:
        value = token.value
        resolved = lookup.get(value.upper() if clause.family == "key" else value.lower())
        if resolved is None:
            raise JqlError(missing.format(value, clause.field))
        wanted.add(resolved)
    return lambda row: getattr(row, attribute) in wanted, (clause.family, frozenset(wanted))


def _instant(clause: _Clause, zone: dt.tzinfo) -> int:
    """Epoch milliseconds of a date value; zone-less values are read in the user's time zone."""
    value = clause.values[0].value.strip()
    if value.isdigit():
        return int(value)
    for pattern in _DATE_FORMATS:
        try:
            moment = dt.datetime.strptime(value, pattern)
        except ValueError:
            continue
        return int(moment.replace(tzinfo=zone).timestamp() * 1000)
    raise JqlError(
        f"Date value '{value}' for field '{clause.field}' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format "
        "e.g. '-5d', '4w 2d' (period formats are not supported by the JQL sandbox)."
    )
