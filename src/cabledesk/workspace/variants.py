"""Spelling and transliteration variants (docs/search.md, "Spelling variants"): a search
for `Hezbollah` also finds `Hizballah` and `Hizbollah`, `Qaddafi` finds `Qadhafi` and
`Gaddafi`, `Khamenei` finds `Khamene'i`.

The groups are learnt from the archive's own vocabulary, never from a hand list, and
always from ONE READER'S vocabulary: the words of the index fields that reader searches
(`Scope.of(viewer)`: text at or below their ceiling, NOFORN text only if they are not
foreign, the published edition only for the public, redactions burned in; `withheld` for
editors). A word that appears only in text a reader may not see, or only where an
editor's rule burns it, is not in that reader's vocabulary, so no group shown to them can
hold it (tests/test_variants.py checks both).

Two kinds of variant:

- **Groups** of single words (`hezbollah`, `hizballah`, `hizbollah`): name-like words
  (four letters at least, in at least `MIN_COUNT` documents, not among the common English
  words of data/entities/common_words.txt, since the index keeps no capitals) with the
  same consonants after transliteration rules (`normal`, `skeleton`), differing from the
  group's most frequent spelling in at most `_vowels_allowed` vowels (`spelled_alike`).
  Leader clustering (each word joins the first, most frequent, group whose leader is
  near enough) keeps chains from merging names. The index keeps no capitals, so the
  words that would join a group are then checked in a few of the reader's own cables
  (`Capitalised`, given by the facade): a word written in lower case inside sentences
  more often than capitalised (`hungry`, `caption`) is not a name and joins nothing.
- **Entity names**, when the reader's entity summary is there (docs/entities.md): two
  words that spell one entity's name two ways (`Nuri`/`Nouri` among the names of Nouri
  al-Maliki; `loosely_alike`) join one group even where the rules above would not offer
  them (a word seen once, a word only in all-capitals cables, whose capitalisation says
  nothing). Only names every word of which is in the reader's vocabulary count (a name
  an editor's rule burns is not).
- **Articles**: `al-Maliki` also searches `el-Maliki` and `Maliki` (where they occur).
- **Joins**: a word the index also holds cut in two by an apostrophe, a hyphen or a space
  (`Khamene'i`, `Ahmadi-Nejad`, `al-Qaeda`): `khamenei` also searches the phrase
  `khamene i` when that phrase occurs in the reader's view, and a query written
  `Khamene'i` also searches `khamenei` when the reader's vocabulary has it. Checked when
  a query asks (a phrase count in the reader's own index), not stored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import tantivy

from cabledesk.entities.titles import common_words
from cabledesk.query.scope import Scope

MIN_LENGTH = 4
# Documents (summed over the reader's fields) a word must be in to be learnt: a spelling
# seen once is too often a typo or an OCR slip to offer as "also searched".
MIN_COUNT = 2
# Spellings offered per word: the most frequent first.
MAX_VARIANTS = 6
# The Arabic article as transliterations write it before a name (`al-Maliki`, `el-Baradei`).
ARTICLES = ("al", "el")
# Shortest first part of a join (`al` in `alqaeda` is too short to say anything).
MIN_JOIN_PART = 3

# Applied in order to a folded word: the letters transliterations of Arabic and Persian
# names write in several ways (q/k, g/k at the start, kh/k, gh/k, dh/d, ph/f, ou/oo/u,
# ee/i, y/i, a final -ah/-eh). `c` and an inner `g` are left alone: mapped, they made
# `green`, `crown` and `karen` one group.
_DIGRAPHS = (
    ("kh", "k"),
    ("gh", "k"),
    ("dh", "d"),
    ("ph", "f"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("q", "k"),
    ("y", "i"),
)
_VOWELS = frozenset("aeiou")
_DOUBLE = re.compile(r"(.)\1+")
_LETTERS = re.compile(r"^[a-z]+$")


def fold(word: str) -> str:
    """Lower case, accents dropped (`Qadhdhāfī` -> `qadhdhafi`)."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normal(word: str) -> str:
    """The spelling with transliteration choices undone: digraphs replaced, e/i and o/u
    made one vowel each, doubled letters single, a final -ah/-eh as -a/-e
    (`hezbollah` -> `hizbula`, `qaddafi` and `gadhafi` -> `kadafi`)."""
    w = fold(word)
    if w.startswith("g"):
        w = "k" + w[1:]
    for written, said in _DIGRAPHS:
        w = w.replace(written, said)
    w = w.replace("e", "i").replace("o", "u")
    w = _DOUBLE.sub(r"\1", w)
    if len(w) > 3 and w.endswith("h") and w[-2] in _VOWELS:
        w = w[:-1]
    return w


def _slots(spelled: str) -> tuple[str, list[str]]:
    """The consonants of a normal spelling, and the vowels before, between and after
    them (`hizbula` -> `hzbl`, ['', 'i', '', 'u', 'a'])."""
    consonants, vowels = [], [""]
    for letter in spelled:
        if letter in _VOWELS:
            vowels[-1] += letter
        else:
            consonants.append(letter)
            vowels.append("")
    return "".join(consonants), vowels


def skeleton(word: str) -> str:
    """The bucket of candidate spellings: the consonants of `normal(word)`, and whether
    it starts and ends with a vowel (`iraq` and `iraqi` differ there: a suffix, not a
    spelling)."""
    consonants, vowels = _slots(normal(word))
    return f"{'v' if vowels[0] else ''}{consonants}{'v' if vowels[-1] else ''}"


def _vowels_allowed(spelled: str) -> int:
    """Vowels that may differ between two spellings of one name: none up to six letters
    (`khamenei`/`khomeini` are two men), one up to nine, two beyond."""
    return 0 if len(spelled) <= 6 else 1 if len(spelled) <= 9 else 2


def spelled_alike(leader: str, word: str) -> bool:
    """The same consonants once normalised, the same first and last vowel, and at most
    `_vowels_allowed` vowels apart in between."""
    consonants, vowels = _slots(leader)
    others, other_vowels = _slots(word)
    if consonants != others or len(vowels) != len(other_vowels):
        return False
    if vowels[0] != other_vowels[0] or vowels[-1] != other_vowels[-1]:
        # An ending (`argentina`/`argentine`, `somalia`/`somali`), not a spelling.
        return False
    differing = sum(a != b for a, b in zip(vowels, other_vowels, strict=True))
    return differing <= _vowels_allowed(leader)


def name_like(word: str, count: int, common: frozenset[str]) -> bool:
    return (
        count >= MIN_COUNT
        and len(word) >= MIN_LENGTH
        and _LETTERS.match(word) is not None
        and word not in common
    )


@dataclass(frozen=True, slots=True)
class Groups:
    """One reader's variant groups: each learnt word and the other spellings of its
    group, most frequent first; `vocabulary` holds every word the reader's fields hold
    (with counts), for the joins."""

    variants: Mapping[str, tuple[str, ...]]
    vocabulary: Mapping[str, int]

    @property
    def groups(self) -> list[tuple[str, ...]]:
        """Every group once, each most frequent spelling first."""
        seen: dict[frozenset[str], tuple[str, ...]] = {}
        for word, others in self.variants.items():
            members = sorted({word, *others}, key=lambda w: (-self.vocabulary.get(w, 0), w))
            seen.setdefault(frozenset(members), tuple(members))
        return sorted(seen.values())


# Of candidate words, those the reader's own text writes as names (capitalised).
Capitalised = Callable[[list[str]], set[str]]

_NAME_WORD = re.compile(r"[^\W\d_]+")


def loosely_alike(a: str, b: str) -> bool:
    """Two words of ONE entity's names spelled alike enough to be one word written two
    ways: the same consonants once normalised, the same first and last vowel (an ending
    is still not a spelling: `iraq`/`iraqi`, `korea`/`korean`), and one vowel more
    allowed apart than between any two words (`jowzjan`/`jawzjan`, `nuri`/`nouri`)."""
    first, second = normal(a), normal(b)
    if first == second:
        return True
    consonants, vowels = _slots(first)
    others, other_vowels = _slots(second)
    if consonants != others or len(vowels) != len(other_vowels):
        return False
    if vowels[0] != other_vowels[0] or vowels[-1] != other_vowels[-1]:
        return False
    differing = sum(x != y for x, y in zip(vowels, other_vowels, strict=True))
    return differing <= _vowels_allowed(first) + 1


@dataclass(frozen=True, slots=True)
class EntityNames:
    """What one reader's entities say about words: pairs of words that spell one
    entity's name two ways (`alike`). (Tried and dropped: keeping apart words that name
    mostly people from words that name mostly places, `Turkey`/`Turki`: on the shared
    corpus one extraction slip, `Al Quds al Arabi` taken for a person, was enough to
    split `Quds`/`Qods`, and it kept `Turkey` with `Turki` anyway.)"""

    alike: frozenset[tuple[str, str]]


def entity_names(
    names: Iterable[tuple[int, str, str]], vocabulary: Mapping[str, int]
) -> EntityNames:
    """From (entity id, kind, name) rows of a reader's entity summary. A name counts only
    when each of its words is in the reader's vocabulary (fail closed: a name with a word
    the reader's text does not hold, one an editor's rule burns, says nothing)."""
    per_entity: dict[int, set[str]] = {}
    for entity_id, _kind, name in names:
        name_words = [fold(w) for w in _NAME_WORD.findall(name)]
        if not name_words or any(w not in vocabulary for w in name_words):
            continue
        for word in name_words:
            if len(word) >= MIN_LENGTH:
                per_entity.setdefault(entity_id, set()).add(word)
    alike: set[tuple[str, str]] = set()
    for words in per_entity.values():
        ordered = sorted(words)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if loosely_alike(a, b):
                    alike.add((a, b))
    return EntityNames(frozenset(alike))


def build(
    vocabulary: Mapping[str, int],
    common: frozenset[str] | None = None,
    capitalised: Capitalised | None = None,
    entities: EntityNames | None = None,
) -> Groups:
    """The groups of a reader's vocabulary (word -> documents holding it); `entities`:
    what the reader's entities say about its words."""
    common = common_words() if common is None else common
    buckets: dict[str, list[str]] = {}
    for word, count in vocabulary.items():
        if name_like(word, count, common):
            key = skeleton(word)
            if len(key.replace("v", "")) >= 3:
                buckets.setdefault(key, []).append(word)
    if capitalised is not None:
        candidates = sorted(w for words in buckets.values() if len(words) > 1 for w in words)
        names = capitalised(candidates)
        buckets = {key: [w for w in words if w in names] for key, words in buckets.items()}
    variants: dict[str, tuple[str, ...]] = {}
    groups: list[list[str]] = []
    for words in buckets.values():
        if len(words) < 2:
            continue
        words.sort(key=lambda w: (-vocabulary[w], w))
        leaders: list[tuple[str, list[str]]] = []
        for word in words:
            spelled = normal(word)
            for leader, members in leaders:
                if spelled_alike(normal(leader), spelled):
                    members.append(word)
                    break
            else:
                leaders.append((word, [word]))
        groups.extend(members for _, members in leaders if len(members) > 1)
    if entities is not None:
        groups = _with_entities(groups, entities, vocabulary, common)
    for members in groups:
        for word in members:
            variants[word] = tuple(m for m in members if m != word)[:MAX_VARIANTS]
    return Groups(variants, dict(vocabulary))


def _with_entities(
    groups: list[list[str]],
    entities: EntityNames,
    vocabulary: Mapping[str, int],
    common: frozenset[str],
) -> list[list[str]]:
    """The groups joined by the pairs one entity's names spell two ways."""
    parent: dict[str, str] = {}

    def root(word: str) -> str:
        parent.setdefault(word, word)
        while parent[word] != word:
            parent[word] = parent[parent[word]]
            word = parent[word]
        return word

    for members in groups:
        for word in members[1:]:
            parent[root(word)] = root(members[0])
    for a, b in entities.alike:
        if a in common or b in common:
            continue
        parent[root(a)] = root(b)
    joined: dict[str, list[str]] = {}
    for word in parent:
        joined.setdefault(root(word), []).append(word)
    result: list[list[str]] = []
    for members in joined.values():
        members.sort(key=lambda w: (-vocabulary.get(w, 0), w))
        if len(members) > 1:
            result.append(members)
    return result


def vocabulary(searcher: tantivy.Searcher, schema: tantivy.Schema, scope: Scope) -> dict[str, int]:
    """Every word of the fields `scope` searches, with the documents holding it (summed
    over the fields: a word in a cable's subject and text counts twice, which only
    ranks spellings). Limited to the published edition for the public.

    Always counted through a query: a term dictionary keeps the words of deleted
    documents until their segment is merged, so a cable indexed again after a redaction
    would still lend the redacted word its old count (the leak test found it)."""
    live = scope.restrict(schema, tantivy.Query.all_query())
    found: dict[str, int] = {}
    for name in dict.fromkeys((*scope.text_fields, *scope.subject_fields)):
        for term, count in searcher.terms_with_prefix(name, "", filter_query=live):
            if count > 0:
                found[term] = found.get(term, 0) + int(count)
    return found


# How many cables a word's capitalisation is read from.
CASE_SAMPLE = 3
_SENTENCE_END = frozenset(".!?:;\"'(\n")


def written_as_name(word: str, texts: Iterable[str]) -> bool:
    """Whether `texts` write `word` capitalised inside sentences more often than not (an
    all-capitals occurrence, or one opening a sentence, says nothing; with nothing to go
    by, a word counts as a name)."""
    pattern = re.compile(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", re.IGNORECASE)
    upper = lower = 0
    for text in texts:
        for match in pattern.finditer(text):
            found = match.group()
            if found.isupper():
                continue
            before = text[: match.start()].rstrip()
            if not before or before[-1] in _SENTENCE_END:
                continue
            if found[0].isupper():
                upper += 1
            else:
                lower += 1
    return upper + lower == 0 or upper > lower


# A phrase (its words) -> whether it occurs in the reader's view.
PhraseCheck = Callable[[list[str]], bool]


@dataclass(slots=True)
class Lookup:
    """A reader's variants for a query (query.compile.VariantLookup); remembers what it
    offered, for the desk's "also searched"."""

    groups: Groups
    occurs: PhraseCheck
    used: list[tuple[str, list[list[str]]]] = field(default_factory=list)

    def __call__(self, words: list[str]) -> list[list[str]]:
        """Other spellings of a query word (`words`: its words, lower case; several when
        the query wrote it with an apostrophe or a hyphen), each as its words."""
        joined = "".join(words)
        found: list[list[str]] = []
        if len(words) > 1 and joined in self.groups.vocabulary:
            found.append([joined])
        for other in self.groups.variants.get(joined, ()):
            found.append([other])
        if len(words) == 1:
            found.extend(self._splits(joined))
        elif words[0] in ARTICLES and len(words) > 1:
            # `al-Maliki`: also `el-Maliki`, and `Maliki` alone (al- and el- are written
            # or left out at will), where the reader's view holds them.
            for article in (*(a for a in ARTICLES if a != words[0]), None):
                variant = [article, *words[1:]] if article else words[1:]
                if (
                    variant[0] in self.groups.vocabulary
                    if len(variant) == 1
                    else self.occurs(variant)
                ):
                    found.append(variant)
        unique: list[list[str]] = []
        for variant in found:
            if variant != words and variant not in unique:
                unique.append(variant)
        if unique:
            self.used.append((" ".join(words), unique))
        return unique

    def _splits(self, word: str) -> Iterable[list[str]]:
        """`khamenei` -> `khamene i`, when both parts are the reader's words and the
        phrase occurs in what the reader may see."""
        if len(word) < 2 * MIN_JOIN_PART or word in common_words():
            return
        vocabulary = self.groups.vocabulary
        for cut in range(MIN_JOIN_PART, len(word)):
            head, tail = word[:cut], word[cut:]
            if head in vocabulary and tail in vocabulary and self.occurs([head, tail]):
                yield [head, tail]
