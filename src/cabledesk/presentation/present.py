"""Turning records and results into what templates show: labels, badges, marked text, links.

Templates only lay things out; every decision about how a value reads lives here. Text is
escaped here too wherever markup is added, so nothing from a cable reaches a page raw.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from markupsafe import Markup, escape

from cabledesk.parse import REDACTION
from cabledesk.query.language import Field, Not, QueryError, top_parts, without_part
from cabledesk.record.level import Level
from cabledesk.reference import reason_meaning, tag_info
from cabledesk.workspace.notes import anchors

LEVEL_CLASS = {
    "UNCLASSIFIED": "u",
    "CONFIDENTIAL": "c",
    "SECRET": "s",
    "TOP SECRET": "ts",
}
# How each facet refines a query: the field of the query language it becomes.
FACET_FIELDS = {
    "origin": "origin",
    "year": "year",
    "classification": "class",
    "tag": "tag",
    "addressee": "to",
    "month": "month",
    "caveat": "caveat",
    # Whole values (`signer:="C. RICE"`), as the facets count them (an addressee too:
    # `to:"CIA WASHINGTON DC"` would also find `HQ CIA WASHINGTON DC`).
    "signer": "signer",
    "classified_by": "classified_by",
    # The timeline's bars and the browse pages narrow by `date:YYYY-MM`.
    "date": "date",
    # An entity facet's value is the entity's id (docs/entities.md, "Searching by entity").
    "entity": "entity",
    "predicted": "predicted",
}
EXACT_FACETS = ("signer", "classified_by", "addressee")
FACET_TITLES = {
    "origin": "Origin",
    "year": "Year",
    "month": "Month",
    "classification": "Classification",
    "caveat": "Handling caveat",
    "tag": "Tag",
    "addressee": "Addressee",
    "signer": "Signer",
    "classified_by": "Classified by",
    "people": "People",
    "organisations": "Organisations",
    "places": "Places",
    "predicted": "Predicted level",
}
# How a chip names the field of a query's part (the search page).
CHIP_TITLES = {
    **{FACET_FIELDS[name]: title for name, title in FACET_TITLES.items() if name in FACET_FIELDS},
    "to": "Addressee",
    "class": "Classification",
    "date": "Date",
    "from": "From",
    "subject": "Subject",
    "person": "Person",
    "org": "Organisation",
    "place": "Place",
    "entity": "Entity",
    "id": "Id",
    "cites": "Cites",
    "cited_by": "Cited by",
    "cited": "Cited",
    "thread": "Thread",
    "has": "Has",
}


def marking(classification: str | None, caveats: list[str]) -> str:
    return "//".join([classification or "UNKNOWN", *caveats])


def portion_level(marking: str | None) -> str | None:
    """The level a portion marking names (`S/NF`: SECRET), for its badge's colour."""
    level = Level.of_portion(marking)
    return None if level is None else level.label


def level_class(classification: str | None) -> str:
    return LEVEL_CLASS.get(classification or "", "x")


def highlighted(text: str, highlights: list[tuple[int, int]]) -> Markup:
    out, last = [], 0
    for start, end in highlights:
        out += [escape(text[last:start]), Markup("<mark>"), escape(text[start:end])]
        out.append(Markup("</mark>"))
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


def with_blanks(text: str) -> Markup:
    """Cable text with each redaction marker (XXXXXXXXXXXX) shown as a marked blank."""
    out, last = [], 0
    for match in REDACTION.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(
            Markup('<span class="redacted" title="withheld in the published source">')
            + Markup('<span class="visually-hidden">[redacted]</span></span>')
        )
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def query_value(value: str) -> str:
    """A facet value as the query language writes it (quoted when it has spaces)."""
    value = value.replace('"', "")
    if value and all(ch.isalnum() or ch in "-_./" for ch in value):
        return value
    return f'"{value}"'


def refine(q: str, facet: str, value: str) -> str:
    if facet == "classification":
        term = "class:" + value.lower().replace(" ", "_")
    elif facet == "predicted":
        term = "predicted:" + value.lower()
    elif facet in EXACT_FACETS:
        term = f'{FACET_FIELDS[facet]}:="{value.replace(chr(34), "")}"'
    else:
        term = f"{FACET_FIELDS[facet]}:{query_value(value)}"
    q = q.strip()
    if not q:
        return term
    # Parenthesised so that `a OR b` followed by a facet narrows the whole query.
    needs_group = " OR " in q and not (q.startswith("(") and q.endswith(")"))
    return f"({q}) {term}" if needs_group else f"{q} {term}"


@dataclass(frozen=True, slots=True)
class Chip:
    """A narrowing the query holds (a field at its top level, as a facet adds one),
    shown as a removable chip: `without` is the query with it taken out."""

    field: str
    title: str
    value: str
    negated: bool
    without: str


def chips(q: str, entity_names: dict[int, str] | None = None) -> list[Chip]:
    """The fields the query ANDs at its top level (`tag:PREL`, `-caveat:NOFORN`,
    `signer:="C. RICE"`), each with the query that drops it; none for a query that cannot
    be read. `entity_names`: the names the reader may see of the entities `entity:N`
    names (any other shows its number only)."""
    try:
        parts = top_parts(q)
    except QueryError:
        return []
    found = []
    for index, part in enumerate(parts):
        node, negated = part.node, False
        if isinstance(node, Not):
            node, negated = node.node, True
        if not isinstance(node, Field):
            continue
        value = node.value
        if node.name == "entity" and value.isdigit() and entity_names is not None:
            value = entity_names.get(int(value), f"entity {value}")
        found.append(
            Chip(
                node.name,
                CHIP_TITLES.get(node.name, node.name),
                value,
                negated,
                without_part(q, parts, index),
            )
        )
    return found


def search_url(q: str, sort: str = "rank", page: int = 1, path: str = "/search") -> str:
    params: dict[str, str | int] = {"q": q}
    if sort != "rank":
        params["sort"] = sort
    if page > 1:
        params["page"] = page
    return f"{path}?{urlencode(params)}"


def tag_meaning(tag: str) -> str | None:
    info = tag_info(tag)
    return info.meaning if info else None


def tag_kind(tag: str) -> str | None:
    info = tag_info(tag)
    return info.kind if info else None


def reason_text(code: str) -> str:
    meaning = reason_meaning(code)
    return f"{code}: {meaning.removeprefix('Reason: ')}" if meaning else code


def paragraph_anchors(numbers: list[int | None]) -> list[str]:
    """Anchor ids for a cable's paragraphs (`p5`, `p5-2`, `u3`): the workspace's rule, so
    that a note anchored to a paragraph is shown beside the paragraph of that anchor."""
    return anchors(numbers)


def with_links(text: str, links: list[tuple[int, int, str, str]]) -> Markup:
    """Cable text with each [start, end) of `links` made a link (href, title), the rest as
    `with_blanks` shows it. Links that overlap one already placed are left out."""
    out, last = [], 0
    for start, end, href, title in sorted(links, key=lambda link: (link[0], -link[1])):
        if start < last or not 0 <= start < end <= len(text):
            continue
        out.append(with_blanks(text[last:start]))
        out.append(
            Markup('<a class="mention" href="{}" title="{}">{}</a>').format(
                href, title, text[start:end]
            )
        )
        last = end
    out.append(with_blanks(text[last:]))
    return Markup("").join(out)


def snippet(text: str, start: int, end: int, around: int = 90) -> tuple[str, list[tuple[int, int]]]:
    """A passage of `text` around [start, end), cut at spaces, with the offsets of that
    span in the passage (for `highlighted`)."""
    left = max(0, start - around)
    if left:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    right = min(len(text), end + around)
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    prefix = "… " if left else ""
    suffix = " …" if right < len(text) else ""
    passage = prefix + text[left:right] + suffix
    offset = len(prefix) - left
    return passage, [(start + offset, end + offset)]
