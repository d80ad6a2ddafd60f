"""One cable in every layout cabledesk reads, and what must agree between them.

`render(cable, layout)` writes the file a publisher would have published for the cable:

- `page`: a WikiLeaks cable-viewer page (the `table.cable` row and the two `<pre>` blocks,
  newlines as `&#x000A;`, paragraph anchors `<a id='par3' href='#par3'>¶</a>`, the
  partial-extract notice in the first block of a partial extract);
- `csv`: a row of the Cablegate `cables.csv` (8 columns, every field quoted);
- `text`: a newspaper copy like Der Spiegel's `08BAGHDAD1784.txt`: a `From:` line, the
  `M/D/YYYY H:MM REFID ORIGIN CLASSIFICATION` line, the header without routing indicators
  folded into wrapped lines and ending in `TAGS: ... SUBJECT: ...`, and the body re-wrapped
  at 62 columns, with the caption block sentence-cased (`S e c r e t baghdad 001784`,
  `Noforn`) and its E.O., TAGS and SUBJECT items run together (`E.o. 12958: decl:
  06/12/2018 Tags: iz, ir, prel, pgov, pinr Subject: pm maliki ...`), each numbered
  paragraph's number and marking on a line of their own (`1. (S/NF)`), page markers gone;
- `fragment`: the body alone, without metadata or header.

They are built from the record's metadata and its `raw` text, so any parsed cable can be
rendered (tests/test_layouts.py renders every corpus cable). `comparable(cable)` gives the
fields that must come out equal from every layout; `MAY_DIFFER` says why the others may not.
"""

from __future__ import annotations

import html
import io
import re
import textwrap
from typing import Final

from cabledesk.parse.ids import resolve_reference
from cabledesk.parse.patterns import (
    CLASSIFIED_BY,
    DTG,
    DTG_PRECEDENCE,
    EO_LINE,
    PARAGRAPH_START,
    REDACTED_LINE,
    SUBJECT_INLINE,
    SUBJECT_LINE,
    TAGS_INLINE,
    TAGS_LINE,
    UNDERLINE,
    first_filled,
    fold,
    is_caption_item,
    may_be_eo,
)
from cabledesk.parse.rules.classification_line import parse_classification_line
from cabledesk.parse.rules.dateline import is_dateline
from cabledesk.parse.rules.handling import CAPTIONS
from cabledesk.parse.rules.header_split import split_header
from cabledesk.parse.rules.page_breaks import remove_page_breaks
from cabledesk.parse.rules.run_together import item_starts, starts_item
from cabledesk.parse.rules.subject import is_prose
from cabledesk.parse.state import ParseState
from cabledesk.record.model import Cable
from cabledesk.sources.csv_release import csv_writer
from cabledesk.sources.html import PARTIAL_EXTRACT
from cabledesk.sources.item import SourceText

LAYOUTS: Final = ("page", "csv", "text", "fragment")

# The fields of a record that may differ between layouts of one cable, and why.
MAY_DIFFER: Final = {
    "format": "names the reader (html, csv, text, fragment)",
    "location": "where the file was read",
    "released": "only WikiLeaks pages state when they were published",
    "source": "only newspaper copies name their publisher (`From: Der Spiegel`)",
    "partial_extract": (
        "WikiLeaks pages carry the partial-extract notice and newspaper copies of them keep "
        "it; a cables.csv row and a fragment do not"
    ),
    "reference_id, reference_id_raw, created, origin, caveats": (
        "container facts: a fragment has no metadata line, so they are read from the "
        "text (or stay null); the other layouts state them alike"
    ),
    "classification in a fragment": (
        "read from the classification line, which may be missing (07LAPAZ3262) or name "
        "another level than the metadata (09HAVANA132); the other layouts state it alike"
    ),
    "header in a fragment": "a fragment is the body alone: no header at all",
    "header addressees, routes, VZCZC, DE and ZN lines": (
        "a newspaper copy drops the routing indicators, VZCZC, DE and ZN lines and the "
        "addressees' line breaks: routes come from the routing table, and addressees "
        "without a precedence word cannot be told apart; precedence, DTG and FM must agree"
    ),
    "raw, text, repairs, redactions": (
        "the text as each publisher laid it out: re-wrapped, page markers dropped, the "
        "caption block lower-cased in the newspaper"
    ),
    "handling, passing, declassification, corrected_copy, dateline": (
        "as written: the newspaper changed their letter case and joined their lines"
    ),
    "paragraph text, headings, summary text, comments": (
        "as written: the newspaper re-wrapped the text; that a summary is present must agree"
    ),
    "classified_by text": "the line as written, re-wrapped; name, title and reasons must agree",
    "reference items' text and labels": (
        "as written (the newspaper joins a REF block's lines); the cited cable ids must agree"
    ),
    "reference ids in a fragment": (
        "a reference without a year of its own (`MADRID 449`) takes the citing cable's "
        "year, which a fragment without header or metadata does not state: there only the "
        "station and serial must agree"
    ),
}

# The fields `comparable` gives, and what equal means for each.
MUST_AGREE: Final = {
    "tags": "the list in order (the parser upper-cases them, so case does not matter)",
    "subject": "case- and space-insensitively: the newspaper lower-cased and re-wrapped it",
    "subject_marking": "exactly (`S/NF`)",
    "classified_by": "name and title with white space folded, reasons exactly; null alike",
    "paragraphs": "each paragraph's number and marking, in order (unnumbered blocks too)",
    "header": "precedence, DTG and FM exactly (a fragment has no header)",
    "classification": "the level exactly (a fragment reads it from its text)",
    "partial_extract": "pages and newspaper copies alike (a CSV row or fragment cannot say)",
    "references": (
        "each item's cable id (null for non-cables) in order, and whether the item states "
        "its own year; in a fragment an undated item may have no id"
    ),
    "signers": "the surnames in order, case-insensitively",
    "summary": "whether there is one (its text is re-wrapped)",
}

PUBLISHER: Final = "Der Spiegel"
_NOTICE: Final = f"{PARTIAL_EXTRACT} The full text of the original cable is not available."
WIDTH: Final = 62


def render(cable: Cable, layout: str, *, width: int = 0) -> str:
    """The file content of `cable` in `layout` (one of LAYOUTS).

    `width`: the column the newspaper layout wraps at (default WIDTH, Der Spiegel's 62).
    """
    header, body = _parts(cable)
    if layout == "page":
        return _page(cable, header, body)
    if layout == "csv":
        return _csv(cable, header, body)
    if layout == "text":
        return _newspaper(cable, header, body, width or WIDTH)
    if layout == "fragment":
        return body
    raise ValueError(f"unknown layout {layout!r}; layouts are {', '.join(LAYOUTS)}")


def comparable(cable: Cable) -> dict[str, object]:
    """The fields that must agree whichever layout the cable was read from (MUST_AGREE
    says what equal means for each; MAY_DIFFER why the others may differ)."""
    classified = cable.classified_by
    return {
        "tags": list(cable.tags),
        "subject": fold(cable.subject).casefold() if cable.subject else None,
        "subject_marking": cable.subject_marking,
        "classified_by": None
        if classified is None
        else {
            "name": fold(classified.name) if classified.name else None,
            "title": fold(classified.title) if classified.title else None,
            "reasons": list(classified.reasons),
        },
        "paragraphs": [(p.number, p.marking) for p in cable.paragraphs],
        "header": {
            "precedence": cable.header.precedence,
            "dtg": cable.header.dtg,
            "from": cable.header.from_,
        },
        "classification": cable.classification,
        "partial_extract": cable.partial_extract,
        "references": [
            [r.cable_id, resolve_reference(r.text, None) is not None] for r in cable.references
        ],
        "signers": [s.casefold() for s in cable.signers],
        "summary": cable.summary is not None,
    }


def disagreements(expected: dict[str, object], got: dict[str, object], layout: str) -> list[str]:
    """The fields of two `comparable` records that disagree, for a cable read from `layout`.

    Every field must be equal, but what a layout cannot state (see MAY_DIFFER): a fragment
    has no header and reads its classification from the text, and a reference without a
    year of its own (`MADRID 449`) has no cable id there; neither a cables.csv row nor a
    fragment carries the partial-extract notice.
    """
    wrong = [name for name in expected if expected[name] != got.get(name)]
    if layout in ("csv", "fragment") and "partial_extract" in wrong:
        wrong.remove("partial_extract")
    if layout != "fragment":
        return wrong
    header = got.get("header")
    if "header" in wrong and isinstance(header, dict) and not any(header.values()):
        wrong.remove("header")
    if "classification" in wrong:
        wrong.remove("classification")
    want, have = expected.get("references"), got.get("references")
    if (
        "references" in wrong
        and isinstance(want, list)
        and isinstance(have, list)
        and len(want) == len(have)
        and all(
            w == h or (h[0] is None and not w[1] and not h[1])
            for w, h in zip(want, have, strict=True)
        )
    ):
        wrong.remove("references")
    return wrong


# --- taking the cable apart -------------------------------------------------------------

_FROM_LINE: Final = re.compile(r"^From:\s*\S")
_METADATA_LINE: Final = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}\s+\d{1,2}:\d{2}\s+\d{2}[A-Z]")


def _parts(cable: Cable) -> tuple[str | None, str]:
    """The transmission header (None when there is none) and the body of the cable."""
    raw = cable.raw
    if cable.format in ("html", "csv"):
        return _split_published(cable)
    # A newspaper copy or fragment: its publisher's lines, then a header folded into the
    # first paragraph, then the body (parse/rules/header_split.py finds the header).
    lines = raw.split("\n")
    start = 0
    for pattern in (_FROM_LINE, _METADATA_LINE):
        start = first_filled(lines, start)
        if start < len(lines) and pattern.match(lines[start].strip()):
            start += 1
    text = "\n".join(lines[start:]).strip("\n")
    state = ParseState.start(SourceText("fragment", "", text, text))
    split_header(state)
    if not state.header_lines:
        return None, text
    return "\n".join(state.header_lines).strip("\n"), "\n".join(state.lines).strip("\n")


def _split_published(cable: Cable) -> tuple[str | None, str]:
    """Header and body of a page or CSV row, whose `raw` is `header + "\\n\\n" + body`.

    Headers have blank lines of their own (`PP RUEHWEB`, blank, `DE ...`; printouts), so
    the body begins at the first blank line after the header's last part the parser read:
    the DTG, the FM line and each addressee, found in order.
    """
    raw, header = cable.raw, cable.header
    anchors = [header.dtg, f"FM {header.from_}" if header.from_ else None]
    anchors += [a.name for a in header.to + header.info]
    position = 0
    found = False
    for anchor in anchors:
        if not anchor:
            continue
        at = raw.find(anchor, position)
        if at < 0:
            break
        position, found = at + len(anchor), True
    if not found:
        if cable.partial_extract or not _looks_like_header(raw):
            return None, raw
        position = 0
    split = raw.find("\n\n", position)
    while split >= 0 and raw[split + 2 : split + 3] == "\n":
        split += 1
    if split < 0:
        return None, raw
    return raw[:split], raw[split + 2 :]


_HEADER_FIRST: Final = re.compile(r"^\s*(?:VZCZC|[ZOPR]{1,2}\s|\d{6}Z|null\b|INFO\s|FM\s)")


def _looks_like_header(raw: str) -> bool:
    return bool(_HEADER_FIRST.match(raw))


# --- page -------------------------------------------------------------------------------

_ANCHORED: Final = re.compile(r"^(?P<id>\d{1,3}|[A-Z])\.(?=\s)", re.MULTILINE)


def _page_text(text: str, anchors: bool) -> str:
    escaped = html.escape(text, quote=True).replace("&#x27;", "&#39;")
    if anchors:
        escaped = _ANCHORED.sub(
            lambda m: f"<a id='par{m['id']}' href='#par{m['id']}'>¶</a>{m.group(0)}", escaped
        )
    return escaped.replace("\n", "&#x000A;")


def _metadata_classification(cable: Cable) -> str:
    return "//".join([cable.classification or "", *cable.caveats]) if cable.classification else ""


def _page(cable: Cable, header: str | None, body: str) -> str:
    refid = cable.reference_id_raw or cable.reference_id or ""
    created = _table_date(cable.created or cable.header.sent)
    released = _table_date(cable.released)
    cells = (refid, created, released, _metadata_classification(cable), cable.origin or "")
    first: str | None = header
    if cable.partial_extract:
        first = _NOTICE if header is None else f"{_NOTICE}\n{header}"
    pres = [] if first is None else [_page_text(first, anchors=False)]
    pres.append(_page_text(body, anchors=True))
    subject = html.escape(cable.subject or "")
    rows = "".join(f"<td>\n<a href='#'>{html.escape(cell)}</a>\n</td>\n" for cell in cells)
    blocks = "".join(f"<code><pre>{pre}</pre></code>\n" for pre in pres)
    return (
        "<?xml version='1.0' encoding='utf-8' ?>\n"
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        "<html lang='en' xml:lang='en' xmlns='http://www.w3.org/1999/xhtml'>\n"
        "<head>\n<title>Cable Viewer</title>\n</head>\n<body>\n<div class='main'>\n"
        "<div class='pane big'>\n"
        f"<h3>Viewing cable {html.escape(refid)}, {subject}</h3>\n"
        "<table class='cable'>\n<tr>\n<th>Reference ID</th>\n<th>Created</th>\n"
        "<th>Released</th>\n<th>Classification</th>\n<th>Origin</th>\n</tr>\n"
        f"<tr>\n{rows}</tr>\n</table>\n{blocks}</div>\n</div>\n</body>\n</html>\n"
    )


def _table_date(iso: str | None) -> str:
    """`2008-06-14T06:50:00Z` as the page's table writes it: `2008-06-14 06:50`."""
    return f"{iso[:10]} {iso[11:16]}" if iso else ""


# --- csv --------------------------------------------------------------------------------


def _us_date(iso: str) -> str:
    """`2008-06-14T06:50:00Z` as the release writes it: `6/14/2008 6:50`."""
    year, month, day = (int(part) for part in iso[:10].split("-"))
    hour, minute = int(iso[11:13]), int(iso[14:16])
    return f"{month}/{day}/{year} {hour}:{minute:02d}"


def _csv(cable: Cable, header: str | None, body: str) -> str:
    created = cable.created or cable.header.sent
    if created is None:
        raise ValueError("a cables.csv row needs a date: the cable has neither metadata nor DTG")
    cited: list[str] = []
    for reference in cable.references:
        if reference.cable_id and reference.cable_id not in cited:
            cited.append(reference.cable_id)
    buffer = io.StringIO()
    csv_writer(buffer).writerow(
        [
            "1",
            _us_date(created),
            cable.reference_id_raw or cable.reference_id or "",
            cable.origin or "",
            _metadata_classification(cable),
            ",".join(cited),
            header or "",
            body,
        ]
    )
    return buffer.getvalue()


# --- newspaper --------------------------------------------------------------------------

_DTG_LINE: Final = re.compile(rf"^\s*(?:{DTG_PRECEDENCE})?{DTG}", re.IGNORECASE)
_FM_LINE: Final = re.compile(r"^\s*FM\s+\S")
_ROUTE: Final = re.compile(r"(?<![A-Z0-9/])R[A-Z0-9]{3,7}/")


def _newspaper(cable: Cable, header: str | None, body: str, width: int) -> str:
    out = [f"From: {cable.source or PUBLISHER}"]
    created = cable.created or cable.header.sent
    refid = cable.reference_id_raw or cable.reference_id
    if created and refid and cable.origin and cable.classification:
        meta = f"{_us_date(created)} {refid} {cable.origin} {_metadata_classification(cable)}"
        out.append(meta)
    out.append("")
    if cable.partial_extract:
        # The notice of the page it was copied from, where the header would stand.
        out.extend(_wrap(_NOTICE, width))
        out.append("")
    folded = _folded_header(cable, header, width)
    if folded:
        out.extend([*folded, ""])
    out.append(_newspaper_body(body, cable.signers, width))
    return "\n".join(out).rstrip("\n") + "\n"


def _folded_header(cable: Cable, header: str | None, width: int) -> list[str]:
    """The header as a newspaper prints it: from the DTG on, one paragraph, no indicators."""
    if header is None:
        return []
    lines = header.split("\n")
    dtg = next((i for i, line in enumerate(lines) if _DTG_LINE.match(line)), None)
    fm = next((i for i, line in enumerate(lines) if _FM_LINE.match(line)), None)
    if dtg is None and fm is None:
        return []
    # The DTG and the addresses; a printout's distribution lines between them are left out.
    kept = [] if dtg is None else [lines[dtg]]
    if fm is not None:
        kept += lines[max(fm, dtg + 1 if dtg is not None else fm) :]
    text = fold(_ROUTE.sub("", " ".join(kept)))
    # A header a newspaper already folded ends with its TAGS and SUBJECT: written anew.
    tail = TAGS_INLINE.search(text) or SUBJECT_INLINE.search(text)
    if tail:
        text = text[: tail.start()].rstrip()
    if cable.tags:
        text += " TAGS: " + ", ".join(cable.tags)
    if cable.subject:
        text += " SUBJECT: " + fold(cable.subject)
    return _wrap(text, width)


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


_CAPTION_LINE: Final = re.compile(
    r"^\s*(?:(?:" + "|".join(c.replace(" ", r"\s+") for c in CAPTIONS) + r")\b[\s,;.]*)+$",
    re.IGNORECASE,
)
_STRUCTURE: Final = re.compile(
    r"^\s*(?:\d{1,3}\s*[.)]|\(|-|\*|o\s|•|[A-Za-z][.)]\s|[A-Z]{1,4}\s*[:.]\s|END\b|BEGIN\b)"
)
_NUMBERED_MARK: Final = re.compile(
    r"^(?P<start>\d{1,3}\.\s*\(\s*(?:TS|SBU|LOU|U|C|S)\b[^)]{0,20}\))\s+(?P<rest>\S.*)$"
)
_LONG_LINE: Final = 90
_UNWRAPPED: Final = 100
_DECORATION: Final = re.compile(r"[-=_*]{5}")


def _newspaper_body(body: str, signers: list[str], columns: int) -> str:
    lines = _drop_page_markers(body)
    signature = _signature_at(lines, signers)
    # Edited copies have no hard wraps (every line a paragraph of its own): nothing to join.
    unwrapped = sum(len(line) > _UNWRAPPED for line in lines) >= 2
    width = _wrap_width(lines)
    out: list[str] = []
    index = _caption_block(lines, out, columns)
    logical: list[str] = []

    def flush(heading: bool = False) -> None:
        if logical:
            out.extend(_newspaper_paragraph(" ".join(logical), heading, columns))
            logical.clear()

    previous = ""
    for at in range(index, len(lines)):
        text = lines[at].strip()
        if at == signature:
            # Der Spiegel sets the signature apart, after a blank line: `Butenis`.
            flush()
            out.extend(["", text])
            previous = ""
            continue
        if not text:
            flush()
            out.append("")
            previous = ""
            continue
        if _DECORATION.search(text):
            # Rules of asterisks or dashes (`*****... Visit ...'s Classified Website`) are
            # printed as they stand; a line they underline is a heading, one line too.
            flush(heading=bool(UNDERLINE.match(text)))
            out.append(text)
            previous = text
            continue
        if logical and not unwrapped and _continues(previous, text, width):
            if previous.endswith("-") and previous[-2:-1].isalpha() and text[:1].isalpha():
                logical[-1] = logical[-1] + text  # a word the wrap broke at its hyphen
            else:
                logical.append(text)
        else:
            # A line underlined by this one is a heading: it stays one line.
            flush(heading=bool(UNDERLINE.match(text)))
            logical.append(text)
        previous = text
    flush()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def _signature_at(lines: list[str], signers: list[str]) -> int | None:
    """The index of the signature's first line (lines of the signers' names alone, a name
    typed twice on two lines: `Huntsman` / `huntsman`), if the cable has one."""
    names = set(" ".join(signers).casefold().split())
    found: int | None = None
    for at in range(len(lines) - 1, -1, -1):
        words = lines[at].replace(".", " ").casefold().split()
        if not words:
            if found is None:
                continue
            break
        if not names or not set(words) <= names:
            break
        found = at
    return found


def _continues(previous: str, text: str, width: int) -> bool:
    """Whether `text` is the wrap of the line before it (so a newspaper joins them)."""
    if len(previous) > _LONG_LINE or UNDERLINE.match(previous) or UNDERLINE.match(text):
        return False
    if _STRUCTURE.match(text) or is_caption_item(text) or REDACTED_LINE.match(text):
        return False
    first_word = text.split()[0]
    # The line before ran to the wrap width: the next word did not fit on it.
    return len(previous) + 1 + len(first_word) > width - 2


def _newspaper_paragraph(text: str, heading: bool, columns: int) -> list[str]:
    text = fold(text)
    numbered = None if heading else _NUMBERED_MARK.match(text)
    if numbered:
        # Der Spiegel sets the number and marking on a line of their own: `1. (S/NF)`.
        return [fold(numbered["start"]), *_wrap(numbered["rest"], columns)]
    return _wrap(text, columns)


def _wrap_width(lines: list[str]) -> int:
    """The width the cable's own lines were wrapped at (its longest wrapped lines)."""
    lengths = sorted(len(line) for line in lines if 0 < len(line) <= _LONG_LINE)
    if not lengths:
        return WIDTH
    return lengths[int(len(lengths) * 0.95) - 1 if len(lengths) > 1 else 0]


def _drop_page_markers(body: str) -> list[str]:
    """The body's lines without section and page markers, as a newspaper prints it.

    The parser's own rule (parse/rules/page_breaks.py) takes them out and joins the
    sentence a marker broke; printouts' page banners and markers inside lines go too.
    """
    state = ParseState.start(SourceText("fragment", "", body, body))
    remove_page_breaks(state)
    return [line.rstrip() for line in state.lines]


_CAPTION_REGION: Final = 60


def _is_eo_tags_subject(line: str) -> bool:
    if TAGS_LINE.match(line) or SUBJECT_LINE.match(line):
        return True
    if may_be_eo(line):
        match = EO_LINE.search(line)
        return match is not None and not line[: match.start()].strip()
    return False


def _caption_block(lines: list[str], out: list[str], columns: int) -> int:
    """Write the caption block as the newspaper does; the index where the text begins."""
    index = 0
    seen_level = False
    while index < len(lines) and index < _CAPTION_REGION:
        line = lines[index]
        text = line.strip()
        if not text:
            out.append("")
            index += 1
            continue
        if (text[:1].isdigit() and PARAGRAPH_START.match(text)) or CLASSIFIED_BY.match(text):
            break
        if is_prose(text):
            break
        if not seen_level and parse_classification_line(text) is not None:
            seen_level = True
            out.append(text.capitalize())
            index += 1
            continue
        if _CAPTION_LINE.match(text):
            out.append(text.capitalize())
            index += 1
            continue
        if _is_eo_tags_subject(text):
            items, index = _caption_run(lines, index)
            out.extend(_wrap(" ".join(items), columns))
            break
        if is_caption_item(text):
            # REF and Classified By stay as written; the rest of the block is text.
            break
        out.extend(_wrap(fold(text), columns))
        index += 1
    return index


def _caption_run(lines: list[str], index: int) -> tuple[list[str], int]:
    """The E.O., TAGS and SUBJECT items from `index` on, each sentence-cased."""
    items: list[str] = []
    while index < len(lines):
        ahead = index
        while ahead < len(lines) and not lines[ahead].strip():
            ahead += 1
        if ahead >= len(lines) or not _is_eo_tags_subject(lines[ahead].strip()):
            break
        item = [lines[ahead].strip()]
        index = ahead + 1
        while index < len(lines):
            text = lines[index].strip()
            if not text or is_caption_item(text) or _STRUCTURE.match(text) or is_prose(text):
                break
            if is_dateline(text) or parse_classification_line(text) is not None:
                break  # a caption block repeated under it (09ISLAMABAD3037's page)
            item.append(text)
            index += 1
        items.append(_sentence_case(fold(" ".join(item))))
    return items, index


def _sentence_case(item: str) -> str:
    """An E.O., TAGS or SUBJECT item as Der Spiegel set it (`Subject: pm maliki ...`).

    A Classified By or REF glued onto it keeps its letter case, as that line did.
    """
    starts = item_starts(item)
    pieces = [item[at:until] for at, until in zip(starts, [*starts[1:], len(item)], strict=True)]
    return "".join(piece.capitalize() if starts_item(piece) else piece for piece in pieces)
