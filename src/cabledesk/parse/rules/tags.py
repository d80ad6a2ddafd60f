"""TAGS: subject, program, geographic, organization and personal-name codes, in order."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from cabledesk.parse.patterns import (
    PARAGRAPH_START,
    SUBJECT_INLINE,
    TAGS_LINE,
    head,
    is_caption_item,
)
from cabledesk.parse.state import ParseState
from cabledesk.reference import tags

_PERSON: Final = re.compile(r"\(([^()]*)\)")
# What a TAG code looks like: `PGOV`, `IZ`, `KDEM`, `NATO`, `EUN`.
_CODE: Final = re.compile(r"^[A-Z]{2,5}$")
# A line that continues a TAGS list: nothing but codes and separators.
_TAG_CONTINUATION: Final = re.compile(r"^[A-Z0-9 ,;()\-./]+$")


def split_tags(text: str) -> list[str]:
    """`OVIP (CLINTON, HILLARY), PGOV PREL,` → [`OVIP`, `CLINTON, HILLARY`, `PGOV`, `PREL`].

    Codes are separated by spaces and commas; a comma-separated item of several words that
    are not codes stays one tag (`Organized Crime` → `ORGANIZED CRIME`).
    """
    return list(_split_tags(text))


# A post sends many cables with the same TAGS line: each is read once (a tuple, so no
# caller can change what the next one gets).
@lru_cache(maxsize=4096)
def _split_tags(text: str) -> tuple[str, ...]:
    tags: list[str] = []
    position = 0
    upper = text.upper()
    for match in _PERSON.finditer(upper):
        tags.extend(_codes(upper[position : match.start()]))
        name = " ".join(match.group(1).split()).strip(" ,")
        if name:
            tags.append(name)
        position = match.end()
    tags.extend(_codes(upper[position:]))
    seen: set[str] = set()
    result = []
    for tag in tags:
        tag = tag.strip(".-")
        if tag and tag not in seen:
            seen.add(tag)
            result.append(tag)
    return tuple(result)


def _is_code(word: str) -> bool:
    info = tags().get(word)
    # The TAGS table also lists fragments of split multi-word tags (kind `other`).
    return bool(_CODE.match(word)) if info is None else info.kind != "other"


_ITEM_SEPARATOR: Final = re.compile(r"[,;]")


def _codes(text: str) -> list[str]:
    found: list[str] = []
    for item in _ITEM_SEPARATOR.split(text):
        words = item.split()
        if len(words) > 1 and not any(_is_code(w) for w in words):
            found.append(" ".join(words))
        else:
            found.extend(words)
    return found


def _all_known(line: str) -> bool:
    """Whether every word of a line is a TAG of the bundled table (`JO, EG, RS, CH, LE`)."""
    table = tags()
    for word in _ITEM_SEPARATOR.sub(" ", line).split():
        info = table.get(word)
        if info is None or info.kind == "other":
            return False
    return True


def tags_rule(state: ParseState) -> bool:
    if not head(state.line).startswith("TAG"):
        return False
    match = TAGS_LINE.match(state.line)
    if not match:
        return False
    text = state.line[match.end() :]
    state.pos += 1
    # SUBJECT_INLINE needs a `:`, tested first (the pattern is tried at every position).
    while not (":" in text and SUBJECT_INLINE.search(text)) and not state.at_end:
        following = state.line.strip()
        if (
            not following
            or not _TAG_CONTINUATION.match(following)
            or is_caption_item(following)
            or PARAGRAPH_START.match(following)
            or not (
                text.rstrip().endswith(",") or len(following.split()) <= 6 or _all_known(following)
            )
        ):
            break
        text += " " + following
        state.pos += 1
    subject = SUBJECT_INLINE.search(text) if ":" in text else None
    if subject:
        # `TAGS: ... SUBJECT: ...` on one line: hand the subject back to its own rule.
        state.hand_back(text[subject.start() :])
        text = text[: subject.start()]
    state.cable.tags.extend(t for t in split_tags(text) if t not in state.cable.tags)
    return True
