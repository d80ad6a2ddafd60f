"""How to cite a cable or one of its paragraphs: the permalink, a Chicago-style note and
the plain reference id with the paragraph (`08BAGHDAD1784 ¶4`), the form in which
historians and reporters quote cables.

Built from the cable as the reader received it (its subject may be withheld), so a
citation never carries what the page does not show."""

from __future__ import annotations

from dataclasses import dataclass

from cabledesk.record.model import Cable

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, slots=True)
class Citation:
    plain: str
    chicago: str
    permalink: str | None


def _date(cable: Cable) -> str | None:
    """`June 2, 2008` from the date-time group's date or the date created."""
    sent = cable.header.sent or cable.created
    if not sent or len(sent) < 10 or not sent[:4].isdigit():
        return None
    year, month, day = sent[:4], sent[5:7], sent[8:10]
    if not (month.isdigit() and day.isdigit() and 1 <= int(month) <= 12):
        return None
    return f"{_MONTHS[int(month) - 1]} {int(day)}, {year}"


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
