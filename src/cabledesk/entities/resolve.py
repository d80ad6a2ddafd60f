"""One cable's mentions into entities: who a lone `Maliki` is.

A person named in full anywhere in the cable (`Nouri al-Maliki`) owns every shorter
mention with the same surname (`PM Maliki`, `MALIKI`, the signer `CROCKER` of a cable
classified by `Ambassador Ryan C. Crocker`). A lone capitalised word that no one in the
cable owns is an organisation when it is an acronym in mixed-case text (`KDP`), a person
when a title or the signature named that person elsewhere in the cable, and otherwise
dropped: precision over recall, measured in docs/entities.md.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

from cabledesk.entities.extract import ORG_HEADS, PEOPLES, Candidate
from cabledesk.entities.gazetteer import gazetteer
from cabledesk.entities.model import CANDIDATE, ORG, PERSON, Mention
from cabledesk.entities.names import entity_key, name_words, person_name, plain, surname_key
from cabledesk.entities.titles import common_words, given_names, person_titles

# Titles of heads of state and government: `President Karzai` in a cable that names
# `Ahmed Wali Karzai` in full is not him, so a surname with one of these titles joins only
# a full name that bore the same title (archive-wide resolution may still join them).
HEAD_TITLES: frozenset[str] = frozenset(
    {
        "president",
        "prime minister",
        "king",
        "queen",
        "emir",
        "amir",
        "shah",
        "sultan",
        "supreme leader",
        "crown prince",
        "chancellor",
        "premier",
    }
)
# Short forms cables use for the same title.
SAME_TITLE: dict[str, str] = {
    "pm": "prime minister",
    "fm": "foreign minister",
    "amb": "ambassador",
    "dfm": "deputy foreign minister",
    "dpm": "deputy prime minister",
    "gen": "general",
    "sen": "senator",
    "rep": "representative",
    "gov": "governor",
    "pres": "president",
    "vp": "vice president",
    "a s": "assistant secretary",
    "u s": "under secretary",
    "secgen": "secretary general",
    "col": "colonel",
    "adm": "admiral",
    "maj": "major",
    "capt": "captain",
    "prof": "professor",
    "sheik": "sheikh",
    "shaykh": "sheikh",
    "fonmin": "foreign minister",
    "formin": "foreign minister",
    "defmin": "defense minister",
    "finmin": "finance minister",
}
# Particles a name is written with or without (`Fernandez de Kirchner`, `Fernandez
# Kirchner`; `de Maiziere`); `al-` and `el-` are already off the name key.
LOOSE_PARTICLES: frozenset[str] = frozenset(
    {
        "de",
        "da",
        "del",
        "della",
        "di",
        "do",
        "dos",
        "das",
        "du",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "bin",
        "ibn",
        "bint",
        "abu",
        "ben",
    }
)


def same_title(title: str) -> str:
    return SAME_TITLE.get(title, title)


def resolve(candidates: list[Candidate], acronyms: dict[str, tuple[str, str]]) -> list[Mention]:
    full: dict[str, dict[str, str]] = defaultdict(dict)  # surname -> key -> best name
    titles: dict[str, set[str]] = defaultdict(set)  # full-name key -> titles it bore
    singles: set[str] = set()
    for candidate in candidates:
        if candidate.kind != PERSON:
            continue
        name = person_name(candidate.name)
        words = name_words(name)
        if len(words) >= 2:
            key = entity_key(PERSON, name)
            best = full[words[-1]].get(key)
            if best is None or len(name) > len(best):
                full[words[-1]][key] = name
            # The signer and the classifier are the cable's own officers: any title fits.
            titles[key].add(
                "*" if candidate.how in ("signer", "classified-by") else same_title(candidate.title)
            )
        elif words:
            singles.add(words[-1])
    longer = _longer_names(full, candidates)
    initials = _initials(full)
    middles = _middles(full)
    # Middle words that are also first names (`Lula`, `Abdullah`) stand for the person
    # bearing them only where the cable gives the word a title that person bore
    # (`President Lula` and `President Luiz Inacio Lula da Silva`): then throughout.
    titled_middles = {
        surname_key(c.name)
        for c in candidates
        if c.kind == PERSON
        and c.title
        and surname_key(c.name) in middles
        and same_title(c.title) in titles[middles[surname_key(c.name)][0]]
    }
    out: list[Mention] = []
    for candidate in candidates:
        kind, name = candidate.kind, candidate.name
        if kind in (PERSON, ""):
            surname = surname_key(name)
            owners = full.get(surname, {})
            if same_title(candidate.title) in HEAD_TITLES:
                owners = {
                    k: v
                    for k, v in owners.items()
                    if titles[k] & {same_title(candidate.title), "*"}
                }
            words = name_words(person_name(name))
            if len(words) >= 2 and kind == PERSON:
                key = entity_key(PERSON, person_name(name))
                out.append(_mention(candidate, PERSON, owners.get(key, person_name(name)), key))
                continue
            if len(words) == 1 and not owners and _surname_like(name):
                # `Sharani` for `Wahidullah Shahrani`: a surname misspelt by one letter
                # inside it, or by one letter changed, of the one person it can be.
                near = _misspelt(surname, full)
                if near is not None:
                    owners = {near[0]: near[1]}
                elif surname in middles and _middle_fits(
                    candidate, middles[surname][0], titles, titled_middles
                ):
                    # `Lula` of `Luiz Inacio Lula da Silva`, `Morales` of `Evo Morales
                    # Ayma`: a name's middle word, used alone, of the one person of the
                    # cable who bears it.
                    key, best = middles[surname]
                    out.append(_mention(candidate, PERSON, best, key))
                    continue
                elif candidate.surface in initials:
                    # `MbZ`, `AWK`: a person's initials, of the one person they spell.
                    key, best = initials[candidate.surface]
                    out.append(_mention(candidate, PERSON, best, key))
                    continue
            if len(owners) == 1:
                key, best = next(iter(owners.items()))
                out.append(_mention(candidate, PERSON, best, key))
                continue
            if len(owners) > 1:
                # Two people share the surname (Ali Abdullah Saleh, Ammar Saleh): the one
                # named last before this mention, else the first named.
                key, best = _nearest(candidate, candidates, owners)
                out.append(_mention(candidate, PERSON, best, key))
                continue
            # A first name alone (`Mohammed` after `Mohammed bin Naif`, `Ammar` after
            # `Ammar Saleh`): the one person of the cable whose name starts with it.
            firsts = [
                (k, v)
                for group in full.values()
                for k, v in group.items()
                if k.partition(":")[2].split()[0] == surname
            ]
            if len(firsts) > 1 and candidate.title:
                # `Prince Mohammed` among three Mohammeds: the one who was a prince too.
                firsts = [f for f in firsts if same_title(candidate.title) in titles[f[0]]]
            if len(firsts) == 1 and len(words) == 1:
                out.append(_mention(candidate, PERSON, firsts[0][1], firsts[0][0]))
                continue
            if kind == PERSON or (surname in singles and kind == ""):
                shown = person_name(name)
                out.append(_mention(candidate, PERSON, shown, entity_key(PERSON, shown)))
                continue
            # An acronym the cable spelled out (`Chinese Academy of Sciences (CAS)`).
            defined = acronyms.get(candidate.surface)
            if kind == "" and defined is not None and not candidate.caps:
                known_kind, known_name = defined
                out.append(
                    _mention(candidate, known_kind, known_name, entity_key(known_kind, known_name))
                )
                continue
            # Left for the archive: a surname the cable never explains (`Putin`) is the
            # person named in full elsewhere in the archive, if one such person dominates
            # (archive.entities.resolve); else it is nobody.
            if kind == "" and (candidate.caps or not candidate.surface.isupper()):
                shown = person_name(name)
                out.append(_mention(candidate, CANDIDATE, shown, f"{CANDIDATE}:{surname}"))
            continue
        out.append(_mention(candidate, kind, name, entity_key(kind, name)))
    # `Conde Pumpido`, `de Maiziere`, `Fernandez Kirchner`, `Alberto Gonzales`: the end of
    # the one longer name of the cable, or the same name written otherwise; and whoever
    # was resolved to them.
    out = [
        _mention_as(m, *longer[m.key]) if m.kind == PERSON and m.key in longer else m for m in out
    ]
    return _short_forms(out)


QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")


def _short_forms(mentions: list[Mention]) -> list[Mention]:
    """An organisation named by a shorter form of a name the cable also gives it is that
    organisation: `Popular Party` in a cable that names `Popular Party (Spain)` (the
    tables' qualifier left off), `Communist Party` in one naming the `Chinese Communist
    Party` (its country's adjective left off)."""
    table = gazetteer()
    longer: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for mention in mentions:
        if mention.kind != ORG:
            continue
        words = QUALIFIER.sub("", mention.name).split()
        forms = []
        known = table.phrases.get(tuple(plain(mention.name).split()))
        if known is not None and known.name == mention.name:
            forms.append(" ".join(words))  # the tables' own qualifier, not a made name's
        for size in (2, 1):
            head = tuple(plain(" ".join(words[:size])).split())
            if len(words) > size + 1 and head in table.adjectives:
                forms.append(" ".join(words[size:]))
                break
        for short in forms:
            key = entity_key(ORG, short)
            if key != mention.key:
                longer[key].add((mention.key, mention.name))
    out = []
    for mention in mentions:
        owners = longer.get(mention.key, set()) if mention.kind == ORG else set()
        if len(owners) == 1:
            key, name = next(iter(owners))
            mention = replace(mention, name=name, key=key)
        out.append(mention)
    return out


def _nearest(
    candidate: Candidate, candidates: list[Candidate], owners: dict[str, str]
) -> tuple[str, str]:
    chosen: tuple[str, str] | None = None
    for other in candidates:
        if other is candidate:
            break
        if other.kind == PERSON:
            key = entity_key(PERSON, person_name(other.name))
            if key in owners:
                chosen = (key, owners[key])
    return chosen or next(iter(owners.items()))


def _mention(candidate: Candidate, kind: str, name: str, key: str) -> Mention:
    return Mention(
        kind=kind,
        name=name,
        key=key,
        surface=candidate.surface,
        field=candidate.field,
        paragraph=candidate.paragraph,
        start=candidate.start,
        end=candidate.end,
        how=candidate.how,
    )


def _mention_as(mention: Mention, key: str, name: str) -> Mention:
    return replace(mention, key=key, name=name)


def _middle_fits(
    candidate: Candidate, key: str, titles: dict[str, set[str]], titled: set[str]
) -> bool:
    word = plain(person_name(candidate.name)).split()[-1]
    if candidate.title and same_title(candidate.title) not in titles[key]:
        return False  # `King Abdullah` is not Ali Abdullah Saleh
    return word not in given_names() or surname_key(candidate.name) in titled


def _middles(full: dict[str, dict[str, str]]) -> dict[str, tuple[str, str]]:
    """Middle words of the cable's full names (neither the first nor the surname, no
    particle), each of the one person who bears it and that no one bears as a surname."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    common, titles, table = common_words(), person_titles(), gazetteer()
    for group in full.values():
        for key, best in group.items():
            words = key.partition(":")[2].split()
            if any(
                w in common or w in titles or w in ORG_HEADS or (w,) in table.phrases
                for w in plain(best).split()
                if w not in LOOSE_PARTICLES
            ) or any(part.isupper() and len(part) > 1 for part in best.split()):
                continue  # `Jirga Commission Chair Sherpao`, `MFA Middle East`: no clean name
            for word in words[1:-1]:
                if word not in LOOSE_PARTICLES and len(word) > 2:
                    found[word].add((key, best))
    return {
        word: next(iter(owners))
        for word, owners in found.items()
        if len(owners) == 1 and word not in full
    }


def _loose(words: list[str]) -> tuple[str, ...]:
    return tuple(w for w in words if w not in LOOSE_PARTICLES)


def _longer_names(
    full: dict[str, dict[str, str]], candidates: list[Candidate]
) -> dict[str, tuple[str, str]]:
    """Full names of the cable that are another one's: the end of a longer name, or the
    same name with more particles, particles aside (`Conde Pumpido` of `Candido Conde
    Pumpido`, `de Maiziere` of `Thomas de Maiziere`, `Fernandez Kirchner` of `Fernandez de
    Kirchner`), or the same first names with a surname misspelt by a letter (`Alberto
    Gonzalez` of `Alberto Gonzales`, the first written). Each maps to the one longest such
    name (key and name); none when two people could be meant."""
    names = [(key, best) for group in full.values() for key, best in group.items()]
    order: dict[str, int] = {}
    for candidate in candidates:
        if candidate.kind == PERSON:
            order.setdefault(entity_key(PERSON, person_name(candidate.name)), len(order))
    loose = {key: _loose(key.partition(":")[2].split()) for key, _ in names}

    def contains(other: str, key: str) -> bool:
        mine, theirs = loose[key], loose[other]
        if not mine or other == key:
            return False
        if len(theirs) > len(mine):
            return theirs[-len(mine) :] == mine
        if theirs == mine:
            return len(other) > len(key)
        return (
            len(theirs) == len(mine) >= 2
            and theirs[:-1] == mine[:-1]
            and len(mine[-1]) == len(theirs[-1]) >= 6
            and _one_letter(mine[-1], theirs[-1])
            and order.get(other, 0) < order.get(key, 0)
        )

    def cluttered(other: str, key: str) -> bool:
        # `Affairs Alon Bar`, `Army Staff Deepak Kapoor`: the longer name's extra words
        # are prose or a title's tail, so the shorter one is the name.
        words = [w for w in plain(best_of[other]).split() if w not in LOOSE_PARTICLES]
        extra = words[: len(loose[other]) - len(loose[key])]
        return any(w in common or w in titles or not w.isalpha() for w in extra)

    common = common_words()
    titles = person_titles()
    best_of = dict(names)
    owners = {key: [(o, b) for o, b in names if contains(o, key)] for key, _ in names}
    out: dict[str, tuple[str, str]] = {}
    for key, found in owners.items():
        widest = [(o, b) for o, b in found if not owners[o]]
        if len(widest) == 1:
            other = widest[0][0]
            if len(loose[other]) > len(loose[key]) and cluttered(other, key):
                if other not in out:
                    out[other] = (key, best_of[key])
            else:
                out[key] = widest[0]
    # Who joined a name that itself joined another goes on to that one.
    for key, (other, _) in list(out.items()):
        if other in out and out[other][0] != key:
            out[key] = out[other]
    return out


def _initials(full: dict[str, dict[str, str]]) -> dict[str, tuple[str, str]]:
    """The initials cables abbreviate a person to, each of the one person of the cable
    they spell: `MbZ` (Mohammed bin Zayed, the particle's letter in lower case), `AWK`
    (Ahmed Wali Karzai; three letters at least, and never a known acronym)."""
    table = gazetteer()
    spelt: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for group in full.values():
        for key, best in group.items():
            words = [w for w in plain(best).split() if w not in ("al", "el")]
            if len(words) < 2:
                continue
            mixed = "".join(w[0] if w in LOOSE_PARTICLES else w[0].upper() for w in words)
            upper = "".join(w[0].upper() for w in words if w not in LOOSE_PARTICLES)
            forms = {mixed} if mixed != mixed.upper() else set()
            particle = next((i for i, w in enumerate(words) if w in LOOSE_PARTICLES), -1)
            if 0 < particle < len(words) - 2:
                forms.add(mixed[: particle + 2])  # `MbR`: Mohammed bin Rashid Al Maktoum
            if len(upper) >= 3 and (upper.lower(),) not in table.phrases:
                forms.add(upper)
            for form in forms:
                spelt[form].append((key, best))
    return {form: owners[0] for form, owners in spelt.items() if len(set(owners)) == 1}


def _misspelt(surname: str, full: dict[str, dict[str, str]]) -> tuple[str, str] | None:
    """The one person of the cable whose surname this one misspells by a letter left out
    or added inside the word, or one letter changed (six letters at least; not a letter
    added at an end: `Karimi` is not `Karim`)."""
    if len(surname) < 6:
        return None
    found: list[tuple[str, str]] = []
    for other, group in full.items():
        if len(other) >= 6 and other != surname and _one_letter(surname, other, ends=False):
            found.extend(group.items())
    return found[0] if len(found) == 1 else None


def _surname_like(name: str) -> bool:
    """A lone word that may be a surname: no word prose writes in lower case, no place,
    people or organisation the tables know (`America`, `Commission`, `Argentines`)."""
    words = plain(person_name(name)).split()
    if len(words) != 1:
        return False
    table = gazetteer()
    word = words[0]
    return (
        word not in common_words()
        and (word,) not in table.phrases
        and (word,) not in table.adjectives
        and word not in PEOPLES
        and not (word.endswith("s") and (word[:-1] in PEOPLES or (word[:-1],) in table.adjectives))
    )


def _one_letter(a: str, b: str, ends: bool = True) -> bool:
    """Whether one letter changed, left out or added inside the word makes `a` of `b`;
    a changed letter at either end only with `ends`."""
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 and (ends or 0 < diff[0] < len(a) - 1)
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:at] + long[at + 1 :] == short for at in range(1, len(long) - 1))
