"""`Level`: a classification level, the one type for a cable's classification, a
paragraph's portion marking and a reader's ceiling.

Lowest first, so that levels compare as the clearance rule reads: a reader may see text
whose level is at or below their ceiling. Limited Official Use and Sensitive But
Unclassified are handling caveats on unclassified text, not levels of their own
(docs/record.md).
"""

from __future__ import annotations

from enum import IntEnum

# Portion markings as written in paragraphs (`(S//NF)`: SECRET), head before any caveat.
_PORTION = {"U": 0, "SBU": 0, "C": 1, "S": 2, "TS": 3}
# How queries and people spell a level, lower-cased.
_SPELLED = {"unclassified": 0, "unclas": 0, "confidential": 1, "secret": 2, "top secret": 3}


class Level(IntEnum):
    UNCLASSIFIED = 0
    CONFIDENTIAL = 1
    SECRET = 2
    TOP_SECRET = 3

    @property
    def label(self) -> str:
        """As cables and the record write it: `TOP SECRET`."""
        return self.name.replace("_", " ")

    def __str__(self) -> str:
        return self.label

    @classmethod
    def known(cls, text: str | None) -> Level | None:
        """The level `text` names (any case, `_` for a space, `UNCLAS`), or None."""
        if text is None:
            return None
        value = _SPELLED.get(" ".join(text.replace("_", " ").split()).lower())
        return None if value is None else cls(value)

    @classmethod
    def of(cls, text: str | None) -> Level:
        """The level `text` names; an unknown or missing level counts as TOP SECRET, the
        level nothing is assumed to be below."""
        found = cls.known(text)
        return cls.TOP_SECRET if found is None else found

    @classmethod
    def of_portion(cls, marking: str | None) -> Level | None:
        """The level of a normalised portion marking (`S/NF` is SECRET), or None."""
        if not marking:
            return None
        value = _PORTION.get(marking.split("/", 1)[0].strip())
        return None if value is None else cls(value)


# The labels, lowest first: the values a record's `classification` may take.
LEVELS: tuple[str, ...] = tuple(level.label for level in Level)
