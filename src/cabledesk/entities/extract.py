"""Find the people, organisations, places and posts a cable names (docs/entities.md).

The cable's own structure first: the signers (`CROCKER`), the person in the Classified By
line, OVIP persons in TAGS. Then each text field (the subject, every paragraph) is cut
into tokens and read left to right:

1. a known name (gazetteer: countries and their other names, cities, regions, known
   organisations, missions) or a shape that makes one (`Embassy Madrid`, `GOI`,
   `Ministry of Interior`, `Interior Ministry`, `the Iraqi government`, `MFA`);
2. a title (`Ambassador`, `PM`, `Interior Minister`, `Minister of Oil`): the name after it
   is a person;
3. a run of name-like words: capitalised mid-sentence in mixed-case text, or, in an
   all-caps cable, words that cable prose never writes in lower case
   (data/entities/common_words.txt). A run ending in `Party`, `Council`, `Army` ... is an
   organisation, in `Province`, `City`, `Valley` ... a place; a run that starts with a
   known first name or holds a name particle (`al-`, `bin`, `Abu`) is a person.

Words left alone (a surname on its own: `Maliki`) become mentions only when they name
someone the cable names in full (`Nouri al-Maliki`, anywhere in it); `resolve.py` decides
that after the whole cable is read. Redaction markers (`XXXXXXXXXXXX`) are never names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from cabledesk.entities.gazetteer import EVENT, MAX_PHRASE, Entry, gazetteer
from cabledesk.entities.model import ORG, PERSON, PLACE, POST
from cabledesk.entities.names import plain
from cabledesk.entities.titles import (
    FUNCTION_WORDS,
    PORTFOLIOS,
    common_words,
    given_names,
    jargon,
    person_titles,
)
from cabledesk.record.model import Cable

TOKEN = re.compile(
    r"(?:[A-Za-z]\.){2,}"  # U.S. U.N. D.C.
    r"|[A-Za-z]{1,4}/[A-Za-z]{1,5}(?![\w/])"  # A/S U/S S/GC
    r"|[^\W\d_](?:[\w'’\-]*[^\W_])?"  # words, al-Maliki, Khamene'i, O'Brien
    r"|\d[\w\-/]*"
    r"|[^\w\s]"
)
REDACTED = re.compile(r"X{4,}", re.IGNORECASE)  # also glued to a word: `XXXXXXXXXXXXdid`
ABBREVIATION = re.compile(r"^(?:[A-Za-z]\.){2,}$")
# `al-Maliki`, `ash-Shara`: an Arabic article written onto a capitalised name.
ARTICLE_NAME = re.compile(r"^(?:al|el|ad|ag|as|ash|ar|an|at|az|ul|ud|bin|ibn|abu)-[A-Z]")


def name_cased(text: str) -> bool:
    """Written as a name is in mixed-case text."""
    return text[:1].isupper() or bool(ARTICLE_NAME.match(text))


QUOTES: frozenset[str] = frozenset({'"', "“", "”", "'", "‘", "’"})
SENTENCE_END: frozenset[str] = frozenset({".", "!", "?", ":", ";", "(", "--", '"', "“", "-"})
POSSESSIVE = re.compile(r"['’][sS]?$")
PARTICLES: frozenset[str] = frozenset(
    {
        "al",
        "el",
        "bin",
        "ibn",
        "bint",
        "abu",
        "abd",
        "abdul",
        "de",
        "da",
        "del",
        "della",
        "di",
        "du",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "dos",
        "das",
        "ul",
        "ur",
        "ben",
    }
)
ARABIC_PARTICLES: frozenset[str] = frozenset(
    {"al", "el", "bin", "ibn", "bint", "abu", "abd", "abdul", "ul", "ur", "ben"}
)
ROMANCE_PARTICLES: frozenset[str] = PARTICLES - ARABIC_PARTICLES
# Articles that open a Spanish, French, Italian or Portuguese newspaper's or group's name.
FOREIGN_ARTICLES: frozenset[str] = frozenset(
    {"el", "la", "los", "las", "le", "les", "il", "o", "os", "as"}
)
# A party's or a camp's word before a person's name (`Socialist Segolene Royal`).
IDEOLOGIES: frozenset[str] = frozenset(
    {
        "socialist",
        "communist",
        "conservative",
        "liberal",
        "republican",
        "democrat",
        "labour",
        "labor",
        "leftist",
        "rightist",
        "centrist",
        "islamist",
        "nationalist",
        "peronist",
        "kirchnerist",
        "chavista",
        "maoist",
        "opposition",
    }
)
CONNECTORS: frozenset[str] = frozenset({"of", "for", "and", "the", "on", "de", "du", "des"})
ORG_HEADS: frozenset[str] = frozenset(
    [
        "laboratory",
        "laboratories",
        "endowment",
        "initiative",
        "program",
        "programme",
        "lab",
        "plant",
        "academy",
        "administration",
        "agency",
        "airline",
        "airlines",
        "airways",
        "alliance",
        "army",
        "assembly",
        "association",
        "authority",
        "bank",
        "bloc",
        "board",
        "brigade",
        "brigades",
        "bureau",
        "cabinet",
        "center",
        "centre",
        "chamber",
        "church",
        "coalition",
        "college",
        "command",
        "commission",
        "committee",
        "company",
        "congress",
        "corporation",
        "corps",
        "council",
        "court",
        "courts",
        "customs",
        "department",
        "directorate",
        "division",
        "embassy",
        "federation",
        "force",
        "forces",
        "foundation",
        "front",
        "fund",
        "group",
        "guard",
        "guards",
        "institute",
        "institution",
        "league",
        "list",
        "majlis",
        "media",
        "ministry",
        "mission",
        "movement",
        "navy",
        "network",
        "office",
        "organization",
        "organisation",
        "parliament",
        "partnership",
        "party",
        "police",
        "presidency",
        "radio",
        "secretariat",
        "senate",
        "service",
        "services",
        "society",
        "tribunal",
        "trust",
        "union",
        "university",
        "confederation",
        "consortium",
        "syndicate",
        "industries",
        "holdings",
        "ltd",
        "inc",
        "corp",
        "co",
        "plc",
        "sa",
        "ag",
        "gmbh",
        "llc",
        "times",
        "post",
        "news",
        "herald",
        "journal",
        "tribune",
        "television",
        "tv",
        "agency",
    ]
)
PLACE_HEADS: frozenset[str] = frozenset(
    [
        "province",
        "governorate",
        "region",
        "district",
        "valley",
        "river",
        "sea",
        "ocean",
        "gulf",
        "mountains",
        "mountain",
        "island",
        "islands",
        "peninsula",
        "strait",
        "desert",
        "lake",
        "basin",
        "plateau",
        "state",
        "city",
        "camp",
        "county",
        "municipality",
        "village",
        "town",
        "airport",
        "port",
        "border",
        "crossing",
        "street",
        "square",
        "highway",
        "oblast",
        "krai",
        "kray",
        "prefecture",
        "canton",
        "territory",
        "territories",
    ]
)
# Lower-case words a name may start with in mixed-case prose: `government of Mali`,
# `minister Popal`, `professor Tanel Demirel`.
LOWER_STARTS: frozenset[str] = frozenset(
    {
        "government",
        "govt",
        "ministry",
        "minister",
        "embassy",
        "professor",
        "president",
        "ambassador",
        "general",
        "prime",
        "deputy",
        "foreign",
        "interior",
        "defense",
    }
)
# Words for peoples, faiths and regions' people that no country table holds: a run with
# one is nobody's name (`Palestinian Diaspora`, `Kurdish MPs`, `Shia Arabs`).
PEOPLES: frozenset[str] = frozenset(
    [
        "palestinian",
        "palestinians",
        "kurdish",
        "kurds",
        "kurd",
        "arab",
        "arabs",
        "shia",
        "shiite",
        "shiites",
        "sunni",
        "sunnis",
        "pashtun",
        "pashtuns",
        "baloch",
        "baluch",
        "tamil",
        "tamils",
        "uighur",
        "uighurs",
        "uyghur",
        "tuareg",
        "berber",
        "berbers",
        "druze",
        "alawite",
        "alawites",
        "hazara",
        "hazaras",
        "tajiks",
        "chechen",
        "chechens",
        "basque",
        "catalan",
        "flemish",
        "sikh",
        "sikhs",
        "hindu",
        "hindus",
        "muslim",
        "muslims",
        "christians",
        "catholic",
        "catholics",
        "protestant",
        "protestants",
        "jewish",
        "jews",
        "bedouin",
        "maronite",
        "copt",
        "copts",
        "coptic",
        "yazidi",
        "turkmen",
        "assyrian",
        "african",
        "africans",
        "asian",
        "asians",
        "european",
        "europeans",
        "latin",
        "western",
        "eastern",
        "northern",
        "southern",
    ]
)
# Words that name a part of a country or a region (`Northern Mali`, `West Asia`).
COMPASS: frozenset[str] = frozenset(
    {"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central"}
)
# Heads of a country's divisions: not part of the place's name (`Anbar Province` is Anbar).
DIVISION_HEADS: frozenset[str] = frozenset(
    {
        "province",
        "governorate",
        "region",
        "district",
        "oblast",
        "krai",
        "kray",
        "prefecture",
        "county",
        "municipality",
        "canton",
        "department",
    }
)
# Plural titles that end a body's name after `of` (`Council of Ministers`, `House of
# Representatives`, `Board of Governors`): a person's title before a name is singular.
MEMBERS: frozenset[str] = frozenset(
    {
        "ministers",
        "representatives",
        "deputies",
        "governors",
        "directors",
        "delegates",
        "commissioners",
        "trustees",
        "elders",
        "judges",
        "generals",
        "chiefs",
        "senators",
        "ambassadors",
    }
)
# Lower-case nouns that, right before a name, say it is an organisation's (`the daily
# Okaz`, `the firm Agromash`, `the NGO Viva Rio`, `internet giant Alibaba`) ...
CLASS_BEFORE: frozenset[str] = frozenset(
    {
        "daily",
        "newspaper",
        "weekly",
        "magazine",
        "tabloid",
        "channel",
        "website",
        "company",
        "firm",
        "conglomerate",
        "subsidiary",
        "giant",
        "airline",
        "insurer",
        "ngo",
        "party",
        "militia",
        "organization",
        "organisation",
        "association",
        "movement",
        "coalition",
        "agency",
        "station",
        "network",
        "paper",
        "tank",
    }
)
# ... or right after it (`the Okaz newspaper`, `the Sadr movement`, `the Mehr news agency`;
# not `party`: `a Socialist party boss` names a party by its creed).
CLASS_AFTER: frozenset[str] = frozenset(
    {
        "newspaper",
        "daily",
        "weekly",
        "magazine",
        "channel",
        "network",
        "website",
        "company",
        "firm",
        "group",
        "militia",
        "movement",
        "conglomerate",
        "organization",
        "organisation",
        "news",
        "agency",
        "station",
    }
)
# Lower-case nouns before `of` and a place's name: `the town of Tarkint`.
PLACE_CLASSES: frozenset[str] = frozenset(
    {"town", "city", "village", "province", "district", "region", "port", "island", "state"}
)
# Heads that open an organisation's name before the name itself.
LEADING_ORG_HEADS: frozenset[str] = frozenset(
    {
        "bank",
        "university",
        "radio",
        "banco",
        # Spanish, Portuguese, Italian and French names open with their head noun:
        # `Partido Popular`, `Guardia Civil`, `Comando Vermelho`, `Partito Democratico`.
        "partido",
        "partito",
        "parti",
        "frente",
        "movimiento",
        "movimento",
        "ministerio",
        "universidad",
        "universidade",
        "universite",
        "instituto",
        "institut",
        "fundacion",
        "fundacao",
        "fondation",
        "comando",
        "ejercito",
        "consejo",
        "conselho",
        "conseil",
        "congreso",
        "asamblea",
        "guardia",
        "policia",
        "agencia",
        "agence",
        "confederacion",
        "confederacao",
        "federacion",
        "sindicato",
        "banque",
        "compania",
        "companhia",
        "grupo",
        "associacao",
        "asociacion",
    }
)
# Endings of verb forms, with what the stem may have lost: `CONFERRED` from `confer`,
# `WELCOMING` from `welcome`, `CONFERS` from `confer` only as `-es`/`-s` of a stem.
VERB_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ing", ("", "e")),
    ("ed", ("", "e")),
    ("ied", ("y",)),
    ("ies", ("y",)),
    ("es", ("", "e")),
)
# Runs ending in these name a thing, not an entity: `Strategic Framework Agreement`.
NOT_ENTITY_HEADS: frozenset[str] = frozenset(
    [
        "act",
        "accord",
        "accords",
        "agreement",
        "award",
        "charter",
        "conference",
        "constitution",
        "convention",
        "day",
        "days",
        "declaration",
        "dialogue",
        "election",
        "elections",
        "festival",
        "framework",
        "law",
        "plan",
        "prize",
        "process",
        "project",
        "protocol",
        "report",
        "resolution",
        "strategy",
        "summit",
        "talks",
        "treaty",
        "war",
        "week",
        "year",
        "operation",
        "visa",
        "visas",
    ]
)
INSTITUTIONS: dict[str, str] = {
    "government": "Government",
    "govt": "Government",
    "administration": "Government",
    "authorities": "Government",
    "regime": "Government",
    "army": "Army",
    "armed forces": "Armed Forces",
    "navy": "Navy",
    "air force": "Air Force",
    "parliament": "Parliament",
    "senate": "Senate",
    "cabinet": "Cabinet",
    "embassy": "Embassy",
    "mfa": "Ministry of Foreign Affairs",
    "foreign ministry": "Ministry of Foreign Affairs",
    "general staff": "General Staff",
    "central bank": "Central Bank",
    "presidency": "Presidency",
    # Written in lower case after a country's adjective or name only (`U.S. military`,
    # `Pakistani forces`, `Turkey's military`): capitalised, they open names the tables
    # and the head words read (`Iraqi Security Forces`, `U.S. Military Academy`).
    "military": "Armed Forces",
    "forces": "Armed Forces",
    "military forces": "Armed Forces",
    "security forces": "Security Forces",
}
LOWER_CASE_INSTITUTIONS: frozenset[str] = frozenset(
    {"military", "forces", "military forces", "security forces"}
)
MINISTRY_ABBREVIATIONS: dict[str, str] = {
    "mfa": "Foreign Affairs",
    "mofa": "Foreign Affairs",
    "mod": "Defense",
    "moi": "Interior",
    "moj": "Justice",
    "mof": "Finance",
    "moh": "Health",
    "moe": "Education",
    "mop": "Planning",
    "moo": "Oil",
}
# Words of a country's long name before its short one: `Bolivarian Republic of Venezuela`,
# `Islamic Republic of Iran`, `Hashemite Kingdom of Jordan`.
LONG_NAME_WORDS: frozenset[str] = frozenset(
    {
        "republic",
        "islamic",
        "democratic",
        "people's",
        "peoples",
        "popular",
        "federal",
        "federative",
        "united",
        "kingdom",
        "state",
        "arab",
        "socialist",
        "bolivarian",
        "hashemite",
        "plurinational",
        "sultanate",
        "principality",
        "commonwealth",
        "of",
        "the",
    }
)
# `GOI` is the Government of Iraq, `GOS` of Sudan or Spain: which one, the cable's
# countries decide (its post, its TAGS, the places it names).
GOVERNMENT_ABBREVIATION = re.compile(r"^GO([A-Z]{1,3})$")
WASHINGTON_STATIONS: frozenset[str] = frozenset({"STATE", "SECSTATE", "WASHDC"})


# Abbreviations written with a period inside a sentence.
ABBREVIATED: frozenset[str] = frozenset(
    {
        "dr",
        "mr",
        "mrs",
        "ms",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "amb",
        "sen",
        "rep",
        "gov",
        "st",
        "sgt",
        "adm",
        "prof",
        "rev",
        "messrs",
        "jr",
        "sr",
        "no",
        "vs",
        "pres",
        "cmdr",
        "brig",
    }
)
# Verbs that make the word before them a person who spoke.
REPORTING: frozenset[str] = frozenset(
    {
        "said",
        "says",
        "told",
        "noted",
        "stated",
        "asked",
        "added",
        "explained",
        "stressed",
        "argued",
        "warned",
        "replied",
        "responded",
        "emphasized",
        "emphasised",
        "underscored",
        "acknowledged",
        "complained",
        "claimed",
        "insisted",
        "confided",
        "remarked",
        "agreed",
        "urged",
        "asserted",
        "admitted",
        "commented",
        "opined",
        "lamented",
        "recalled",
    }
)
# Portfolio words that can start a minister's title (`Oil Minister`), connectors aside.
PORTFOLIO_WORDS: frozenset[str] = PORTFOLIOS - CONNECTORS
# The longest title (in words) starting with each word, so a word that starts none costs
# one look-up.
TITLE_FIRST_WORDS: dict[str, int] = {}
for _title_words in (t.split() for t in person_titles()):
    TITLE_FIRST_WORDS[_title_words[0]] = max(
        TITLE_FIRST_WORDS.get(_title_words[0], 0), len(_title_words)
    )


@dataclass(slots=True)
class Token:
    text: str
    start: int
    end: int
    plain: str
    sentence_start: bool
    possessive: bool = False  # written with `'s`, which ends a person's name


@dataclass(slots=True)
class Candidate:
    """A mention before resolution: `kind` "" for a lone word that is someone's name only
    if the cable names that someone in full."""

    kind: str
    name: str
    surface: str
    field: str
    paragraph: int | None
    start: int
    end: int
    how: str
    country: str = ""
    caps: bool = False
    title: str = ""  # the title written before a person's name, plain (`president`)


def tokens_of(text: str) -> list[Token]:
    out: list[Token] = []
    boundary = True
    for match in TOKEN.finditer(text):
        word = match.group()
        start, end = match.start(), match.end()
        possessive = False
        if word[0].isalpha() and len(word) > 2 and POSSESSIVE.search(word):
            # `Maliki's`: the name is `Maliki`.
            cut = POSSESSIVE.search(word)
            assert cut is not None
            end = start + cut.start()
            word = text[start:end]
            possessive = True
        gap = text[out[-1].end : start] if out else ""
        if "\n\n" in gap:
            boundary = True
        # The period of an initial or a title does not end a sentence: `William E. Ward`,
        # `Dr. Rice` (the word before the period decides, not the period itself).
        before = out[-1] if out else None
        out.append(Token(word, start, end, plain(word), boundary, possessive))
        boundary = word in SENTENCE_END and not (
            word == "."
            and before is not None
            and before.end == start
            and (len(before.text) == 1 or before.plain in ABBREVIATED)
        )
    return out


# Company forms that make an organisation only at a name's end (`Siemens AG`), never
# inside it (`AG Alberto Gonzales` is the Attorney General).
COMPANY_FORMS: frozenset[str] = frozenset(
    {"ltd", "inc", "corp", "co", "plc", "sa", "ag", "gmbh", "llc"}
)


def org_named(words: list[str]) -> bool:
    """Whether a run of words is an organisation's name: it ends in a head word
    (`Justice and Development Party`), or a head word opens a phrase (`Bank of Spain`,
    `Council for Mutual Economic Assistance`)."""
    if words[-1] in ORG_HEADS:
        return True
    return any(
        word in ORG_HEADS and word not in COMPANY_FORMS and following in CONNECTORS
        for word, following in pairwise(words)
    )


def spells(acronym: str, words: list[str]) -> bool:
    """Whether an acronym is made of the initials of a name's words, in order, from its
    first word on (connectors may give a letter or not): `CCP` of `Chinese Communist
    Party`, `HFNL` of `Hefei National Laboratory for ...`; `PSOE` is not `Socialist
    Party`'s."""
    letters = acronym.lower()
    initials = [w[0] for w in words if w]
    if not initials or initials[0] != letters[0]:
        return False
    at = 0
    for letter in letters:
        while at < len(initials) and initials[at] != letter:
            if words[at] not in CONNECTORS and at > 0:
                return False
            at += 1
        if at == len(initials):
            return False
        at += 1
    return all(w in CONNECTORS for w in words[at:])


def compound(text: str) -> bool:
    """Two capitalised names joined by a hyphen (`Medvedev-Putin`), not a name with its
    article (`Al-Maliki`) or a double first name with a lower-case part."""
    parts = text.split("-")
    return (
        len(parts) > 1 and all(p[:1].isupper() for p in parts) and parts[0].lower() not in PARTICLES
    )


def is_caps(text: str) -> bool:
    """All-caps prose: more than three letters in five are capitals."""
    upper = sum(map(str.isupper, text))
    lower = sum(map(str.islower, text))
    return upper + lower > 0 and upper > 0.6 * (upper + lower)


class Reader:
    """Reads one field of one cable: `caps` says whether it is all-caps prose."""

    def __init__(self, cable_context: Context, field: str, paragraph: int | None, text: str):
        self.context = cable_context
        self.field = field
        self.paragraph = paragraph
        self.text = text
        self.tokens = tokens_of(text)
        self.caps = is_caps(text) or cable_context.caps
        self.out: list[Candidate] = []
        self.table = gazetteer()
        self.common = common_words()
        self.titles = person_titles()
        self.jargon = jargon()
        self.given = given_names()
        # A town's name read as a first name (`Tyler Hoffmann`): no place in the run.
        self.first_name_at = -1
        # Where an organisation's name in brackets starts: where it ends, whose it is.
        self.aliases: dict[int, tuple[int, str]] = {}

    # -- what a token is ---------------------------------------------------------------

    def is_word(self, index: int) -> bool:
        return index < len(self.tokens) and self.tokens[index].text[0].isalpha()

    def name_like(self, index: int) -> bool:
        """Could this word be (part of) a name?"""
        if not self.is_word(index):
            return False
        token = self.tokens[index]
        if REDACTED.search(token.text) or token.plain in self.jargon:
            return False
        tail = token.text.rpartition("-")[2]
        if tail and tail != token.text and tail.islower() and tail not in PARTICLES:
            return False  # `HAMAS-controlled`, `Iranian-backed`: a description, not a name
        if self.caps:
            return not self.prose_word(token.plain)
        if not name_cased(token.text):
            return False
        return not (token.sentence_start and token.plain in self.common)

    def prose_word(self, word: str) -> bool:
        """A word of all-caps prose, not a name: one cable prose writes in lower case, or
        a verb form of one (`CONFERS`, `CONFERRED`, `WELCOMING`: the list holds the forms
        the corpus happens to use). `-s` forms only with `-es`: `BURNS` may be a name."""
        if word in self.common or word in FUNCTION_WORDS:
            return True
        if word in self.given:
            return False
        for ending, stems in VERB_ENDINGS:
            if word.endswith(ending) and len(word) > len(ending) + 2:
                base = word[: -len(ending)]
                if any(base + stem in self.common for stem in stems):
                    return True
        return False

    def particle(self, index: int) -> bool:
        return self.is_word(index) and self.tokens[index].plain in PARTICLES

    def span(self, first: int, last: int) -> tuple[int, int, str]:
        start, end = self.tokens[first].start, self.tokens[last].end
        return start, end, self.text[start:end]

    def emit(
        self, kind: str, name: str, first: int, last: int, how: str, country: str = ""
    ) -> None:
        start, end, surface = self.span(first, last)
        self.out.append(
            Candidate(
                kind, name, surface, self.field, self.paragraph, start, end, how, country, self.caps
            )
        )
        # `Chinese Academy of Sciences (CAS)`: the acronym names the same entity, here and
        # wherever the cable uses it later.
        after = last + 1
        if (
            kind
            and after + 2 < len(self.tokens)
            and self.tokens[after].text == "("
            and self.tokens[after + 2].text == ")"
        ):
            acronym = self.tokens[after + 1].text
            if acronym.isupper() and 2 <= len(acronym) <= 8 and acronym.isalpha():
                known = self.table.phrases.get((acronym.lower(),))
                words = [t.plain for t in self.tokens[first : last + 1]]
                if spells(acronym, words):
                    # The cable's own definition wins over the table's meaning of the
                    # acronym: `South American Defense Council (SADC)`, not the Southern
                    # African Development Community; `Amadou Toumani Toure (ATT)`.
                    self.context.spelled.setdefault(acronym, (kind, name))
                elif (
                    kind == ORG
                    and known is not None
                    and known.kind == ORG
                    and words[-1] in plain(known.name).split()
                ):
                    # `Socialist Party (PSOE)`, `Peronist Party (PJ)`: a name, often
                    # translated, of the party the acronym is known to stand for (of the
                    # same kind: `First Capital Command (PCC)` is no party).
                    self.out[-1].name = known.name
                    self.out[-1].country = known.country
                    return
                self.context.acronyms.setdefault(acronym, (kind, name))
        if kind == ORG and not self.caps and after < len(self.tokens):
            self.bracketed_alias(after, name)

    def bracketed_alias(self, index: int, name: str) -> None:
        """`the Red Command (Comando Vermelho)`: capitalised words in brackets right after
        an organisation's name are its name in another language, not a person's; they
        are read as that organisation (`step`). A country or a place in the brackets says
        where it is instead (`(Brazil)`)."""
        if self.tokens[index].text != "(":
            return
        close = index + 1
        while close < len(self.tokens) and close - index <= 5 and self.name_like(close):
            close += 1
        if (
            close - index < 3
            or close >= len(self.tokens)
            or self.tokens[close].text != ")"
            or any(self.known(i) or self.adjective_at(i) for i in range(index + 1, close))
        ):
            return
        self.aliases[index + 1] = (close, name)

    # -- phrases -----------------------------------------------------------------------

    def words_at(self, index: int, size: int) -> tuple[str, ...] | None:
        if index + size > len(self.tokens):
            return None
        if size == 1:
            token = self.tokens[index]
            return tuple(token.plain.split()) if token.text[0].isalpha() else None
        words = []
        for token in self.tokens[index : index + size]:
            if not token.text[0].isalpha():
                return None
            words.extend(token.plain.split())
        return tuple(words)

    def known(self, index: int) -> tuple[Entry, int] | None:
        """The longest gazetteer phrase at `index`, if the text's case lets it count (None
        past the last token: a text may end on a place's possessive, `... as Brazil's`)."""
        if index >= len(self.tokens):
            return None
        first_word = self.tokens[index].plain.partition(" ")[0]
        longest = self.table.first_words.get(first_word)
        if longest is None:
            return None  # most words start no known name: one look-up, not six
        for size in range(min(longest, MAX_PHRASE, len(self.tokens) - index), 0, -1):
            words = self.words_at(index, size)
            if words is None:
                continue
            entry = self.table.phrases.get(words)
            if entry is None:
                continue
            first = self.tokens[index]
            if not self.caps:
                if not first.text[0].isupper():
                    continue
                if entry.capitals_only and not first.text.isupper():
                    continue
                if entry.mixed_case_only and first.sentence_start:
                    continue
            elif entry.mixed_case_only:
                continue
            if size == 1 and self.caps and first.plain in self.common and entry.weight < 50:
                continue  # `SALE` is not Salé, `TURKEY` still Turkey
            if size == 1 and first.plain == "us" and self.pronoun_us(index):
                continue
            return entry, index + size
        return None

    def pronoun_us(self, index: int) -> bool:
        """`US` in an all-caps cable: the country (`US OFFICIALS`), or the pronoun (`TOLD US
        THAT`, `LOOK TO US FOR`)."""
        token = self.tokens[index]
        if not self.caps and token.text == "US":
            return False
        if token.text == "us":
            return True
        before = self.tokens[index - 1].plain if index else ""
        after = self.tokens[index + 1].plain if index + 1 < len(self.tokens) else ""
        return (
            before in FUNCTION_WORDS
            or before in {"let", "give", "gave", "tell", "join"}
            or (after in FUNCTION_WORDS or not after)
        )

    def adjective_at(self, index: int) -> tuple[str, int] | None:
        """A country's adjective or name at `index` (`Iraqi`, `U.S.`, `Spain`): FIPS, end."""
        if self.tokens[index].plain.partition(" ")[0] not in self.table.adjective_first_words:
            return None
        for size in (3, 2, 1):
            words = self.words_at(index, size)
            if words is not None and words in self.table.adjectives:
                if not self.caps and not self.tokens[index].text[0].isupper():
                    return None
                return self.table.adjectives[words], index + size
        return None

    def institution_at(self, index: int) -> tuple[str, int] | None:
        for size in (2, 1):
            words = self.words_at(index, size)
            if words is not None and " ".join(words) in INSTITUTIONS:
                if " ".join(words) in LOWER_CASE_INSTITUTIONS and (
                    (not self.caps and not self.tokens[index].text.islower())
                    or (
                        # `U.S. military assistance`, `Algerian military intelligence`:
                        # an adjective before a noun names no institution.
                        self.is_word(index + size)
                        and self.tokens[index + size].plain not in FUNCTION_WORDS
                        and self.tokens[index + size].plain not in REPORTING
                        and (self.caps or self.tokens[index + size].text.islower())
                    )
                ):
                    continue
                return INSTITUTIONS[" ".join(words)], index + size
        return None

    def title_at(self, index: int) -> int | None:
        """Where a person's title starting at `index` ends, or None."""
        best = None
        if ABBREVIATION.match(self.tokens[index].text):
            return None  # `U.S.` is not `U/S`
        longest = TITLE_FIRST_WORDS.get(self.tokens[index].plain.partition(" ")[0], 0)
        for size in range(1, longest + 1):
            words = self.words_at(index, size)
            if words is None:
                break
            phrase = " ".join(words)
            if phrase in self.titles:
                best = index + size
        # `Interior Minister`, `Oil Minister`, `Deputy Interior Minister`.
        probe = index + 1 if self.is_word(index) and self.tokens[index].plain == "deputy" else index
        end = probe
        while self.is_word(end) and self.tokens[end].plain in PORTFOLIO_WORDS:
            end += 1
        if (
            end > probe
            and self.is_word(end)
            and self.tokens[end].plain in {"minister", "ministers"}
        ):
            best = max(best or 0, end + 1)
        if best is None:
            return None
        # `Minister of Interior`, `Minister of Foreign Affairs and Trade`, `Secretary of
        # State for Defense`: a portfolio after the title is part of it.
        if self.is_word(best) and self.tokens[best].plain in {"of", "for"}:
            end = best + 1
            while self.is_word(end) and self.tokens[end].plain in PORTFOLIOS:
                end += 1
            while end > best + 1 and self.tokens[end - 1].plain in CONNECTORS:
                end -= 1
            if end > best + 1:
                best = end
        # `Speaker of Parliament`, `Speaker of the Senate`: the body is part of the title.
        if self.is_word(best) and self.tokens[best].plain == "of":
            end = best + 1
            if self.is_word(end) and self.tokens[end].plain == "the":
                end += 1
            if (
                self.is_word(end)
                and self.tokens[end].plain in {"parliament", "senate", "congress"}
                and (self.caps or self.tokens[end].text[0].isupper())
            ):
                best = end + 1
        if not self.caps and not (
            self.tokens[index].text[0].isupper() or self.tokens[index].text in ("minister",)
        ):
            return None
        if (
            best < len(self.tokens)
            and self.tokens[best].text == "."
            and self.tokens[best - 1].plain in ABBREVIATED
        ):
            best += 1  # `Dr.`, `Amb.`; the period after `an Algerian General.` ends it
        return best

    def name_after_title(self, index: int) -> int:
        """Where the name after a title ends (== index when none follows)."""
        end = index
        skipped = 0  # the tokens of a nickname: `("Kip")`
        while end < len(self.tokens) and end - index - skipped < 5:
            token = self.tokens[end]
            if not token.text[0].isalpha():
                # An initial: `Ryan C. Crocker`.
                if token.text == "." and end > index and len(self.tokens[end - 1].text) == 1:
                    end += 1
                    nickname = self.nickname_at(end)
                    if nickname and self.name_like(nickname):
                        skipped += nickname - end
                        end = nickname
                    continue
                break
            if end > index and self.title_at(end) is not None and not self.particle(end):
                break
            if self.particle(end) and self.name_like(end + 1):
                end += 1
                continue
            first = end == index
            if self.caps:
                # `SHAH ASKS`, `SECRETARY SAID`: a word the prose writes in lower case is
                # not a name in an all-caps cable, even after a title (`RICE` and `BUSH`
                # are written capitalised far more often, so they are not such words).
                ok = token.plain not in self.common and token.plain not in self.jargon
                ok = ok and token.plain not in FUNCTION_WORDS
            else:
                tail = token.text.rpartition("-")[2]
                ok = name_cased(token.text) and token.plain not in self.jargon
                ok = ok and not (tail != token.text and tail.islower() and tail not in PARTICLES)
                # `Deputy Assistant Secretary`, `General Counsel`, `Under Secretary for
                # Policy`: a word prose writes in lower case continues a title, it does
                # not start a name (unless it is a first name: `Will`, `Major`).
                if first and token.plain in self.common and token.plain not in self.given:
                    ok = False
                if first and ok and len(token.text) > 1 and token.text.isupper():
                    # `Director FBI`, `Commander ISAF`: in mixed-case prose an acronym the
                    # tables know after a title is the title's office, not a surname.
                    office = self.known(end)
                    ok = office is None or office[0].kind == PERSON
            if not ok or REDACTED.search(token.text):
                break
            known = None if first else self.known(end)
            # A city's name may be a surname (`Chief Prosecutor Javier Zaragoza`); a
            # country, an organisation or a post ends the name.
            if known is not None and (known[0].kind != PLACE or known[0].weight >= 50):
                break
            end += 1
            if token.possessive:
                break  # `Ambassador Crocker's staff`
            nickname = self.nickname_at(end)
            if nickname and self.name_like(nickname):
                # `General William E. ("Kip") Ward`: the name goes on.
                skipped += nickname - end
                end = nickname
        # Drop a trailing initial's period we may have taken, and connectors.
        while end > index and not self.tokens[end - 1].text[0].isalpha():
            end -= 1
        while end > index and self.particle(end - 1):
            end -= 1
        return end

    def nickname_at(self, index: int) -> int:
        """Where a nickname in brackets or quotes inside a name ends (`("Kip")`, `"Kip"`),
        or 0: one or two capitalised words, quoted."""
        probe = index
        bracket = probe < len(self.tokens) and self.tokens[probe].text == "("
        probe += bracket
        if probe >= len(self.tokens) or self.tokens[probe].text not in QUOTES:
            return 0
        probe += 1
        words = 0
        while self.is_word(probe) and self.tokens[probe].text[0].isupper() and words < 2:
            probe += 1
            words += 1
        if not words or probe >= len(self.tokens) or self.tokens[probe].text not in QUOTES:
            return 0
        probe += 1
        if bracket:
            if probe >= len(self.tokens) or self.tokens[probe].text != ")":
                return 0
            probe += 1
        return probe

    # -- the loop ----------------------------------------------------------------------

    def read(self) -> list[Candidate]:
        index = 0
        while index < len(self.tokens):
            index = self.step(index)
        return self.out

    def step(self, index: int) -> int:
        token = self.tokens[index]
        if not token.text[0].isalpha() or REDACTED.search(token.text):
            return index + 1
        if not self.caps and not name_cased(token.text) and token.plain not in LOWER_STARTS:
            # Most words of mixed-case prose: lower case, and no name starts with them.
            return index + 1
        alias = self.aliases.get(index)
        if alias is not None:
            self.emit(ORG, alias[1], index, alias[0] - 1, "alias")
            return alias[0]
        defined = self.context.spelled.get(token.text) if not self.caps else None
        if defined is not None:
            # An acronym the cable spelled out names what the cable said it does, whatever
            # the tables know it as (`SADC`: an organisation's name overrides only an
            # organisation's) and whatever verb follows (`ATT said`), unless it starts a
            # longer name (`EU Council`, `RAK Airways`).
            known = self.known(index)
            # Not `RAK Airways`; not a title (`MP`, which a cable may spell out too).
            alone = not self.name_like(index + 1) and self.title_at(index) is None
            if alone and (known is None or (known[1] == index + 1 and defined[0] == ORG)):
                self.emit(defined[0], defined[1], index, index, "acronym")
                return index + 1
        shaped = self.shape_at(index)
        if shaped is not None:
            return shaped
        organisation = self.organisation_ahead(index)
        if organisation is not None:
            return organisation
        title_end = self.title_at(index)
        named = self.known(index) if title_end is not None else None
        while title_end is not None and title_end < len(self.tokens):
            # `Chief Prosecutor`, `Investigating Judge`, `Deputy Chief of Mission`.
            longer = self.title_at(title_end) if self.is_word(title_end) else None
            if longer is None:
                break
            title_end = longer
        # A known organisation whose name starts with a title is the organisation:
        # `Justice and Development Party`, not Justice (a judge) and a party.
        if (
            title_end is not None
            and named is not None
            and named[0].kind in (ORG, POST)
            and named[1] > title_end
        ):
            title_end = None
        if title_end is not None:
            if self.is_word(title_end) and self.tokens[title_end].plain == "sipdis":
                # `National Security Advisor SIPDIS Hadley`: the marker the cable system
                # writes after a title's first use is not part of the name.
                title_end += 1
            name_end = self.name_after_title(title_end)
            if name_end > title_end:
                name = _without_nickname(self.tokens[title_end:name_end])
                self.emit(PERSON, name, title_end, name_end - 1, "title")
                self.out[-1].title = " ".join(
                    t.plain for t in self.tokens[index:title_end] if t.text[0].isalpha()
                )
                return self.ruling(title_end, name_end)
            # No name follows: a title alone is no one's name (`the PM`, `the NSA`).
            return title_end
        found = self.known(index)
        if (
            found is not None
            and found[0].kind == PLACE
            and found[0].weight < 50
            and found[1] == index + 1
            and self.name_like(index + 1)
            and self.known(index + 1) is None
            and (
                token.plain in self.given
                or (found[0].weight == 10 and self.surname_after(index + 1))
            )
        ):
            found = None  # `David Addington`, `Tyler Hoffmann`, not the city of David
            self.first_name_at = index
        if found is not None:
            entry, end = found
            if entry.kind == EVENT:
                return end
            if (
                entry.kind == ORG
                and entry.mixed_case_only
                and entry.country == "US"
                and end == index + 1
                and not token.text.isupper()
                and not token.possessive  # `Labour's Deputy Chief Whip`: the party's
                and self.is_word(end)
                and self.title_at(end) is not None
            ):
                # `Treasury Secretary Geithner`, `Treasury Attache Seth Bleiweis`, `State
                # Secretary Timmermans`: a US department's common-word name before a title
                # is the title's portfolio, not a mention of the department (`WHA A/S
                # Shannon` still is; `Labour Leader Harriet Harman` is the party's).
                return end
            # A country's name before an institution: `Iraq government`.
            if entry.kind == PLACE and entry.country and self.institution_at(end):
                return self.government(index, end, entry.country)
            owner = self.tokens[end - 1].possessive and entry.kind == PLACE
            if owner:
                # ... unless what follows is a known name of another country's or a
                # common word's (`Dubai's State Security Organization`, `Brazil's
                # Congress`): then the place's name stays in the organisation's.
                inner = self.known(end)
                owner = inner is None or (
                    inner[0].kind == ORG
                    and not inner[0].mixed_case_only
                    and inner[0].country == entry.country != ""
                )
            if entry.kind == PLACE and not owner:
                # `Ankara University`, `Argonne National Laboratory`: a place opening an
                # organisation's name (a place's possessive only says whose it is:
                # `Senegal's Anti-Corruption Commission` is the Anti-Corruption Commission).
                stop = end
                while stop < len(self.tokens) and stop - end < 4 and self.name_like(stop):
                    stop += 1
                heads = [t.plain for t in self.tokens[end:stop]]
                if heads and heads[-1] in ORG_HEADS and "ministry" not in heads:
                    inner = self.known(end)
                    if (
                        inner is not None
                        and inner[0].kind == ORG
                        and inner[1] == stop
                        and inner[0].country == entry.country != ""
                    ):
                        # `U.S. Africa Command`: the country's own known organisation.
                        self.emit(ORG, inner[0].name, index, stop - 1, "gazetteer")
                        return stop
                    # `Dubai General Directorate of State Security`: a connector and more
                    # capitalised words continue the organisation's name.
                    if (
                        not self.caps
                        and self.is_word(stop)
                        and self.tokens[stop].plain in {"of", "for"}
                        and self.name_like(stop + 1)
                    ):
                        more = stop + 1
                        while (
                            more < len(self.tokens)
                            and more - stop <= 3
                            and self.name_like(more)
                            and self.tokens[more].plain not in self.given
                            and self.title_at(more) is None
                        ):
                            more += 1
                        if more > stop + 1:
                            stop = more
                    run = self.tokens[index:stop]
                    self.emit(ORG, _name(run, self.caps), index, stop - 1, "org-head")
                    return stop
                # `Anhui Province`, `Andalusia Region`: the head is part of the mention.
                if (
                    self.is_word(end)
                    and self.tokens[end].plain in PLACE_HEADS
                    and (self.caps or self.tokens[end].text[0].isupper())
                ):
                    end += 1
            self.emit(entry.kind, entry.name, index, end - 1, "gazetteer", entry.country)
            return self.ruling(index, end, entry.country)
        if token.plain in COMPASS and self.is_word(index + 1):
            # `Northern Mali`, `Western China`, `West Asia`: a part of a country or a
            # region the tables know, named as a place of its own.
            part = self.known(index + 1)
            if part is not None and part[0].kind == PLACE and part[0].weight >= 40:
                name = f"{_title(token.text)} {part[0].name}"
                self.emit(PLACE, name, index, part[1] - 1, "place-head", part[0].country)
                return part[1]
        if self.name_like(index):
            return self.run(index)
        return index + 1

    def shape_at(self, index: int) -> int | None:
        """Names made by a shape: posts, governments, ministries."""
        token = self.tokens[index]
        words = token.plain
        if (
            words == "parliament"
            and (self.caps or token.text[0].isupper())
            and self.context.host not in ("", "US")
            and not (self.is_word(index + 1) and self.tokens[index + 1].plain == "of")
        ):
            # `Parliament` alone, capitalised, is the host country's (`the bill went to
            # Parliament`), as `Interior Ministry` is its ministry; other parliaments are
            # named (`European Parliament`, `the Iraqi parliament`, `Parliament of X`).
            name = f"Parliament of {self.context.country_name(self.context.host)}"
            self.emit(ORG, name, index, index, "government")
            return index + 1
        # `Embassy Madrid`, `AmEmbassy Madrid`, `Consulate General Basrah`, `ConGen Basrah`,
        # `U.S. Embassy in Baghdad`.
        if words in {"embassy", "amembassy", "consulate", "amconsul", "congen", "amconsulate"}:  # noqa: SIM102
            if self.caps or token.text[0].isupper():
                end = index + 1
                if self.is_word(end) and self.tokens[end].plain == "general":
                    end += 1
                if self.is_word(end) and self.tokens[end].plain == "in":
                    end += 1
                for size in (3, 2, 1):
                    city = self.words_at(end, size)
                    if city in self.table.post_cities:
                        name = self.table.post_cities[city][1]
                        first = index
                        if index > 0 and self.tokens[index - 1].plain in {"u s", "us", "american"}:
                            first = index - 1
                        self.emit(POST, name, first, end + size - 1, "post")
                        return end + size
        # `Prime Ministry`, `PM's office`, `Prime Minister's Office`.
        premier = self.premier_office_at(index)
        if premier is not None:
            host = self.context.host
            name = "Prime Minister's Office"
            self.emit(
                ORG,
                f"{name} ({self.context.country_name(host)})" if host else name,
                index,
                premier - 1,
                "government",
            )
            return premier
        # `GOI`, `GOS`: a government by its country's initial.
        match = GOVERNMENT_ABBREVIATION.match(token.text)
        if match and words not in self.common and words not in self.jargon:
            fips = self.context.country_by_initials(match.group(1))
            if fips:
                self.emit(ORG, self.context.government(fips), index, index, "government")
                return index + 1
        # `MFA`, `MOI`: the ministry of the cable's country.
        if (
            token.text.isupper()
            and words in MINISTRY_ABBREVIATIONS
            and (
                not self.caps
                or not index
                or self.tokens[index - 1].plain not in FUNCTION_WORDS | {"i"}
            )
        ):
            fips = self.context.host
            self.emit(
                ORG,
                self.context.ministry(MINISTRY_ABBREVIATIONS[words], fips),
                index,
                index,
                "ministry",
            )
            return index + 1
        # `Ministry of Interior`, `Ministry of Foreign Affairs and Trade`.
        if words == "ministry" and (self.caps or token.text[0].isupper()):
            ministry = self.ministry_of(index, index, self.context.host)
            if ministry is not None:
                return ministry
        # `Interior Ministry`, `Foreign Ministry`.
        end = index
        while self.is_word(end) and self.tokens[end].plain in PORTFOLIO_WORDS:
            end += 1
        if (
            end > index
            and self.is_word(end)
            and self.tokens[end].plain == "ministry"
            and (self.caps or token.text[0].isupper())
        ):
            portfolio = " ".join(t.text for t in self.tokens[index:end])
            if portfolio.lower() == "foreign":
                portfolio = "Foreign Affairs"
            self.emit(
                ORG,
                self.context.ministry(_title(portfolio), self.context.host),
                index,
                end,
                "ministry",
            )
            return end + 1
        # `the Iraqi government`, `Spanish MFA`, `U.S. military`, `Iraqi Interior Ministry`.
        adjective = self.adjective_at(index)
        if adjective is not None:
            fips, end = adjective
            if self.institution_at(end) is not None:
                return self.government(index, end, fips)
            after = self.shape_after_adjective(index, end, fips)
            if after is not None:
                return after
        # `Government of Iraq`.
        # `government of Mali` too: the country's name, capitalised, says it is one.
        if words in {"government", "govt"}:  # noqa: SIM102
            if self.is_word(index + 1) and self.tokens[index + 1].plain == "of":
                country = self.adjective_at(index + 2)
                if country is not None:
                    fips, end = country
                    self.emit(ORG, self.context.government(fips), index, end - 1, "government")
                    return end
                if token.text[0].isupper() or self.caps:
                    return self.government_named(index, index + 2)
        return None

    def government_named(self, index: int, at: int) -> int | None:
        """`Government of the Republic of Korea`, `Government of the Bolivarian Republic of
        Venezuela`: a country's long name after `Government of [the]` (a known country at
        its end) is that country's government; `Government of National Unity`, `Government
        of Southern Sudan`: other capitalised words make an organisation of that name."""
        if self.is_word(at) and self.tokens[at].plain == "the":
            at += 1
        end = at
        while end < len(self.tokens) and end - at < 7:
            if (self.name_like(end) and self.title_at(end) is None) or (
                end > at
                and self.is_word(end)
                and self.tokens[end].plain in {"of", "and", "for"}
                and self.name_like(end + 1)
            ):
                end += 1
            else:
                break
        if end == at:
            return None
        for start in range(at, end):
            found = self.known(start)
            if (
                found is not None
                and found[1] == end
                and found[0].kind == PLACE
                and found[0].country
                and found[0].weight >= 50
                and all(
                    t.plain in LONG_NAME_WORDS or self.adjective_at(at + i) is not None
                    for i, t in enumerate(self.tokens[at:start])
                )
            ):
                name = self.context.government(found[0].country)
                self.emit(ORG, name, index, end - 1, "government")
                return end
        if self.caps:
            return None
        self.emit(ORG, _name(self.tokens[index:end], self.caps), index, end - 1, "org-head")
        return end

    def ministry_of(self, first: int, index: int, fips: str) -> int | None:
        """`Ministry of Interior` at `index` (`first` where the mention starts: `Yemeni
        Ministry of Defense`), the ministry of the country `fips`; where it ends, or None."""
        if not (self.is_word(index + 1) and self.tokens[index + 1].plain in {"of", "for"}):
            return None
        end = index + 2
        while end < len(self.tokens) and self.portfolio_word(end, index + 2):
            end += 1
        while end > index + 2 and (
            self.tokens[end - 1].plain in CONNECTORS or self.tokens[end - 1].text == ","
        ):
            end -= 1
        if end == index + 2:
            return None
        portfolio = self.span(index + 2, end - 1)[2]
        self.emit(ORG, self.context.ministry(_title(portfolio), fips), first, end - 1, "ministry")
        return end

    def portfolio_word(self, index: int, first: int) -> bool:
        """Whether the word at `index` goes on a ministry's portfolio begun at `first`: a
        portfolio word (`Interior`, `Foreign Affairs`), or in mixed-case prose any
        capitalised word prose also writes in lower case, joined by `and`, `of`, `for`,
        `the` or a comma (`Ministry of Planning and Development Cooperation`, `Ministry of
        Women's Affairs`, `Ministry of Industry, Energy and Tourism`); a name is not one
        (`Ministry of Interior Jawad Bolani` ends before the name)."""
        token = self.tokens[index]
        if self.is_word(index) and token.plain in PORTFOLIOS:
            return True
        if self.caps:
            return False
        if token.text == ",":
            # `Ministry of Industry, Energy and Tourism`: a comma in a list that `and` ends.
            probe = index + 1
            while probe < len(self.tokens) and probe - index < 6 and self.is_word(probe):
                if self.tokens[probe].plain == "and":
                    break
                probe += 1
            if not (self.is_word(probe) and self.tokens[probe].plain == "and"):
                return False
        if index > first and (
            (self.is_word(index) and token.plain in CONNECTORS) or token.text == ","
        ):
            following = index + 1
            return (
                following < len(self.tokens)
                and self.is_word(following)
                and self.tokens[following].text[0].isupper()
                and self.tokens[following].plain not in FUNCTION_WORDS
            )
        listed = index > first and self.tokens[index - 1].plain in {"and", ","}
        return (
            self.is_word(index)
            and token.text[0].isupper()
            and not token.text.isupper()
            and (token.plain in self.common or (listed and token.plain not in self.given))
            and self.title_at(index) is None
            and (index + 1 >= len(self.tokens) or self.title_at(index + 1) is None)
            and self.known(index) is None
        )

    def premier_office_at(self, index: int) -> int | None:
        """Where `Prime Ministry`, `PM's office` or `Prime Minister's Office` (the office of
        the head of the cable's country's government) ends, or None."""
        token = self.tokens[index]
        if token.plain not in ("prime", "pm") or not (self.caps or token.text[0].isupper()):
            return None
        at = index + 1
        if token.plain == "prime":
            if not self.is_word(at):
                return None
            if self.tokens[at].plain == "ministry":
                return at + 1
            if self.tokens[at].plain != "minister":
                return None
            at += 1
        if (
            self.tokens[at - 1].possessive
            and self.is_word(at)
            and self.tokens[at].plain == "office"
        ):
            return at + 1
        return None

    def organisation_ahead(self, index: int) -> int | None:
        """An organisation's name that starts with a title or a known word, read whole
        before either takes its first word: `Justice and Development Party` (not Justice
        X), `Prime Minister's Office`, `Bank of England` (then `Governor Mervyn King`).
        Mixed-case prose only: the name's words must be capitalised, joined by `of`,
        `for`, `and`, `the`, `on`; it ends in a head word, or a head word opens it."""
        if self.caps or not self.tokens[index].text[0].isupper():
            return None
        if self.tokens[index].plain in FUNCTION_WORDS:
            return None
        if (
            self.tokens[index].sentence_start
            and self.tokens[index].plain in self.common
            and self.is_word(index + 1)
            and self.tokens[index + 1].plain in CONNECTORS
        ):
            return None  # `Details of UN Development Program`: a heading's first word
        known = self.known(index)
        if known is not None and known[0].kind in (ORG, POST):
            return None  # `DOJ Office of Legal Counsel`, `Shabaab and Islamic Courts`: two
        end = index
        title_end = self.title_at(index)
        titled = title_end is not None
        if title_end is not None and (
            title_end >= len(self.tokens) or self.tokens[title_end].plain in {"of", "for"}
        ):
            return None  # `Director of U.S. Customs` is a person's title
        while end < len(self.tokens) and end - index < 9:
            token = self.tokens[end]
            if (
                end > index
                and self.title_at(end) is not None
                and not (token.plain in MEMBERS and self.tokens[end - 1].plain in CONNECTORS)
            ):
                break
            if token.plain == "and" and (
                (titled and not any(t.plain in ORG_HEADS for t in self.tokens[index:end]))
                or (self.is_word(end + 1) and self.tokens[end + 1].text.isupper())
                or (end == index + 1 and self.tokens[index].text.isupper())
                # `Embassy and Consulate Jeddah`, `the Army and Frontier Corps`: a bare
                # head word before `and` is a body of its own.
                or (end == index + 1 and self.tokens[index].plain in ORG_HEADS)
            ):
                # `the Ambassador and U.S. Africa Command General Ward`: a title, then
                # something else (`King Abdullah University for Science and Technology`
                # is one name); `INAC and American Airlines`, `German Customs and BAFA`:
                # an acronym on either side of `and` is a name of its own.
                break
            capitalised = self.is_word(end) and token.text[0].isupper()
            if (capitalised and token.plain not in self.jargon) or (
                end > index
                and self.is_word(end)
                and token.plain in CONNECTORS
                and self.is_word(end + 1)
                and self.tokens[end + 1].text[0].isupper()
            ):
                end += 1
            else:
                break
            if self.tokens[end - 1].possessive and self.tokens[end - 1].plain not in (
                "minister",
                "president",
                "people",
            ):
                break
        while end > index + 1 and self.tokens[end - 1].plain in CONNECTORS:
            end -= 1  # `the Council of` before a title: not the name's
        words = [t.plain for t in self.tokens[index:end]]
        if len(words) < 2 or not org_named(words):
            return None
        if any(w in NOT_ENTITY_HEADS and f in CONNECTORS for w, f in pairwise(words)):
            return None  # `Mutual Assistance Agreement on Customs`: a thing
        if not any(w in CONNECTORS for w in words) and not titled:
            return None  # plain runs (`Communist Party`) are the run rule's to read
        self.emit(ORG, _name(self.tokens[index:end], self.caps), index, end - 1, "org-head")
        return end

    def ruling(self, first: int, end: int, country: str = "") -> int:
        """`the AKP government`, `the Karzai administration`: a party or a leader before
        `government` also names the country's government (the party or the person is
        its own mention too)."""
        if (
            self.is_word(end)
            and self.tokens[end].plain in {"government", "administration", "regime"}
            and self.out
        ):
            fips = country or self.context.host
            if fips:
                self.emit(ORG, self.context.government(fips), first, end, "government")
                return end + 1
        return end

    def shape_after_adjective(self, first: int, end: int, fips: str) -> int | None:
        """`Iraqi Interior Ministry`, `Yemeni Ministry of Defense`, `Iran's Ministry of
        Interior`: a ministry after a country's adjective or name."""
        if (
            self.is_word(end)
            and self.tokens[end].plain == "ministry"
            and (self.caps or self.tokens[end].text[0].isupper())
        ):
            return self.ministry_of(first, end, fips)
        probe = end
        while self.is_word(probe) and self.tokens[probe].plain in PORTFOLIO_WORDS:
            probe += 1
        if probe > end and self.is_word(probe) and self.tokens[probe].plain == "ministry":
            portfolio = " ".join(t.text for t in self.tokens[end:probe])
            if portfolio.lower() == "foreign":
                portfolio = "Foreign Affairs"
            self.emit(ORG, self.context.ministry(_title(portfolio), fips), end, probe, "ministry")
            return probe + 1
        return None

    def government(self, first: int, end: int, fips: str) -> int:
        institution = self.institution_at(end)
        assert institution is not None
        kind, stop = institution
        named = self.known(first)
        if named is not None and named[0].kind == ORG and named[1] == stop:
            # `Iraqi security forces`: the tables' `Iraqi Security Forces` (ISF).
            self.emit(ORG, named[0].name, first, stop - 1, "gazetteer")
            return stop
        if kind == "Embassy" and fips == "US":
            return stop  # `the U.S. Embassy`: a post, and which one the text does not say
        if kind == "Government":
            name = self.context.government(fips)
        elif kind == "Ministry of Foreign Affairs":
            name = self.context.ministry("Foreign Affairs", fips)
        elif kind == "Embassy":
            name = f"Embassy of {self.context.country_name(fips)}"
        else:
            name = f"{kind} of {self.context.country_name(fips)}"
        self.emit(ORG, name, first, stop - 1, "government")
        return stop

    def run(self, index: int) -> int:
        """A run of name-like words from `index`; classify it."""
        end = index + 1
        while end < len(self.tokens):
            if self.tokens[end - 1].possessive and not self.head_words(index, end) & ORG_HEADS:
                break  # `Putin's Pikalevo visit`: the name ends at its `'s`
            if self.name_like(end):
                if self.title_at(end) is not None or self.shape_start(end):
                    break
                end += 1
                continue
            if (
                self.is_word(end)
                and (self.particle(end) or self.tokens[end].plain in CONNECTORS)
                and self.name_like(end + 1)
                and not (
                    self.tokens[end].plain == "and"
                    and (self.tokens[end + 1].text.isupper() or self.tokens[end - 1].text.isupper())
                    and not self.caps
                )
            ):
                ahead = self.head_words(index, end)
                if (
                    self.tokens[end].plain == "and"
                    and end == index + 1
                    and self.tokens[index].plain in ORG_HEADS
                ):
                    # `Embassy and Consulate Jeddah`, `the Army and Frontier Corps`: a bare
                    # head word before `and` is a body of its own, not the start of a name.
                    break
                if self.particle(end) or ahead & (ORG_HEADS | PLACE_HEADS):
                    end += 1
                    continue
            # An initial inside a name: `William E. Ward`.
            token = self.tokens[end]
            if (
                token.text == "."
                and len(self.tokens[end - 1].text) == 1
                and self.tokens[end - 1].text.isupper()
                and self.name_like(end + 1)
            ):
                end += 1
                continue
            break
        while end > index + 1 and self.tokens[end - 1].plain in CONNECTORS:
            end -= 1  # `the Council of` before a title (`Council of Minister Ahmed`)
        run = [t for t in self.tokens[index:end] if t.text[0].isalpha()]
        words = [t.plain for t in run]
        last = words[-1]
        if last in NOT_ENTITY_HEADS:
            return end
        if len(run) > 1 and org_named(words):
            # `A Communist Party`: an article at a sentence's start is not in the name.
            while len(run) > 2 and run[0].plain in FUNCTION_WORDS:
                run = run[1:]
                index = self.tokens.index(run[0], index)
            self.emit(ORG, _name(run, self.caps), index, end - 1, "org-head")
            return end
        if len(run) > 1 and last in PLACE_HEADS:
            # `Andalusia Region`, `Anbar Province`: the place is Andalusia, Anbar; `Sadr
            # City`, `Swat Valley`, `Red Sea` keep their head, it is part of the name.
            named = run[:-1] if last in DIVISION_HEADS else run
            self.emit(PLACE, _name(named, self.caps), index, end - 1, "place-head")
            return end
        if len(run) > 1 and words[0] in LEADING_ORG_HEADS:
            # `Bank Mellat`, `University Candido Mendes`, `Radio Sawa`.
            self.emit(ORG, _name(run, self.caps), index, end - 1, "org-head")
            return end
        classed = self.classed(index, end)
        if classed:
            self.emit(classed, _name(run, self.caps), index, end - 1, "class-noun")
            return end
        if (
            not self.caps
            and len(run) > 1
            and index > 0
            and self.tokens[index - 1].text in QUOTES
            and end < len(self.tokens)
            and self.tokens[end].text in QUOTES
        ):
            # A quotation filled by capitalised words is a title, not a person: a book,
            # a film, a programme, a newspaper (`"Mein Kampf"`, `"Barrio Adentro"`, `"El
            # Tiempo"`); opened by a foreign article it is a newspaper's or a group's name
            # (`"El Mundo"`, `"Los Montoneros"`), an organisation.
            if words[0] in FOREIGN_ARTICLES:
                self.emit(ORG, _name(run, self.caps), index, end - 1, "quoted")
            return end
        # Words the prose also writes in lower case are not part of a person's name at
        # its edges: `Visit Ankara`, `Javier Solana Personal`.
        whole = (index, end, run, words)
        first, stop = index, end
        while first < stop and (
            (self.tokens[first].plain in self.common and self.tokens[first].plain not in self.given)
            or "/" in self.tokens[first].text  # `S/SECC Jonathan Pershing`: an office
        ):
            first += 1
        while stop > first and (
            self.tokens[stop - 1].plain in self.common
            or not self.tokens[stop - 1].text[0].isalpha()
        ):
            stop -= 1
        if first != index or stop != end:
            index, run = first, [t for t in self.tokens[first:stop] if t.text[0].isalpha()]
            if not run:
                return end
            words = [t.plain for t in run]
        if (
            not self.caps
            and len(run) > 1
            and words[0] in IDEOLOGIES
            and (len(run) > 2 or words[1] in self.given)
        ):
            # `Socialist Segolene Royal`, `Peronist Carlos Reutemann`: a party's word
            # describes the person, it is no part of the name.
            run, words = run[1:], words[1:]
            index = self.tokens.index(run[0], index)
        located = self.located(index, self.tokens.index(run[-1], index) + 1)
        if located and len(run) <= 3 and not self.caps:
            # `in Tessalit, Mali`: a place the tables miss, placed in a country.
            self.emit(PLACE, _name(run, self.caps), index, located - 1, "place-head", "")
            return end
        if len(run) == 1:
            token = run[0]
            if token.sentence_start and not self.caps and token.plain in self.common:
                return end
            # A lone word: a surname or an acronym; resolution decides, unless what
            # follows says a person spoke (`Putin said`, `KUDRIN NOTED`).
            position = self.tokens.index(token, index)
            if compound(token.text):
                # `Medvedev-Putin`: two names, neither alone; `UAE-Oman`: two places.
                self.compound_places(position)
                return end
            if self.adjective_at(position) is not None or token.plain in PEOPLES:
                # `Medvedev-Putin`, `Iran-Iraq`: two names, neither alone; `Israeli`: an
                # adjective, nobody's name.
                return end
            said = self.is_word(position + 1) and self.tokens[position + 1].plain in REPORTING
            if said and (self.caps or not token.text.isupper()):
                self.emit(PERSON, _name(run, self.caps), position, position, "said")
            else:
                self.emit("", _name(run, self.caps), position, position, "lone")
            return self.ruling(position, end) if end == position + 1 else end
        last_index = self.tokens.index(run[-1], index)
        # Arabic name particles make a person (`Abu Musab al-Zarqawi`); Romance ones do not
        # by themselves (`Bras de Pina` is a place, `Folha de Sao Paulo` a newspaper).
        particles = any(w in ARABIC_PARTICLES for w in words) or any(
            t.text.lower().startswith(("al-", "el-", "abu", "abdul", "bin")) for t in run
        )
        # A run holding a known place or a country's adjective is no one's name
        # (`Northern Mali`, `West Asia`, `South American`); a plural is no one either.
        positions = [self.tokens.index(t, index) for t in run]
        placed = any(t.plain in PEOPLES for t in run) or any(
            self.adjective_at(position) is not None
            or (found is not None and found[0].kind == PLACE and position != self.first_name_at)
            for position in positions
            for found in [self.known(position)]
        )
        plural = any(t.text.endswith("s") and t.text[:-1].isupper() for t in run)
        # A country's adjective or a people's name rules a person out even after a first
        # name (`North Korean`); a city's name does not (`Javier Zaragoza`).
        peopled = any(t.plain in PEOPLES for t in run) or any(
            self.adjective_at(position) is not None for position in positions
        )
        # An office's symbol (`S/SECC`, `East/NPT`) is no part of a person's name.
        slashed = any("/" in t.text for t in run)
        if (not slashed and (words[0] in self.given and not peopled)) or (
            not slashed
            and not placed
            and not plural
            and (
                particles
                or (
                    not self.caps
                    and len(run) <= 4
                    and not any(w in ROMANCE_PARTICLES for w in words)
                    and all(
                        t.text[0].isupper() and not t.text.isupper() and t.plain not in self.common
                        for t in run
                    )
                )
            )
        ):
            if (
                not self.caps
                and not particles
                and not any(w in self.given for w in whole[3])
                and whole[3][-1].removesuffix("s") not in PLACE_HEADS | {"area", "zone"}
                and self.acronym_after(whole[1] - 1, whole[3])
            ):
                # `Price Waterhouse Coopers (PWC)`, `Ahlu Sunnah Wal Jama'a (ASWJ)`: words
                # that only their capitals made a person's name, given an acronym of their
                # initials, are an organisation's name (people given one have a first
                # name or a particle the tables know: `Ahmed Wali Karzai (AWK)`).
                self.emit(ORG, _name(whole[2], self.caps), whole[0], whole[1] - 1, "org-acronym")
                return end
            self.emit(PERSON, _name(run, self.caps), index, last_index, "name")
            return self.ruling(index, end) if end == last_index + 1 else end
        # Anything else: each word may still be a surname.
        for token in run:
            position = self.tokens.index(token, index)
            if "/" in token.text:
                continue
            if not (compound(token.text) and self.compound_places(position)):
                self.emit("", _name([token], self.caps), position, position, "lone")
        return end

    def acronym_after(self, last: int, words: list[str]) -> bool:
        """Whether `(ACRONYM)` of the run's initials follows the run ending at `last`."""
        after = last + 1
        if after + 2 >= len(self.tokens) or self.tokens[after].text != "(":
            return False
        if self.tokens[after + 2].text != ")":
            return False
        acronym = self.tokens[after + 1].text
        return (
            acronym.isupper()
            and 2 <= len(acronym) <= 8
            and acronym.isalpha()
            and spells(acronym, words)
        )

    def classed(self, index: int, end: int) -> str:
        """What a lower-case noun next to a name says the name is, in mixed-case prose:
        `the daily Okaz`, `the firm Agromash`, `the NGO Viva Rio`, `the Mehr news agency`,
        `the Sadr movement` (an organisation); `the town of Tarkint`, `the port of Guanta`
        (a place). Empty when no such noun stands there."""
        if self.caps:
            return ""
        run = self.tokens[index:end]
        if (
            any(t.plain in PEOPLES for t in run)
            or any(self.adjective_at(i) is not None for i in range(index, end))
            or (len(run) == 1 and compound(run[0].text))
        ):
            return ""  # `the Italian firm`, `a European group`: a description
        if run[0].plain in self.given or any(
            self.title_at(i) is not None for i in range(index, end)
        ):
            return ""  # `party MEP Catherine Trautmann`: a person
        before = self.tokens[index - 1] if index else None
        if before is not None and self.is_word(index - 1):
            if before.plain in CLASS_BEFORE and (before.text.islower() or before.text == "NGO"):
                return ORG
            if (
                before.plain == "of"
                and index > 1
                and self.is_word(index - 2)
                and self.tokens[index - 2].text.islower()
                and self.tokens[index - 2].plain in PLACE_CLASSES
            ):
                return PLACE
        if (
            self.is_word(end)
            and self.tokens[end].text.islower()
            and self.tokens[end].plain in CLASS_AFTER
            and not self.tokens[end - 1].possessive
            and not run[0].sentence_start
            and not all(t.plain in self.common for t in run if t.text[0].isalpha())
            and not run[-1].plain.endswith(("ist", "ic", "ish", "ian", "an", "ese"))
        ):
            # Not `the Socialist party`, `any Customs agency`: words prose writes in lower
            # case before the noun describe it.
            return ORG
        return ""

    def compound_places(self, index: int) -> bool:
        """`UAE-Oman border`, `the Brazil-France SOFA`: a hyphenated pair (or more) of
        known places names each of them; if any part is not a known place
        (`Mercedes-Benz`, `Medvedev-Putin`), none is taken."""
        token = self.tokens[index]
        found: list[tuple[Entry, int, int]] = []
        offset = token.start
        for part in token.text.split("-"):
            entry = self.table.phrases.get(tuple(plain(part).split()))
            if (
                entry is None
                or entry.kind != PLACE
                or entry.mixed_case_only
                or (self.caps and entry.weight < 50 and plain(part) in self.common)
            ):
                return False
            found.append((entry, offset, offset + len(part)))
            offset += len(part) + 1
        for entry, start, end in found:
            self.out.append(
                Candidate(
                    PLACE,
                    entry.name,
                    self.text[start:end],
                    self.field,
                    self.paragraph,
                    start,
                    end,
                    "gazetteer",
                    entry.country,
                    self.caps,
                )
            )
        return True

    def surname_after(self, index: int) -> bool:
        """After a town's name that may be a first name (`Tyler`, `Fatih`), a word that
        can only be a surname: capitalised mid-sentence (not all capitals), a word prose
        never writes in lower case, no title nor head of an organisation's or a place's
        name nor of a thing's (`Riga Summit`), and the name ends with it (`Tehran Mehr
        News Agency` goes on)."""
        token = self.tokens[index]
        return (
            not self.caps
            and not token.sentence_start
            and not token.text.isupper()
            and token.plain not in self.common
            and token.plain not in ORG_HEADS
            and token.plain not in PLACE_HEADS
            and token.plain not in NOT_ENTITY_HEADS
            and token.plain not in COMPASS
            and token.plain not in PEOPLES
            and self.title_at(index) is None
            and self.adjective_at(index) is None
            and not self.name_like(index + 1)
        )

    def located(self, first: int, end: int) -> int:
        """`in Tessalit, Mali`, `near Tarkint, Mali`: where the words `first`..`end` stand
        between `in` or `near` and a comma and a country's name, the end of the words; else
        0. (`from Su Wei, China` is a person: only `in`, `near`, `outside`, `around`.)"""
        if (
            first > 0
            and self.tokens[first - 1].plain in {"in", "near", "outside", "around"}
            and end + 1 < len(self.tokens)
            and self.tokens[end].text == ","
        ):
            country = self.known(end + 1)
            if country is not None and country[0].kind == PLACE and country[0].weight >= 50:
                return end
        return 0

    def head_words(self, index: int, end: int) -> set[str]:
        """The plain words of the run so far and of the next few name-like words: a
        connector belongs to a run that is, or will be, an organisation's or a place's
        name (`Justice and Development Party`, `Ministry of Interior`)."""
        words = {t.plain for t in self.tokens[index:end]}
        probe = end + 1
        while (
            probe < len(self.tokens)
            and probe <= end + 4
            and (
                self.name_like(probe)
                or (self.is_word(probe) and self.tokens[probe].plain in CONNECTORS)
            )
        ):
            words.add(self.tokens[probe].plain)
            probe += 1
        return words

    def shape_start(self, index: int) -> bool:
        token = self.tokens[index]
        if token.plain in {"embassy", "amembassy", "consulate", "ministry"}:
            return True
        if GOVERNMENT_ABBREVIATION.match(token.text):
            return True
        found = self.known(index)
        if found is not None and found[0].mixed_case_only:
            return False  # `State` inside `Institute of Solid State Physics`
        return (
            found is not None
            and index > 0
            and self.known(index - 1) is None
            and found[0].kind in (ORG, POST)
        )


def _without_nickname(tokens: list[Token]) -> str:
    """A name's words without the nickname quoted in it: `William E. ("Kip") Ward` is
    `William E . Ward` (as names with initials are written here)."""
    words, quoted = [], False
    for token in tokens:
        if token.text in QUOTES:
            quoted = not quoted
        elif not quoted and token.text not in "()":
            words.append(token.text)
    return " ".join(words)


def _title(text: str) -> str:
    return " ".join(
        w if w.lower() in {"and", "of", "for", "the"} and i else w[:1].upper() + w[1:].lower()
        for i, w in enumerate(text.split())
    )


def _name(run: list[Token], caps: bool) -> str:
    from cabledesk.entities.names import title_case

    # A possessive inside a name is part of it (`People's Liberation Army`, `Prime
    # Minister's Office`); at its end it is the sentence's (`Maliki's`).
    words = [t.text + "'s" if t.possessive and t is not run[-1] else t.text for t in run]
    if caps:
        return " ".join(
            title_case(w) if t.plain not in PARTICLES else w.lower()
            for t, w in zip(run, words, strict=True)
        )
    return " ".join(words)


class Context:
    """What the cable says about where it stands: its post's country (the `host` whose
    MFA an `MFA` is), the countries of its TAGS, and whether it is an all-caps cable."""

    def __init__(self, cable: Cable):
        from cabledesk.reference import stations

        table = gazetteer()
        station = stations().get(_station(cable))
        self.host = (
            station.country if station and station.country and station.country != "US" else ""
        )
        self.tag_countries = [t for t in cable.tags if t in table.country_names]
        if not self.host and self.tag_countries:
            self.host = self.tag_countries[0]
        body = "\n".join(p.text for p in cable.paragraphs) or (cable.subject or "")
        self.caps = is_caps(body)
        self.table = table
        self.acronyms: dict[str, tuple[str, str]] = {}
        # Those of them made of their name's initials: the cable's own definition.
        self.spelled: dict[str, tuple[str, str]] = {}

    def country_name(self, fips: str) -> str:
        return self.table.country_names.get(fips, fips)

    def government(self, fips: str) -> str:
        """`Government of Iraq`, or the name the organisations table gives that
        government (`United States Government`, aliases `USG`, `U.S. Government`)."""
        if not fips:
            return "Government"
        country = self.country_name(fips)
        if "," in country:  # `Korea, South`
            first, _, last = country.partition(",")
            country = f"{last.strip()} {first.strip()}"
        name = f"Government of {country}"
        for spelling in (name, f"Government of the {country}", f"{country} Government"):
            entry = self.table.phrases.get(tuple(plain(spelling).split()))
            if entry is not None and entry.kind == ORG:
                return entry.name
        return name

    def ministry(self, portfolio: str, fips: str) -> str:
        name = f"Ministry of {portfolio}"
        return f"{name} ({self.country_name(fips)})" if fips else name

    def country_by_initials(self, initials: str) -> str:
        """`I` -> IZ for a cable from Baghdad or tagged IZ; else the likeliest."""
        candidates = [
            fips for fips, name in self.table.country_names.items() if _initials(name) == initials
        ]
        if not candidates:
            return ""
        for fips in [self.host, *self.tag_countries]:
            if fips in candidates:
                return fips
        return ""


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s,]+", name) if w and w.lower() not in {"of", "the", "and"}]
    if "," in name:  # `Korea, South`
        words = words[1:] + words[:1]
    if len(words) == 1:
        return words[0][0].upper()
    return "".join(w[0].upper() for w in words)


STATION_OF_ID = re.compile(r"^\d{2}([A-Z]+?)\d+")


def _station(cable: Cable) -> str:
    """`08BAGHDAD1784` -> `BAGHDAD` (reference ids are canonical in the record)."""
    match = STATION_OF_ID.match(cable.reference_id or "")
    return match.group(1) if match else ""
