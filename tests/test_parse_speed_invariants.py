"""The speed changes of issue 11 (docs/performance.md) give what the slower code gave.

Each faster path is compared with the plain one it replaces: the HTML reader's cut-down
page with the whole page, the cheap tests before patterns with the patterns alone.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cabledesk.parse import parse_text
from cabledesk.parse.rules import narrative
from cabledesk.parse.rules.classification_line import (
    _LEVEL_WORDS,
    _close,
    parse_classification_line,
)
from cabledesk.parse.rules.page_breaks import _marked_lines
from cabledesk.sources import html as html_reader
from cabledesk.sources.walk import WALKED_SUFFIXES, _walk
from conftest import CORPUS, SAMPLE

PAGES = sorted(SAMPLE.rglob("*.html")) + sorted((CORPUS / "cable").rglob("*.html"))[:200]


def _whole_page(data: bytes, location: str) -> list[object]:
    """What `read_html` gives when it parses the whole page (the code before the cut)."""
    cut = html_reader._cable_part
    html_reader._cable_part = lambda _: None  # type: ignore[assignment]
    try:
        return list(html_reader.read_html(data, location))
    finally:
        html_reader._cable_part = cut  # type: ignore[assignment]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_cut_down_page_reads_as_the_whole_page(path: Path) -> None:
    data = path.read_bytes()
    assert html_reader._cable_part(data) is not None  # the layout the cut is made for
    assert repr(list(html_reader.read_html(data, str(path)))) == repr(_whole_page(data, str(path)))


def _sample_page() -> bytes:
    return (SAMPLE / "cable" / "2006" / "03" / "06KIEV1261.html").read_bytes()


@pytest.mark.parametrize(
    "change",
    [
        # A <pre> before the cable table: //pre would find it first.
        lambda page: page.replace(b"<body>", b"<body><PRE>navigation</PRE>", 1),
        # Another table before the cable table.
        lambda page: page.replace(b"<body>", b"<body><Table><tr><td>x</td></tr></Table>", 1),
        # An encoding declared in the body.
        lambda page: page.replace(
            b"<table class='cable'>", b"<meta charset='latin-1'/><table class='cable'>", 1
        ),
        # The cable table quoted otherwise.
        lambda page: page.replace(b"<table class='cable'>", b'<table class="cable">', 1),
        # A <pre> left open before the next one.
        lambda page: page.replace(b"</pre>", b"", 1),
    ],
)
def test_unusual_pages_are_read_whole(change: object) -> None:
    page = change(_sample_page())  # type: ignore[operator]
    assert page != _sample_page()
    assert html_reader._cable_part(page) is None
    assert repr(list(html_reader.read_html(page, "x"))) == repr(_whole_page(page, "x"))


def test_cut_down_page_keeps_only_the_first_two_pre_blocks() -> None:
    page = _sample_page().replace(b"</body>", b"<pre>third block</pre></body>", 1)
    part = html_reader._cable_part(page)
    assert part is not None and b"third block" not in part
    assert repr(list(html_reader.read_html(page, "x"))) == repr(_whole_page(page, "x"))


_DOT_PAREN = re.compile(r"\.(?:(?<=[ \t]\d\.)|(?<=[ \t]\d\d\.))[ \n]\(")


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=" \t\n.(1x7\u0663", max_size=24))
def test_glued_mark_candidates_are_the_patterns_matches(text: str) -> None:
    expected = [match.start() for match in _DOT_PAREN.finditer(text)]
    assert narrative._candidates(text) == expected


def test_glued_mark_candidates_in_real_text() -> None:
    # 09STATE82013, as an edited copy glued it (cable-format.md: numbered paragraphs).
    text = "between the two. 2. (C) German officials said\nno. 12.\n(S) More text 3.(C) x"
    assert narrative._candidates(text) == [m.start() for m in _DOT_PAREN.finditer(text)]
    assert narrative._candidates(text) == [18, 52]


@settings(max_examples=3000, deadline=None)
@given(
    st.one_of(
        st.sampled_from(list(_LEVEL_WORDS)).flatmap(
            lambda word: st.lists(st.integers(0, len(word)), max_size=4).map(
                lambda cuts: "".join(c for i, c in enumerate(word) if i not in cuts)
            )
        ),
        st.text(alphabet="CONFIDENTIALSEURTPBXM", min_size=5, max_size=20),
    )
)
def test_close_spelling_is_difflibs(letters: str) -> None:
    close = difflib.get_close_matches(letters, _LEVEL_WORDS, n=1, cutoff=0.82)
    expected = _LEVEL_WORDS[close[0]] if close and len(letters) >= 5 else None
    assert _close.__wrapped__(letters) == expected  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("line", "level", "serial"),
    [
        # Real spellings (cable-format.md §3.1 and the corpus).
        ("C O N F I D E N T I A L SECTION 01 OF 03 HARARE 006677", "CONFIDENTIAL", "6677"),
        ("S e c r e t baghdad 001784", "SECRET", "1784"),
        ("SS E C R E T ISLAMABAD 003705", "SECRET", "3705"),
        ("E C R E T STATE 012345", "SECRET", "12345"),
        ("C ONFIDENTIAL MADRID 000293", "CONFIDENTIAL", "293"),
        ("UNCLAS SECTION 01 OF 02 KIEV 001261", "UNCLASSIFIED", "1261"),
    ],
)
def test_classification_line_spellings(line: str, level: str, serial: str) -> None:
    parsed = parse_classification_line(line)
    assert parsed is not None and (parsed.level, parsed.serial) == (level, serial)


@pytest.mark.parametrize(
    "line", ["FM AMEMBASSY BAGHDAD", "TO SECSTATE WASHDC IMMEDIATE 0421", "OO RUEHWEB"]
)
def test_header_lines_are_no_classification_lines(line: str) -> None:
    assert parse_classification_line(line) is None


def test_subject_loses_a_trailing_rule_and_stray_mark() -> None:
    # `NEW PRESIDENT -------` and `... SPAIN <` (subject.py's docstrings, from the corpus).
    ruled = parse_text("SUBJECT: LEBANON: NEW PRESIDENT -------\n\n1. (C) Text.")
    stray = parse_text("SUBJECT: TERRORISM FINANCE IN SPAIN <\n\n1. (C) Text.")
    kept = parse_text("SUBJECT: A-1 AND B-52 SALES\n\n1. (C) Text.")
    assert ruled.subject == "LEBANON: NEW PRESIDENT"
    assert stray.subject == "TERRORISM FINANCE IN SPAIN"
    assert kept.subject == "A-1 AND B-52 SALES"


def test_walk_keeps_the_suffixes_pathlib_names(tmp_path: Path) -> None:
    names = ["a.txt", "b.HTML", "c.csv.", "d", "e.tar.jsonl", "f. txt", "g.text", ".h.txt"]
    for name in names:
        (tmp_path / name).write_text("x")
    expected = sorted(
        n for n in names if not n.startswith(".") and Path(n).suffix.lower() in WALKED_SUFFIXES
    )
    assert [p.name for p in _walk(tmp_path)] == expected
    assert all(os.path.splitext(n)[1].lower() in WALKED_SUFFIXES for n in expected)


def _marked_by_needles(text: str) -> list[int]:
    """The page-break lines as found before: every ` OF 0`, ` of 0` and `PAGE `."""
    offsets = [
        at
        for needle in (" OF 0", " of 0", "PAGE ")
        for at in range(len(text))
        if text.startswith(needle, at)
    ]
    return sorted({text.count("\n", 0, at) for at in offsets})


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(
        st.sampled_from(["PAGE", "PAGE ", " OF 0", " of 0", "\n", " ", "G", "0"]), max_size=12
    ).map("".join)
)
def test_page_break_lines_are_the_needles_lines(text: str) -> None:
    assert _marked_lines(text) == _marked_by_needles(text)


def test_page_break_lines_in_real_text() -> None:
    # A WikiLeaks page's page-break line (cable-format.md §5), and PAGE inside words.
    text = "SECRET\nPAGE 02 STATE 017976 262345Z\nthe PAGES and HOMEPAGE\nSECTION 01 OF 03"
    assert _marked_lines(text) == [1, 3]
