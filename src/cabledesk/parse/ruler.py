"""Orders the parse rules. Each rule is a small function over the shared ParseState."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from cabledesk.parse.state import ParseState

CoreRule = Callable[[ParseState], None]
# A block rule looks at state.pos: it consumes the lines it recognises and says True,
# or leaves everything as it was and says False.
BlockRule = Callable[[ParseState], bool]

RuleT = TypeVar("RuleT")


@dataclass(frozen=True, slots=True)
class Named(Generic[RuleT]):
    name: str
    rule: RuleT


class Ruler(Generic[RuleT]):
    """A named, ordered list of rules that extensions can insert into or disable."""

    def __init__(self, rules: list[tuple[str, RuleT]]) -> None:
        self._rules = [Named(name, rule) for name, rule in rules]
        self._disabled: set[str] = set()
        # Counts the changes below: a caller that runs the rules once per cable keeps the
        # list it built and builds it again only when this moved (docs/performance.md).
        self.version = 0

    def names(self) -> list[str]:
        return [r.name for r in self._rules]

    def rules(self) -> list[RuleT]:
        return [r.rule for r in self._rules if r.name not in self._disabled]

    def active(self) -> list[Named[RuleT]]:
        """The enabled rules with their names, in order."""
        return [r for r in self._rules if r.name not in self._disabled]

    def _index(self, name: str) -> int:
        for index, named in enumerate(self._rules):
            if named.name == name:
                return index
        raise KeyError(f"no parse rule named {name!r}; rules are {', '.join(self.names())}")

    def before(self, anchor: str, name: str, rule: RuleT) -> None:
        self._rules.insert(self._index(anchor), Named(name, rule))
        self.version += 1

    def after(self, anchor: str, name: str, rule: RuleT) -> None:
        self._rules.insert(self._index(anchor) + 1, Named(name, rule))
        self.version += 1

    def disable(self, name: str) -> None:
        self._index(name)
        self._disabled.add(name)
        self.version += 1

    def enable(self, name: str) -> None:
        self._disabled.discard(name)
        self.version += 1
