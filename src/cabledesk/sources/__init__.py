"""The sources stage: readers that turn published containers into texts to parse."""

from cabledesk.sources.csv_release import COLUMNS as CSV_COLUMNS
from cabledesk.sources.csv_release import csv_writer, read_csv
from cabledesk.sources.detect import FORMATS, detect_format
from cabledesk.sources.html import read_html
from cabledesk.sources.item import Metadata, Skipped, SourceError, SourceText
from cabledesk.sources.jsonl import read_jsonl
from cabledesk.sources.text import read_text
from cabledesk.sources.walk import (
    Extent,
    SourceItem,
    Unit,
    measure_paths,
    read_file,
    read_paths,
    read_paths_measured,
)

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "Extent",
    "Metadata",
    "Skipped",
    "SourceError",
    "SourceItem",
    "SourceText",
    "Unit",
    "csv_writer",
    "detect_format",
    "measure_paths",
    "read_csv",
    "read_file",
    "read_html",
    "read_jsonl",
    "read_paths",
    "read_paths_measured",
    "read_text",
]
