"""An edition to search (tests of the edition's search, in Python and in Chromium): a few
hundred generated cables and a handful written for the phrases; a plain static server
over a built site; and a reader of the search index written independently of the
browser's script, from the format docs/publishing.md describes."""

from __future__ import annotations

import functools
import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cabledesk import Archive
from cabledesk.synthetic.corpus import write_corpus
from conftest import SAMPLE

# id: its one paragraph. The phrase "quds force" is in the first; the second has both
# words apart. The third has "qarwen brigade tolmar" (words no generated cable has); the
# fourth has the pairs "qarwen brigade" and "brigade tolmar", never the three in a row.
WRITTEN = {
    "08BAGHDAD9001": "Officers of the Quds Force met militia leaders in Basra.",
    "08BAGHDAD9002": "The Quds brigade denied it, and the force commanders disagreed.",
    "08BAGHDAD9003": "Trainers of the Qarwen Brigade Tolmar crossed at Mehran.",
    "08BAGHDAD9004": "The qarwen brigade met them; the brigade tolmar stayed home.",
}


def written_cable(folder: Path, reference_id: str, paragraph: str) -> Path:
    number = reference_id[-4:]
    text = (
        "From: Test\n"
        f"6/14/2008 6:50 {reference_id} Embassy Baghdad UNCLASSIFIED\n\n"
        "O 140650Z JUN 08 FM AMEMBASSY BAGHDAD TO SECSTATE WASHDC IMMEDIATE 7781\n"
        "TAGS: PREL SUBJECT: VISITORS\n\n"
        f"U n c l a s s i f i e d baghdad 00{number}\n\n"
        "E.o. 12958: N/A Tags: prel\nSubject: visitors\n\n"
        f"1. (U) {paragraph}\n"
    )
    path = folder / f"{reference_id}.txt"
    path.write_text(text, encoding="utf-8")
    return path


def edition_archive(folder: Path, generated: int = 300) -> Path:
    """An archive of `generated` generated cables and WRITTEN, all approved."""
    release = folder / "cables.csv"
    write_corpus(release, generated, 16, [SAMPLE])
    written = folder / "written"
    written.mkdir()
    paths = [written_cable(written, i, p) for i, p in WRITTEN.items()]
    with Archive.open(folder / "archive") as archive:
        archive.ingest([release, *paths], workers=1)
        ids = [row[0] for row in archive.connection.execute("SELECT reference_id FROM cables")]
        archive.approve(ids)
    return folder / "archive"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """`folder` served by Python's own static server (http.server) in a thread."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


# --- a reader of the index ------------------------------------------------------------


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def entry(search: Path, term: str) -> tuple[list[Any] | None, list[str]]:
    """A term's entry, and the names of the shards read to find it."""
    chars = list(term)
    depth = min(2, len(chars))
    read = []
    while True:
        name = "".join(chars[:depth]).encode("utf-8").hex() + ".json"
        path = search / "t" / name
        read.append(name)
        if not path.exists():
            return None, read
        node = load(path)
        if term in node["t"]:
            return node["t"][term], read
        if "s" in node and len(chars) > depth and chars[depth] in node["s"]:
            depth += 1
            continue
        return None, read


def decode(run: list[int], pair: bool) -> list[tuple[int, int, list[int]]]:
    """(cable, level, positions) of a run of postings, in its order."""
    out = []
    i = 0
    while i < len(run):
        level, count = run[i], run[i + 1]
        i += 2
        cable = 0
        for _ in range(count):
            cable += run[i]
            i += 1
            positions: list[int] = []
            if pair:
                n = run[i]
                i += 1
                at = 0
                for gap in run[i : i + n]:
                    at += gap
                    positions.append(at)
                i += n
            out.append((cable, level, positions))
    return out


def postings(search: Path, term: str) -> list[tuple[int, int, list[int]]]:
    """Every posting of `term` (none when it is not a term), in the index's order."""
    found, _ = entry(search, term)
    if found is None:
        return []
    pair = " " in term
    if isinstance(found[1], list):
        return decode(found[1], pair)
    # Format 5: [cables, 0, level, cable, postings, ...], each block's last posting and
    # its number of postings, in order; each block b/HEX/LEVEL-CABLE.json (HEX: the
    # term's, in folders of 200).
    text = term.encode("utf-8").hex()
    folder = search.joinpath("b", *(text[i : i + 200] for i in range(0, len(text), 200)))
    out = []
    listed = found[2:]
    assert found[1] == 0
    for level, last, count in zip(listed[::3], listed[1::3], listed[2::3], strict=True):
        held = decode(load(folder / f"{level}-{last}.json"), pair)
        assert len(held) == count and held[-1][:2] == (last, level)
        out += held
    assert out == sorted(out, key=lambda p: (-p[1], p[0]))
    assert len(out) == found[0]
    return out


def ids(search: Path, cables: list[int]) -> set[str]:
    meta = load(search / "meta.json")
    chunk = meta["doc_chunk"]
    return {load(search / "d" / f"{c // chunk}.json")[c % chunk][0] for c in cables}


def phrase(search: Path, words: list[str]) -> set[str]:
    """The cables holding `words` in a row, from the pairs' positions."""
    pairs = [postings(search, f"{a} {b}") for a, b in itertools.pairwise(words)]
    at = [{c: set(p) for c, _, p in found} for found in pairs]
    cables = set(at[0])
    for found in at[1:]:
        cables &= set(found)
    matched = [
        c for c in cables if any(all(s + k in at[k][c] for k in range(len(at))) for s in at[0][c])
    ]
    return ids(search, matched)
