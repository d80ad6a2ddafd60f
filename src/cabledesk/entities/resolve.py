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

from cabledesk.entities.extract import Candidate
from cabledesk.entities.gazetteer import gazetteer
from cabledesk.entities.model import CANDIDATE, ORG, PERSON, Mention
from cabledesk.entities.names import entity_key, name_words, person_name, plain, surname_key

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
}


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
