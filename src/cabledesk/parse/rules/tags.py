"""TAGS: subject, program, geographic, organization and personal-name codes, in order.

Real spellings (cable-format.md §3.5 and the corpus):

    TAGS: PGOV PTER SP
    TAGS PGOV, PREL, KJUS, UNGA, SY, LE
    TAGS: OVIP (CLINTON, HILLARY), PGOV, PREL, KDEV, ECON,
    NL, IS, SR
    TAGS: PREL PINS MNUC PARM PINR RS KGIC KNNP KRAD ENRG
    LY
    Tags: parm, prel, ettc, mtcre, ksca, ir, aec, gm
    TAG: PTER, PREL, PGOV, ECON, ETTC, EAID, EFIN, EAGR, ASEC, KCIP, ENRG,  QA
    TAGS: OVIP BIDEN JOSEPH PREL ECON PGOV SOCI UK PK
    TAGS: ECON EINDETRD KIPR PREL FR
    TAGS PINR, KCRM, PGOV, EINV, ECON, KCOR, BU, Organized Crime
    TAGS: MASS MOPS OVIP PARM PINR PREL PTER YM COUNTER TERRORISM
    E.o. 12958: decl: 06/12/2018 Tags: iz, ir, prel, pgov, pinr Subject: pm maliki ...
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from cabledesk.parse.patterns import (
    PARAGRAPH_START,
    SUBJECT_INLINE,
    TAGS_LINE,
    head,
    is_caption_item,
)
from cabledesk.parse.state import ParseState
from cabledesk.reference import code_words, tags

_PERSON: Final = re.compile(r"\(([^()]*)\)")
# What a TAG code looks like: `PGOV`, `IZ`, `KDEM`, `NATO`, `EUN`.
_CODE: Final = re.compile(r"^[A-Z]{2,5}$")
# A word of a personal name: `RICE`, `CONDOLEEZZA`, `B.`, `O'NEILL`, `SMITH-JONES`.
_NAME_WORD: Final = re.compile(r"^[A-Z][A-Z'\-]*\.?$")
# A line that may continue a TAGS list: nothing but codes and separators.
_TAG_CONTINUATION: Final = re.compile(r"^[A-Za-z0-9 ,;()\-./&']+$")
# How country (`IZ`) and subject or program codes (`PREL`, `KDEM`) are spelled.
_CODE_SHAPE: Final = re.compile(r"^(?:[A-Z]{2}|[ABCEKMOPST][A-Z]{3})$")
_TOKEN: Final = re.compile(r"[,;]|[^\s,;]+")
_COMMA: Final = re.compile(r"\s*,\s*")

# Kinds of the TAGS table that are codes in their own right; `other` rows are non-standard
# codes (`POGOV`, `VZ`), run-together codes (`EINDETRD`) and pieces of multi-word tags.
_CODE_KINDS: Final = frozenset({"subject", "program", "country", "organization", "person"})
# Kinds a run-together word may be cut into: `ECONPGOV`, `KDEMAF` (cable-format.md §3.5).
_PIECE_KINDS: Final = frozenset({"subject", "program"})
# The person who travels comes right after OVIP (`OVIP RICE CONDOLEEZZA`).
_VISIT: Final = "OVIP"
_MAX_NAME_WORDS: Final = 4


class _Vocabulary:
    """What the bundled TAGS table says about a word, read once."""

    def __init__(self) -> None:
        table = tags()
        self.codes: frozenset[str] = frozenset(
            key.upper() for key, info in table.items() if info.kind in _CODE_KINDS
        )
        # Non-standard codes seen in real TAGS lines (`POGOV`, `RU`, `VZ`, `NAR`).
        self.odd_codes: frozenset[str] = frozenset(
            key
            for key, info in table.items()
            if info.kind == "other" and not _is_fragment(info.meaning or "")
        )
        # Pieces of multi-word tags as WikiLeaks' index split them (`COUNTER`, `ORGANIZED`).
        self.fragments: frozenset[str] = frozenset(
            key
            for key, info in table.items()
            if info.kind == "other" and _is_fragment(info.meaning or "")
        )
        # Personal-name tags by surname: (`STEINBERG, JAMES B.`, [`JAMES`, `B.`]).
        self.persons: dict[str, list[tuple[str, list[str]]]] = {}
        for key, info in table.items():
            if info.kind == "person" and ", " in key:
                surname, _, given = key.upper().partition(", ")
                self.persons.setdefault(surname, []).append((key.upper(), given.split()))
        self.name_words: frozenset[str] = frozenset(
            word.strip(",")
            for key, info in table.items()
            if info.kind == "person"
            for word in key.upper().split()
        )
        # Multi-word organizations (`EL AL`, `AER LINGUS`) by their first word.
        self.phrases: dict[str, list[list[str]]] = {}
        for key, info in table.items():
            words = key.upper().split()
            if len(words) > 1 and info.kind in _CODE_KINDS and info.kind != "person":
                self.phrases.setdefault(words[0], []).append(words)
        self.four: frozenset[str] = frozenset(
            key for key, info in table.items() if info.kind in _PIECE_KINDS and len(key) == 4
        )
        self.two: frozenset[str] = frozenset(
            key for key, info in table.items() if info.kind == "country" and len(key) == 2
        )
        # English words that read as codes run together (`SOCIAL` = SOCI + AL): never cut.
        self.english: frozenset[str] = code_words()

    def is_code(self, word: str) -> bool:
        """A code of the table, or a non-standard code seen in real TAGS lines."""
        return word in self.codes or word in self.odd_codes

    def is_name_word(self, word: str) -> bool:
        if word in self.name_words:
            return True
        return (
            bool(_NAME_WORD.match(word)) and not self.is_code(word) and word not in self.fragments
        )


def _is_fragment(meaning: str) -> bool:
    # `fragment of the multi-word TAG "COUNTER TERRORISM"`, `POL MIL (political-military) split`.
    return meaning.startswith("fragment of") or meaning.endswith(" split")


_vocabulary: list[_Vocabulary] = []


def _words() -> _Vocabulary:
    if not _vocabulary:
        _vocabulary.append(_Vocabulary())
    return _vocabulary[0]


def split_tags(text: str) -> list[str]:
    """`OVIP (CLINTON, HILLARY), PGOV PREL,` → [`OVIP`, `CLINTON, HILLARY`, `PGOV`, `PREL`].

    Codes are separated by spaces and commas. A person is written in parentheses or, after
    OVIP, as words that are no codes (`OVIP RICE CONDOLEEZZA` → `RICE, CONDOLEEZZA`). Words
    of free text stay one tag (`Organized Crime`, `COUNTER TERRORISM`, `ELECTIONS IN IRAQ`).
    A word that is no TAG but two known ones run together is cut (`ECONPGOV` → `ECON`,
    `PGOV`). Each tag is kept once, where it first stands.
    """
    return list(_split_tags(text))


# A post sends many cables with the same TAGS line: each is read once (a tuple, so no
# caller can change what the next one gets).
@lru_cache(maxsize=4096)
def _split_tags(text: str) -> tuple[str, ...]:
    found: list[str] = []
    # Items of a list written with commas may hold words of free text; in a list written
    # with spaces alone every word is a code unless it reads as free text.
    commas = "," in _PERSON.sub(" ", text) or ";" in text
    position = 0
    for match in _PERSON.finditer(text):
        found.extend(_codes(text[position : match.start()], commas))
        name = _COMMA.sub(", ", " ".join(match.group(1).upper().split())).strip(" ,")
        if name:
            found.append(_person(name))
        position = match.end()
    found.extend(_codes(text[position:], commas))
    seen: set[str] = set()
    result: list[str] = []
    for tag in found:
        if tag and tag not in seen:
            seen.add(tag)
            result.append(tag)
    return tuple(result)


class _Word:
    """One word of a TAGS list: as written, upper-cased, and whether a comma stood before it."""

    def __init__(self, written: str, comma: bool) -> None:
        self.written = written
        self.upper = written.upper().strip(".-")
        self.comma = comma


def _codes(text: str, commas: bool) -> list[str]:
    words: list[_Word] = []
    comma = False
    for token in _TOKEN.findall(text):
        if token in ",;":
            comma = True
            continue
        word = _Word(token, comma)
        comma = False
        if word.upper:
            words.append(word)
    found: list[str] = []
    item: list[_Word] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word.comma and item:
            found.extend(_item(item, commas))
            item = []
        if word.upper == _VISIT:
            taken, person = _visitor(words, index + 1)
            if person:
                found.extend(_item(item, commas))
                found.extend((_VISIT, person))
                item = []
                index += 1 + taken
                continue
        item.append(word)
        index += 1
    found.extend(_item(item, commas))
    return found


def _visitor(words: list[_Word], start: int) -> tuple[int, str | None]:
    """The person after OVIP (`RICE CONDOLEEZZA`, `RICE, CONDOLEEZZA`): words taken, name."""
    vocabulary = _words()
    name: list[str] = []
    index = start
    while index < len(words) and len(name) < _MAX_NAME_WORDS:
        word = words[index]
        # A comma may stand before the surname and between surname and given name only.
        if (word.comma and len(name) >= 2) or not vocabulary.is_name_word(word.written.upper()):
            break
        name.append(word.written.upper().rstrip(",;"))
        index += 1
    # Two words shaped like country or subject codes (`KWMN`, `XY`) are more likely codes
    # the table lacks than a name: a name has a word no code looks like (`RICE`, `JOSEPH`).
    if len(name) < 2 or all(_CODE_SHAPE.match(w) for w in name):
        return 0, None
    return len(name), _person(f"{name[0]}, {' '.join(name[1:])}")


def _person(name: str) -> str:
    """A personal-name tag as `SURNAME, GIVEN NAMES`, in the TAGS table's spelling.

    `(RICE CONDOLEEZZA)` without its comma gets one after the surname (two to four name
    words, as after OVIP). A name the table lists under the same surname, with given names
    that agree as far as both go (an initial standing for its name), is written as the table
    has it: `STEINBERG, JAMES` → `STEINBERG, JAMES B.`, `CLINTON, HILLARY RODHAM` →
    `CLINTON, HILLARY`. Only one such table name may fit; otherwise the name stays as written.
    """
    vocabulary = _words()
    if "," not in name:
        words = name.split()
        if not 2 <= len(words) <= _MAX_NAME_WORDS or not all(
            vocabulary.is_name_word(w) for w in words
        ):
            return name
        if all(_CODE_SHAPE.match(w) for w in words):
            return name
        name = f"{words[0]}, {' '.join(words[1:])}"
    surname, _, given = name.partition(", ")
    fits = [
        spelled
        for spelled, table_given in vocabulary.persons.get(surname, [])
        if _same_given(given.split(), table_given)
    ]
    return fits[0] if len(fits) == 1 else name


def _same_given(written: list[str], table: list[str]) -> bool:
    """`JAMES` and `JAMES B.`, `J.` and `JAMES`: the given names agree as far as both go."""
    if not written or not table:
        return False
    for one, other in zip(written, table, strict=False):
        one, other = one.rstrip("."), other.rstrip(".")
        if one == other:
            continue
        if (len(one) == 1 and other.startswith(one)) or (len(other) == 1 and one.startswith(other)):
            continue
        return False
    return True


# Classes of a word in a TAGS list.
_CODE_WORD: Final = 0  # a code the table knows, or a non-standard one seen in real lists
_FREE_WORD: Final = 1  # a word of free text (`ELECTIONS`, `Organized`, `COUNTER`)
_UNKNOWN_WORD: Final = 2  # shaped like a code, but no table knows it (`IRAQ`, `KWMN`)
_RUN_ON_WORD: Final = 3  # known codes run together (`ECONPGOV`)


def _item(item: list[_Word], commas: bool) -> list[str]:
    """The tags of one comma-separated item (or of a list written with spaces alone)."""
    if not item:
        return []
    vocabulary = _words()
    words = _join_phrases([w.upper for w in item], vocabulary)
    same = len(words) == len(item)
    kinds = [
        _kind(word, vocabulary, same and _capitalised(item[index].written))
        for index, word in enumerate(words)
    ]
    # A run-together word in free text is a word of the text (`SOCIAL ISSUES`, not SOCI, AL).
    for index, kind in enumerate(kinds):
        if kind == _RUN_ON_WORD:
            if commas:
                in_text = _FREE_WORD in kinds
            else:
                in_text = (index > 0 and kinds[index - 1] == _FREE_WORD) or (
                    index + 1 < len(kinds) and kinds[index + 1] == _FREE_WORD
                )
            kinds[index] = _FREE_WORD if in_text else _CODE_WORD
    spans = _text_spans(kinds, commas)
    result: list[str] = []
    index = 0
    while index < len(words):
        end = spans.get(index, 0)
        if end:
            result.append(" ".join(words[index:end]))
            index = end
            continue
        pieces = _run_on(words[index], vocabulary) if kinds[index] == _CODE_WORD else None
        result.extend(pieces if pieces else [words[index]])
        index += 1
    return result


def _kind(word: str, vocabulary: _Vocabulary, capitalised: bool) -> int:
    if vocabulary.is_code(word):
        return _CODE_WORD
    # A word written Capitalised (`Organized`) is a word of text, never a code.
    if capitalised or word in vocabulary.fragments:
        return _FREE_WORD
    if _run_on(word, vocabulary):
        return _RUN_ON_WORD
    return _UNKNOWN_WORD if _CODE.match(word) else _FREE_WORD


def _capitalised(written: str) -> bool:
    return len(written) > 1 and written[0].isupper() and written[1:].islower()


def _text_spans(kinds: list[int], commas: bool) -> dict[int, int]:
    """Runs of free text of two words or more, as {start: end}.

    In an item of a list written with commas the text runs from its first word that is no
    code to its last, known codes inside it included (`ELECTIONS IN IRAQ`: IN is India);
    known codes before and after it stay codes (`PREL PGOV IRAQI FREEDOM`). In a list
    written with spaces alone a run is the words next to each other that are no codes,
    less code-shaped unknown words at its ends (`YM COUNTER TERRORISM`).
    """
    if _FREE_WORD not in kinds:
        return {}
    if commas:
        text = [i for i, kind in enumerate(kinds) if kind != _CODE_WORD]
        start, end = text[0], text[-1] + 1
        return {start: end} if end - start >= 2 else {}
    spans: dict[int, int] = {}
    index = 0
    while index < len(kinds):
        if kinds[index] == _CODE_WORD:
            index += 1
            continue
        end = index
        while end < len(kinds) and kinds[end] != _CODE_WORD:
            end += 1
        start, stop = index, end
        while start < stop and kinds[start] == _UNKNOWN_WORD:
            start += 1
        while stop > start and kinds[stop - 1] == _UNKNOWN_WORD:
            stop -= 1
        if stop - start >= 2:
            spans[start] = stop
        index = end
    return spans


def _join_phrases(words: list[str], vocabulary: _Vocabulary) -> list[str]:
    """Words of a multi-word organization (`EL AL`) joined into one."""
    if not any(w in vocabulary.phrases for w in words):
        return words
    joined: list[str] = []
    index = 0
    while index < len(words):
        for phrase in vocabulary.phrases.get(words[index], []):
            if words[index : index + len(phrase)] == phrase:
                joined.append(" ".join(phrase))
                index += len(phrase)
                break
        else:
            joined.append(words[index])
            index += 1
    return joined


def _run_on(word: str, vocabulary: _Vocabulary) -> list[str] | None:
    """`ECONPGOV` → [`ECON`, `PGOV`]: a word that is no TAG, cut into known ones.

    Pieces are subject and program codes (four letters) and at most one country code (two
    letters): `EINDETRD`, `KDEMAF`, `PRELIZ`. Two country codes alone are not cut (`GTMO`
    would read as Guatemala and Morocco), nor an English word that happens to read as codes
    (`SOCIAL` is no SOCI + AL, `PREFER` no PREF + ER, `THEMES` no TH + EMES: the bundled
    code_words table, from English dictionaries and the corpus's own text).
    """
    if (
        len(word) < 6
        or word in vocabulary.codes
        or not word.isalpha()
        or word in vocabulary.english
    ):
        return None
    found: list[list[str]] = []
    _cut(word, [], vocabulary, found)
    # Only a word that cuts one way is cut.
    return found[0] if len(found) == 1 else None


def _cut(rest: str, pieces: list[str], vocabulary: _Vocabulary, found: list[list[str]]) -> None:
    if not rest:
        if len(pieces) >= 2 and sum(len(p) == 2 for p in pieces) <= 1:
            found.append(list(pieces))
        return
    if len(found) > 1:
        return
    if rest[:4] in vocabulary.four:
        _cut(rest[4:], [*pieces, rest[:4]], vocabulary, found)
    if rest[:2] in vocabulary.two:
        _cut(rest[2:], [*pieces, rest[:2]], vocabulary, found)


# Captions that may stand under the TAGS line: never tags.
_CAPTION_WORDS: Final = frozenset({"SIPDIS", "NOFORN", "EXDIS", "NODIS", "LIMDIS", "FOR", "PASS"})


def _continues_list(text: str, following: str) -> bool:
    """Whether `following` (the next line) continues the TAGS list `text`."""
    if not _TAG_CONTINUATION.match(following):
        return False
    words = [w.strip(".") for w in _PERSON.sub(" ", following).upper().replace(",", " ").split()]
    if not words or any(w in _CAPTION_WORDS for w in words):
        return False
    vocabulary = _words()
    known = sum(vocabulary.is_code(w) for w in words)
    if text.rstrip().endswith((",", ";")):
        # The list says it goes on: codes, or a few words of a free-text tag.
        return known > 0 or len(words) <= 3
    # Without a comma to say so, a line continues the list only when it clearly is more
    # codes (`LY`, `QA, AE`, `YI, UNO, IR, LE`), written in one case: every word, or all
    # but one of three or more, a code the table knows.
    if not (following.isupper() or following.islower()):
        return False
    return known == len(words) or (len(words) >= 3 and known >= len(words) - 1)


def tags_rule(state: ParseState) -> bool:
    if not head(state.line).startswith("TAG"):
        return False
    match = TAGS_LINE.match(state.line)
    if not match:
        return False
    text = state.line[match.end() :]
    state.pos += 1
    # SUBJECT_INLINE needs a `:`, tested first (the pattern is tried at every position).
    while not (":" in text and SUBJECT_INLINE.search(text)) and not state.at_end:
        following = state.line.strip()
        # The continued list may end in the subject (`prel, pgov Subject: pm maliki ...`).
        subject = SUBJECT_INLINE.search(following) if ":" in following else None
        codes = following[: subject.start()].strip() if subject else following
        if (
            not codes
            or is_caption_item(following)
            or PARAGRAPH_START.match(following)
            or not _continues_list(text, codes)
        ):
            break
        text += " " + following
        state.pos += 1
    subject = SUBJECT_INLINE.search(text) if ":" in text else None
    if subject:
        # `TAGS: ... SUBJECT: ...` on one line: hand the subject back to its own rule.
        state.hand_back(text[subject.start() :])
        text = text[: subject.start()]
    state.cable.tags.extend(t for t in split_tags(text) if t not in state.cable.tags)
    return True
