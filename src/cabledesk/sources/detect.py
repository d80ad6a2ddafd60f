"""Which reader a file needs, decided from its first bytes (never from its name)."""

from __future__ import annotations

import re

FORMATS = ("html", "csv", "text", "jsonl")

_HTML = re.compile(rb"^\s*(<\?xml|<!doctype html|<html)", re.IGNORECASE)
_CSV = re.compile(rb'^\s*"?\d+"?,"?\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}"?,')
_CSV_HEADER = re.compile(rb'^\s*"?id"?,"?date"?,"?refid"?,', re.IGNORECASE)


def detect_format(head: bytes) -> str:
    """`html`, `csv`, `jsonl` or `text` for the first few KiB of a file."""
    head = head.lstrip(b"\xef\xbb\xbf")
    if _HTML.match(head):
        return "html"
    if _CSV.match(head) or _CSV_HEADER.match(head):
        return "csv"
    if head.lstrip().startswith(b"{"):
        return "jsonl"
    return "text"
