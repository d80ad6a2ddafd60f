"""The query language: words, "phrases", AND / OR / NOT, parentheses, prefix*, field:value,
and ~"a text" (the cables nearest it, docs/similar.md); `note:` searches the notes the reader
may read (docs/workspace.md).

Parsed into a small tree with the position of every part, so that a malformed query gets
a message that points at the offending character (docs/search.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cabledesk.errors import Error

FIELDS = (
    "id",
    "tag",
    "origin",
    "from",
    "to",
    "class",
    "caveat",
    "date",
    "year",
    "month",
    "subject",
    "signer",
    "classified_by",
    "cites",
    "cited_by",
    "has",
    "person",
    "org",
    "place",
    "entity",
    "cited",
    "thread",
    "note",
    "predicted",
)
# Brackets and NOTs (or `-`) inside one another. The parser and the compiler recurse once
# per level, so without a limit a few hundred `(` or a thousand `-` exhaust Python's
# recursion (a 500 on the desk); no real question needs more than a handful.
MAX_NESTING = 32


class QueryError(Error, ValueError):
    def __init__(self, message: str, query: str, position: int) -> None:
        super().__init__(message)
        self.message, self.query, self.position = message, query, position

    def __str__(self) -> str:
        pointer = " " * self.position + "^"
        return f"{self.message} at position {self.position + 1}:\n  {self.query}\n  {pointer}"


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    phrase: bool
    prefix: bool
    position: int


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str
    phrase: bool
    position: int
    # `signer:="C. RICE"`: the whole value, not words in it (the facets' form).
    exact: bool = False


@dataclass(frozen=True, slots=True)
class Not:
    node: Node


@dataclass(frozen=True, slots=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Near:
    """`~"some text"`: the cables nearest the text in the reader's similar-cables model,
    ranked by similarity (docs/similar.md)."""

    text: str
    position: int


Node = Term | Field | Not | And | Or | Near

_TOKEN = re.compile(
    r'\s*(?:(?P<open>\()|(?P<close>\))|(?P<near>~"[^"]*"?)|(?P<tilde>~)|(?P<quote>"[^"]*"?)|'
    r"(?P<field>[A-Za-z_]+):(?P<fvalue>=?\"[^\"]*\"?|[^\s()]*)|(?P<minus>-)(?=\S)|(?P<word>[^\s()\"]+))"
)


@dataclass(slots=True)
class _Token:
    kind: str
    text: str
    position: int
    field: str | None = None
    # Where the token ends in the query (Part spans).
    end: int = 0


def tokenize(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(query):
        if query[position:].strip() == "":
            break
        match = _TOKEN.match(query, position)
        if not match or match.end() == position:
            raise QueryError("unexpected character", query, position)
        start = match.start(match.lastgroup or 0)
        kind = match.lastgroup or ""
        if kind == "fvalue":
            name = match["field"]
            if name.lower() not in FIELDS:
                raise QueryError(
                    f"unknown field {name!r} (fields: {', '.join(FIELDS)})",
                    query,
                    match.start("field"),
                )
            value = match["fvalue"]
            quoted = value.removeprefix("=")
            if quoted.startswith('"') and (len(quoted) < 2 or not quoted.endswith('"')):
                raise QueryError("unclosed quote", query, match.start("fvalue"))
            if not value:
                raise QueryError(f"{name}: needs a value", query, match.start("fvalue"))
            tokens.append(_Token("field", value, match.start("field"), name.lower()))
        elif kind == "quote":
            if len(match["quote"]) < 2 or not match["quote"].endswith('"'):
                raise QueryError("unclosed quote", query, start)
            tokens.append(_Token("quote", match["quote"][1:-1], start))
        elif kind == "near":
            if len(match["near"]) < 3 or not match["near"].endswith('"'):
                raise QueryError("unclosed quote", query, start + 1)
            tokens.append(_Token("near", match["near"][2:-1], start))
        elif kind == "tilde":
            raise QueryError('~ takes a text in quotes (~"arms smuggling")', query, start)
        else:
            tokens.append(_Token(kind, match[kind], start))
        tokens[-1].end = match.end()
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.index = 0
        self.depth = 0
        # The top level's AND-ed parts with their spans (top_parts).
        self.parts: list[Part] = []

    def deeper(self, token: _Token) -> None:
        """One level further in (a `(`, NOT or `-`); QueryError past MAX_NESTING."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise QueryError(
                f"the query nests too deeply (at most {MAX_NESTING} brackets and NOTs "
                "inside one another)",
                self.query,
                token.position,
            )

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def is_keyword(self, token: _Token | None, word: str) -> bool:
        return token is not None and token.kind == "word" and token.text == word

    def parse(self) -> Node:
        if not self.tokens:
            raise QueryError("empty query", self.query, 0)
        node = self.or_expr()
        token = self.peek()
        if token is not None:
            message = "unmatched ')'" if token.kind == "close" else f"unexpected {token.text!r}"
            raise QueryError(message, self.query, token.position)
        return node

    def or_expr(self) -> Node:
        nodes = [self.and_expr()]
        while self.is_keyword(self.peek(), "OR"):
            self.index += 1
            nodes.append(self.and_expr())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def and_expr(self) -> Node:
        nodes = [self.part()]
        while True:
            token = self.peek()
            if token is None or token.kind == "close" or self.is_keyword(token, "OR"):
                break
            if self.is_keyword(token, "AND"):
                self.index += 1
            nodes.append(self.part())
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def part(self) -> Node:
        """One AND-ed term; at the top level, kept with its span in the query."""
        top = self.depth == 0
        first = self.peek()
        node = self.unary()
        if top and first is not None:
            self.parts.append(Part(node, first.position, self.tokens[self.index - 1].end))
        return node

    def unary(self) -> Node:
        token = self.peek()
        if token is not None and (self.is_keyword(token, "NOT") or token.kind == "minus"):
            self.index += 1
            self.deeper(token)
            node = Not(self.unary())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        token = self.peek()
        if token is None:
            raise QueryError(
                "the query ends where a term was expected", self.query, len(self.query)
            )
        if token.kind == "open":
            self.index += 1
            self.deeper(token)
            node = self.or_expr()
            closing = self.peek()
            if closing is None or closing.kind != "close":
                raise QueryError("'(' is never closed", self.query, token.position)
            self.index += 1
            self.depth -= 1
            return node
        if token.kind == "close":
            raise QueryError("unmatched ')'", self.query, token.position)
        if token.kind in ("word",) and token.text in ("AND", "OR", "NOT"):
            raise QueryError(f"{token.text} needs a term on each side", self.query, token.position)
        self.index += 1
        if token.kind == "field":
            value = token.text
            exact = value.startswith("=")
            value = value.removeprefix("=")
            phrase = value.startswith('"')
            if exact and not value.strip('"').strip():
                raise QueryError(f"{token.field}: needs a value", self.query, token.position)
            return Field(token.field or "", value.strip('"'), phrase, token.position, exact)
        if token.kind == "quote":
            if not token.text.strip():
                raise QueryError("empty phrase", self.query, token.position)
            return Term(token.text, True, False, token.position)
        if token.kind == "near":
            if not token.text.strip():
                raise QueryError('~"" needs some words', self.query, token.position)
            return Near(token.text, token.position)
        text = token.text
        prefix = text.endswith("*")
        if prefix and len(text.rstrip("*")) < 2:
            raise QueryError(
                "a prefix needs at least two letters before *", self.query, token.position
            )
        return Term(text.rstrip("*"), False, prefix, token.position)


def parse_query(query: str) -> Node:
    """The tree of a query; QueryError with the position of the first problem."""
    return _Parser(query).parse()


@dataclass(frozen=True, slots=True)
class Part:
    """One of the terms a query ANDs at its top level, and where it stands in the query
    (`query[start:end]`)."""

    node: Node
    start: int
    end: int


def top_parts(query: str) -> list[Part]:
    """The terms the whole query ANDs together, each with its span: what a narrowing
    (a facet) adds and what can be taken out again (the search page's chips). A query
    whose top level is an OR is one part. QueryError as parse_query."""
    parser = _Parser(query)
    node = parser.parse()
    if isinstance(node, Or):
        first, last = parser.tokens[0], parser.tokens[-1]
        return [Part(node, first.position, last.end)]
    return parser.parts


def without_part(query: str, parts: list[Part], index: int) -> str:
    """The query with its top-level part `index` taken out (the other parts as written,
    ANDed by spaces)."""
    return " ".join(query[p.start : p.end] for i, p in enumerate(parts) if i != index)
