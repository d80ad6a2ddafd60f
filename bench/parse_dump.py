"""Every record of the inputs, as `cabledesk parse`'s JSON line and as `to_dict` JSON, one
after the other: run it with PYTHONPATH at two trees and `cmp` the outputs to show that a
change to the parser leaves every record as it was (docs/performance.md, issue 11).

    PYTHONPATH=TREE/src python bench/parse_dump.py INPUTS... > records-TREE.txt
"""

from __future__ import annotations

import json
import sys

from cabledesk.api import parse
from cabledesk.parse.rules import paragraphs
from cabledesk.record.codec import to_dict, to_json_line
from cabledesk.record.model import Cable


def main(paths: list[str]) -> int:
    compiled = not paragraphs.__file__.endswith(".py")
    print("compiled" if compiled else "pure", paragraphs.__file__, file=sys.stderr)
    out = sys.stdout.buffer
    count = 0
    for path in paths:
        for cable in parse([path]):
            if isinstance(cable, Cable):
                out.write(to_json_line(cable))
                out.write(json.dumps(to_dict(cable), ensure_ascii=False).encode() + b"\n")
                count += 1
    print(count, "records", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
