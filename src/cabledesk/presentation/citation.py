"""How to cite a cable or one of its paragraphs: the permalink, a Chicago-style note and
the plain reference id with the paragraph (`08BAGHDAD1784 ¶4`), the form in which
historians and reporters quote cables.

Built from the cable as the reader received it (its subject may be withheld), so a
citation never carries what the page does not show."""

from __future__ import annotations

from dataclasses import dataclass

from cabledesk.record.model import Cable


@dataclass(frozen=True, slots=True)
class Citation:
    plain: str
    chicago: str
    permalink: str | None


def _date(cable: Cable) -> str | None:
    """The date sent (or created) as YYYY-MM-DD. Numbers, not a month's name: a name
    rule may burn a word such as "February" out of the published text, and a citation
    must not write it back (the leak tests check every word of the public's pages)."""
    sent = cable.header.sent or cable.created
    if not sent or len(sent) < 10 or not sent[:4].isdigit():
        return None
    if not (sent[5:7].isdigit() and sent[8:10].isdigit()):
        return None
    return sent[:10]


def cite(cable: Cable, *, permalink: str | None = None, paragraph: str | None = None) -> Citation:
    """The citation of `cable` (or of its paragraph whose anchor is `paragraph`: `p4`,
    `p4-2`, `u1`); `permalink`: the cable page's absolute address, when known."""
    # `p4` is paragraph 4 (`p4-2` the second so numbered); `u1` the first unnumbered one.
    number = short = None
    if paragraph and paragraph.startswith("p"):
        number, short = f"¶ {paragraph[1:]}", f" ¶{paragraph[1:]}"
    elif paragraph:
        number = f"unnumbered paragraph {paragraph[1:]}"
        short = f", {number}"
    plain = (cable.reference_id or "") + (short or "")
    link = f"{permalink}#{paragraph}" if permalink and paragraph else permalink
    sender = cable.origin or cable.header.from_
    receiver = cable.header.to[0].name if cable.header.to else None
    parts = []
    if sender:
        parts.append(f"{sender} to {receiver}" if receiver else sender)
    if cable.subject:
        parts.append(f"\u201c{cable.subject},\u201d")
    parts.append(f"cable {cable.reference_id}")
    date = _date(cable)
    if date:
        parts.append(date)
    if number:
        parts.append(number)
    if cable.classification:
        parts.append(cable.classification.upper())
    if link:
        parts.append(link)
    # Items end with a comma, but a subject carries its own inside the quotation marks.
    text = ""
    for n, part in enumerate(parts):
        text += part
        if n < len(parts) - 1:
            text += " " if part.endswith(",\u201d") else ", "
    return Citation(plain=plain, chicago=text + ".", permalink=link)
