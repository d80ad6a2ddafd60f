"""The checks a careful reader makes of a parsed cable, one small function each.

`CHECKS` is the table the audit runs, in order. Each entry says what it checks and why a
reader checks it, when it applies (a check that does not apply to a cable neither passes
nor fails it), and the function. A function is given the parsed cable and the audit's
`Context`, and returns None when the cable passes or a `Failure`: a short detail for the
list of offenders, and the items the audit counts over the whole corpus (the unknown
TAGS, the kinds of debris...).

None of them reuses the parser's own patterns: a check that shared a pattern with the
rule it checks would pass whatever the rule does. They are written from the anatomy of a
cable (the project's cable-format reference) and from the record's contract
(docs/record.md).

A new check is one entry in `CHECKS` (docs/parse-audit.md). A check that needs the
parser again (rendering the cable in another layout and reading it back) finds it in
`Context.parser`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise

from cabledesk.parse.core import Parser
from cabledesk.quality.debris import find_debris
from cabledesk.quality.references import reference_problems
from cabledesk.record.level import Level
from cabledesk.record.model import Cable, Paragraph
from cabledesk.reference import tag_info
from cabledesk.sources import SourceText, read_csv, read_text
from cabledesk.synthetic.layouts import comparable, disagreements, render


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a cable fails a check: `detail` for the list of offenders (short, one line),
    `items` what the audit counts over the corpus (an unknown TAG, a kind of debris)."""

    detail: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Context:
    """What a check may need beyond the cable: the parser the audit reads with."""

    parser: Parser = field(default_factory=Parser)


CheckFunction = Callable[[Cable, Context], Failure | None]


def every_cable(cable: Cable) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    checks: str  # what it checks, one line
    why: str  # why a careful reader checks it
    run: CheckFunction
    applies: Callable[[Cable], bool] = every_cable
    applies_to: str = "every cable"


# ---------------------------------------------------------------------------------------
# Paragraph numbers

# `6. (C) Moratinos said` at the start of a paragraph the parser did not number; `6)` only
# in a cable without numbered paragraphs (where the numbered ones use `N.`, a `1)` that
# opens a block is a list item, as in 09STATE124636's collection questions).
_NUMBER_DOT = re.compile(r"\s*(\d{1,2})\.\s+(?=\(|[A-Z])")
_NUMBER_ANY = re.compile(r"\s*(\d{1,2})[.)]\s+(?=\(|[A-Z])")


def _in_raw(number: int, raw: str) -> bool:
    """Whether the raw text has paragraph `number` where a reader sees one: at the start of
    a line (`16.`, `18,` typed for `18.`, `16) (C)`; a `4)` alone is as often a list item),
    or after a sentence, before a marking (`... impeachment. 4. (C) Zardari`, `9. ( C)`:
    copies that ran paragraphs together)."""
    start = rf"^[ \t]*(?:[Xx]{{5,}})?{number}[ \t]*(?:[.,]|\)[ \t]*\()"
    inside = rf"[.!?\"”'][ \t]+{number}[.,)][ \t]*\(\s*(?:TS|SBU|LOU|U|C|S)\b"
    return re.search(f"(?m){start}|{inside}", raw, re.IGNORECASE) is not None


def paragraph_numbers(cable: Cable, context: Context) -> Failure | None:
    numbers = [p.number for p in cable.paragraphs if p.number is not None]
    problems: list[str] = []
    items: list[str] = []
    start = _NUMBER_DOT if numbers else _NUMBER_ANY
    unread = [
        found.group(1)
        for p in cable.paragraphs
        if p.number is None and (found := start.match(p.text))
    ]
    if unread:
        problems.append(f"numbers left in the text: {', '.join(unread)}")
        items.append("number left in the text")
    # WikiLeaks cut partial extracts anywhere: a gap there may be the cut, not the parser.
    if numbers and not cable.partial_extract:
        if numbers[0] != 1:
            problems.append(f"starts at {numbers[0]}")
            items.append("does not start at 1")
        for before, after in pairwise(numbers):
            if after == before:
                problems.append(f"{after} twice")
                items.append("number repeated")
            elif after < before:
                problems.append(f"{after} after {before}")
                items.append("number goes back")
            elif after > before + 1:
                missing = range(before + 1, after)
                in_raw = [n for n in missing if _in_raw(n, cable.raw)]
                seen = f" ({', '.join(map(str, in_raw))} in the raw text)" if in_raw else ""
                problems.append(f"{before} then {after}{seen}")
                items.append("gap, the missing number in the raw text" if in_raw else "gap")
    if not problems:
        return None
    return Failure("; ".join(problems), tuple(dict.fromkeys(items)))


def _has_paragraphs(cable: Cable) -> bool:
    return bool(cable.paragraphs)


# ---------------------------------------------------------------------------------------
# Portion markings

# E.O. 12065 (in force 1 December 1978) made portion marking a rule; under E.O. 11652 it
# was asked for only "to the extent practicable", and 1970s telegrams are seldom marked.
PORTION_MARKING_FROM = 1979
# A paragraph that says something: four words or more, redaction runs not counted.
_WORD = re.compile(r"[A-Za-z][A-Za-z'’.-]*")
_REDACTION = re.compile(r"[Xx]{5,}")
_LEVEL = r"\(\s*(?:TS|SBU|LOU|U|C|S)(?:\s*(?:/{1,2}|-|\s)[^()\n]{0,30})?\)"
# A paragraph whose points carry the markings: `KEY POINTS` / `-- (S) Saudi King
# Abdullah ...` (09RIYADH447), `A. (C) ...`.
_MARKED_POINT = re.compile(
    rf"^[ \t]*(?:--?|\*|[A-Za-z][.)]|\d{{1,2}}\))[ \t]*{_LEVEL}", re.M | re.I
)
# What a reader would take for a marking the parser did not read, at the start of the
# text: `C) Summary:` (10ROME1), `Summary: (C) IO DAS-Equivalent` (06PARIS2358), `(C
# XXXXXXXXXXXX, too` (09BEIJING1970), also after a number left in the text (`6. (C)`).
_MARKING_LIKE = re.compile(
    r"\s*(?:\d{1,2}[.)]\s*)?(?:[A-Za-z]+(?: [a-z]+)?:\s*)?"
    r"(?:\(?\s*(?:TS|SBU|LOU|U|C|S)\b[^()\n]{0,30}\)|\((?:TS|SBU|LOU|U|C|S)\s)",
    re.IGNORECASE,
)


def _words(text: str) -> int:
    return len(_WORD.findall(_REDACTION.sub(" ", text)))


def _needs_marking(cable: Cable) -> list[Paragraph]:
    """The paragraphs a classified cable marks: the numbered ones (but one that is only a
    redaction), or in a cable without numbers, every paragraph that says something (four
    words or more: not a redaction or a heading left alone)."""
    numbered = [p for p in cable.paragraphs if p.number is not None and _words(p.text)]
    if numbered or any(p.number is not None for p in cable.paragraphs):
        return numbered
    return [p for p in cable.paragraphs if _words(p.text) >= 4]


def _marked(paragraph: Paragraph) -> bool:
    return bool(paragraph.marking) or _MARKED_POINT.search(paragraph.text) is not None


def _classified_since_marking(cable: Cable) -> bool:
    level = Level.known(cable.classification)
    if level is None or level == Level.UNCLASSIFIED:
        return False
    year = cable.year
    return (year is None or year >= PORTION_MARKING_FROM) and bool(_needs_marking(cable))


def portion_markings(cable: Cable, context: Context) -> Failure | None:
    needing = _needs_marking(cable)
    unmarked = [p for p in needing if not _marked(p)]
    if not unmarked:
        return None
    looks_marked = [p for p in unmarked if _MARKING_LIKE.match(p.text)]
    which = (
        ", ".join(str(p.number) for p in unmarked)
        if unmarked[0].number is not None
        else f"{len(unmarked)} of {len(needing)} unnumbered"
    )
    detail = f"unmarked: {which}"
    items = ["unmarked paragraph"]
    if looks_marked:
        start = " ".join(looks_marked[0].text.split()[:2])
        detail += f" ({len(looks_marked)} start like a marking: {start!r})"
        items = ["unmarked, the text starts like a marking"]
    return Failure(detail, tuple(items))


# ---------------------------------------------------------------------------------------
# Subject, TAGS, signer

# What belongs to the caption items after SUBJECT, or to the page, never to a subject.
_SUBJECT_DEBRIS = (
    ("REF", re.compile(r"\bREF(?:S|TEL|TELS)?\s*:", re.IGNORECASE)),
    ("Classified By", re.compile(r"\bclassified\s+by\b", re.IGNORECASE)),
    ("E.O. line", re.compile(r"\bE\.?\s?O\.?\s*1\d{4}\b", re.IGNORECASE)),
    ("TAGS", re.compile(r"\bTAGS?\s*:")),
    ("page marker", re.compile(r"\d{8}\s+\d{3}(?:\.\d)?\s+OF\s+\d{3}|\bPAGE \d{2}\b", re.I)),
    ("portion marking", re.compile(r"^\((?:TS|SBU|LOU|U|C|S)(?:[/ ][^)]{0,20})?\)", re.I)),
)


def subject(cable: Cable, context: Context) -> Failure | None:
    if not (cable.subject or "").strip():
        return Failure("no subject", ("missing",))
    found = [name for name, pattern in _SUBJECT_DEBRIS if pattern.search(cable.subject or "")]
    if found:
        return Failure(f"{' and '.join(found)} in the subject", tuple(f"{n} in it" for n in found))
    return None


def tags_present(cable: Cable, context: Context) -> Failure | None:
    return None if cable.tags else Failure("no TAGS", ("missing",))


# A personal-name TAG: `CLINTON, HILLARY`, `STEINBERG, JAMES B`, `TIMKEN JR, WILLIAM`.
_PERSON = re.compile(r"[A-Z][A-Z'.-]*(?: [A-Z][A-Z'.-]*)*, [A-Z][A-Z'. -]*")


def tag_known(tag: str) -> bool:
    """In the bundled TAGS table, or a person's name (names are not listed: any is valid)."""
    return tag_info(tag) is not None or _PERSON.fullmatch(tag.upper()) is not None


def tags_known(cable: Cable, context: Context) -> Failure | None:
    unknown = [tag for tag in cable.tags if not tag_known(tag)]
    if not unknown:
        return None
    return Failure(f"unknown: {', '.join(unknown)}", tuple(unknown))


def _has_tags(cable: Cable) -> bool:
    return bool(cable.tags)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    return last if len(last) <= 40 else last[:39] + "…"


# A last line that may be the signature: one word (`GOLDBERG`, `huntsman` in a copy that
# lower-cased it, `MURRAY .`) or two upper-case ones (`TIMKEN JR`, `LA LIME`).
_SURNAME = re.compile(r"[A-Z][A-Z'’-]+(?: ?\.)?|[A-Za-z][a-z'’-]+|[A-Z][A-Z'’-]+ [A-Z][A-Z'’-]+")


def signer(cable: Cable, context: Context) -> Failure | None:
    if cable.signers:
        return None
    last = _last_line(cable.text)
    if _SURNAME.fullmatch(last):
        return Failure(f"no signer; last line {last!r}", ("missing, the last line a surname?",))
    return Failure(f"no signer; last line {last!r}", ("missing",))


# ---------------------------------------------------------------------------------------
# References and text


def references(cable: Cable, context: Context) -> Failure | None:
    problems = reference_problems(cable)
    if not problems:
        return None
    detail = "; ".join(f"{text!r}: {problem}" for text, problem in problems[:3])
    if len(problems) > 3:
        detail += f"; {len(problems) - 3} more"
    return Failure(detail, tuple(dict.fromkeys(problem for _, problem in problems)))


def _has_references(cable: Cable) -> bool:
    return bool(cable.references)


def text_debris(cable: Cable, context: Context) -> Failure | None:
    found = find_debris(cable.text)
    if not found:
        return None
    detail = "; ".join(f"{kind}: {sample!r}" for kind, sample in found)
    return Failure(detail, tuple(kind for kind, _ in found))


# ---------------------------------------------------------------------------------------
# Layouts

# The layouts a cable is rendered in and read back from (the page is what the corpus
# usually is already; rendering it again tests the renderer, not the parser).
_READ_BACK = ("csv", "text", "fragment")


def _read_back(content: str, layout: str) -> Iterator[object]:
    if layout == "csv":
        return iter(read_csv(io.StringIO(content, newline=""), "<layout>"))
    return iter(read_text(content, "<layout>"))


def layouts(cable: Cable, context: Context) -> Failure | None:
    """The cable rendered as a cables.csv row, newspaper text and a fragment, each read
    back with the audit's parser: the fields that must agree (synthetic.layouts) do."""
    expected = comparable(cable)
    wrong: list[str] = []
    for layout in _READ_BACK:
        items = [s for s in _read_back(render(cable, layout), layout) if isinstance(s, SourceText)]
        if len(items) != 1:
            wrong.append(f"{layout}: unreadable")
            continue
        fields = disagreements(expected, comparable(context.parser.parse(items[0])), layout)
        wrong += [f"{layout}: {name}" for name in fields]
    if not wrong:
        return None
    return Failure("; ".join(wrong), tuple(wrong))


def _has_raw(cable: Cable) -> bool:
    return bool(cable.raw)


# ---------------------------------------------------------------------------------------
# The table, in the order the report shows it.

CHECKS: tuple[Check, ...] = (
    Check(
        "paragraph_numbers",
        "paragraphs numbered 1, 2, 3 ... without gaps, repeats or numbers left in the text",
        "5 FAH-1 H-246.2 numbers paragraphs consecutively: a gap or a number left in the "
        "text is mostly a paragraph start the parser did not see (its marking and its "
        "place are lost with it)",
        paragraph_numbers,
        _has_paragraphs,
        "cables with paragraphs (gaps and the start: not in partial extracts)",
    ),
    Check(
        "portion_markings",
        "every paragraph of a classified cable has its portion marking",
        "a classified cable marks each paragraph ((C), (S/NF) ...); an unread marking "
        "shows the paragraph at the wrong level to readers with a clearance ceiling",
        portion_markings,
        _classified_since_marking,
        f"CONFIDENTIAL and SECRET cables from {PORTION_MARKING_FROM} on; not UNCLASSIFIED ones",
    ),
    Check(
        "subject",
        "a SUBJECT, without the caption items that follow it",
        "all but a few partial extracts have a SUBJECT line; REF, Classified By or a page "
        "marker in it means the subject ran on",
        subject,
    ),
    Check(
        "tags",
        "TAGS present",
        "every cable carries TAGS (at least one subject TAG is mandatory)",
        tags_present,
    ),
    Check(
        "tags_known",
        "every TAG in the bundled TAGS table (or a person's name)",
        "an unknown TAG is a misspelling in the cable or a misreading (run-together codes, "
        "words of the subject taken for TAGS)",
        tags_known,
        _has_tags,
        "cables with TAGS",
    ),
    Check(
        "signer",
        "a signer (the surname on the last line)",
        "posts' and the Department's cables end with the chief of mission's or the "
        "Secretary's surname; edited copies and partial extracts may have lost it",
        signer,
    ),
    Check(
        "references",
        "every REF item that cites a cable resolved to a well-formed id, not the cable "
        "itself or a later one",
        "the citation graph is built from these ids; a cable cannot cite itself or a "
        "cable written after it (a year taken wrongly from the citing cable)",
        references,
        _has_references,
        "cables with a REF block",
    ),
    Check(
        "text_debris",
        "no page-break, header or transmission lines left in `text`",
        "`text` is the reading text: page markers, PAGE lines, routing indicators, NNNN, "
        "BT and header lines are telegraph machinery, not the cable's words",
        text_debris,
    ),
    Check(
        "layouts",
        "the same tags, subject, Classified By, markings, references and signers when the "
        "cable is read from a cables.csv row, newspaper text and a fragment",
        "a record that changes with the container is not the cable's: whatever layout a "
        "reader's copy came in, the record must be the same (docs/record.md, One record "
        "from every layout); this check parses each cable three more times",
        layouts,
        _has_raw,
        "cables with a raw text",
    ),
)
