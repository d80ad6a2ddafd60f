"""How a record is stored in the `record` column: zstd-compressed JSON.

Records are mostly text (the raw cable, its clean text, its paragraphs), so compression
keeps the archive small; zstd is both smaller and about 2.5x faster than zlib at level 1,
which archives before schema 3 used and which is still read. Level 1 rather than the
default 3: records come out 3% larger and compress 30% faster, and an ingest compresses
every record once.

Threads: a zstd (de)compressor object is not safe to share between threads (the web desk
answers requests in a thread pool; one shared decompressor corrupted records and crashed
the process), so each thread gets its own, made on first use.
"""

from __future__ import annotations

import threading
import zlib
from typing import Any

import orjson
import zstandard

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_LEVEL = 1


class _Codecs(threading.local):
    """This thread's compressor and decompressor (threading.local runs __init__ once in
    every thread that touches it)."""

    def __init__(self) -> None:
        self.compressor = zstandard.ZstdCompressor(level=_LEVEL)
        self.decompressor = zstandard.ZstdDecompressor()


_codecs = _Codecs()


def pack_record(record: dict[str, Any]) -> bytes:
    return _codecs.compressor.compress(orjson.dumps(record))


def unpack_record(blob: bytes) -> dict[str, Any]:
    if blob[:4] == _ZSTD_MAGIC:
        data: dict[str, Any] = orjson.loads(_codecs.decompressor.decompress(blob))
    else:
        data = orjson.loads(zlib.decompress(blob))
    return data
