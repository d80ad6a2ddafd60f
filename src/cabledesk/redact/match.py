"""Finding a redacted name in any text a cable yields, however the text dresses it.

A name must be found in any case, split across line breaks, with telegraph artefacts
around it (`Soleimani,s`, `&Soleimani8`), in the raw text and in the repaired reading
text alike. So each word of the name must stand alone (no letter on either side), and
between words any run of spaces, line breaks or punctuation is accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cabledesk.redact.model import Rule

_WORD = re.compile(r"[^\W_]+")
# Between the words of a name: whitespace, line breaks and punctuation, never letters.
_GAP = r"[\W_]+"


@dataclass(frozen=True, slots=True)
class NamePattern:
    rule: Rule
    pattern: re.Pattern[str]
    # Lower-cased words; a text lacking the first word of every form cannot match.
    firsts: tuple[str, ...]

    def sub(self, replacement: str, text: str) -> str:
        lowered = text.lower()
        if not any(first in lowered for first in self.firsts):
            return text
        return self.pattern.sub(replacement, text)


def forms(rule: Rule) -> list[list[str]]:
    """The words of the name and of each variant; empty forms are dropped."""
    found = []
    for form in [rule.text, *rule.variants]:
        words = _WORD.findall(form)
        if words:
            found.append(words)
    return found


def compile_rule(rule: Rule) -> NamePattern | None:
    """The pattern of a name or span rule (None when it has no words to look for)."""
    if rule.kind == "paragraph":
        return None
    alternatives = [
        _GAP.join(re.escape(word) for word in words)
        for words in sorted(forms(rule), key=lambda w: -sum(map(len, w)))
    ]
    if not alternatives:
        return None
    # No letter may touch the name; a digit may (`&Soleimani8` is a repaired quote).
    pattern = re.compile(
        r"(?<![^\W\d_])(?:" + "|".join(alternatives) + r")(?![^\W\d_])", re.IGNORECASE
    )
    firsts = tuple(sorted({words[0].lower() for words in forms(rule)}))
    return NamePattern(rule, pattern, firsts)
