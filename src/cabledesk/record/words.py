"""What a word is: the contract between redaction, the full-text index, the query
compiler and the static edition's search.

A word is a run of letters and digits (Unicode `\\w` without the underscore). The redaction
matcher cuts a name into these words, the index is searched for them, and a phrase query
is these words in order; were any of them to cut differently, a redacted name could be
found by a spelling the matcher does not burn.
"""

from __future__ import annotations

import re

WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of `text`, as written (case kept)."""
    return WORD.findall(text)
