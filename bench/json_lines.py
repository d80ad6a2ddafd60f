"""What writing a record as a line of JSON costs, and where: CPU µs a record, best of rounds.

    .venv/bin/python bench/json_lines.py [--n 2000] [--rounds 5] PATH ...

Parses the cables in PATH (any input the readers take; the first N records), then times
`to_json_line` (what `cabledesk parse --output jsonl` writes) against the code before the
fifth round of issue 11 (orjson with the `getattr` comprehension as `default`, and the
line's end appended by a copy), and the parts of the cost: the three long strings (`raw`,
`text`, the paragraphs' texts) alone, and orjson on the record as prepared dicts.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from cabledesk.api import parse
from cabledesk.record import codec
from cabledesk.record.model import Cable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    cables = [c for c in parse(args.paths) if isinstance(c, Cable)][: args.n]
    before_options = codec._ORJSON_OPTIONS

    def before(cable: Cable) -> bytes:
        return orjson.dumps(cable, default=codec._shallow, option=before_options) + b"\n"

    assert all(before(c) == codec.to_json_line(c) for c in cables)
    prepared = {id(c): codec.to_dict(c) for c in cables}
    size = sum(len(codec.to_json_line(c)) for c in cables) / len(cables)
    print(f"{len(cables)} records, {size / 1024:.1f} KB of JSON each")

    def clock(label: str, write: Callable[[Cable], object]) -> None:
        best = float("inf")
        for _ in range(args.rounds):
            start = time.process_time()
            for cable in cables:
                write(cable)
            best = min(best, time.process_time() - start)
        print(f"  {label:44s} {best / len(cables) * 1e6:6.1f} µs")

    clock("before (comprehension default, + b'\\n')", before)
    clock("to_json_line", codec.to_json_line)
    clock("part: raw alone", lambda c: orjson.dumps(c.raw))
    clock("part: text alone", lambda c: orjson.dumps(c.text))
    clock(
        "part: the paragraphs' texts alone", lambda c: orjson.dumps([p.text for p in c.paragraphs])
    )
    clock("part: the record as prepared dicts", lambda c: orjson.dumps(prepared[id(c)]))


if __name__ == "__main__":
    main()
