"""Classified By: the classifying official (name and title) and the E.O. reasons.

`Classified By: Charge d'Affaires a.i. Michele J. Sison for reasons 1.4 (b) and (d).`
Reasons come in many spellings (`1.4(b,d)`, `1.4 B AND D`, `1.5 (B) and (D)`, wrapped
`REAS ONS`, split `(d \\n)`); they are normalised to `["1.4(b)", "1.4(d)"]`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from cabledesk.parse.patterns import CLASSIFIED_BY, PARAGRAPH_START, UNDERLINE, fold, head
from cabledesk.parse.state import ParseState
from cabledesk.record.model import ClassifiedBy

_SECTION: Final = re.compile(r"\b1\s*\.\s*([45])(?![0-9])")
_REASON_WORD: Final = re.compile(r"\br\s*e\s*a\s*s\s*o\s*n\s*s?\s*:?", re.IGNORECASE)
_REASON_RUN: Final = re.compile(
    r"^(?:[\s(),.&/+:;\-]|\b(?:and|or|an|&)\b|\b[a-h]\b|[a-h](?=[),/+&\s]))*", re.IGNORECASE
)
_BROKEN_AND: Final = re.compile(r"\b(?:a\s+nd|an\s+d)\b", re.IGNORECASE)
# What every broken AND holds (tested before the pattern, which would scan every text).
_BROKEN_AND_PIECES: Final = (" nd", " ND", "\nnd", "\nND", "n d", "N D", "n\nd", "N\nD")
_ORDER: Final = re.compile(r"\s*E\.?\s?O\b\.?(?:\s*1\d{4}\b)?", re.IGNORECASE)
_LETTER: Final = re.compile(r"(?<![a-z])([a-h])(?![a-z])", re.IGNORECASE)
_WHO_END: Final = re.compile(
    r"[;:]|,?\s+\bfor\s+r\s*e\s*a\s*s|,?\s+\br\s*e\s*a\s*s\s*o\s*n|,?\s+\bE\.?\s?O\.?\s*1\d{4}|\s1\s*\.\s*[45]\b",
    re.IGNORECASE,
)
_TITLE_WORDS: Final = {
    "acting",
    "ambassador",
    "amb",
    "charge",
    "chargé",
    "charge'",
    "d'affaires",
    "d'affairs",
    "a.i",
    "ai",
    "deputy",
    "chief",
    "of",
    "mission",
    "dcm",
    "cda",
    "com",
    "political",
    "economic",
    "pol",
    "econ",
    "counselor",
    "counsellor",
    "minister",
    "minister-counselor",
    "officer",
    "poloff",
    "econoff",
    "polchief",
    "section",
    "head",
    "principal",
    "consul",
    "general",
    "secretary",
    "assistant",
    "under",
    "director",
    "office",
    "the",
    "and",
    "for",
    "affairs",
    "political-military",
    "regional",
    "senior",
    "advisor",
    "adviser",
    "coordinator",
    "counselor,",
    "pol/econ",
    "p/e",
    "a/dcm",
    "a/pol",
    "deputy-chief",
    "first",
    "second",
    "charg",
    "deputy-principal",
    "management",
    "public",
    "diplomacy",
    "by",
    "environment",
    "science",
    "technology",
    "health",
    "labor",
    "attache",
    "defense",
    "legal",
    "refugee",
    "consul-general",
    "classified",
    "u.s.",
    "us",
    "embassy",
    "consulate",
    "ambassador-at-large",
    "special",
    "envoy",
    "representative",
    "permanent",
    "alternate",
    "usun",
    "usnato",
    "usoas",
    "usau",
    "usmission",
    "mission's",
    "internal",
    "external",
    "unit",
    "division",
    "chief,",
    "affaires",
    "d'",
    "d",
    "das",
    "leader",
    "cheif",
    "councelor",
    "couselor",
    "per",
    "polcouns",
    "polmincouns",
    "mc",
    "m-c",
    "a/s",
    "isn",
    "eap",
    "eur",
    "nea",
    "wha",
    "sca",
    "inr",
    "prt",
    "usdel",
    "adcm",
}
# The marking may end the line: `... (d) 1. (C)` with `Summary: ...` on the next one.
_GLUED_PARAGRAPH: Final = re.compile(r"\s(?=\d{1,2}\.\s*\((?:TS|SBU|U|C|S)\b[^)]{0,20}\)(?:\s|$))")
_REASONS_ONLY: Final = re.compile(r"^\s*1\s*\.\s*[45]\b")
_TRAILING_HEADING: Final = re.compile(r"[)\].]\s+([A-Z][A-Za-z ]{2,40})\s*$")
_OFFICE: Final = re.compile(r"^[a-z/]+off$", re.IGNORECASE)
# Compiled once: re functions with a pattern string look it up in a cache on every call.
_SPACES: Final = re.compile(r"\s+")
_LEADING_BY: Final = re.compile(r"^by\s+", re.IGNORECASE)
_EO_MENTION: Final = re.compile(r"\bE\.?\s?O\.?\s*1\d{4}\b|\bE\.\s?O\.", re.IGNORECASE)
_SPLIT_AND: Final = re.compile(r"\s(?:a\s+nd|an\s+d)\s", re.IGNORECASE)
# A word the wrap broke before its last letter (`Michae l Corbin`); particles (`d`, `y`...)
# stay apart.
_BROKEN_WORD: Final = re.compile(r"\b([A-Z][a-z]+) ([b-cf-hj-np-xz])(?=[\s,]|$)")
# A line of nothing but reason codes (`D`, `(d).`, `b, d`).
_CODES_ONLY: Final = re.compile(
    r"^\s*(?:[\s(),.&/+]|\b(?:and|or)\b|\b[a-h]\b)*\b[a-h]\b[\s().,]*$", re.IGNORECASE
)
# A line that stops where the reason codes would follow (`for reasons 1.4`).
_AWAITING_CODES: Final = re.compile(r"(?:\b1\s*\.\s*[45]|\breasons?:?)\s*$", re.IGNORECASE)
# Reasons that stop at a connector go on on the next line.
_OPEN_ENDS: Final = (",", "and", "&", "/", "(", "or", "1.4", "1.5")
# `a nd (d)`, `an d (d)`, `( d).`: letters a re-wrapped line (or the telegraph) spaced apart;
# `(b) a` / `nd (d)`: an AND broken by the wrap.
_MORE_REASONS: Final = re.compile(
    r"^\s*(?:REASONS?|[a-h]?\s*\)|\(?\s?[a-h]\)|a\s?n\s?d\b|n\s?d\b|[a-h]\s*$|&)", re.IGNORECASE
)


def reasons(text: str) -> list[str]:
    """Normalised E.O. reason codes found after `1.4` / `1.5` in `text`.

    `for reasons b, d` without a section number is read as 1.4, the section in force
    since 2003 (E.O. 13292).
    """
    found: list[str] = []
    if any(piece in text for piece in _BROKEN_AND_PIECES):
        text = _BROKEN_AND.sub("and", text)  # `1.4 (b) a nd (d)` (09MADRID614)
    if "O" in text or "o" in text:
        # `reasons: E.O. 12958 1.4 (b)`: the order's letters are no reason codes.
        text = _EO_MENTION.sub(" ", text)
    anchors = [(m.group(1), m.end()) for m in _SECTION.finditer(text)]
    if not anchors:
        word = _REASON_WORD.search(text)
        if word:
            # `reasons: E.O. 12958 ...` names the order, not reason (e): the letters come
            # after it (at a line's end, on the next line: 04ANKARA7211).
            order = _ORDER.match(text, word.end())
            anchors = [("4", order.end() if order else word.end())]
    for section, start in anchors:
        # A wrap can split the `and` between two codes (`1.4 (b) a nd (d)`), which would
        # read as a code `a`.
        tail = _SPLIT_AND.sub(" and ", _SPACES.sub(" ", text[start:]))
        run = _REASON_RUN.match(tail)
        for letter in _LETTER.findall(run.group(0) if run else ""):
            code = f"1.{section}({letter.lower()})"
            if code not in found:
                found.append(code)
    return found


def split_official(who: str) -> tuple[str | None, str | None]:
    """(name, title) of the classifying official as written.

    The name is the run of given names, initials and surname that ends the first
    comma-separated part (`Political Counselor Kathleen M. Fitzpatrick`); what stands
    before it, and the other parts (`Chris Stevens, DCM, Embassy Tripoli`), is the title.
    """
    who = _CONNECTOR.sub("", who.strip(" ,.;:-"))
    if not who or who.lower().startswith("derived from"):
        return None, None
    who = _BROKEN_WORD.sub(r"\1\2", who)
    parts: list[str] = []
    for part in (p.strip(" -") for p in who.split(",")):
        if part and parts and part.upper().strip(".") in _SUFFIXES:
            parts[-1] += " " + part
        elif part:
            parts.append(part)
    title_words, name_words = _split_name(parts[0].split())
    if not name_words and len(parts) == 1:
        # `ELISSA G. PITTERLE DIRECTOR`: the name first, the title after it.
        name_words, title_words = _leading_name(parts[0].split())
    rest = parts[1:]
    if not name_words:
        # `Charge d'Affaires, a.i., Dan Piccuta`: title first, name after a comma.
        for index, part in enumerate(rest):
            more_title, candidate = _split_name(part.split())
            if candidate and all(_is_title_word(t) for t in more_title):
                name_words = candidate
                rest[index] = " ".join(more_title)
                break
    title = ", ".join(filter(None, [" ".join(title_words).strip(" -"), *rest])).strip(" ,") or None
    return (" ".join(name_words) or None), title


_SUFFIXES: Final = {"JR", "SR", "II", "III", "IV"}
# Words that join the official to the reasons (`for`, `per`, wrapped `FO R`).
_CONNECTOR: Final = re.compile(r"(?:[\s,]+(?:f\s*o\s*r?|per|by|under))+\s*$", re.IGNORECASE)
_INITIAL: Final = re.compile(r"^(?:[A-Z]\.){1,3}$|^[A-Z]$")
# One initial with its full stop (`D.`): a name's, even where the letter is a title word
# (`d'`), as in `Ambassador James D. McGee`.
_ONE_INITIAL: Final = re.compile(r"^[A-Z]\.$")


def _split_name(tokens: list[str]) -> tuple[list[str], list[str]]:
    """(title tokens, name tokens) of one comma-separated part."""
    capitals = not any(c.islower() for c in " ".join(tokens))
    limit = 2 if capitals else 3
    suffix = []
    if tokens and tokens[-1].upper().strip(".,") in _SUFFIXES:
        suffix = [tokens[-1]]
        tokens = tokens[:-1]
    index, words = len(tokens), 0
    while index > 0:
        token = tokens[index - 1].strip(",")
        if words and _ONE_INITIAL.match(token):
            index -= 1
            continue
        if _is_title_word(token):
            break
        if _INITIAL.match(token) and words:
            index -= 1
        elif words < limit and _is_name_word(token, capitals, surname=words == 0):
            index -= 1
            words += 1
        else:
            break
    if not words:
        return tokens + suffix, []
    return tokens[:index], tokens[index:] + suffix


def _leading_name(tokens: list[str]) -> tuple[list[str], list[str]]:
    """(name tokens, title tokens) when the part starts with a name and the rest is title."""
    capitals = not any(c.islower() for c in " ".join(tokens))
    limit = 2 if capitals else 3
    index = words = 0
    while index < len(tokens) and not _is_title_word(tokens[index]):
        token = tokens[index]
        if _INITIAL.match(token) and words:
            index += 1
        elif words < limit and _is_name_word(token, capitals, surname=False):
            index += 1
            words += 1
        else:
            break
    title = tokens[index:]
    if words < 2 or not title or not all(_is_title_word(t) for t in title):
        return [], tokens
    return tokens[:index], title


def _is_title_word(token: str) -> bool:
    word = token.lower().replace("’", "'").strip(".,;:()")
    return word in _TITLE_WORDS or bool(_OFFICE.match(word)) or ("/" in word and len(word) < 12)


def _is_name_word(token: str, capitals: bool, surname: bool) -> bool:
    if _is_title_word(token) or not token[:1].isalpha() or not token[:1].isupper():
        return False
    letters = token.replace("'", "").replace("-", "").replace(".", "")
    if not letters.isalpha():
        return False
    if capitals:
        return len(letters) >= 2
    # Mixed case: `Fitzpatrick`, and for surnames `LeBaron`, `McNerney`; not `PolCouns`, `DAS`.
    inner_capitals = sum(c.isupper() for c in letters[1:])
    return inner_capitals == 0 or (surname and inner_capitals == 1)


def parse_classified_by(text: str) -> ClassifiedBy:
    text = fold(text)
    name, title, found = _read(text)
    return ClassifiedBy(name=name, title=title, reasons=list(found), text=text)


# The same line recurs across a post's cables (one official, the usual reasons): each is
# read once (a tuple, so no caller can change what the next one gets).
@lru_cache(maxsize=4096)
def _read(text: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    body = CLASSIFIED_BY.sub("", text, count=1)
    # `Classified By: Classified by ...` (a doubled label) is seen in the corpus.
    body = CLASSIFIED_BY.sub("", body, count=1)
    end = _WHO_END.search(body)
    who = body[: end.start()] if end else body
    name, title = split_official(_LEADING_BY.sub("", who))
    return name, title, tuple(reasons(body))


def _more_reasons(joined: str, line: str) -> bool:
    """Whether `line` continues the reasons of `joined` (`1.4 (b) and` / `(d).`)."""
    if _MORE_REASONS.match(line) or _CODES_ONLY.match(line):
        return True
    end = joined.rstrip().lower()
    start = line.lstrip()[:3].lower()
    if (end.endswith(" a") and start.startswith("nd")) or (
        end.endswith(" an") and start[:1] == "d" and not start[1:2].isalpha()
    ):
        return True  # `1.4 (b) a` / `nd (d)`: the wrap split the `and`
    return end.endswith(_OPEN_ENDS)


def classified_by_rule(state: ParseState) -> bool:
    if "CLASS" not in head(state.line) or not CLASSIFIED_BY.match(state.line):
        return False
    parts = [state.line]
    state.pos += 1
    while not state.at_end:
        line = state.line
        if not line.strip():
            # `FOR REASON` then a blank line, then `1.4(C).`: the reasons still belong here.
            # So do `for reasons 1.4`, a blank line, then `(b) and (d).` (when no reasons
            # were read yet: tested last, reading them costs more than the line tests).
            ahead = state.pos + 1
            following = state.lines[ahead] if ahead < len(state.lines) else ""
            if (
                _REASONS_ONLY.match(following)
                or (_AWAITING_CODES.search(parts[-1]) and _CODES_ONLY.match(following))
            ) and not reasons(" ".join(parts)):
                state.pos = ahead
                continue
        if not line.strip() or UNDERLINE.match(line):
            break
        if PARAGRAPH_START.match(line) and not (
            # `...; Reasons` / `1. 4 (B) and (D).`: the section, not paragraph 1.
            _REASONS_ONLY.match(line) and not reasons(" ".join(parts))
        ):
            break
        joined = " ".join(parts)
        if reasons(joined) and not _more_reasons(joined, line):
            # The reasons are read and this line does not add to them: the next part
            # (`SUMMARY: ...`, a heading) begins here.
            break
        parts.append(line)
        state.pos += 1
    text = "\n".join(parts)
    if UNDERLINE.match(state.line):
        # `REASON: 1.4 (a), (b), (d) Summary` over a dash line: the heading was glued on.
        tail = _TRAILING_HEADING.search(text)
        if tail:
            state.hand_back(tail.group(1))
            text = text[: tail.start(1)]
    glued = _GLUED_PARAGRAPH.search(text)
    if glued:
        # `... REASON: 1.4 (b), (d) 1. (C) Summary: ...`: paragraph 1 on the same line.
        state.hand_back(text[glued.start() :])
        text = text[: glued.start()]
    if state.cable.classified_by is not None:
        # A second Classified By line (seen in edited copies): the first one stands. Its
        # wrapped lines (`... for Reasons 1.4 B` / `& D.`) go with it.
        state.warn("two Classified By lines; the first is used")
        return True
    state.cable.classified_by = parse_classified_by(text)
    return True
