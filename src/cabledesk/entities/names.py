"""How names are compared: one key for every spelling of a name a cable may use.

`Nouri al-Maliki`, `Nuri al-Maliki`, `NOURI AL-MALIKI` and `Nouri Al Maliki` share the key
`nuri maliki`: case, accents, apostrophes, hyphens, the article `al-`/`el-` and the common
transliteration pairs (`ou`/`u`, `ee`/`i`, `q`/`k`, `dh`/`d`, `kh`/`k`, doubled letters)
do not tell two people apart in cables. Anything more (Gaddafi and Qadhafi) is left to
editors' merges (docs/entities.md).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Articles and particles that cables write, drop or attach at will.
PARTICLES: frozenset[str] = frozenset({"al", "el", "al-", "el-", "the"})
_NON_WORD = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
_FOLDS: tuple[tuple[str, str], ...] = (
    ("ou", "u"),
    ("ee", "i"),
    ("oo", "u"),
    ("dh", "d"),
    ("kh", "k"),
    ("q", "k"),
    ("ph", "f"),
)
_DOUBLE = re.compile(r"([a-z])\1+")


@lru_cache(maxsize=65536)
def plain(text: str) -> str:
    """Lower case, accents off, any punctuation a space: `Khamene'i` -> `khamene i`."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    lowered = ascii_only.lower().replace("'", "").replace("’", "").replace("`", "")
    return _SPACES.sub(" ", _NON_WORD.sub(" ", lowered)).strip()


def _fold(word: str) -> str:
    for old, new in _FOLDS:
        word = word.replace(old, new)
    return _DOUBLE.sub(r"\1", word)


def name_words(text: str) -> list[str]:
    """The words of a name that identify it, folded: particles and possessive `s` off."""
    words = plain(text).split()
    if len(words) > 1 and words[-1] == "s":
        words = words[:-1]  # `Maliki's` became `maliki s`
    kept = [w for w in words if w not in PARTICLES]
    if len(kept) > 2:
        # Middle initials come and go: `Ryan C. Crocker` is `Ryan Crocker`.
        kept = [kept[0], *(w for w in kept[1:-1] if len(w) > 1), kept[-1]]
    return [_fold(w) for w in (kept or words)]


def name_key(text: str) -> str:
    return " ".join(name_words(text))


def surname_key(text: str) -> str:
    """The key of a person's last name: `Nouri al-Maliki` and `MALIKI` give `maliki`."""
    words = name_words(text)
    return words[-1] if words else ""


def entity_key(kind: str, name: str) -> str:
    return f"{kind}:{name_key(name)}"


def title_case(word: str) -> str:
    """An all-caps word as a name is written: `AL-MALIKI` -> `al-Maliki`,
    `O'BRIEN` -> `O'Brien`, `MCDONALD` -> `Mcdonald` (cables give no better clue)."""
    if not word.isupper():
        return word
    parts = re.split(r"([\-'’])", word.lower())
    out = []
    for index, part in enumerate(parts):
        if part in ("al", "el") and index == 0 and len(parts) > 1:
            out.append(part)
        else:
            out.append(part[:1].upper() + part[1:])
    return "".join(out)


def person_name(text: str) -> str:
    """How a person's name is shown: `DOE, JOHN` -> `John Doe`, `CROCKER` -> `Crocker`."""
    text = text.strip().strip(",;.")
    if text.count(",") == 1:
        last, first = (part.strip() for part in text.split(","))
        if last and first and " " not in last.strip():
            text = f"{first} {last}"
    words = text.split()
    if text.isupper() or all(w.isupper() for w in words if any(c.isalpha() for c in w)):
        words = [title_case(w) for w in words]
    return " ".join(words)


def shown_name(spellings: list[tuple[str, int]]) -> str:
    """The name to show for an entity from the spellings a reader sees, with how often
    each is used: the fullest (most name words once titles are off the front), then the
    most used. Empty when there is none."""
    from cabledesk.entities.titles import person_titles

    titles = person_titles()

    def untitled(text: str) -> str:
        words = text.split()
        while len(words) > 1 and plain(words[0]) in titles:
            words = words[1:]
        return " ".join(words)

    best = ""
    best_rank: tuple[int, int] = (-1, -1)
    for spelling, count in spellings:
        name = untitled(spelling.strip())
        rank = (len(name_words(name)), count)
        if name and rank > best_rank:
            best, best_rank = name, rank
    return person_name(best) if best and best.isupper() else best
