"""Extraction over a whole cable: its structure, then its text fields, then resolution."""

from __future__ import annotations

import re

from cabledesk.entities.extract import Candidate, Context, Reader
from cabledesk.entities.model import PERSON, Mention
from cabledesk.entities.resolve import resolve
from cabledesk.record.model import Cable

# Bumped whenever the rules or tables change what is extracted: the enrichment job
# re-extracts every cable extracted by an older version.
EXTRACTOR_VERSION = 11

OVIP = re.compile(r"^OVIP\s*\(?\s*(?P<name>[^()]+?)\s*\)?$", re.IGNORECASE)


def structure(cable: Cable) -> list[Candidate]:
    """People the record's own fields name: signers, the classifier, OVIP persons."""
    out: list[Candidate] = []
    for index, signer in enumerate(cable.signers):
        name = signer.strip()
        if name and any(c.isalpha() for c in name):
            out.append(Candidate(PERSON, name, name, "signature", index, 0, len(name), "signer"))
    by = cable.classified_by
    if by is not None and by.name:
        out.append(
            Candidate(
                PERSON, by.name, by.name, "classified_by", None, 0, len(by.name), "classified-by"
            )
        )
    for index, tag in enumerate(cable.tags):
        match = OVIP.match(tag)
        if match:
            name = match.group("name")
            start = match.start("name")
            out.append(
                Candidate(PERSON, name, name, "tags", index, start, start + len(name), "ovip")
            )
            continue
        # `RICE, CONDOLEEZZA` as its own TAGS item (the parser keeps OVIP persons so).
        person_like = (
            "," in tag and tag.replace(",", "").replace(" ", "").replace(".", "").isalpha()
        )
        if person_like and (
            cable.tags[index - 1 : index] == ["OVIP"]
            or (tag.isupper() and len(tag.split(",")) == 2)
        ):
            out.append(Candidate(PERSON, tag, tag, "tags", index, 0, len(tag), "ovip"))
    return out


def extract(cable: Cable) -> list[Mention]:
    context = Context(cable)
    candidates = structure(cable)
    if cable.subject:
        candidates.extend(Reader(context, "subject", None, cable.subject).read())
    for index, paragraph in enumerate(cable.paragraphs):
        candidates.extend(Reader(context, "paragraph", index, paragraph.text).read())
    closing = closing_text(cable)
    if closing:
        candidates.extend(Reader(context, "closing", None, closing).read())
    return resolve(candidates, context.acronyms)


def closing_text(cable: Cable) -> str:
    """What follows the last paragraph in the cable's text, less the signers' lines: a
    post's footer (`Visit Ankara's Classified Website: ...`), a closing line. Offsets of
    its mentions are into this text (`Cable.text` after the last paragraph)."""
    if not cable.paragraphs or not cable.text:
        return ""
    last = cable.paragraphs[-1].text.strip()
    anchor = last[-60:]
    at = cable.text.rfind(anchor) if anchor else -1
    if at < 0:
        return ""
    tail = cable.text[at + len(anchor) :]
    signers = {s.strip().upper() for s in cable.signers}
    lines = [line for line in tail.splitlines() if line.strip().upper() not in signers]
    return "\n".join(lines).strip()
