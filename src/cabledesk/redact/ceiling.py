"""Clearance ceilings: paragraphs marked above what a reader may see are withheld.

A paragraph's level comes from its portion marking (`(S//NF)`); an unmarked paragraph
counts at the cable's own level, since nothing says it is lower. NOFORN counts too: an
account marked foreign sees no NOFORN paragraph, whatever its ceiling.
"""

from __future__ import annotations

import re

from cabledesk.record.level import Level
from cabledesk.record.model import Paragraph


def portion(
    marking: str | None, cable_level: str | None, cable_caveats: list[str]
) -> tuple[Level, bool]:
    """(level, NOFORN) of a paragraph, from its marking or else from the cable."""
    if marking:
        level = Level.of_portion(marking)
        if level is not None:
            caveats = marking.partition("/")[2].upper()
            return level, "NF" in caveats.split("/") or "NOFORN" in caveats
    noforn = any(c.upper() in ("NOFORN", "NF") for c in cable_caveats)
    return Level.of(cable_level), noforn


def withheld_note(paragraph: Paragraph, why: str) -> str:
    number = f"paragraph {paragraph.number}" if paragraph.number is not None else "a paragraph"
    return f"[{number} withheld: {why}]"


_NOTE = re.compile(r"\[(?:paragraph \S+|a paragraph|subject) withheld: [^\]]*\]")


def is_withheld_note(text: str | None) -> bool:
    """Whether `text` is what stands in a withheld paragraph's or subject's place."""
    return text is not None and _NOTE.fullmatch(text.strip()) is not None


def may_see(rank: int, noforn: bool, ceiling: int, foreign: bool) -> bool:
    """The one rule of clearance: text at or below the reader's ceiling, and no NOFORN
    text for a foreign reader (the viewer and the index's visible fields both use it)."""
    return rank <= ceiling and not (foreign and noforn)


def placeholder(paragraph: Paragraph, why: str) -> Paragraph:
    """What stands in a withheld paragraph's place: its number and marking, no text."""
    return Paragraph(
        number=paragraph.number,
        marking=paragraph.marking,
        heading=None,
        text=withheld_note(paragraph, why),
        marking_raw=paragraph.marking_raw,
    )


def withhold(
    paragraph: Paragraph, ceiling: Level, foreign: bool, level: str | None, caveats: list[str]
) -> Paragraph | None:
    """The placeholder for a paragraph this reader may not see, or None when they may."""
    rank, noforn = portion(paragraph.marking, level, caveats)
    if may_see(rank, noforn, ceiling, foreign):
        return None
    return placeholder(paragraph, paragraph.marking or (level or "unmarked"))
