"""The sources stage: readers that turn published containers into texts to parse."""

from cabledesk.sources.csv_release import COLUMNS as CSV_COLUMNS
from cabledesk.sources.csv_release import csv_writer, read_csv
from cabledesk.sources.detect import FORMATS, detect_format
from cabledesk.sources.html import read_html
from cabledesk.sources.item import Metadata, Skipped, SourceError, SourceText
from cabledesk.sources.jsonl import read_jsonl
from cabledesk.sources.text import read_text
from cabledesk.sources.walk import SourceItem, read_file, read_paths

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "Metadata",
    "Skipped",
    "SourceError",
    "SourceItem",
    "SourceText",
    "csv_writer",
    "detect_format",
    "read_csv",
    "read_file",
    "read_html",
    "read_jsonl",
    "read_paths",
    "read_text",
]
