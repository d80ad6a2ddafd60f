"""The cables.csv reader: the release's layout, its quirks, constant memory."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

from cabledesk.sources import CSV_COLUMNS, SourceError, SourceText, csv_writer, read_csv


def rows_file(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv_writer(handle)
        for number in range(1, count + 1):
            writer.writerow(
                [
                    str(number),
                    f"{number % 12 + 1}/{number % 28 + 1}/2008 {number % 24}:{number % 60:02d}",
                    f"08MADRID{number}",
                    "Embassy Madrid",
                    "CONFIDENTIAL",
                    "08MADRID1,08STATE2",
                    "P 031458Z FEB 08\nFM AMEMBASSY MADRID",
                    f"C O N F I D E N T I A L MADRID {number:06d}\n\n"
                    '1. (C) He said "yes", then\nleft.',
                ]
            )
    return path


def test_release_layout_with_multiline_quoted_fields() -> None:
    text = (
        '"1","6/14/2008 6:50","08BAGHDAD1784","Embassy Baghdad","SECRET//NOFORN",'
        '"08BAGHDAD1700,08STATE12","O 140650Z JUN 08\nFM AMEMBASSY BAGHDAD",'
        '"S E C R E T BAGHDAD 001784\n\n1. (S/NF) He said ""no"", twice."\n'
    )
    (item,) = read_csv(io.StringIO(text), "cables.csv")
    assert isinstance(item, SourceText)
    assert item.metadata.reference_id == "08BAGHDAD1784"
    assert item.metadata.created == "2008-06-14T06:50:00Z"
    assert item.metadata.classification == "SECRET//NOFORN"
    assert item.metadata.cited_ids == ["08BAGHDAD1700", "08STATE12"]
    assert item.header == "O 140650Z JUN 08\nFM AMEMBASSY BAGHDAD"
    assert item.body.endswith('He said "no", twice.')
    assert item.location == "cables.csv:1"


def test_header_row_is_optional() -> None:
    text = ",".join(CSV_COLUMNS) + "\n" + '"7","1/2/2009 3:04","09X1","o","SECRET","","","text"\n'
    (item,) = read_csv(io.StringIO(text), "c.csv")
    assert isinstance(item, SourceText) and item.location == "c.csv:2"


def test_bad_rows_fail_alone_with_their_line() -> None:
    text = (
        '"1","1/2/2009 3:04","09MADRID1","Embassy Madrid","SECRET","","","one\ntwo"\n'
        '"2","not a date","09MADRID2","Embassy Madrid","SECRET","","","x"\n'
        '"3","only","three"\n'
        '"4","1/2/2009 3:04","09MADRID4","Embassy Madrid","SECRET","","",""\n'
        '"5","1/2/2009 3:04","09MADRID5","Embassy Madrid","SECRET","","","fine"\n'
    )
    items = list(read_csv(io.StringIO(text), "c.csv"))
    assert [type(i).__name__ for i in items] == [
        "SourceText",
        "SourceError",
        "SourceError",
        "SourceError",
        "SourceText",
    ]
    assert (
        str(items[1])
        == "c.csv:3: expected a date like 6/14/2008 6:50 in column 2; found 'not a date'"
    )
    assert str(items[2]).startswith("c.csv:4: expected 8 columns")
    assert "found 3 columns" in str(items[2])
    assert str(items[3]).startswith("c.csv:5: expected the cable text in column 8")
    assert items[4].location == "c.csv:6"  # type: ignore[union-attr]


def test_huge_fields_are_read() -> None:
    body = "word " * 60_000  # larger than the csv module's default field limit
    text = f'"1","1/2/2009 3:04","09MADRID1","Embassy Madrid","SECRET","","","{body}"\n'
    (item,) = read_csv(io.StringIO(text), "c.csv")
    assert isinstance(item, SourceText) and len(item.body) == len(body)


def test_200000_rows_stream_in_flat_memory(tmp_path: Path) -> None:
    path = rows_file(tmp_path / "cables.csv", 200_000)
    assert path.stat().st_size > 30_000_000
    count = errors = 0
    peaks = []
    with path.open(encoding="utf-8", newline="") as handle:
        tracemalloc.start()
        try:
            for item in read_csv(handle, str(path)):
                if isinstance(item, SourceError):
                    errors += 1
                count += 1
                if count in (20_000, 200_000):
                    peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert (count, errors) == (200_000, 0)
    early, late = peaks
    # Flat: reading ten times as many rows does not raise the high-water mark.
    assert late < early + 256 * 1024, (early, late)
    assert late < 4 * 1024 * 1024
