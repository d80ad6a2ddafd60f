"""Signers: the surname(s) on the last line (`SISON`, `Butenis`, `KEEGAN PAAL`, `KISSINGER`).

What may follow the name is skipped: transmission trailers (`BT`, `#1234`, `NNNN`, NARA's
`NNN` and `NNNNMAFVVZCZ`, `<< END OF DOCUMENT >>`, `End Cable Text`), the classification
repeated at the foot of the page (`LIMITED OFFICIAL USE`, `C O N F I D E N T I A L`),
posts' intranet footers (`"Visit Ankara's Classified Web Site at http://www.intelink.s` /
`gov.gov/wiki/Portal:Turkey"`), a partner's desk tag (`EPET @ EL PAÍS`). Edited copies
sometimes glue the name to the last sentence (`... inside Burma. Martinez`), and old cables
to the end of a quotation (`... UNQUOTE KISSINGER`).

A name line is taken when what stands before it ends the text (a full stop, `END TEXT.`,
`END COMMENT`, `UNQUOTE`, `BT`, a blank line, a footer). In a mixed-case cable an
all-capitals surname alone on the last line is the signature even after an unfinished
line (`... he will embolden Evo to` / `push ahead` / `GOLDBERG`; a list of participants then
`CLINTON`); in an all-capitals cable the same line could end the sentence above it
(`... MET WITH` / `HABIB`), so there it must follow the end of the text. Two surnames on
consecutive lines after the end of the text are two signers (`RICE` / `BOLTON`).
A letter the Department sends as a telegram ends in its closing and the writer's first
name, then the Secretary's surname, which may be typed in lower case (09STATE63812:
`Best,` / blank / `Jeff` / `clinton`): the surname after such a closing is the signer.
"""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.patterns import LEVEL, PARAGRAPH_START
from cabledesk.parse.state import ParseState
from cabledesk.reference import tag_info

_NAME_LINE: Final = re.compile(r"^[A-Za-z][A-Za-z'\-]+(?:\s+[A-Za-z][A-Za-z'\-]+){0,2}$")
_GLUED: Final = re.compile(r"(?P<before>\S)\s+(?P<name>[A-Z][A-Za-z'\-]{2,})\s*(?:NNNN\s*)?$")
# Lines that may follow the signature: end-of-message signals (ACP 127 `BT`, the station
# serial `#1234`, `NNNN`; NARA copies' `NNN`, `NNNNMAFVVZCZ`, `<< END OF DOCUMENT >>` and
# `*** Current Classification ***` lines), rules and redactions.
_TRAILER: Final = re.compile(
    r"^\s*(?:NNNN?(?:MAFVVZCZ)?|BT|#+\d{0,6}|\.+|>+|[-*=_\s]{3,}|[Xx]{5,}|END\s+CABLE\s+TEXT"
    r"|<<\s*END\s+OF\s+DOCUMENT\s*>>|\*{3}\s*CURRENT\s+(?:HANDLING|CLASSIFICATION)\b.*)\s*$",
    re.IGNORECASE,
)
# The classification repeated at the foot of the last page (`CONFIDENTIAL`, `LIMITED
# OFFICIAL USE`, `C O N F I D E N T I A L`, `SECRET//NOFORN`, `CONFIDENTIAL STATE 017976`).
_BANNER: Final = re.compile(
    rf"^\s*{LEVEL}(?:\s*//\s*[A-Z ]+|\s+(?:NOFORN|SIPDIS|EXDIS|NODIS|LIMDIS))*"
    r"(?:\s+PTQ\d+|\s+[A-Z][A-Z .\-]*\s\d{3,7})?\s*$"
)
# A media partner's desk tag after the text (`EPET @ EL PAÍS`, cut short as `EPET @ EL P`).
_DESK_TAG: Final = re.compile(r"^\s*[A-Z]{2,10}\s+@\s+\S.{0,30}$")
# Posts' intranet footers (`Visit London's Classified Website: http://...`) stand between
# the last paragraph and the name, or on the name's own line.
_FOOTER: Final = re.compile(
    r"https?:|www\.|website|web site|intelink|sgov\.gov|^[-*=_\s]{5,}$|for more reporting|"
    r"^\s*visit\b",
    re.IGNORECASE,
)
# Lines that are nothing but footer (an address, `Visit ...`, a rule): safe to take off.
_FOOTER_LINE: Final = re.compile(
    r"https?:|www\.|intelink|sgov\.gov|for more reporting|^\s*[\"“]?visit\b|^[-*=_\s]{5,}$",
    re.IGNORECASE,
)
# The rest of a footer's address the wrap carried to a line of its own
# (`gov.gov/wiki/Portal:Turkey"`): one token with a slash or a dot.
_ADDRESS_REST: Final = re.compile(r"^\s*\S*[/.]\S*\s*$")
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


# What a web address may end in, split off by a space or a wrap (`index. cfm`).
_EXTENSIONS: Final = frozenset(("cfm", "htm", "html", "shtml", "asp", "aspx", "php", "jsp"))
# Capitalised words that end footers and are no names (`... SIPRNET Home Page`).
_FOOTER_NOUNS: Final = frozenset(("PAGE", "HOME", "SITE", "WEBSITE", "SIPRNET", "PORTAL"))


def _may_be_footer(line: str) -> bool:
    if line.lstrip()[:1] in "-*=_":
        return True  # "" is in every string: a blank line goes to the pattern too
    if not line.isascii() and any(char in line for char in _FOLDED_TO_ASCII):
        return True
    lower = line.lower()
    return any(word in lower for word in _FOOTER_WORDS)


def _is_footer(line: str) -> bool:
    return _may_be_footer(line) and bool(_FOOTER.search(line))


# What ends the text above a signature: a sentence, a quotation, a marked span, a
# redaction, or the `BT` (break) signal.
_TEXT_END: Final = re.compile(
    r"(?:[.!?:\"”’')\]]|[Xx]{5,}|\bUNQUOTE|\bEND\s+QUOTE|^\s*BT"
    r"|\bEND\s+(?:OF\s+)?(?:COMMENT|TEXT|NOTE|SUMMARY)S?)\s*$",
    re.IGNORECASE,
)
_END_MARKER: Final = re.compile(
    r"\bEND\s+(?:COMMENT|TEXT|NOTE)S?$|\bUNQUOTE$|\bEND\s+QUOTE$|[Xx]{5,}$", re.IGNORECASE
)
# Words that are never a signature: telegram vocabulary, closings, captions, and the
# function words of a sentence (`PLEASE ADVISE.`, `Thank you`, `WITH THE MINISTRY`).
_NOT_NAMES: Final = frozenset(
    {
        "END",
        "COMMENT",
        "TEXT",
        "NOTE",
        "SUMMARY",
        "BT",
        "NNNN",
        "NNN",
        "UNQUOTE",
        "QUOTE",
        "THANKS",
        "THANK",
        "YOU",
        "REGARDS",
        "BEST",
        "SINCERELY",
        "CHEERS",
        "PLEASE",
        "ADVISE",
        "ACTION",
        "REQUESTED",
        "CLEARED",
        "DRAFTED",
        "APPROVED",
        "MINIMIZE",
        "CONSIDERED",
        "SIPDIS",
        "NOFORN",
        "EXDIS",
        "NODIS",
        "LIMDIS",
        "CONFIDENTIAL",
        "SECRET",
        "UNCLASSIFIED",
        "UNCLAS",
        "LIMITED",
        "OFFICIAL",
        "USE",
        "STATE",
        "PAGE",
        "PARA",
        "AND",
        "THE",
        "OF",
        "TO",
        "IN",
        "ON",
        "AT",
        "BY",
        "FOR",
        "WITH",
        "FROM",
        "IS",
        "ARE",
        "WAS",
        "WE",
        "IT",
        "THIS",
        "THAT",
        "WILL",
        "NOT",
        "NO",
        "OR",
        "BE",
        "AN",
        "A",
    }
)
# Words after which a line goes on (`... MET WITH` / `HABIB`): a surname on the next line
# is the end of that sentence, not a signature.
_CONTINUING: Final = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "for",
        "with",
        "by",
        "and",
        "or",
        "in",
        "on",
        "at",
        "from",
        "as",
        "that",
        "about",
        "over",
        "under",
        "into",
        "than",
        "like",
        "between",
        "against",
        "among",
        "including",
        "via",
        "per",
        "toward",
        "towards",
        "regarding",
        "concerning",
        "through",
        "within",
        "without",
        "after",
        "before",
        "during",
        "since",
        "until",
        "upon",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "its",
        "their",
        "his",
        "her",
        "our",
        "said",
        "told",
        "met",
        "called",
        "visited",
        "asked",
        "ambassador",
        "minister",
        "secretary",
        "president",
        "mr",
        "ms",
        "mrs",
        "dr",
    ]
)
_REDACTION: Final = re.compile(r"[Xx]{5,}")
_MINIMIZE: Final = re.compile(r"^MINIMIZE\s+CONSIDERED\s+", re.IGNORECASE)
_SUFFIXES: Final = {"JR", "SR", "II", "III", "IV"}
_TRAILER_LINES: Final = 4
# How many lines above the signature tell a mixed-case cable from an all-capitals one.
_CASE_SAMPLE: Final = 30
_RELAXED_WORDS: Final = 2


def split_signers(line: str) -> list[str]:
    """Names on a signature line, suffixes kept with their name, repeats dropped."""
    signers: list[str] = []
    for token in line.split():
        if signers and token.upper().strip(".") in _SUFFIXES:
            signers[-1] += " " + token
        elif token.upper() not in (s.upper() for s in signers):
            signers.append(token)
    return signers


def _is_trailer(lines: list[str], index: int) -> bool:
    """Whether line `index` may stand after a signature (blank, trailer, footer, banner)."""
    line = lines[index]
    if not line.strip() or _TRAILER.match(line):
        return True
    if _is_footer(line) and not _name_after_address(line):
        return True
    if _wrapped_address(lines, index):
        return True
    if _BANNER.match(line) or _DESK_TAG.match(line):
        return True
    if _ADDRESS_REST.match(line):
        # The rest of a footer's wrapped address.
        previous = _previous_line(lines, index)
        return previous >= 0 and _is_footer(lines[previous])
    return False


def signature_rule(state: ParseState) -> None:
    lines = state.narrative
    index = len(lines) - 1
    skipped = 0
    while index >= 0 and _is_trailer(lines, index):
        if lines[index].strip():
            skipped += 1
            if skipped > _TRAILER_LINES:
                return
        index -= 1
    if index < 0:
        return
    first = _signature_start(lines, index)
    if first is not None:
        names = [_name_text(lines[i]) for i in range(first, index + 1)]
        state.cable.signers = split_signers(" ".join(names))
        signature = [lines[i].strip() for i in range(first, index + 1)]
        # A footer after the name is text a reader sees (transmission trailers, banners
        # and desk tags are not): it follows the signature in `text`.
        after = [line.rstrip() for line in lines[index + 1 :] if _is_text_after(line)]
        if any(line.strip() for line in after):
            signature.extend(["", *after])
        state.signature_line = "\n".join(signature).rstrip()
        del lines[first:]
        state.footer_lines = _drop_footer(lines)
        return
    line = _MINIMIZE.sub("", lines[index].strip())
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


def _is_text_after(line: str) -> bool:
    return not (_TRAILER.match(line) or _BANNER.match(line) or _DESK_TAG.match(line))


def _name_text(line: str) -> str:
    """The names of a signature line: `MINIMIZE CONSIDERED` and a closing period off."""
    return _MINIMIZE.sub("", line.strip()).rstrip(" .")


def _name_words(line: str) -> list[str] | None:
    """The words of a line that holds nothing but a name, else None."""
    text = _name_text(line)
    if not _NAME_LINE.match(text):
        return None
    words = text.split()
    if any(word.upper() in _NOT_NAMES or _REDACTION.match(word) for word in words):
        return None
    if len(words) > 1 and line.rstrip().endswith(".") and not line.rstrip().endswith(" ."):
        return None  # `PLEASE ADVISE.`: a sentence, where a name has no full stop
    return words


# A letter's closing (`Best,`, `Regards,`, `Sincerely,`, `All the best,`).
_CLOSING: Final = re.compile(
    r"^\s*(?:(?:with\s+)?(?:best|kind|warm(?:est)?|warm\s+personal)?\s*regards|best(?:\s+wishes)?"
    r"|all\s+the\s+best|sincerely(?:\s+yours)?|yours(?:\s+sincerely|\s+truly)?|cordially"
    r"|respectfully|many\s+thanks|thanks(?:\s+again)?|thank\s+you|cheers)\s*[,.!]?\s*$",
    re.IGNORECASE,
)


def _after_closing(lines: list[str], index: int) -> bool:
    """Whether line `index` follows a letter's closing, with at most the writer's first
    name between (`Best,` / `Jeff` / `clinton`)."""
    previous = _previous_line(lines, index)
    if previous >= 0 and not _CLOSING.match(lines[previous]):
        first = _name_words(lines[previous])
        if first is None or len(first) != 1:
            return False
        previous = _previous_line(lines, previous)
    return previous >= 0 and bool(_CLOSING.match(lines[previous]))


def _signature_start(lines: list[str], index: int) -> int | None:
    """Where the signature that ends at line `index` begins, or None when it is no name."""
    words = _name_words(lines[index])
    if words is None:
        return None
    if len(words) == 1 and words[0].islower() and _after_closing(lines, index):
        return index  # the Secretary's surname typed in lower case after a letter's closing
    above = index - 1 >= 0 and _previous_line(lines, index) == index - 1
    # Two surnames on consecutive lines (`RICE` / `BOLTON`), after the end of the text.
    if above and _is_surname_line(lines, index - 1, words):
        return index - 1
    if _accepted(lines, index, words):
        return index
    # `Huntsman` / `huntsman`: the name typed twice, the second time in lower case.
    if above and _name_text(lines[index - 1]).lower() == _name_text(lines[index]).lower():
        first = _name_words(lines[index - 1])
        if first is not None and _accepted(lines, index - 1, first):
            return index - 1
    return None


def _is_surname_line(lines: list[str], index: int, after: list[str]) -> bool:
    """Whether line `index` is a first signer above the surname(s) `after`."""
    if len(after) > 2 or (len(after) == 2 and after[1].upper().strip(".") not in _SUFFIXES):
        return False
    words = _name_words(lines[index])
    if words is None or len(words) > 2 or not _name_text(lines[index]).isupper():
        return False
    if len(words) == 2 and words[1].upper().strip(".") not in _SUFFIXES:
        return False
    if not all(word.isupper() for word in after):
        return False
    previous = _previous_line(lines, index)
    if previous >= 0 and lines[previous].rstrip().endswith(":"):
        return False  # `THE DELEGATION:` / `SMITH` / `JONES`: a list, not two signers
    return _before(lines, index) in ("end", "footer")


def _accepted(lines: list[str], index: int, words: list[str]) -> bool:
    text = _name_text(lines[index])
    before = _before(lines, index)
    upper = text.isupper()
    capitalised = upper or all(word[:1].isupper() for word in words)
    if before == "footer":
        return capitalised or len(words) == 1
    if before == "end":
        return capitalised
    if before == "open" and upper and len(words) <= _RELAXED_WORDS:
        return _relaxed(lines, index, words)
    return False


def _relaxed(lines: list[str], index: int, words: list[str]) -> bool:
    """An all-capitals surname after an unfinished line of a mixed-case cable."""
    line = lines[index].rstrip()
    if line.endswith(".") and not line.endswith(" ."):
        return False  # `... funded by` / `USAID.`: the full stop ends the sentence above
    if len(words) == 1:
        info = tag_info(words[0])
        if len(words[0]) < 3 or (info is not None and info.kind in ("organization", "subject")):
            return False  # `NATO`, `UN`, `PREL`: not names
    previous = lines[_previous_line(lines, index)].rstrip()
    last = previous.split()[-1].lower().strip("(\"'“") if previous.split() else ""
    if previous.endswith((",", "-", "/", "(", "&")) or last in _CONTINUING:
        return False
    return _mixed_case(lines, index)


def _mixed_case(lines: list[str], index: int) -> bool:
    """Whether the text above line `index` is written in mixed case (most letters small)."""
    lower = upper = seen = 0
    for line in reversed(lines[max(0, index - 3 * _CASE_SAMPLE) : index]):
        if not line.strip():
            continue
        lower += sum(1 for char in line if char.islower())
        upper += sum(1 for char in line if char.isupper())
        seen += 1
        if seen >= _CASE_SAMPLE:
            break
    return lower > upper


def _before(lines: list[str], index: int) -> str:
    """What stands before line `index`: `end` (of the text), `footer`, `open` or `none`."""
    if index - 1 < 0:
        return "none"
    if not lines[index - 1].strip():
        previous = _previous_line(lines, index)
        if previous >= 0 and _is_footer(lines[previous]):
            return "footer"
        return "end" if previous >= 0 else "none"
    if _is_footer(lines[index - 1]):
        return "footer"
    if _TEXT_END.search(lines[index - 1]):
        return "end"
    return "open"


def _previous_line(lines: list[str], index: int) -> int:
    previous = index - 1
    while previous >= 0 and not lines[previous].strip():
        previous -= 1
    return previous


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


def _previous_is_footer(lines: list[str], index: int) -> bool:
    previous = _previous_line(lines, index)
    return previous >= 0 and (_is_footer(lines[previous]) or _wrapped_address(lines, previous))
