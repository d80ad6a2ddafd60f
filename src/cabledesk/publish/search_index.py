"""The public edition's search index: built here, searched in the reader's browser.

Designed for bandwidth (docs/publishing.md, "Searching the edition"): a query downloads
a few small files whatever the edition's size, from any static web server.

- `search/meta.json`: a few numbers (cables, average length, the sizes below); constant.
- `search/d/K.json`: the rows shown in a result list (id, date, origin, marking,
  subject) of cables K*16 ... K*16+15: a page of results fetches at most one small file
  per result.
- `search/t/HEX.json`: the terms, in a tree of shards by prefix. HEX is the UTF-8 of a
  prefix in hexadecimal; the tree starts at the terms' first two characters and a shard
  that would pass `LEAF_BYTES` is split by the next character (its file then holds the
  terms equal to its prefix and, in `s`, the characters its children start with), so no
  shard grows with the edition. A term is a word (lower case, `record.words.WORD`) or a
  pair of words that follow each other ("quds force"): pairs answer phrases.
- `search/b/H/L-C.json`: a term's postings when it has more than `INLINE` cables, in
  blocks of about `BLOCK` postings (a pair's: `PAIR_BLOCK`), ordered by impact (below):
  the first blocks hold the cables where the term weighs most, so a common word costs
  one block, not the edition. L-C is the block's last posting (level, cable): a block is
  cut where its content says (after a boundary cable, `block_ends`), never by counting
  from the start of the level, so a change rewrites the blocks it falls in, not every
  block after it (the incremental update, `IndexUpdate`).

Ranking: each posting carries an impact level, BM25's term-frequency part for the cable
(k1 1.2, b 0.75, the cable's length in words over the edition's average) cut into
`LEVELS` levels; the browser adds level times the term's idf (from its number of cables)
over the words of the query. Postings are ordered by level, highest first, and by cable.
A pair's posting also lists where in the cable the pair starts (word positions), so a
phrase of three words or more is matched exactly: its pairs at consecutive positions.

Encoding (JSON, numbers only, so nothing in a posting can spell a word): a run of
postings is `[level, count, cable, gap, gap, ...]` per level (cables as gaps from the
previous in the run); for a pair each cable is followed by its number of positions and
the positions as gaps. A term's entry is `[cables, run]` when inline, else
`[cables, 0, level, cable, postings, ...]`: each block's last posting and its number of
postings, in order (a block holds runs of one or more levels).

Everything comes from the published (redacted) records: no withheld word is a term, a
pair, a shard's name or a count.

The index is built as the pages are, one cable at a time and in any order
(`IndexWriter`), with numpy rather than Python work per posting (docs/performance.md,
"The search index vectorised"): each word gets an integer id (one dict, the
vocabulary), a pair is one int64 (first id << 32 | second id); a cable's words and pairs
are counted by a few numpy calls, and postings are held as arrays up to a bound, then
spooled as binary records into one file per batch, ordered by bucket (the terms' first two
characters). At the end each bucket is read from every batch; a bucket over
`BUCKET_BYTES` is split by the next character of its terms, as the first writer of format
3 split its text spool (`BUCKET_BYTES` still counts the bytes that text spool would have
held: the same split, the same shards); then its postings are sorted by one int64 key
(term's rank, level, cable), the runs of numbers are made as arrays and written as text by
table lookups, and only the per-term entry is Python. The files are byte for byte those
of the first writer (`tests/edition_search_reference.py`, compared by
`tests/test_edition_search_reference.py`). Memory: the bound, the vocabulary, one bucket
(or a batch of one) and the postings of the most common single term, not the edition.
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import json
import math
import multiprocessing
import os
import re
import shutil
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from cabledesk.publish.errors import PublishError
from cabledesk.publish.paths import inside
from cabledesk.record.model import Cable
from cabledesk.record.words import WORD

FORMAT = 5
# Postings held in memory before they are appended to the spool files.
_SPOOL_AT = 1_000_000
# A spool file is split by the next character of its terms while it is larger.
BUCKET_BYTES = 24_000_000
# A shard of the tree is split when its terms' entries pass this size.
LEAF_BYTES = 24_000
# A shard split by the next character keeps at most this much of the small groups.
NODE_BYTES = 8_000
# A term with at most this many cables keeps its postings in its shard.
INLINE = 256
# Postings of a block file, on average: a word's, and a pair's (with its positions).
BLOCK = 2_000
PAIR_BLOCK = 500
# A block never holds more than this many times its size: a block of postings none of
# whose cables is a boundary cable is cut there (`block_ends`).
BLOCK_MAX = 2
# Knuth's multiplicative hash: which cable numbers are boundary cables (one in `size`),
# spread evenly over the numbers whatever a term's cables are.
_HASH = 2_654_435_761
# Rows of a file of document metadata.
DOC_CHUNK = 16
# Impact levels, and BM25's parameters.
LEVELS = 16
K1, B = 1.2, 0.75
# A prefix of the tree is never longer (a shard at this depth holds whatever it gets).
MAX_DEPTH = 64
# Cable numbers in the first writer's text spool had this many digits at least: the size of
# that spool decides where a bucket is split (below), so it is still counted.
_DIGITS = 8

Array = npt.NDArray[Any]
# What a helper process returns (_Helpers).
_Done = TypeVar("_Done")


def shard_name(prefix: str) -> str:
    """The file of the shard of terms starting with `prefix`; the browser derives the
    same name (site-search.js)."""
    return prefix.encode("utf-8").hex() + ".json"


# A folder name of a block's path is at most this many characters (hexadecimal).
_SEGMENT = 200


def block_folder(term: str) -> str:
    """The folder (under search/b/) of a term's blocks: the UTF-8 of the term in
    hexadecimal, cut into folders of `_SEGMENT` characters (a file name is limited); the
    browser derives the same (site-search.js)."""
    text = term.encode("utf-8").hex()
    return "/".join(text[i : i + _SEGMENT] for i in range(0, len(text), _SEGMENT))


def block_name(level_of: int, last: int) -> str:
    """The file (in the term's folder) of the block of a term's postings whose last
    posting is cable `last` at impact level `level_of`: named by its content, so a block
    that does not change keeps its name when blocks before it change."""
    return f"{level_of}-{last}.json"


def is_boundary(cable: int, size: int) -> bool:
    """Whether a block of postings of this `size` (BLOCK or PAIR_BLOCK) ends after cable
    number `cable`: one cable in `size`, the same for every term."""
    return (cable * _HASH) % 2**32 % size == 0


def block_ends(cables: Sequence[int], size: int) -> list[int]:
    """Where the blocks of a term's postings end (indices, exclusive), `cables` the
    postings' cables in the index's order (levels, highest first, then cables; a cable
    is in a term's postings once): after each boundary cable, and after `size *
    BLOCK_MAX` postings with none. So where a block ends depends on the postings since
    the last boundary cable only: a cable added or taken out changes its own block (and,
    past a cut made by the bound, the blocks up to the next boundary cable), not the
    others. The definition the writers and the update follow (IndexWriter cuts the same
    with numpy)."""
    ends: list[int] = []
    run = 0
    most = size * BLOCK_MAX
    for at, cable in enumerate(cables):
        run += 1
        if run == most or is_boundary(cable, size):
            ends.append(at + 1)
            run = 0
    if run:
        ends.append(len(cables))
    return ends


def blocked_entry(frequency: int, blocks: Sequence[tuple[int, int, int]]) -> str:
    """The entry of a term in blocks: `[cables, 0, level, cable, postings, ...]`, each
    block's last posting (level, cable) and number of postings, in order (a 0 where an
    inline entry has its run, an array)."""
    numbers = ",".join(f"{level_of},{last},{count}" for level_of, last, count in blocks)
    return f"[{frequency},0,{numbers}]"


def searchable_parts(cable: Cable) -> list[str]:
    """The texts searched, each on its own: a pair never spans two of them."""
    parts = [cable.subject or ""]
    for paragraph in cable.paragraphs:
        parts += [paragraph.heading or "", paragraph.text]
    parts += [r.text for r in cable.references]
    return parts


def searchable_parts_of(record: dict[str, Any]) -> list[str]:
    """`searchable_parts` of a record as `to_dict` gives it (the build's cache holds the
    public records so), without building the Cable: the second pass of a full build
    reads every cable's record only for these texts (tests/test_edition_search.py
    holds the two to the same parts)."""
    parts = [record.get("subject") or ""]
    for paragraph in record.get("paragraphs") or ():
        parts += [paragraph.get("heading") or "", paragraph.get("text") or ""]
    parts += [reference.get("text") or "" for reference in record.get("references") or ()]
    return parts


def searchable_text(cable: Cable) -> str:
    return "\n".join(searchable_parts(cable))


def document(cable: Cable) -> list[str]:
    """A cable's row of the document files."""
    return [
        cable.reference_id or "",
        (cable.header.sent or cable.created or "")[:10],
        cable.origin or "",
        "//".join([cable.classification or "", *cable.caveats]).strip("/"),
        cable.subject or "",
    ]


def level(tf: int, length: int, average: float) -> int:
    """The impact level (1 ... LEVELS) of a term found `tf` times in a cable of
    `length` words."""
    norm = K1 * (1 - B + B * length / average) if average else K1
    part = tf * (K1 + 1) / (tf + norm)
    return max(1, min(LEVELS, math.ceil(part / (K1 + 1) * LEVELS)))


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# The spool's records (little-endian, packed): a word's posting (word id, cable number,
# occurrences, the bytes of its line in the text spool of format 3's first writer), a
# pair's (first word id << 32 | second word id, cable, positions, line bytes), and the
# pairs' positions, one int32 each, in the order of their postings.
_WORDS = np.dtype([("t", "<i4"), ("c", "<i4"), ("f", "<i4"), ("b", "<i4")])
_PAIRS = np.dtype([("k", "<i8"), ("c", "<i4"), ("n", "<i4"), ("b", "<i4")])
_POSITIONS = np.dtype("<i4")
# Occurrences up to this take their impact level from a table (by the cable's length).
_TABLE_TF = 64
_POWERS = np.array([10**k for k in range(1, 19)], dtype=np.int64)


def _digits(values: Array) -> Array:
    """The decimal digits of each (non-negative) number."""
    return np.searchsorted(_POWERS, values, side="right") + 1


def _starts(counts: Array) -> Array:
    """Where each run of `counts` starts in their concatenation."""
    out = np.zeros(len(counts), dtype=np.int64)
    if len(counts) > 1:
        np.cumsum(counts[:-1], out=out[1:])
    return out


def _ranges(starts: Array, counts: Array) -> Array:
    """The indices start, start+1, ... (count of them) of each run, concatenated."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    return np.repeat(starts - _starts(counts), counts) + np.arange(total, dtype=np.int64)


def _changes(values: Array) -> Array:
    """True where a value differs from the one before (and at the first)."""
    out = np.empty(len(values), dtype=bool)
    if len(values):
        out[0] = True
        np.not_equal(values[1:], values[:-1], out=out[1:])
    return out


def _number_table() -> tuple[Array, Array, Array, Array, Array]:
    digits4 = np.zeros((10_000, 8), dtype=np.uint8)
    comma4 = np.zeros((10_000, 8), dtype=np.uint8)
    for i in range(10_000):
        text = list(f"{i:04d}".encode())
        digits4[i, :4] = text
        comma4[i, :4] = text
        comma4[i, 4] = ord(",")
    widths = np.array([len(str(i)) for i in range(10_000)], dtype=np.int64)
    short = np.zeros((5, 8), dtype=bool)
    long = np.zeros((9, 16), dtype=bool)
    places = [0, 1, 2, 3, 8, 9, 10, 11]
    for width in range(1, 9):
        if width <= 4:
            short[width, 4 - width : 5] = True
        long[width, places[8 - width :]] = True
        long[width, 12] = True
    return (
        digits4.view(np.uint64).ravel(),
        comma4.view(np.uint64).ravel(),
        widths,
        short.view(np.uint64).ravel(),
        long.view(np.uint64).reshape(9, 2),
    )


_DIGITS4, _COMMA4, _WIDTHS, _SHORT, _LONG = _number_table()


def _format(numbers: Array) -> tuple[bytes, Array]:
    """Every number (non-negative) in decimal, each followed by a comma, and where each
    one's text ends (after its comma): `",".join(map(str, numbers)) + ","` without a
    Python string a number."""
    count = len(numbers)
    if not count:
        return b"", np.zeros(0, dtype=np.int64)
    top = int(numbers.max())
    if top < 10_000:
        widths = _WIDTHS[numbers]
        text = _COMMA4[numbers].view(np.uint8)[_SHORT[widths].view(bool)]
    elif top < 10**8:
        high = numbers // 10_000
        low = numbers - high * 10_000
        widths = _WIDTHS[low]
        big = high > 0
        widths[big] = _WIDTHS[high[big]] + 4
        rows = np.empty((count, 2), dtype=np.uint64)
        rows[:, 0] = _DIGITS4[high]
        rows[:, 1] = _COMMA4[low]
        mask = np.empty((count, 2), dtype=np.uint64)
        mask[:, 0] = _LONG[widths, 0]
        mask[:, 1] = _LONG[widths, 1]
        text = rows.view(np.uint8).ravel()[mask.view(bool).ravel()]
    else:
        joined = ",".join(map(str, numbers.tolist())) + ","
        widths = np.fromiter(map(len, map(str, numbers.tolist())), np.int64, count)
        return joined.encode(), np.cumsum(widths + 1)
    ends = np.cumsum(widths)
    ends += np.arange(1, count + 1)
    return text.tobytes(), ends


class _Vocabulary(dict[bytes, int]):
    """Word (UTF-8) -> id, in order of first sight, with what the spool needs of each."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.sizes: list[int] = []  # UTF-8 bytes
        self.buckets: dict[str, int] = {}  # two-character prefix -> bucket id
        self.prefixes: list[str] = []  # bucket id -> prefix
        self.word_bucket: list[int] = []  # word id -> bucket of the word
        self.pair_bucket: list[int] = []  # word id -> bucket of the pairs it starts

    def bucket(self, prefix: str) -> int:
        found = self.buckets.get(prefix)
        if found is None:
            found = self.buckets[prefix] = len(self.prefixes)
            self.prefixes.append(prefix)
        return found

    def __missing__(self, encoded: bytes) -> int:
        number = self[encoded] = len(self.words)
        word = encoded.decode("utf-8")
        self.words.append(word)
        self.sizes.append(len(encoded))
        self.word_bucket.append(self.bucket(word[:2]))
        self.pair_bucket.append(self.bucket((word + " ")[:2]))
        return number


# ASCII text cut into words as WORD does, in lower case: letters and digits kept (lowered),
# every other byte a space. (Not for other text: WORD's letters are Unicode's.)
_ASCII_WORDS = bytes(
    (ord(chr(i).lower()) if chr(i).isalnum() else ord(" ")) if i < 128 else ord(" ")
    for i in range(256)
)
# A character WORD counts as a letter (or digit) beyond ASCII.
_LETTER_BEYOND_ASCII = re.compile(r"[^\W_\x00-\x7f]")


def _words(cable: Cable) -> tuple[list[bytes], list[int]]:
    """A cable's words (UTF-8, lower case) and where each searchable part ends."""
    return _words_of(searchable_parts(cable))


def _words_of(parts: list[str]) -> tuple[list[bytes], list[int]]:
    """The words (UTF-8, lower case) of searchable parts and where each part ends."""
    findall = WORD.findall
    every: list[bytes] = []
    ends: list[int] = []
    for part in parts:
        if part.isascii():
            every += part.encode("ascii").translate(_ASCII_WORDS).split()
        elif _LETTER_BEYOND_ASCII.search(part) is None:
            # Only ASCII letters: the others (a dash, a redaction's blocks) cut words.
            every += part.encode("ascii", "replace").translate(_ASCII_WORDS).split()
        else:
            every += [w.lower().encode("utf-8") for w in findall(part)]
        ends.append(len(every))
    return every, ends


# A slice of the spool: (file descriptor, offset and records of words, of pairs, of
# positions).
_Piece = tuple[int, int, int, int, int, int, int]


def _batches(pieces: list[_Piece], size: int) -> Iterator[list[_Piece]]:
    """`pieces` in runs of about `size` postings (read and split at once)."""
    batch: list[_Piece] = []
    held = 0
    for piece in pieces:
        batch.append(piece)
        held += piece[2] + piece[4]
        if held >= size:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


class IndexWriter:
    """Writes the search index into `folder`; `add` each cable with its number (its
    place in the document files), in any order, then `finish`. The files are the same
    as adding the cables in order would give."""

    def __init__(
        self, folder: Path, spool: Path, spool_at: int = _SPOOL_AT, average: float | None = None
    ) -> None:
        self.folder, self.spool, self.spool_at = folder, spool, spool_at
        # The BM25 average length frozen at the first edition (None: this edition's).
        self.frozen = average
        folder.mkdir(parents=True, exist_ok=True)
        spool.mkdir(parents=True, exist_ok=True)
        self.vocabulary = _Vocabulary()
        self.count = 0
        self.words = 0  # of every cable added: the average length
        self.added = 0
        self.terms = 0
        self.average = 0.0
        self.tree_root = self.block_root = ""
        self.lengths = np.zeros(1024, dtype=np.int64)  # by cable number
        # Held until spooled: per cable, its words and pairs.
        self.numbers: list[int] = []
        self.word_ids: list[Array] = []
        self.word_tf: list[Array] = []
        self.pair_keys: list[Array] = []
        self.pair_counts: list[Array] = []
        self.pair_positions: list[Array] = []
        # The spool: a file per batch ("run"), each with an index by bucket.
        self.runs: list[tuple[int, Array, Array]] = []
        self.bucket_bytes = np.zeros(0, dtype=np.int64)
        self.serial = 0

    def add(self, number: int, cable: Cable) -> None:
        self.add_parts(number, searchable_parts(cable))

    def add_parts(self, number: int, parts: list[str]) -> None:
        """`add` of a cable given by its searchable parts (`searchable_parts_of`)."""
        every, ends = _words_of(parts)
        length = len(every)
        ids = np.fromiter(map(self.vocabulary.__getitem__, every), np.int64, length)
        words, tf = np.unique(ids, return_counts=True)
        if length > 1:
            id_bits = len(self.vocabulary.words).bit_length()
            at_bits = length.bit_length()
            if 2 * id_bits + at_bits <= 63:
                # Pair and position in one int64: sorted by pair, then position.
                keys = (((ids[:-1] << id_bits) | ids[1:]) << at_bits) | np.arange(length - 1)
            else:
                keys = (ids[:-1] << 32) | ids[1:]
            at = np.arange(length - 1, dtype=np.int64)
            # A pair never spans two parts: none starts at the last word of a part.
            cuts = np.array(ends, dtype=np.int64)
            cuts = cuts[(cuts > 0) & (cuts < length)] - 1
            if len(cuts):
                keep = np.ones(length - 1, dtype=bool)
                keep[cuts] = False
                keys, at = keys[keep], at[keep]
            if 2 * id_bits + at_bits <= 63:
                keys = np.sort(keys)
                at = keys & ((1 << at_bits) - 1)
                keys >>= at_bits
                keys = ((keys >> id_bits) << 32) | (keys & ((1 << id_bits) - 1))
            else:
                order = np.argsort(keys, kind="stable")
                keys, at = keys[order], at[order]
            first = np.flatnonzero(_changes(keys))
            counts = np.diff(np.append(first, len(keys)))
            keys = keys[first]
        else:
            keys = counts = at = np.zeros(0, dtype=np.int64)
        if number >= len(self.lengths):
            grown = np.zeros(max(number + 1, 2 * len(self.lengths)), dtype=np.int64)
            grown[: len(self.lengths)] = self.lengths
            self.lengths = grown
        self.lengths[number] = length
        self.numbers.append(number)
        self.word_ids.append(words)
        self.word_tf.append(tf)
        self.pair_keys.append(keys)
        self.pair_counts.append(counts)
        self.pair_positions.append(at)
        self.count += len(keys) + length
        self.words += length
        self.added += 1
        if self.count >= self.spool_at:
            self._spool()

    def _spool(self) -> None:
        """Append the held postings to the spool: one file, its records by bucket."""
        if not self.numbers:
            return
        vocabulary = self.vocabulary
        sizes = np.array(vocabulary.sizes, dtype=np.int64)
        word_bucket = np.array(vocabulary.word_bucket, dtype=np.int64)
        pair_bucket = np.array(vocabulary.pair_bucket, dtype=np.int64)
        numbers = np.array(self.numbers, dtype=np.int64)
        # A line of the text spool: term TAB cable (8 digits at least) TAB length TAB
        # payload NEWLINE.
        fixed = np.maximum(_digits(numbers), _DIGITS) + _digits(self.lengths[numbers]) + 4
        w_count = np.array([len(a) for a in self.word_ids], dtype=np.int64)
        p_count = np.array([len(a) for a in self.pair_keys], dtype=np.int64)
        word_ids = np.concatenate(self.word_ids)
        tf = np.concatenate(self.word_tf)
        word_lines = sizes[word_ids] + np.repeat(fixed, w_count) + _digits(tf)
        keys = np.concatenate(self.pair_keys)
        counts = np.concatenate(self.pair_counts)
        positions = np.concatenate(self.pair_positions)
        first = _starts(counts)
        gaps = positions.copy()
        gaps[1:] -= positions[:-1]
        gaps[first] = positions[first]
        widths = _digits(gaps) + 1
        widths[first] -= 1
        payload = np.add.reduceat(widths, first) if len(first) else widths[:0]
        pair_lines = (
            sizes[keys >> 32]
            + 1
            + sizes[keys & 0xFFFFFFFF]
            + np.repeat(fixed, p_count)
            + _digits(counts)
            + 1
            + payload
        )
        buckets = len(vocabulary.prefixes)
        small = np.uint16 if buckets < 2**16 else np.int64  # a radix sort, below
        w_bucket = word_bucket[word_ids].astype(small)
        p_bucket = pair_bucket[keys >> 32].astype(small)
        grown = np.zeros(buckets, dtype=np.int64)
        grown[: len(self.bucket_bytes)] = self.bucket_bytes
        grown += np.bincount(w_bucket, weights=word_lines, minlength=buckets).astype(np.int64)
        grown += np.bincount(p_bucket, weights=pair_lines, minlength=buckets).astype(np.int64)
        self.bucket_bytes = grown
        # The records by bucket (columns ordered, then packed: faster than records).
        w_order = np.argsort(w_bucket, kind="stable")
        p_order = np.argsort(p_bucket, kind="stable")
        words = np.empty(len(word_ids), dtype=_WORDS)
        words["t"] = word_ids[w_order]
        words["c"] = np.repeat(numbers, w_count)[w_order]
        words["f"] = tf[w_order]
        words["b"] = word_lines[w_order]
        pairs = np.empty(len(keys), dtype=_PAIRS)
        pairs["k"] = keys[p_order]
        pairs["c"] = np.repeat(numbers, p_count)[p_order]
        pairs["n"] = counts[p_order]
        pairs["b"] = pair_lines[p_order]
        positions = positions[_ranges(first[p_order], counts[p_order])]
        w_starts = np.searchsorted(w_bucket[w_order], np.arange(buckets + 1))
        p_starts = np.searchsorted(p_bucket[p_order], np.arange(buckets + 1))
        done = np.zeros(len(pairs) + 1, dtype=np.int64)
        np.cumsum(counts[p_order], out=done[1:])
        q_starts = done[p_starts]
        path = inside(self.spool, f"run{len(self.runs)}")
        with path.open("wb") as handle:
            words.tofile(handle)
            pairs.tofile(handle)
            positions.astype(_POSITIONS).tofile(handle)
        descriptor = os.open(path, os.O_RDONLY)
        index = np.stack([w_starts, p_starts, q_starts])
        base = np.array([0, words.nbytes, words.nbytes + pairs.nbytes], dtype=np.int64)
        self.runs.append((descriptor, index, base))
        self.numbers, self.word_ids, self.word_tf = [], [], []
        self.pair_keys, self.pair_counts, self.pair_positions = [], [], []
        self.count = 0

    def finish(
        self,
        docs: Sequence[list[str] | None],
        cable_path: str = "cable/",
        helpers: int = 0,
        when: Callable[[], bool] = lambda: True,
    ) -> int:
        """Write the document files (`docs`: by cable number, None for a number no cable
        of the edition holds), the term shards and their blocks, and meta.json; returns
        the number of distinct terms (words and pairs). The spool folder is removed.
        `helpers`: processes forked to write a share of the buckets left beside this one
        as soon as `when()` says the machine has room for them (asked before each
        bucket: the site asks whether its page workers have ended); every bucket's files
        are its own, so the files are the same whoever writes them."""
        self._spool()
        folder = inside(self.folder, "d")
        folder.mkdir(exist_ok=True)
        for name, text in doc_files(docs):
            inside(folder, name).write_text(text, encoding="utf-8")
        total = sum(row is not None for row in docs)
        if self.frozen is not None:
            self.average = self.frozen
        else:
            self.average = self.words / self.added if self.added else 0.0
        # File names below are hexadecimal or numbers, made here: plain names.
        self.tree_root = str(inside(self.folder, "t"))
        self.block_root = str(inside(self.folder, "b"))
        os.mkdir(self.tree_root)
        os.mkdir(self.block_root)
        try:
            self._prepare()
            prefixes = self.vocabulary.prefixes
            buckets = sorted(range(len(prefixes)), key=prefixes.__getitem__)
            with contextlib.ExitStack() as stack:
                others: _Helpers[int] | None = None
                done = 0
                while done < len(buckets):
                    if helpers > 0 and others is None and len(buckets) - done > 1 and when():
                        shares = _shares(buckets[done:], self.bucket_bytes, helpers + 1)
                        others = stack.enter_context(_Helpers(self._write_buckets, shares[1:]))
                        buckets = buckets[:done] + shares[0]
                    self.terms += self._write_buckets(buckets[done : done + 1])
                    done += 1
                if others is not None:
                    self.terms += sum(others.join())
        finally:
            for descriptor, _, _ in self.runs:
                os.close(descriptor)
        text = meta_text(cable_path, total, self.average, self.terms)
        inside(self.folder, "meta.json").write_text(text, encoding="utf-8")
        shutil.rmtree(self.spool)
        return self.terms

    def _write_buckets(self, buckets: list[int]) -> int:
        """The shards and blocks of the terms of `buckets`; how many terms they hold."""
        prefixes = self.vocabulary.prefixes
        terms = 0
        for bucket in buckets:
            pieces = [
                self._piece(descriptor, index, base, bucket)
                for descriptor, index, base in self.runs
                if bucket + 1 < index.shape[1]  # a bucket is newer than the older runs
            ]
            pieces = [p for p in pieces if p[2] or p[4]]
            if pieces:
                prefix = prefixes[bucket]
                entries = self._bucket(prefix, pieces, int(self.bucket_bytes[bucket]))
                terms += len(entries)
                for name, text in shards(prefix, entries):
                    with open(os.path.join(self.tree_root, name), "w", encoding="utf-8") as f:
                        f.write(text)
        return terms

    @staticmethod
    def _piece(descriptor: int, index: Array, base: Array, bucket: int) -> _Piece:
        w0, w1 = int(index[0, bucket]), int(index[0, bucket + 1])
        p0, p1 = int(index[1, bucket]), int(index[1, bucket + 1])
        q0, q1 = int(index[2, bucket]), int(index[2, bucket + 1])
        return (
            descriptor,
            int(base[0]) + w0 * _WORDS.itemsize,
            w1 - w0,
            int(base[1]) + p0 * _PAIRS.itemsize,
            p1 - p0,
            int(base[2]) + q0 * _POSITIONS.itemsize,
            q1 - q0,
        )

    @staticmethod
    def _read(piece: _Piece) -> tuple[Array, Array, Array]:
        descriptor, w_at, w_n, p_at, p_n, q_at, q_n = piece
        words = np.frombuffer(os.pread(descriptor, w_n * _WORDS.itemsize, w_at), _WORDS)
        pairs = np.frombuffer(os.pread(descriptor, p_n * _PAIRS.itemsize, p_at), _PAIRS)
        positions = np.frombuffer(os.pread(descriptor, q_n * _POSITIONS.itemsize, q_at), _POSITIONS)
        return words, pairs, positions

    def _load(self, pieces: list[_Piece]) -> tuple[Array, Array, Array]:
        read = [self._read(piece) for piece in pieces]
        return (
            np.concatenate([r[0] for r in read]),
            np.concatenate([r[1] for r in read]),
            np.concatenate([r[2] for r in read]),
        )

    def _prepare(self) -> None:
        """What the finish needs of the whole edition: the words' order, their
        characters, and the impact level of each (occurrences, length)."""
        vocabulary = self.vocabulary
        words = vocabulary.words
        # By code point: the order of the terms' text, and of their UTF-8.
        order = sorted(range(len(words)), key=words.__getitem__)
        self.sorted_words = [words[i] for i in order]
        rank = np.empty(len(words), dtype=np.int64)
        rank[np.array(order, dtype=np.int64)] = np.arange(len(words), dtype=np.int64)
        self.rank = rank
        self.span = len(words) + 1
        self.characters: Array | None = None
        lengths = self.lengths
        present = np.unique(lengths)
        self.length_row = np.zeros(int(present[-1]) + 1 if len(present) else 1, dtype=np.int64)
        self.length_row[present] = np.arange(len(present))
        table = np.zeros((len(present), _TABLE_TF + 1), dtype=np.int64)
        average = self.average
        for row, length in enumerate(present.tolist()):
            table[row, 1:] = [level(tf, length, average) for tf in range(1, _TABLE_TF + 1)]
        self.level_table = table

    def _levels(self, tf: Array, cables: Array) -> Array:
        lengths = self.lengths[cables]
        out = self.level_table[self.length_row[lengths], np.minimum(tf, _TABLE_TF)]
        high = np.flatnonzero(tf > _TABLE_TF)
        if len(high):
            average = self.average
            out[high] = [
                level(f, n, average)
                for f, n in zip(tf[high].tolist(), lengths[high].tolist(), strict=True)
            ]
        return out

    def _character_table(self) -> Array:
        """The code points of each word (by id), -1 after its end, up to MAX_DEPTH."""
        if self.characters is None:
            words = self.vocabulary.words
            width = min(MAX_DEPTH, max((len(w) for w in words), default=0)) + 1
            table = np.full((len(words), width), -1, dtype=np.int32)
            for i, word in enumerate(words):
                table[i, : min(len(word), width)] = [ord(c) for c in word[:width]]
            self.characters = table
            self.character_counts = (table >= 0).sum(axis=1)
        return self.characters

    def _next_character(self, words: Array, pairs: Array, depth: int) -> tuple[Array, Array]:
        """The code point of each term's character at `depth` (-1: the term ends there)."""
        table = self._character_table()
        width = table.shape[1]
        sizes = self.character_counts
        word_next = table[words["t"], depth] if depth < width else np.full(len(words), -1)
        first = pairs["k"] >> 32
        second = pairs["k"] & 0xFFFFFFFF
        first_length = sizes[first]
        pair_next = np.full(len(pairs), -1, dtype=np.int64)
        inside_first = depth < first_length
        if depth < width:
            pair_next[inside_first] = table[first[inside_first], depth]
        pair_next[depth == first_length] = ord(" ")
        later = depth > first_length
        at = depth - first_length[later] - 1
        fits = at < width
        chosen = np.flatnonzero(later)[fits]
        pair_next[chosen] = table[second[chosen], at[fits]]
        return word_next, pair_next

    def _bucket(self, prefix: str, pieces: list[_Piece], size: int) -> list[tuple[str, str]]:
        """(term, entry) of the terms starting with `prefix` (all in `pieces`, `size`
        bytes of the text spool), in the terms' order; their blocks are written."""
        if size <= BUCKET_BYTES or len(prefix) >= MAX_DEPTH:
            return self._entries(*self._load(pieces))
        # Too large to sort in memory: split by the next character; the terms equal to
        # the prefix go to a file of their own (one term: its postings are sorted whole).
        depth = len(prefix)
        parts: dict[int, tuple[int, list[_Piece], list[int]]] = {}
        folder = inside(self.spool, "split")
        folder.mkdir(exist_ok=True)
        try:
            for batch in _batches(pieces, self.spool_at):
                words, pairs, positions = self._load(batch)
                word_next, pair_next = self._next_character(words, pairs, depth)
                starts = _starts(pairs["n"])
                for key in np.union1d(word_next, pair_next).tolist():
                    w = words[word_next == key]
                    chosen = pair_next == key
                    p = pairs[chosen]
                    q = positions[_ranges(starts[chosen], pairs["n"][chosen])]
                    if key not in parts:
                        self.serial += 1
                        # The process in the name: helpers split buckets side by side.
                        name = inside(folder, f"{os.getpid()}-{self.serial}")
                        descriptor = os.open(name, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
                        os.unlink(name)
                        parts[key] = (descriptor, [], [0])
                    descriptor, written, at = parts[key]
                    offset = at[0]
                    blob = w.tobytes() + p.tobytes() + q.astype(_POSITIONS).tobytes()
                    os.pwrite(descriptor, blob, offset)
                    w_at = offset
                    p_at = w_at + w.nbytes
                    q_at = p_at + p.nbytes
                    written.append((descriptor, w_at, len(w), p_at, len(p), q_at, len(q)))
                    at[0] = offset + len(blob)
                    at.append(int(w["b"].sum()) + int(p["b"].sum()))
            # Split only to sort in memory: the entries are those of the whole bucket, in
            # the terms' order (the prefix itself first), and its shards are cut from
            # them as from any bucket's.
            entries: list[tuple[str, str]] = []
            if -1 in parts:
                entries = self._entries(*self._load(parts[-1][1]))
            for key in sorted(k for k in parts if k >= 0):
                _, written, at = parts[key]
                entries += self._bucket(prefix + chr(key), written, sum(at[1:]))
            return entries
        finally:
            for descriptor, _, _ in parts.values():
                os.close(descriptor)

    def _entries(self, words: Array, pairs: Array, positions: Array) -> list[tuple[str, str]]:
        """(term, its entry as JSON) of the postings given, in the terms' order; writes
        the blocks of the terms with more than INLINE cables."""
        span = self.span
        rank = self.rank
        keys = pairs["k"]
        terms = np.concatenate(
            [rank[words["t"]] * span, rank[keys >> 32] * span + rank[keys & 0xFFFFFFFF] + 1]
        )
        count = len(terms)
        if not count:
            return []
        cables = np.concatenate([words["c"], pairs["c"]]).astype(np.int64)
        tf = np.concatenate([words["f"], pairs["n"]]).astype(np.int64)
        payload = np.concatenate([np.zeros(len(words), dtype=np.int64), pairs["n"]])
        levels = self._levels(tf, cables)
        # Sorted by term, level (highest first), cable: one key when it fits in 63 bits.
        low = int(terms.min())
        cable_bits = max(1, int(cables.max()).bit_length())
        level_bits = max(1, LEVELS.bit_length())
        term_bits = max(1, (int(terms.max()) - low).bit_length())
        if term_bits + level_bits + cable_bits <= 63:
            combined = (
                ((terms - low) << (level_bits + cable_bits))
                | ((LEVELS - levels) << cable_bits)
                | cables
            )
            order = np.argsort(combined)
            del combined
        else:
            order = np.lexsort((cables, -levels, terms))
        position_starts = _starts(payload)[order]
        terms, cables, levels, payload = terms[order], cables[order], levels[order], payload[order]
        positions = positions[_ranges(position_starts, payload)].astype(np.int64)
        del order, position_starts
        # Terms, and the runs of postings written each at once: a term's (inline) or a
        # block's.
        new_term = _changes(terms)
        term_starts = np.flatnonzero(new_term)
        frequency = np.diff(np.append(term_starts, count))
        term_of = np.cumsum(new_term) - 1
        is_pair = terms[term_starts] % span != 0
        blocked = frequency > INLINE
        size = np.where(is_pair, PAIR_BLOCK, BLOCK)
        # A block holds a run of a term's postings (in the order of levels, highest first,
        # then cables), cut as `block_ends` cuts: a segment starts a term or follows a
        # boundary cable of the term, and a block starts a segment or every
        # size * BLOCK_MAX postings into one.
        new_run = new_term.copy()
        if blocked.any():
            size_of = size[term_of]
            segment = new_term.copy()
            segment[1:] |= ((cables[:-1] * _HASH) % 2**32 % size_of[:-1]) == 0
            into = np.arange(count) - np.flatnonzero(segment)[np.cumsum(segment) - 1]
            new_run |= blocked[term_of] & (into % (size_of * BLOCK_MAX) == 0)
            del size_of, segment, into
        new_level = new_run | _changes(levels)
        previous = np.empty(count, dtype=np.int64)
        previous[0] = 0
        previous[1:] = cables[:-1]
        gaps = cables - previous
        gaps[new_level] = cables[new_level]
        level_starts = np.flatnonzero(new_level)
        level_counts = np.diff(np.append(level_starts, count))
        # Numbers a posting writes: [level, count,] cable gap [, positions, position gaps].
        has_pairs = payload > 0
        numbers = 1 + 2 * new_level + payload + has_pairs
        at = _starts(numbers)
        values = np.empty(int(numbers.sum()), dtype=np.int64)
        values[at[level_starts]] = levels[level_starts]
        values[at[level_starts] + 1] = level_counts
        gap_at = at + 2 * new_level
        values[gap_at] = gaps
        pair_at = gap_at[has_pairs] + 1
        values[pair_at] = payload[has_pairs]
        if len(positions):
            starts = _starts(payload[has_pairs])
            position_gaps = positions.copy()
            position_gaps[1:] -= positions[:-1]
            position_gaps[starts] = positions[starts]
            values[_ranges(pair_at + 1, payload[has_pairs])] = position_gaps
        text, ends = _format(values)
        # The text of each run: from its first number to its last, without the comma.
        run_starts = np.flatnonzero(new_run)
        first_number = at[run_starts]
        last_number = np.append(first_number[1:], len(values)) - 1
        begin = np.where(first_number > 0, ends[first_number - 1], 0).tolist()
        end = (ends[last_number] - 1).tolist()
        body = text.decode("ascii")
        del values, text, ends
        runs_of = np.bincount(term_of[run_starts], minlength=len(term_starts)).tolist()
        # A blocked term's entry: each block's last posting (level, cable) and postings.
        run_ends = np.append(run_starts[1:], count)
        run_level = levels[run_ends - 1].tolist()
        run_last = cables[run_ends - 1].tolist()
        run_count = (run_ends - run_starts).tolist()
        del run_ends
        words_sorted = self.sorted_words
        entries: list[tuple[str, str]] = []
        run = 0
        block_root = self.block_root
        for key, frequency_of, runs in zip(
            terms[term_starts].tolist(), frequency.tolist(), runs_of, strict=True
        ):
            first_word, second = divmod(key, span)
            term = words_sorted[first_word]
            if second:
                term += " " + words_sorted[second - 1]
            if frequency_of <= INLINE:
                entries.append((term, f"[{frequency_of},[{body[begin[run] : end[run]]}]]"))
                run += 1
                continue
            folder = os.path.join(block_root, block_folder(term))
            os.makedirs(folder, exist_ok=True)
            blocks: list[tuple[int, int, int]] = []
            for r in range(run, run + runs):
                name = os.path.join(folder, block_name(run_level[r], run_last[r]))
                with open(name, "w", encoding="utf-8") as handle:
                    handle.write(f"[{body[begin[r] : end[r]]}]")
                blocks.append((run_level[r], run_last[r], run_count[r]))
            run += runs
            entries.append((term, blocked_entry(frequency_of, blocks)))
        return entries


def _shares(buckets: list[int], sizes: Array, parts: int) -> list[list[int]]:
    """`buckets` dealt into `parts` lists of about equal spooled bytes (the largest
    first, each to the lightest share), each in the order given."""
    load = [0] * parts
    owner: dict[int, int] = {}
    for bucket in sorted(buckets, key=lambda b: -int(sizes[b])):
        lightest = load.index(min(load))
        owner[bucket] = lightest
        load[lightest] += int(sizes[bucket])
    return [[b for b in buckets if owner[b] == part] for part in range(parts)]


class _Helpers(Generic[_Done]):
    """`work(share)` for each share, each in a process forked now (it inherits the
    writer or the update as it stands: its spool's descriptors, vocabulary and tables, or
    the changes); `join` waits for them and returns what each returned. Leaving the block
    early (this process failed) stops them."""

    def __init__(self, work: Callable[[list[int]], _Done], shares: list[list[int]]) -> None:
        context = multiprocessing.get_context("fork")
        self.started: list[tuple[Any, Any]] = []
        for share in shares:
            receiving, sending = context.Pipe(duplex=False)
            process = context.Process(target=_helper, args=(work, share, sending))
            process.start()
            sending.close()
            self.started.append((process, receiving))

    def join(self) -> list[_Done]:
        answers: list[_Done] = []
        for process, receiving in self.started:
            # One that failed before answering closed the pipe: its exit code says so.
            with contextlib.suppress(EOFError):
                answers.append(receiving.recv())
            process.join()
            if process.exitcode:
                raise PublishError(
                    f"a process writing the search index failed (exit code {process.exitcode}; "
                    "see above): nothing was published"
                )
        self.started = []
        return answers

    def __enter__(self) -> _Helpers[_Done]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        for process, receiving in self.started:
            process.terminate()
            process.join()
            receiving.close()
        self.started = []


def _helper(work: Callable[[list[int]], object], share: list[int], sending: Any) -> None:
    try:
        sending.send(work(share))
        sending.close()
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    os._exit(0)


def meta_text(cable_path: str, docs: int, average: float, terms: int) -> str:
    """meta.json: what the browser needs of the whole edition (a few numbers)."""
    meta = {
        "format": FORMAT,
        "cable_path": cable_path,
        "docs": docs,
        "terms": terms,
        "average_words": round(average, 3),
        "doc_chunk": DOC_CHUNK,
        "block": BLOCK,
        "pair_block": PAIR_BLOCK,
        "levels": LEVELS,
        "k1": K1,
        "b": B,
    }
    return _dumps(meta)


def doc_chunk(docs: Sequence[list[str] | None], chunk: int) -> str:
    """The text of document file `chunk` (rows of cables chunk*DOC_CHUNK ...; null
    where no cable of the edition holds the number)."""
    return _dumps(list(docs[chunk * DOC_CHUNK : (chunk + 1) * DOC_CHUNK]))


def doc_files(docs: Sequence[list[str] | None]) -> Iterator[tuple[str, str]]:
    """(name, text) of every document file."""
    for chunk in range(-(-len(docs) // DOC_CHUNK)):
        yield f"{chunk}.json", doc_chunk(docs, chunk)


def shard_text(entries: list[tuple[str, str]], children: str) -> str:
    # A term is letters, digits and spaces: nothing in it needs escaping in JSON.
    terms = ",".join(f'"{t}":{e}' for t, e in entries)
    return f'{{"t":{{{terms}}},"s":{_dumps(children)}}}' if children else f'{{"t":{{{terms}}}}}'


def shards(prefix: str, entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(file name, text) of the shards of `entries` (sorted, all starting with
    `prefix`, the whole bucket of `prefix`): one when they fit in LEAF_BYTES; else the
    shard keeps the terms equal to `prefix` and the smallest groups by the next character
    that fit, and each other group is a shard of its own (recursively), named in the
    shard's `s`. The shape depends on the terms and their entries' sizes only."""
    terms = [t for t, _ in entries]
    sums = [0, *itertools.accumulate(len(t) + len(e) + 4 for t, e in entries)]
    out: list[tuple[str, str]] = []
    _subtree(out, prefix, entries, terms, sums, 0, len(entries))
    return out


def _subtree(
    out: list[tuple[str, str]],
    prefix: str,
    entries: list[tuple[str, str]],
    terms: list[str],
    sums: list[int],
    low: int,
    high: int,
) -> None:
    """`shards` of entries[low:high]; `sums`: the running total of the entries' sizes."""
    if sums[high] - sums[low] <= LEAF_BYTES or len(prefix) >= MAX_DEPTH:
        out.append((shard_name(prefix), shard_text(entries[low:high], "")))
        return
    depth = len(prefix)
    groups: list[tuple[int, str, int, int]] = []  # (size, character, start, end)
    start = low
    while start < high and len(terms[start]) == depth:
        start += 1
    kept_size = sums[start] - sums[low]
    kept = [(low, start)]
    while start < high:
        character = terms[start][depth]
        end = bisect.bisect_left(terms, prefix + chr(ord(character) + 1), start, high)
        groups.append((sums[end] - sums[start], character, start, end))
        start = end
    split: list[tuple[str, int, int]] = []
    for size, character, start, end in sorted(groups):
        if kept_size + size <= NODE_BYTES:
            kept_size += size
            kept.append((start, end))
        else:
            split.append((character, start, end))
    kept.sort()
    split.sort()
    shard = [entry for start, end in kept for entry in entries[start:end]]
    out.append((shard_name(prefix), shard_text(shard, "".join(c for c, _, _ in split))))
    for character, start, end in split:
        _subtree(out, prefix + character, entries, terms, sums, start, end)


def write_index(cables: list[Cable], folder: Path, cable_path: str = "cable/") -> int:
    """Write the search index of `cables` (numbered in their order); returns the number
    of distinct terms."""
    writer = IndexWriter(folder, folder.with_name(folder.name + ".spool"))
    for number, cable in enumerate(cables):
        writer.add(number, cable)
    return writer.finish([document(c) for c in cables], cable_path)


# The incremental update (format 4): the next edition's index from the previous one.

# A term's postings: level -> {cable: positions (a pair) or None (a word)}.
_Postings = dict[int, dict[int, list[int] | None]]


def cable_terms(cable: Cable, average: float) -> dict[str, tuple[int, list[int] | None]]:
    """{term: (impact level, positions or None)} of a cable: its postings, as
    IndexWriter.add makes them."""
    every, ends = _words(cable)
    words = [w.decode("utf-8") for w in every]
    length = len(words)
    out: dict[str, tuple[int, list[int] | None]] = {}
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    for word, tf in counts.items():
        out[word] = (level(tf, length, average), None)
    cut = {end - 1 for end in ends if 0 < end < length}
    pairs: dict[str, list[int]] = {}
    for i in range(length - 1):
        if i not in cut:
            pairs.setdefault(words[i] + " " + words[i + 1], []).append(i)
    for pair, positions in pairs.items():
        out[pair] = (level(len(positions), length, average), positions)
    return out


def _decode(run: list[int], pair: bool, into: _Postings) -> None:
    i = 0
    while i < len(run):
        level_of, count = run[i], run[i + 1]
        i += 2
        held = into.setdefault(level_of, {})
        if not pair:
            held.update(dict.fromkeys(itertools.accumulate(run[i : i + count])))
            i += count
            continue
        cable = 0
        for _ in range(count):
            cable += run[i]
            i += 1
            if pair:
                n = run[i]
                i += 1
                positions = list(itertools.accumulate(run[i : i + n]))
                i += n
                held[cable] = positions
            else:
                held[cable] = None


def _run_text(level_of: int, items: list[tuple[int, list[int] | None]]) -> str:
    """`[level, count, cable gaps (with positions)]` of postings sorted by cable, as text
    without the brackets."""
    numbers = [level_of, len(items)]
    if items and items[0][1] is None:  # a word's: gaps only
        cables = [cable for cable, _ in items]
        numbers.append(cables[0])
        numbers += map(int.__sub__, cables[1:], cables[:-1])
        return ",".join(map(str, numbers))
    previous = 0
    for cable, positions in items:
        numbers.append(cable - previous)
        previous = cable
        if positions is not None:
            numbers.append(len(positions))
            at = 0
            for p in positions:
                numbers.append(p - at)
                at = p
    return ",".join(map(str, numbers))


# A shard's entries ("term":[...], a term has no quote) and its children's characters.
# An entry is inline, `[cables,[run]]`, or in blocks, `[cables,0,level,cable,postings,...]`.
_ENTRY = re.compile(r'"([^"]*)":(\[\d+,(?:\[[\d,]*\]|0(?:,\d+)*)\])')
_CHILDREN = re.compile(r',"s":"([^"]*)"\}$')


class IndexUpdate:
    """The next edition's search index from the previous edition's (`previous`, its
    search/ folder): the postings of the cables that left or changed (from their
    previous public records) are taken out and those of the cables that entered or
    changed put in; only the files whose bytes change are written into `folder` (the
    same relative paths), and `deleted` lists the previous edition's files (relative to
    search/) that the new index no longer has. Every other file of the new index is the
    previous edition's, unchanged. The result is the files a full build writes
    (tests/test_edition_search_incremental.py)."""

    def __init__(self, previous: Path, folder: Path, average: float) -> None:
        self.previous, self.folder, self.average = previous, folder, average
        self.changes: dict[str, tuple[dict[int, int], dict[int, tuple[int, list[int] | None]]]] = {}
        self.deleted: list[str] = []
        self.written = 0
        self.terms = 0
        self.spliced = 0  # blocks edited in place by this process (_splice)
        self.made: set[str] = set()
        self.by_bucket: dict[str, list[str]] = {}
        self.queue: list[str] = []  # the buckets, in the order they are taken
        self.taken: Any = None  # how many were taken (a counter shared by forks; None: not started)
        self.helpers: _Helpers[tuple[int, int, list[str]]] | None = None

    def remove(self, number: int, cable: Cable) -> None:
        """Take out the postings of cable `number` as the previous edition had them."""
        for term, (level_of, _) in cable_terms(cable, self.average).items():
            self.changes.setdefault(term, ({}, {}))[0][number] = level_of

    def add(self, number: int, cable: Cable) -> None:
        for term, posting in cable_terms(cable, self.average).items():
            self.changes.setdefault(term, ({}, {}))[1][number] = posting

    def _write(self, relative: str, text: str) -> None:
        path = os.path.join(self.folder, relative)
        parent = os.path.dirname(path)
        if parent not in self.made:
            # Most are a new term's block folder under a folder made before: one mkdir.
            try:
                os.mkdir(parent)
            except FileExistsError:
                pass
            except FileNotFoundError:
                os.makedirs(parent, exist_ok=True)
            self.made.add(parent)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        self.written += 1

    def _old(self, relative: str) -> str | None:
        try:
            with open(os.path.join(self.previous, relative), encoding="utf-8") as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def start(self, helpers: int = 0) -> None:
        """The changes are all in (`remove`, `add`): fork `helpers` processes that update
        buckets from now on, while this one goes on with other work (the site: its list
        and browse pages) until `finish`, where it takes buckets too. The buckets are
        taken from one queue, the largest first (by changed terms), by whichever process
        is free: a bucket's files are its own, so the files are the same whoever writes
        them."""
        by_bucket: dict[str, list[str]] = {}
        for term in self.changes:
            by_bucket.setdefault(term[:2], []).append(term)
        self.by_bucket = by_bucket
        self.queue = sorted(by_bucket, key=lambda prefix: (-len(by_bucket[prefix]), prefix))
        self.taken = multiprocessing.get_context("fork").Value("q", 0)
        if helpers > 0 and len(self.queue) > 1:
            self.helpers = _Helpers(self._take_buckets, [[] for _ in range(helpers)])

    def stop(self) -> None:
        """Stop the helpers still running (the build failed before `finish`)."""
        if self.helpers is not None:
            self.helpers.stop()
            self.helpers = None

    def _take_buckets(self, _: list[int]) -> tuple[int, int, list[str]]:
        """Update buckets from the queue until it is empty; what this process did: (files
        written, terms gained or lost, files deleted)."""
        before = self.written, self.terms, self.deleted
        self.written, self.terms, self.deleted = 0, 0, []
        try:
            while True:
                with self.taken.get_lock():
                    at = self.taken.value
                    self.taken.value = at + 1
                if at >= len(self.queue):
                    return self.written, self.terms, self.deleted
                prefix = self.queue[at]
                self._bucket(prefix, self.by_bucket[prefix])
        finally:
            self.written, self.terms, self.deleted = before

    def finish(
        self, docs: Sequence[list[str] | None], changed: Iterable[int], cable_path: str
    ) -> int:
        """Write what changed: the terms' shards and blocks, the document files holding
        the cables `changed` (numbers; `docs` as IndexWriter.finish takes them) and
        meta.json. Returns the number of distinct terms."""
        if self.taken is None:
            self.start()
        meta = json.loads(self._old("meta.json") or "{}")
        self.terms = int(meta.get("terms", 0))
        try:
            done = [self._take_buckets([])]
            if self.helpers is not None:
                done += self.helpers.join()
        finally:
            self.stop()
        for written, terms, deleted in done:
            self.written += written
            self.terms += terms
            self.deleted += deleted
        for chunk in sorted({n // DOC_CHUNK for n in changed}):
            name = f"d/{chunk}.json"
            text = doc_chunk(docs, chunk)
            if self._old(name) != text:
                self._write(name, text)
        total = sum(row is not None for row in docs)
        text = meta_text(cable_path, total, self.average, self.terms)
        if self._old("meta.json") != text:
            self._write("meta.json", text)
        return self.terms

    def _bucket(self, prefix: str, changed: list[str]) -> None:
        old: dict[str, str] = {}  # shard name -> text
        entries: dict[str, str] = {}
        waiting = [prefix]
        while waiting:
            at = waiting.pop()
            name = shard_name(at)
            text = self._old("t/" + name)
            if text is None:
                continue
            old[name] = text
            # Read as written (shard_text): no JSON decoded, each entry's text kept.
            found = _ENTRY.findall(text)
            if len(found) != text.count('":['):
                # Never an entry silently dropped: the index would lose a term.
                raise ValueError(f"search index shard {name}: an entry not in format {FORMAT}")
            entries.update(found)
            children = _CHILDREN.search(text)
            if children:
                waiting += [at + c for c in children.group(1)]
        before = len(entries)
        for term in changed:
            entry = self._term(term, entries.get(term))
            if entry is None:
                entries.pop(term, None)
            else:
                entries[term] = entry
        self.terms += len(entries) - before
        made = shards(prefix, sorted(entries.items())) if entries else []
        for name, text in made:
            if old.get(name) != text:
                self._write("t/" + name, text)
        self.deleted += ["t/" + name for name in sorted(old.keys() - {n for n, _ in made})]

    def _term(self, term: str, entry: str | None) -> str | None:
        """The term's new entry (None: no cable holds it now); its blocks written.

        A blocked term's postings are a sequence of blocks cut by `block_ends`; only the
        blocks a changed cable falls in are read and cut again, widened to whole
        segments (from the block after a boundary cable to a block ending with one,
        still there): a cut made by the bound depends on where its segment starts."""
        removed, added = self.changes[term]
        pair = " " in term
        size = PAIR_BLOCK if pair else BLOCK
        folder = "b/" + block_folder(term) + "/"
        inline: _Postings = {}
        blocks: list[tuple[int, int, int]] = []  # the previous: (level, last cable, postings)
        frequency = 0
        if entry is not None:
            value = json.loads(entry)
            frequency = value[0]
            if isinstance(value[1], list):
                _decode(value[1], pair, inline)
            else:
                listed = value[2:]
                blocks = list(zip(listed[::3], listed[1::3], listed[2::3], strict=True))
        frequency += len(added) - len(removed)
        if frequency > INLINE and blocks:
            return self._blocked(folder, size, pair, frequency, blocks, removed, added)
        # Inline now, or blocked from inline: every posting in memory, every old block read
        # (and deleted), the whole term cut again.
        postings = inline
        for level_of, last, _ in blocks:
            name = folder + block_name(level_of, last)
            _decode(json.loads(self._read_block(name)), pair, postings)
            self.deleted.append(name)
        for cable, level_of in removed.items():
            postings.get(level_of, {}).pop(cable, None)
        for cable, (level_of, positions) in added.items():
            postings.setdefault(level_of, {})[cable] = positions
        if not frequency:
            return None
        ordered = [
            (level_of, cable, positions)
            for level_of in sorted(postings, reverse=True)
            for cable, positions in sorted(postings[level_of].items())
        ]
        if frequency <= INLINE:
            return f"[{frequency},[{_postings_text(ordered)}]]"
        return blocked_entry(frequency, self._cut(folder, ordered, size, {}))

    def _read_block(self, name: str) -> str:
        text = self._old(name)
        if text is None:
            raise FileNotFoundError(name)
        return text

    def _cut(
        self,
        folder: str,
        ordered: list[tuple[int, int, list[int] | None]],
        size: int,
        old_text: dict[str, str],
    ) -> list[tuple[int, int, int]]:
        """Cut postings (level, cable, positions), in the index's order and whole segments,
        into blocks; write those whose bytes differ from `old_text` (name -> the previous
        block's text); (level, last cable, postings) of each."""
        made: list[tuple[int, int, int]] = []
        start = 0
        for end in block_ends([cable for _, cable, _ in ordered], size):
            level_of, last, _ = ordered[end - 1]
            name = folder + block_name(level_of, last)
            text = f"[{_postings_text(ordered[start:end])}]"
            if old_text.get(name) != text:
                self._write(name, text)
            made.append((level_of, last, end - start))
            start = end
        return made

    def _blocked(
        self,
        folder: str,
        size: int,
        pair: bool,
        frequency: int,
        blocks: list[tuple[int, int, int]],
        removed: dict[int, int],
        added: dict[int, tuple[int, list[int] | None]],
    ) -> str:
        """A term in blocks before and after: the blocks its changed postings fall in,
        widened to whole segments, read, changed and cut again; the others kept.

        The postings of a span are held as they are read, in order, one list of cables
        per level and, for a pair, each posting's positions as the text the block had
        (positions are gaps within the posting, so they are copied, not decoded)."""
        # A posting's place in the order: (-level, cable).
        keys = [(-level_of, last) for level_of, last, _ in blocks]
        changes = sorted(
            {(-lv, c) for c, lv in removed.items()} | {(-lv, c) for c, (lv, _) in added.items()}
        )
        gone = {(-lv, c) for c, lv in removed.items()}
        touched = sorted({min(bisect.bisect_left(keys, key), len(keys) - 1) for key in changes})
        spans: list[list[int]] = []
        for k in touched:
            low = high = k
            # Widened to a segment: back past blocks cut by the bound, on past blocks cut
            # by the bound or by a boundary cable taken out.
            while low > 0 and not is_boundary(keys[low - 1][1], size):
                low -= 1
            while high + 1 < len(keys) and (
                not is_boundary(keys[high][1], size) or keys[high] in gone
            ):
                high += 1
            if spans and low <= spans[-1][1] + 1:
                spans[-1][1] = max(spans[-1][1], high)
            else:
                spans.append([low, high])
        kept: list[tuple[int, int, int]] = []
        at = 0
        most = size * BLOCK_MAX
        for low, high in spans:
            kept += blocks[at:low]
            if low == high:
                # One block, its own segment: most changes edit it in place (_splice).
                # Its changes as below: past the last block's last posting, the last's.
                floor = keys[low - 1] if low else (-math.inf, -math.inf)
                ceiling = keys[low] if low + 1 < len(keys) else (math.inf, math.inf)
                mine = [key for key in changes if floor < key <= ceiling]
                spliced = self._splice(folder, size, pair, blocks[low], most, removed, added, mine)
                if spliced is not None:
                    kept.append(spliced)
                    at = high + 1
                    continue
            levels: list[int] = []  # highest first
            cables: dict[int, list[int]] = {}
            payloads: dict[int, list[str]] = {}
            old_text: dict[str, str] = {}
            for level_of, last, _ in blocks[low : high + 1]:
                name = folder + block_name(level_of, last)
                old_text[name] = text = self._read_block(name)
                _read_runs(text, pair, levels, cables, payloads)
            floor = keys[low - 1] if low else (-math.inf, -math.inf)
            ceiling = keys[high] if high + 1 < len(keys) else (math.inf, math.inf)
            for negative, cable in changes:
                if not floor < (negative, cable) <= ceiling:
                    continue
                level_of = -negative
                if removed.get(cable) == level_of:
                    held = cables[level_of]
                    where = bisect.bisect_left(held, cable)
                    if where == len(held) or held[where] != cable:
                        raise ValueError(f"search index block {folder}: cable {cable} not held")
                    del held[where]
                    if pair:
                        del payloads[level_of][where]
                if cable in added and added[cable][0] == level_of:
                    if level_of not in cables:
                        cables[level_of], payloads[level_of] = [], []
                        bisect.insort(levels, level_of, key=int.__neg__)
                    held = cables[level_of]
                    where = bisect.bisect_left(held, cable)
                    held.insert(where, cable)
                    if pair:
                        positions = added[cable][1] or []
                        gaps = [b - a for a, b in zip([0, *positions], positions, strict=False)]
                        payloads[level_of].insert(where, ",".join(map(str, [len(gaps), *gaps])))
            made = self._cut_runs(folder, size, pair, levels, cables, payloads, old_text)
            names = {folder + block_name(level_of, last) for level_of, last, _ in made}
            self.deleted += sorted(old_text.keys() - names)
            kept += made
            at = high + 1
        kept += blocks[at:]
        return blocked_entry(frequency, kept)

    def _splice(
        self,
        folder: str,
        size: int,
        pair: bool,
        block: tuple[int, int, int],
        most: int,
        removed: dict[int, int],
        added: dict[int, tuple[int, list[int] | None]],
        changes: list[tuple[int, int]],
    ) -> tuple[int, int, int] | None:
        """The block's changes made by editing its text where they fall, when that gives
        the bytes `_blocked` would cut (tests/test_edition_search_incremental.py): the
        block is its own segment (after a boundary cable, ending with one or the term's
        last), no changed cable is a boundary cable or the block's last posting, each
        change falls in a level the block holds and leaves it a posting, and the block
        stays within the bound. Then its cuts and name stay; only the changed postings
        and the posting after each (its gap) are written again, so a block of thousands
        of postings costs a parse by numpy, not a Python step per posting. None: cut
        again (`_blocked`)."""
        level_of, last, _ = block
        if not changes or any(is_boundary(c, size) for _, c in changes):
            return None
        if changes[-1] >= (-level_of, last):
            return None
        name = folder + block_name(level_of, last)
        text = self._read_block(name)
        body = text[1:-1]
        values = np.fromstring(body, dtype=np.int64, sep=",")
        numbers: list[int] = values.tolist()
        # Where each number ends in `body` (its comma, or the end).
        ends = np.flatnonzero(np.frombuffer(body.encode("ascii"), np.uint8) == 44).tolist()
        ends.append(len(body))
        by_level: dict[int, list[tuple[int, int]]] = {}
        for negative, cable in changes:
            by_level.setdefault(-negative, []).append((negative, cable))
        edits: list[tuple[int, int, str]] = []  # (first number, end number, new text)
        total = 0
        i = 0
        while i < len(numbers):
            run_level, run_count = numbers[i], numbers[i + 1]
            start = i + 2
            if pair:
                starts = []
                at = start
                for _ in range(run_count):
                    starts.append(at)
                    at += 2 + numbers[at + 1]
                end = at
                held = list(itertools.accumulate(numbers[k] for k in starts))
            else:
                end = start + run_count
                starts = list(range(start, end))
                held = np.cumsum(values[start:end]).tolist()
            mine = by_level.pop(run_level, None)
            if mine is None:
                total += run_count
                i = end
                continue
            # The window of postings the changes touch, and the one after it (its gap).
            first = bisect.bisect_left(held, mine[0][1])
            after = min(bisect.bisect_right(held, mine[-1][1]) + 1, run_count)
            cables = held[first:after]
            payloads = [numbers[starts[k] + 1 : starts[k] + 2 + numbers[starts[k] + 1]]
                        for k in range(first, after)] if pair else []  # fmt: skip
            for _, cable in mine:
                if removed.get(cable) == run_level:
                    where = bisect.bisect_left(cables, cable)
                    if where == len(cables) or cables[where] != cable:
                        return None  # not held: `_blocked` says so
                    del cables[where]
                    if pair:
                        del payloads[where]
                if cable in added and added[cable][0] == run_level:
                    where = bisect.bisect_left(cables, cable)
                    cables.insert(where, cable)
                    if pair:
                        positions = added[cable][1] or []
                        gaps = [b - a for a, b in zip([0, *positions], positions, strict=False)]
                        payloads.insert(where, [len(gaps), *gaps])
            new_count = run_count - (after - first) + len(cables)
            if new_count == 0:
                return None  # the run goes: cut again
            total += new_count
            previous = held[first - 1] if first else 0
            window: list[int] = []
            for k, cable in enumerate(cables):
                window.append(cable - previous)
                previous = cable
                if pair:
                    window += payloads[k]
            low = starts[first] if first < run_count else end
            high = starts[after] if after < run_count else end
            edits.append((i + 1, i + 2, str(new_count)))
            edits.append((low, high, ",".join(map(str, window))))
            i = end
        if by_level or total > most:
            return None  # a level the block does not hold, or past the bound
        pieces: list[str] = []
        at_char = 0
        for first_number, end_number, replacement in edits:
            # Numbers [first_number, end_number) become `replacement` (none: an insertion
            # before first_number; never past the last number: the last posting stays).
            begin = ends[first_number - 1] + 1 if first_number else 0
            if end_number == first_number:
                stop, replacement = begin, replacement + ","
            elif replacement:
                stop = ends[end_number - 1]
            else:
                # Numbers taken out with their comma (after them, or before the last).
                if end_number < len(numbers):
                    stop = ends[end_number - 1] + 1
                else:
                    begin, stop = begin - 1, len(body)
            pieces.append(body[at_char:begin])
            pieces.append(replacement)
            at_char = stop
        pieces.append(body[at_char:])
        made = "[" + "".join(pieces) + "]"
        if made != text:  # a posting taken out and put back as it was: nothing to write
            self._write(name, made)
        self.spliced += 1
        return level_of, last, total

    def _cut_runs(
        self,
        folder: str,
        size: int,
        pair: bool,
        levels: list[int],
        cables: dict[int, list[int]],
        payloads: dict[int, list[str]],
        old_text: dict[str, str],
    ) -> list[tuple[int, int, int]]:
        """`_cut` of postings held by level (`_blocked`): the same blocks and bytes."""
        starts: list[int] = []  # where each level starts in the order
        total = 0
        for level_of in levels:
            starts.append(total)
            total += len(cables[level_of])
        every = np.fromiter(
            itertools.chain.from_iterable(cables[level_of] for level_of in levels), np.int64, total
        )
        made: list[tuple[int, int, int]] = []
        start = 0
        k = 0  # the level of `start`
        for end in _block_ends(every, size):
            runs: list[str] = []
            at = start
            while at < end:
                while starts[k] + len(cables[levels[k]]) <= at:
                    k += 1
                level_of = levels[k]
                first = at - starts[k]
                count = min(end - at, len(cables[level_of]) - first)
                held = cables[level_of][first : first + count]
                gaps = [held[0], *(b - a for a, b in itertools.pairwise(held))]
                if pair:
                    texts = payloads[level_of][first : first + count]
                    body = ",".join(f"{g},{t}" for g, t in zip(gaps, texts, strict=True))
                else:
                    body = ",".join(map(str, gaps))
                runs.append(f"{level_of},{count},{body}")
                at += count
            last = int(every[end - 1])
            name = folder + block_name(level_of, last)
            text = f"[{','.join(runs)}]"
            if old_text.get(name) != text:
                self._write(name, text)
            made.append((level_of, last, end - start))
            start = end
        return made


def _read_runs(
    text: str,
    pair: bool,
    levels: list[int],
    cables: dict[int, list[int]],
    payloads: dict[int, list[str]],
) -> None:
    """Append a block's postings (its text) to postings held by level, in order. The
    numbers are parsed by numpy; a pair's positions are kept as the text they were."""
    body = text[1:-1]
    values = np.fromstring(body, dtype=np.int64, sep=",")
    i = 0
    if not pair:
        while i < len(values):
            level_of, count = int(values[i]), int(values[i + 1])
            i += 2
            if level_of not in cables:
                levels.append(level_of)
                cables[level_of], payloads[level_of] = [], []
            cables[level_of] += np.cumsum(values[i : i + count]).tolist()
            i += count
        return
    numbers: list[int] = values.tolist()
    # Where each number ends in `body` (its comma, or the end): a posting's positions are
    # a slice of the text.
    ends = np.flatnonzero(np.frombuffer(body.encode("ascii"), np.uint8) == 44).tolist()
    ends.append(len(body))
    while i < len(numbers):
        level_of, count = numbers[i], numbers[i + 1]
        i += 2
        if level_of not in cables:
            levels.append(level_of)
            cables[level_of], payloads[level_of] = [], []
        held = cables[level_of]
        texts = payloads[level_of]
        cable = 0
        for _ in range(count):
            cable += numbers[i]
            held.append(cable)
            texts.append(body[ends[i] + 1 : ends[i + 1 + numbers[i + 1]]])
            i += 2 + numbers[i + 1]


def _block_ends(cables: Array, size: int) -> list[int]:
    """`block_ends` with the boundary cables found by numpy."""
    ends: list[int] = []
    start = 0
    most = size * BLOCK_MAX
    count = len(cables)
    boundaries = np.flatnonzero(cables * _HASH % 2**32 % size == 0).tolist()
    for at in [*boundaries, count - 1]:
        end = at + 1
        if end <= start:
            continue
        while end - start > most:
            start += most
            ends.append(start)
        ends.append(end)
        start = end
    return ends


def _postings_text(ordered: Sequence[tuple[int, int, list[int] | None]]) -> str:
    """Postings (level, cable, positions) in the index's order as runs, one per level,
    without the brackets."""
    runs: list[str] = []
    start = 0
    for end in range(1, len(ordered) + 1):
        if end == len(ordered) or ordered[end][0] != ordered[start][0]:
            items = [(cable, positions) for _, cable, positions in ordered[start:end]]
            runs.append(_run_text(ordered[start][0], items))
            start = end
    return ",".join(runs)
