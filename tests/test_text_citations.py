"""Cable ids cited in the text itself: the finder against hand-checked strings and the
real cables that cite others in their paragraphs, and the graph's edges from them for
each class of reader (fail closed: a withheld paragraph, a ceiling, a redaction, an
unpublished cable)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cabledesk.access.principal import LOCAL, PUBLIC, Principal
from cabledesk.archive.text_citations import cited_in, find
from cabledesk.facade import Archive
from cabledesk.parse.ids import CitingCable
from cabledesk.record.level import Level
from cabledesk.redact import Rule
from cabledesk.sources.walk import read_paths
from conftest import CORPUS, needs_corpus

# 09MEXICO193: a SECRET//NOFORN cable of 2009 with serial 193.
MEXICO = CitingCable(2009, 100, "MEXICO", 193)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("(see MEXICO 3586).", ["08MEXICO3586"]),  # a higher serial of its own post: 2008
        ("(See MEXICO 2371, 3498)", ["08MEXICO2371", "08MEXICO3498"]),
        ("see reftel LONDON 02582", ["09LONDON2582"]),
        ("SEE 08 STATE 1234 AND 5678", ["08STATE1234", "08STATE5678"]),
        ("REF: 2008 SAO PAULO 497", ["08SAOPAULO497"]),
        ("see septel (08) DOHA 152", ["08DOHA152"]),
        ("BRASILIA 000905 PROVIDED A SOLID PREVIEW", ["09BRASILIA905"]),  # padded: a caption
        ("Per 08BAGHDAD1784, the", ["08BAGHDAD1784"]),
        ("This corrected cable replaces WARSAW 01071.", ["09WARSAW1071"]),
        # Not citations.
        ("troops left in BAGHDAD 2008", []),  # a year
        ("boots arrived on the CASA 212 flight", []),  # no citing word, not padded
        ("C O N F I D E N T I A L PARIS 002440 PERSIAN GULF", []),  # a page-break caption
        ("UNCLAS SECTION 02 OF 03 STATE 004417", []),
        ("STATE 00123 001.2 OF 002", []),
        ("see Mexico 3586", []),  # a station in lower case
        ("SEE STATE 12/3", []),  # a date
        ("see PARA 2 and OSC 12345", []),  # not stations that send telegrams
    ],
)
def test_find_hand_checked(text: str, ids: list[str]) -> None:
    assert find(text, MEXICO) == ids


def _corpus_records() -> Iterator[object]:
    from cabledesk.parse.core import parse_source

    for item in read_paths([CORPUS / "cable"]):
        yield parse_source(getattr(item, "source", item))


# Read by hand in the cables' pages: every id cited in a paragraph of the 645 real cables
# (position = the paragraph's index, number = as printed).
HAND_CHECKED = {
    "08DAMASCUS146": [(None, ("08DAMASCUS142",))],  # "a corrected copy of DAMASCUS 142"
    "09LONDON2598": [(7, ("09LONDON2582",))],  # "(see reftel LONDON 02582)"
    "09MEXICO193": [
        (3, ("08MEXICO3586", "08MEXICO1766")),  # "(see MEXICO 3586)", "(See MEXICO 1766)"
        (9, ("08MEXICO2371", "08MEXICO3498")),  # "(See MEXICO 2371, 3498)"
        (11, ("08MEXICO3779",)),
        (16, ("08MEXICO1766",)),  # "see also MEXICO 1766"
    ],
    "09STATE77662": [(1, ("09BRASILIA905", "09BRASILIA799", "09BRASILIA791"))],
    "09WARSAW1139": [(1, ("09WARSAW1071",))],  # "This corrected cable replaces WARSAW 01071"
}


@needs_corpus
def test_the_real_cables_citing_in_their_text() -> None:
    found = {}
    for record in _corpus_records():
        cited = cited_in(record)  # type: ignore[arg-type]
        if cited:
            found[record.reference_id] = [(c.number, c.ids) for c in cited]  # type: ignore[attr-defined]
    assert found == HAND_CHECKED
    assert sum(len(ids) for rows in found.values() for _, ids in rows) == 12


# --- the graph ------------------------------------------------------------------------

CONFIDENTIAL = Principal(name=None, role="reader", ceiling=Level.CONFIDENTIAL, foreign=False)
SECRET = Principal(name=None, role="reader", ceiling=Level.SECRET, foreign=False)


@pytest.fixture(scope="module")
def cables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (CORPUS / "cable").exists():
        pytest.skip("../shared/corpus is not beside the checkout")
    folder = tmp_path_factory.mktemp("texts")
    for reference_id in HAND_CHECKED:
        (source,) = (CORPUS / "cable").rglob(f"{reference_id}.html")
        shutil.copy(source, folder / source.name)
    return folder


@pytest.fixture
def archive(cables: Path, tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "a") as opened:
        report = opened.ingest([cables], workers=1)
        assert report.failed == 0 and report.ingested == len(HAND_CHECKED)
        yield opened


def _via(archive: Archive, principal: Principal, cable_id: str) -> dict[str, str]:
    found = archive.graph_cable(cable_id, viewer=archive.viewer(principal))
    return {} if found is None else found.cites_via


def test_edges_are_marked_by_how_they_are_made(archive: Archive) -> None:
    assert _via(archive, LOCAL, "09WARSAW1139") == {
        "09WARSAW1071": "text",
        "09WARSAW972": "ref",
    }
    assert _via(archive, LOCAL, "09MEXICO193") == {
        "08MEXICO1766": "ref+text",
        "08MEXICO2371": "ref+text",
        "08MEXICO3498": "ref+text",
        "08MEXICO3586": "ref+text",
        "08MEXICO3779": "ref+text",
        "09CIUDADJUAREZ22": "ref",
    }
    stats = archive.graph_stats(viewer=archive.viewer(LOCAL))
    assert stats["edges_text_only"] == 2  # WARSAW 1071 and DAMASCUS 142 are in no REF line
    cited = archive.graph_cable("08DAMASCUS142", viewer=archive.viewer(LOCAL))
    assert cited is not None and cited.cited_by_via == {"08DAMASCUS146": "text"}


def test_a_ceiling_counts_only_paragraphs_within_it(archive: Archive) -> None:
    # 09MEXICO193 is SECRET//NOFORN: its REF lines count for no CONFIDENTIAL reader, its
    # paragraphs marked (C) do; paragraph 11, (S/NF), does not.
    assert _via(archive, CONFIDENTIAL, "09MEXICO193") == {
        "08MEXICO1766": "text",
        "08MEXICO2371": "text",
        "08MEXICO3498": "text",
        "08MEXICO3586": "text",
    }
    foreign = Principal(name=None, role="reader", ceiling=Level.SECRET, foreign=True)
    assert "08MEXICO3779" not in _via(archive, foreign, "09MEXICO193")
    # Unmarked paragraphs stand at the cable's level (SECRET).
    assert _via(archive, CONFIDENTIAL, "09WARSAW1139") == {}
    assert _via(archive, SECRET, "09WARSAW1139") == {"09WARSAW1071": "text", "09WARSAW972": "ref"}


def test_rules_take_text_edges_away_from_readers(archive: Archive) -> None:
    before = _via(archive, SECRET, "09MEXICO193")
    assert before["08MEXICO2371"] == "ref+text"
    archive.redact(Rule(kind="paragraph", cable_id="09MEXICO193", paragraph=9, reason="test"))
    archive.redact(Rule(kind="span", text="MEXICO 3586", cable_id="09MEXICO193", reason="t"))
    archive.redact(Rule(kind="span", text="WARSAW 01071", cable_id="09WARSAW1139", reason="t"))
    after = _via(archive, SECRET, "09MEXICO193")
    # The REF lines still cite them; the paragraphs no longer do for this reader.
    assert after["08MEXICO2371"] == "ref" and after["08MEXICO3498"] == "ref"
    assert "08MEXICO3586" not in after  # the span burns the REF item (`B. MEXICO 3586`) too
    assert after["08MEXICO1766"] == "ref+text"  # paragraph 3 cites it outside the span
    assert _via(archive, SECRET, "09WARSAW1139") == {"09WARSAW972": "ref"}
    assert archive.graph_cable("09WARSAW1071", viewer=archive.viewer(SECRET)) is None
    # Editors read the stored text: theirs still.
    assert _via(archive, LOCAL, "09WARSAW1139")["09WARSAW1071"] == "text"
    assert _via(archive, LOCAL, "09MEXICO193")["08MEXICO2371"] == "ref+text"


def test_the_public_reads_the_published_text_only(archive: Archive) -> None:
    assert archive.graph_cable("09LONDON2582", viewer=archive.public_viewer()) is None
    archive.approve(["09LONDON2598"])
    archive.record_edition(None, "test")
    assert _via(archive, PUBLIC, "09LONDON2598") == {"09LONDON2582": "ref+text"}
    # An unpublished cable's text cites nothing for the public.
    assert archive.graph_cable("09WARSAW1071", viewer=archive.public_viewer()) is None
    # A rule made after the edition burns the id out of the public's paragraph (and of
    # the REF item, `LONDON 02582` as well): no edge is left.
    archive.redact(Rule(kind="span", text="LONDON 02582", cable_id="09LONDON2598", reason="t"))
    assert _via(archive, PUBLIC, "09LONDON2598") == {}
