"""Signers: the surname(s) on the last line (`SISON`, `Butenis`, `KEEGAN PAAL`).

Transmission trailers (`NNNN`) and intranet footers after the name are skipped. Edited
copies sometimes glue the name to the last sentence (`... inside Burma. Martinez`).
"""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.patterns import PARAGRAPH_START
from cabledesk.parse.state import ParseState

_NAME_LINE: Final = re.compile(r"^[A-Za-z][A-Za-z'\-]+(?:\s+[A-Za-z][A-Za-z'\-]+){0,2}$")
_GLUED: Final = re.compile(r"(?P<before>\S)\s+(?P<name>[A-Z][A-Za-z'\-]{2,})\s*(?:NNNN\s*)?$")
_TRAILER: Final = re.compile(
    r"^\s*(?:NNNN|BT|#+|\.+|>+|[-*=_\s]{3,}|[Xx]{5,}|END\s+CABLE\s+TEXT)\s*$", re.IGNORECASE
)
# Posts' intranet footers (`Visit London's Classified Website: http://...`) stand between
# the last paragraph and the name, or on the name's own line.
_FOOTER: Final = re.compile(
    r"https?:|www\.|website|web site|intelink|sgov\.gov|^[-*=_\s]{5,}$|for more reporting|"
    r"^\s*visit\b",
    re.IGNORECASE,
)
# What may stand at the end of the line above a signature.
# Lines that are nothing but footer (an address, `Visit ...`, a rule): safe to take off.
_FOOTER_LINE: Final = re.compile(
    r"https?:|www\.|intelink|sgov\.gov|for more reporting|^\s*[\"“]?visit\b|^[-*=_\s]{5,}$",
    re.IGNORECASE,
)
# Every footer pattern needs one of these words (any case), or a line that is blank or
# starts with a rule character: testing them on the lower-cased line is far cheaper than
# searching a long line with a case-insensitive alternation. The pattern's case folding also
# matches `ſ`, `ı` and `İ` to ASCII letters where lower() does not: such lines go to it.
_FOOTER_WORDS: Final = (
    "http",
    "www.",
    "web",
    "intelink",
    "sgov.gov",
    "for more reporting",
    "visit",
)
_FOLDED_TO_ASCII: Final = ("ſ", "ı", "İ")


def _may_be_footer(line: str) -> bool:
    if line.lstrip()[:1] in "-*=_":
        return True  # "" is in every string: a blank line goes to the pattern too
    if not line.isascii() and any(char in line for char in _FOLDED_TO_ASCII):
        return True
    lower = line.lower()
    return any(word in lower for word in _FOOTER_WORDS)


def _is_footer(line: str) -> bool:
    return _may_be_footer(line) and bool(_FOOTER.search(line))


_TEXT_END: Final = re.compile(
    r"(?:[.!?:\"”’')\]]|[Xx]{5,}|\bEND\s+(?:OF\s+)?(?:COMMENT|TEXT|NOTE|SUMMARY)S?)\s*$",
    re.IGNORECASE,
)
_END_MARKER: Final = re.compile(r"\bEND\s+(?:COMMENT|TEXT|NOTE)S?$|[Xx]{5,}$", re.IGNORECASE)
_NOT_NAMES: Final = {
    "END",
    "COMMENT",
    "TEXT",
    "NOTE",
    "SUMMARY",
    "BT",
    "NNNN",
    "UNQUOTE",
    "QUOTE",
    "THANKS",
    "REGARDS",
    "SIPDIS",
    "NOFORN",
    "CONFIDENTIAL",
    "SECRET",
    "UNCLASSIFIED",
    "UNCLAS",
    "STATE",
}
# What a web address may end in, split off by a space or a wrap (`index. cfm`).
_EXTENSIONS: Final = frozenset(("cfm", "htm", "html", "shtml", "asp", "aspx", "php", "jsp"))
# Capitalised words that end footers and are no names (`... SIPRNET Home Page`).
_FOOTER_NOUNS: Final = frozenset(("PAGE", "HOME", "SITE", "WEBSITE", "SIPRNET", "PORTAL"))
_MINIMIZE: Final = re.compile(r"^MINIMIZE\s+CONSIDERED\s+", re.IGNORECASE)
_SUFFIXES: Final = {"JR", "SR", "II", "III", "IV"}
_TRAILER_LINES: Final = 4


def split_signers(line: str) -> list[str]:
    """Names on a signature line, suffixes kept with their name, repeats dropped."""
    signers: list[str] = []
    for token in line.split():
        if signers and token.upper().strip(".") in _SUFFIXES:
            signers[-1] += " " + token
        elif token.upper() not in (s.upper() for s in signers):
            signers.append(token)
    return signers


def signature_rule(state: ParseState) -> None:
    lines = state.narrative
    index = len(lines) - 1
    skipped = 0
    while index >= 0 and (
        not lines[index].strip()
        or _TRAILER.match(lines[index])
        or (_is_footer(lines[index]) and not _name_after_address(lines[index]))
        or _wrapped_address(lines, index)
    ):
        if lines[index].strip():
            skipped += 1
            if skipped > _TRAILER_LINES:
                return
        index -= 1
    if index < 0:
        return
    # `MINIMIZE CONSIDERED` is an operating instruction, sometimes typed before the name.
    line = _MINIMIZE.sub("", lines[index].strip())
    last = line.rstrip(" .")
    words = last.split()
    after_footer = _previous_is_footer(lines, index)
    if (
        _NAME_LINE.match(last)
        and not any(word.upper() in _NOT_NAMES for word in words)
        and (
            (
                (last.isupper() or all(word[:1].isupper() for word in words))
                and (after_footer or _after_text_end(lines, index))
            )
            or (len(words) == 1 and after_footer)
        )
    ):
        state.cable.signers = split_signers(last)
        state.signature_line = lines[index].strip()
        del lines[index:]
        state.footer_lines = _drop_footer(lines)
        return
    glued = _GLUED.search(line)
    if (
        glued
        and glued["name"].upper() not in _NOT_NAMES
        and (
            glued["before"] in ".!?\"”’')"
            or _is_footer(line)
            or (_name_after_address(line) and _previous_is_footer(lines, index))
            or _END_MARKER.search(line[: glued.start("name")].rstrip())
        )
    ):
        state.cable.signers = [glued["name"]]
        state.signature_line = glued["name"]
        lines[index] = lines[index].rstrip()[: -len(glued["name"])].rstrip()
        del lines[index + 1 :]


def _name_after_address(line: str) -> bool:
    """A footer with the signature glued on (`...Portal:Unit ed_Kingdom LEBARON`,
    `.../london/index. cfm Tuttle`): a name right after a piece of the address."""
    words = line.split()
    if len(words) < 2:
        return False
    name, before = words[-1], words[-2]
    return (
        name.isalpha()
        and len(name) > 2
        and (name.isupper() or (name[0].isupper() and name[1:].islower()))
        and name.upper() not in _NOT_NAMES
        and name.upper() not in _FOOTER_NOUNS
        and (any(mark in before for mark in "/._:") or before.lower() in _EXTENSIONS)
    )


def _wrapped_address(lines: list[str], index: int) -> bool:
    """The rest of a footer's web address, wrapped onto a line of its own.

    `“Visit Ankara's Classified Web Site at http://www.intelink.s` / `gov.gov/wiki/Portal:Turkey”`,
    `.../london/index.` / `cfm`
    """
    line = lines[index].strip()
    return (
        index > 0
        and " " not in line
        and ("/" in line or "." in line or line.lower() in _EXTENSIONS)
        and _is_footer(lines[index - 1])
    )


def _drop_footer(lines: list[str]) -> list[str]:
    """Take off the post's intranet footer standing right above the signature."""
    index = len(lines) - 1
    while index >= 0 and (
        not lines[index].strip()
        or (
            _may_be_footer(lines[index])
            and _FOOTER_LINE.search(lines[index])
            # A numbered paragraph that cites a web address (`8. (SBU/NF) ... available at
            # www.chathamhouse.org.uk`, unwrapped in edited copies) is text, not footer.
            and not PARAGRAPH_START.match(lines[index])
        )
    ):
        index -= 1
    footer = lines[index + 1 :]
    if not any(line.strip() for line in footer):
        return []
    del lines[index + 1 :]
    return footer


def _previous_is_footer(lines: list[str], index: int) -> bool:
    previous = index - 1
    while previous >= 0 and not lines[previous].strip():
        previous -= 1
    return previous >= 0 and (_is_footer(lines[previous]) or _wrapped_address(lines, previous))


def _after_text_end(lines: list[str], index: int) -> bool:
    """The line before a signature is blank or ends a sentence."""
    previous = index - 1
    if previous < 0:
        return False
    return not lines[previous].strip() or bool(_TEXT_END.search(lines[previous]))
