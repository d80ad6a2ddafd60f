"""SUMMARY ... END SUMMARY spans, or the paragraph that announces itself as the summary.

How cables label it (cable-format.md §4.1): `1. (C) Summary: ... End summary.`,
`SUMMARY: ... END SUMMARY.`, `BEGIN SUMMARY ... END SUMMARY` (1970s), a `SUMMARY` heading,
`Summary and comment: ... End summary and comment.`, `Summary and introduction:`,
`Summary and Key Points.`, `SUMMARY & COMMENT:`, a `Summary and Key Themes` heading. A
long summary runs over paragraphs that repeat the label as a continuation:
`2. (C/NF) Summary continued.`, `2. (S)(Summary continued)`, `4. (C) Summary cont'd:`,
`2. (C) Summary contd.:`, `2. (C/NF) Summary and comment con’t.` The summary starts after
the first label; the continuation labels are left out of it.
"""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.patterns import MARKING, at_sentence_start, fold
from cabledesk.parse.state import ParseState
from cabledesk.record.model import Paragraph

# The parts of a label, written for lower-cased text. What may follow `summary`: `and` or `&`
# and one to three words (`and comment`, `and key points`, `& comment`) ...
_QUALIFIER: Final = r"(?:\s*(?:and|&)\s+[a-z]+(?:\s+[a-z]+){0,2})?"
# ... then a continuation mark (`continued`, `cont'd`, `contd.`, `con’t`, `(continued)`) ...
_CONTINUED: Final = r"(?P<continued>\s*\(?(?:cont(?:inued|['\u2019]?d|\.)|con['\u2019]t)\.?\)?)?"
# ... then punctuation, the end of the line (a heading), or a `.`/`)` the mark ended with.
_CLOSED: Final = r"(?:\s*[:.\-]+|(?<=[.)])|[ \t]*\n|\s*$)"

# Matched against the lower-cased text, so each pattern starts with a plain literal.
_END: Final = re.compile(r"end\s+(?:of\s+)?summary\b")
_START: Final = re.compile("summary" + _QUALIFIER + _CONTINUED + _CLOSED)
# `Summary The talks went well.`: a bare label without punctuation. Only `summary` itself:
# with words after it that might be a qualifier, the label must be closed to be one.
_BARE_START: Final = re.compile(r"summary\s+(?=\S)")
# A paragraph that opens with its label, for cables without END SUMMARY. Punctuation must
# close it here: a bare `SUMMARY` line above a list of topics (09HARARE888) is a heading.
# What may stand right before a label without hiding where the sentence starts: a portion
# mark, with the paragraph number (`1. (C) `, `(S/NF) `, `C) `) ...
_MARK_BEFORE: Final = re.compile(
    r"(?:\d{1,2}\.\s*)?\(?(?:u|c|s|ts|sbu|lou)(?:\s*/{1,2}\s*(?:nf|noforn|fouo|rel[a-z ,]*))?\)\s*$"
)
# ... and, for a closed label, one word joined to it (`Introduction and Summary:`).
_JOINED_BEFORE: Final = re.compile(r"\b[a-z]+\s+(?:and|&)\s+$")
_LABEL: Final = re.compile(
    r"^\s*\(?\s*(?:begin\s+)?summary" + _QUALIFIER + _CONTINUED + r"(?:\s*[:.\-]+|(?<=[.)]))\s*",
    re.IGNORECASE,
)


def summary_rule(state: ParseState) -> None:
    paragraphs = state.cable.paragraphs
    if not paragraphs:
        return
    text = state.paragraph_text()
    lower = state.paragraph_text_lower()
    if "summary" not in lower:
        return
    end = _END.search(lower)
    if end:
        begin = _first_start(lower, end.start())
        summary = _without_continuations(text, lower, begin, end.start())
        state.cable.summary = _tidy(summary)
        return
    for index, paragraph in enumerate(paragraphs):
        heading = (paragraph.heading or "").strip(" -:.").upper()
        label = _LABEL.match(paragraph.text)
        if label and not label.group("continued"):
            parts = [paragraph.text[label.end() :], *_continued(paragraphs[index + 1 :])]
            state.cable.summary = _tidy(" ".join(parts))
            return
        if heading == "SUMMARY" or heading.startswith("SUMMARY AND "):
            state.cable.summary = fold(paragraph.text) or None
            return


def _tidy(summary: str) -> str | None:
    """The summary folded, without the label's punctuation or a portion mark written after
    the label (`1. Summary: (C) IO DAS-Equivalent ...`, 06PARIS2358)."""
    summary = fold(summary).lstrip(" .-:")
    mark = MARKING.match(summary)
    if mark:
        summary = summary[mark.end() :].lstrip(" .-:")
    return summary.rstrip(" -") or None


def _label_at(lower: str, at: int, end: int) -> re.Match[str] | None:
    """The summary label at `at` (before `end`), if the word `summary` there opens one."""
    closed = _START.match(lower, at, end)
    if closed:
        return closed if _opens(lower, at, closed=True) else None
    return _BARE_START.match(lower, at, end) if _opens(lower, at) else None


def _first_start(lower: str, end: int) -> int:
    """Where the text after the summary's opening label before `end` begins (0: no label).

    Read backwards from `end`: the nearest label is usually the only one. A continuation
    label (`Summary continued.`) is not where the summary starts, so reading goes on to
    the label it continues; a cable that only marks continuations starts at the top.
    """
    at = lower.rfind("summary", 0, end)
    while at >= 0:
        match = _label_at(lower, at, end)
        if match and not _is_continuation(match):
            return match.end()
        at = lower.rfind("summary", 0, at)
    return 0


def _is_continuation(match: re.Match[str]) -> bool:
    return match.re is _START and match.group("continued") is not None


def _without_continuations(text: str, lower: str, begin: int, end: int) -> str:
    """`text[begin:end]` with the continuation labels inside it cut out (`(Summary
    continued)` with its parentheses)."""
    parts: list[str] = []
    position = begin
    at = lower.find("summary", begin, end)
    while at >= 0:
        match = _label_at(lower, at, end)
        if match and _is_continuation(match):
            cut = at
            if lower.endswith(")", 0, match.end()) and lower.endswith("(", 0, at):
                cut -= 1  # the parenthesis the label opened with
            parts.append(text[position:cut])
            position = match.end()
            at = lower.find("summary", position, end)
        else:
            at = lower.find("summary", at + 7, end)
    parts.append(text[position:end])
    return " ".join(parts)


def _continued(paragraphs: list[Paragraph]) -> list[str]:
    """The paragraphs right after a labelled summary that carry a continuation label."""
    texts: list[str] = []
    for paragraph in paragraphs:
        label = _LABEL.match(paragraph.text)
        if paragraph.heading or not label or not label.group("continued"):
            break
        texts.append(paragraph.text[label.end() :])
    return texts


def _opens(lower: str, position: int, closed: bool = False) -> bool:
    """`Summary` opening a paragraph or sentence (`BEGIN SUMMARY` too), not `end summary`.

    A portion mark may stand before it where the paragraph's own was not recognised
    (`1. (C) Summary.` inside a block, `C) Summary:`); a closed label may follow one word
    and `and` (`Introduction and Summary:`, 07PARIS4357).
    """
    before = lower[max(0, position - 40) : position]
    if before.rstrip().endswith("begin"):
        return True
    mark = _MARK_BEFORE.search(before)
    if mark:
        return at_sentence_start(lower, position - len(before) + mark.start())
    if closed and (joined := _JOINED_BEFORE.search(before)):
        return at_sentence_start(lower, position - len(before) + joined.start())
    return at_sentence_start(lower, position)
