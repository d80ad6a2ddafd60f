"""Finding a redacted name in any text a cable yields, however the text dresses it.

A name must be found in any case, split across line breaks, with telegraph artefacts
around it (`Soleimani,s`, `&Soleimani8`), in the raw text and in the repaired reading
text alike. So each word of the name must stand alone (no letter on either side), and
between words any run of spaces, line breaks or punctuation is accepted.

The same name also hides in other dresses, and each must be burned as surely:

- a plural or possessive of its last word (`Karzais`, `Karzai's`, `Karzais'`,
  `Karzai’s`, `Lopezes`): the endings s, es, 's, s', ’s, and no other (a rule `Ali`
  never burns `Alias` or `Algeria`);
- accents, either way (a rule `Jose Lopez` burns `José López`, a rule `José López`
  burns `Jose Lopez`), precomposed or with combining marks (`Lo\u0301pez`);
- invisible characters inside a word (soft hyphen U+00AD; zero-width U+200B, U+200C,
  U+200D, U+2060, U+FEFF): `Kar\u00adzai`;
- a word hyphenated across a line break (`Sar-\\nkozy`).

Such a character or line-break hyphen counts both ways: inside the name it joins, beside
it it separates (as the index's tokenizer does). So `Karzai-\\nled` is burned, and so,
failing closed, is the `Ali` of `Ali\u00adas`.

Whether a text may hold a name is decided first on its *folded* form (`fold`), lower-
cased, accents off, invisible characters and line-break hyphens removed: every match of
a pattern has its first word, folded, as a substring of the folded text, and as one of
the text's `name_keys`. The index keeps those keys of each cable (archive.prepare), so a
new rule re-indexes every cable it can match, whatever dress the name wears there.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from cabledesk.record.words import WORD
from cabledesk.redact.model import Rule

# Between the words of a name: whitespace, line breaks and punctuation, never letters.
_GAP = r"[\W_]+"
# Characters that draw nothing and may sit inside a word.
IGNORABLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# Combining marks (an accent written after its letter).
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# A word cut at the end of a line: `Sar-` / `kozy`; once the lines of a paragraph are
# joined, it reads `Sar-kozy` (or `Sar- kozy`), so the line break itself is optional; a
# page break or repair may leave a blank line in the cut (`Afr-\n\nicom`).
_BREAK = r"-[ \t]*(?:\r?\n[ \t]*){0,2}"
# What may stand between two letters of one word.
_JOIN = rf"(?:[{IGNORABLE}]|{_BREAK})"
_JOINS = re.compile(_JOIN)
# The endings of a plural or a possessive, longest first so the whole ending is burned.
_SUFFIX = rf"(?:s['’]|['’]s|{_JOIN}*(?:e[{_MARKS}]*{_JOIN}*)?s)?"
_LETTER = r"[^\W\d_]"
_ALNUM = re.compile(r"[^\W_]+")
# Pieces of a run: letters and digits apart (a name may touch a digit, `&Soleimani8`).
_PIECE = re.compile(r"\d+|[^\W\d_]+")
# Only a hyphen before a letter or digit can cut a word (not `--` rules); the one before
# it is checked by hand (a lookbehind would cost the regex its fast scan for `-`).
_BREAK_RE = re.compile(rf"{_BREAK}(?=[^\W_])")
# Joining characters other than line-break hyphens; combining marks join too (the
# index's tokenizer cuts `Lo\u0301pez` at the mark).
_JOINER = re.compile(rf"[{IGNORABLE}{_MARKS}]+")
_HEAD = re.compile(r"[^\W_]+")
# How far back from a joining character a word is looked for (no name is longer).
_REACH = 64
# Letters that carry no decomposition but read as a plain letter in names.
_EXTRA = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "ŧ": "t", "ŀ": "l"}
# Where accented Latin letters live (Latin-1, Extended-A and -B, Extended Additional) and
# the fullwidth forms.
_RANGES = ((0x00C0, 0x0250), (0x1E00, 0x1F00), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B))


def _base(char: str) -> str:
    """The plain letter an accented letter reads as (`é` → `e`), or the letter itself."""
    lowered = char.lower()
    if lowered in _EXTRA:
        return _EXTRA[lowered]
    stripped = "".join(
        c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c)
    )
    return stripped if len(stripped) == 1 and stripped.isalpha() else lowered


@cache
def _tables() -> tuple[dict[int, str | None], dict[int, str | None], dict[str, str]]:
    """(a str.translate table folding letters to their base and dropping combining marks;
    the same dropping invisible characters too; each base letter's regex class of every
    letter that folds to it)."""
    table: dict[int, str | None] = {}
    spelled: dict[str, set[str]] = {}
    for low, high in _RANGES:
        for point in range(low, high):
            char = chr(point)
            if not char.isalpha():
                continue
            base = _base(char)
            if base != char and len(base) == 1:
                table[point] = base
                spelled.setdefault(base, {base}).update({char, char.lower(), char.upper()})
    for low, high in ((0x0300, 0x0370), (0x1AB0, 0x1B00), (0x1DC0, 0x1E00), (0x20D0, 0x2100)):
        for point in range(low, high):
            if unicodedata.combining(chr(point)):
                table[point] = None
    for point in range(0xFE20, 0xFE30):
        table[point] = None
    joined = {**table, **{ord(char): None for char in IGNORABLE}}
    classes = {
        base: "[" + "".join(re.escape(c) for c in sorted(chars) if len(c) == 1) + "]"
        for base, chars in spelled.items()
    }
    return table, joined, classes


def fold(text: str) -> str:
    """`text` lower-cased, accents off, invisible characters and line-break hyphens out:
    `José Kar\u00adzai` and `Sar-\\nkozy` read `jose karzai` and `sarkozy`."""
    folded = text.lower().translate(_tables()[1])
    return _JOINS.sub("", folded) if "-" in folded else folded


# A first word cut into more pieces than this (by invisible characters or line-break
# hyphens) is not spelled out among a text's keys; ANY_NAME stands for it instead.
_MOST_PIECES = 12
# The key of a text where any name might hide (see name_keys): every rule is tried on it.
ANY_NAME = "*"


def _alnum(char: str) -> bool:
    return char.isalnum()


def _joined_runs(text: str) -> list[str]:
    """The runs of letters and digits with joining characters inside (`sar-\\nkozy`,
    `kar\\u00adzai`, `lo\\u0301pez`), found from the joining characters, which are rare."""
    joins = [m.span() for m in _BREAK_RE.finditer(text)] if "-" in text else []
    if not text.isascii():
        joins = sorted(joins + [m.span() for m in _JOINER.finditer(text)])
    runs: list[str] = []
    start = end = -1
    for join_start, join_end in joins:
        right = _HEAD.match(text, join_end)
        # The word before the join, read backwards (a regex would try every start).
        left = join_start
        while left > join_start - _REACH and left > 0 and _alnum(text[left - 1]):
            left -= 1
        if right is None or left == join_start:
            continue
        if end < left or start == -1:  # not the run the previous join was in
            if start != -1:
                runs.append(text[start:end])
            start = left
        end = right.end()
    if start != -1:
        runs.append(text[start:end])
    return runs


def _stretches(pieces: list[str], keys: set[str]) -> None:
    """Add every stretch of consecutive pieces to keys (ANY_NAME when there are too many
    to spell out)."""
    if len(pieces) > _MOST_PIECES:
        keys.add(ANY_NAME)
    for start in range(len(pieces)):
        for end in range(start + 1, min(len(pieces), start + _MOST_PIECES) + 1):
            keys.add("".join(pieces[start:end]))


def joined_keys(text: str) -> set[str]:
    """The keys of the words of `text` that the index's tokenizer cuts in pieces (at
    invisible characters, line-break hyphens, combining marks): every stretch of their
    pieces, folded. The index keeps them (archive.prepare), so that a new rule finds a
    cable where the name stands only as `Kar\\u00adzai` or `Sar-\\nkozy`; whole words,
    accented or plural, it finds in the text fields themselves (editorial.affected_ids)."""
    keys: set[str] = set()
    table = _tables()[0]
    # A cable writes the same words again and again (`long-term`): each run once.
    for run in dict.fromkeys(_joined_runs(text.lower())):
        _stretches(_PIECE.findall(_JOINS.sub(" ", run).translate(table)), keys)
    return keys


def name_keys(text: str) -> set[str]:
    """Every word a name's first word could be in `text`, folded: each run of letters and
    digits, cut at invisible characters, line-break hyphens and where letters meet digits,
    as every stretch of its consecutive pieces (`al-\\nMaliki` gives al, maliki and
    almaliki), and each without a plural ending. A pattern can match `text` only if its
    first word, folded, is one of these (or the text has ANY_NAME, a word cut into too
    many pieces to spell out)."""
    folded = text.lower().translate(_tables()[0])
    keys = set(_ALNUM.findall(folded))
    for word in [w for w in keys if not (w.isalpha() or w.isdigit())]:
        _stretches(_PIECE.findall(word), keys)
    keys |= joined_keys(text)
    keys |= {k[:-1] for k in keys if k.endswith("s")}
    keys |= {k[:-1] for k in keys if k.endswith("e")}  # `es`, once the s is off
    return keys


def term_pattern(word: str) -> str:
    """A regular expression (tantivy's syntax) for an index term that holds `word`:
    digits before it, any accented form of its letters, anything after (a plural ending,
    digits). The index's tokenizer keeps `soleimani8` and `lópez` whole."""
    classes = _tables()[2]
    letters = "".join(classes.get(_base(c), re.escape(c)) for c in fold(word))
    return f"[0-9]*{letters}.*"


def _letter(char: str) -> str:
    """The pattern of one letter of a name: any accented form of it, its marks after."""
    base = _base(char)
    spelled = _tables()[2].get(base, re.escape(base))
    return spelled + f"[{_MARKS}]*"


def _word(word: str) -> str:
    return (_JOIN + "*").join(_letter(c) for c in word)


@dataclass(frozen=True, slots=True)
class NamePattern:
    rule: Rule
    pattern: re.Pattern[str]
    # Folded first words; a text whose folded form lacks all of them cannot match.
    firsts: tuple[str, ...]

    def sub(self, replacement: str, text: str, folded: str | None = None) -> str:
        """`text` with every match replaced; `folded` is `fold(text)` when the caller
        has it already (one fold of a string serves every pattern)."""
        folded = fold(text) if folded is None else folded
        if not any(first in folded for first in self.firsts):
            return text
        return self.pattern.sub(replacement, text)


def forms(rule: Rule) -> list[list[str]]:
    """The words of the name and of each variant; empty forms are dropped. Invisible
    characters typed or pasted into a rule do not split its words."""
    found = []
    for form in [rule.text, *rule.variants]:
        words = WORD.findall(form.translate({ord(c): None for c in IGNORABLE}))
        if words:
            found.append(words)
    return found


def compile_rule(rule: Rule) -> NamePattern | None:
    """The pattern of a name or span rule (None when it has no words to look for)."""
    if rule.kind == "paragraph":
        return None
    alternatives = [
        _GAP.join(_word(word) for word in words) + _SUFFIX
        for words in sorted(forms(rule), key=lambda w: -sum(map(len, w)))
    ]
    if not alternatives:
        return None
    # No letter may touch the name; a digit may (`&Soleimani8` is a repaired quote).
    pattern = re.compile(
        rf"(?<!{_LETTER})(?:" + "|".join(alternatives) + rf")(?!{_LETTER})", re.IGNORECASE
    )
    firsts = tuple(sorted({fold(words[0]) for words in forms(rule)}))
    return NamePattern(rule, pattern, firsts)
