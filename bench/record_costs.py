"""Where a cable's CPU goes end to end, and what the record's candidates would save.

    taskset -c 1 .venv/bin/python bench/record_costs.py [--rounds 5] [--compile] PATH

Reads PATH (a folder of text files, a cables.csv, pages: what `cabledesk parse` reads) into
memory, then reports CPU µs a cable (best of rounds, this process): walking and reading,
parsing (record objects included; and, alone, the state a parse starts from),
`to_json_line` (what `cabledesk parse --output jsonl` writes); then the seventh round's
candidates (bench/record_candidates.py; `--compile` builds that module with mypyc first,
as setup.py builds the parser):

- JSON: orjson's own dataclass path (no `default`; the `from_` key renamed after), and the
  record as nested dicts made in one call, for orjson to write without a callback per
  object; each checked byte for byte against `to_json_line`. And the long strings' escaping
  (`raw`, `text`, the paragraphs' texts) by orjson against `json`'s C escaper + UTF-8: what
  a writer building the JSON text itself would start from.
- The record objects (addressees, references, paragraphs, the cable) built again as the
  model's dataclasses and as plain classes (both figures include the same loop over the
  parsed objects: the difference is the building).
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson

from cabledesk.parse import parse_source
from cabledesk.parse.rules import paragraphs as paragraph_rule
from cabledesk.parse.state import ParseState
from cabledesk.record import codec
from cabledesk.record.model import Cable
from cabledesk.sources import SourceText, read_paths

HERE = Path(__file__).resolve().parent


def candidates(compile_it: bool) -> ModuleType:
    if not compile_it:
        sys.path.insert(0, str(HERE))
        return importlib.import_module("record_candidates")
    folder = Path(tempfile.mkdtemp(prefix="cabledesk-candidates-"))
    shutil.copy(HERE / "record_candidates.py", folder)
    (folder / "setup_candidates.py").write_text(
        "from setuptools import setup\nfrom mypyc.build import mypycify\n"
        "setup(ext_modules=mypycify(['--config-file=', '--ignore-missing-imports',"
        " 'record_candidates.py'], opt_level='3'))\n"
    )
    subprocess.run(
        [sys.executable, "setup_candidates.py", "build_ext", "--inplace"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    (folder / "record_candidates.py").unlink()  # import the extension, not the source
    sys.path.insert(0, str(folder))
    module = importlib.import_module("record_candidates")
    assert not (module.__file__ or "").endswith(".py"), module.__file__
    shutil.rmtree(folder)  # the extension is loaded: its file is no longer needed
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--compile", action="store_true")
    args = parser.parse_args()
    compiled = not (paragraph_rule.__file__ or "").endswith(".py")
    print(f"parser: {'compiled (mypyc)' if compiled else 'Python source (not compiled)'}")
    module = candidates(args.compile)
    print(f"candidates: {module.__file__}")

    def best(run: Callable[[], Any]) -> float:
        times = []
        for _ in range(args.rounds):
            start = time.process_time()
            run()
            times.append(time.process_time() - start)
        return min(times)

    held: list[Any] = []
    read = best(lambda: held.__setitem__(slice(None), list(read_paths([args.path]))))
    sources = [s for s in held if isinstance(s, SourceText)]
    n = len(sources)
    cables: list[Cable] = []
    parse = best(lambda: cables.__setitem__(slice(None), [parse_source(s) for s in sources]))

    def each(write: Callable[[Cable], bytes]) -> Callable[[], None]:
        def run() -> None:
            for cable in cables:
                write(cable)

        return run

    def each_source(start: Callable[[SourceText], Any]) -> Callable[[], None]:
        def run() -> None:
            for source in sources:
                start(source)

        return run

    options = codec._LINE_OPTIONS

    def native(cable: Cable) -> bytes:
        line = orjson.dumps(cable, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE)
        return line.replace(b'"from_":', b'"from":', 1)

    def tree(cable: Cable) -> bytes:
        return orjson.dumps(module.plain(cable), default=codec._record_dict, option=options)

    for name, write in (("orjson's dataclass path", native), ("nested dicts in one call", tree)):
        same = all(write(c) == codec.to_json_line(c) for c in cables)
        print(f"{name}: {'byte-identical' if same else 'DIFFERS'} to to_json_line")
    strings = [[c.raw, c.text, *(p.text for p in c.paragraphs)] for c in cables]

    def escape_orjson() -> None:
        for texts in strings:
            orjson.dumps(texts)

    def escape_json() -> None:
        for texts in strings:
            ",".join([encode_basestring(t) for t in texts]).encode()

    rebuilt = sum(
        2 + len(c.header.to) + len(c.header.info) + len(c.references) + len(c.paragraphs)
        for c in cables
    )
    rows = [
        ("walk + read", read),
        ("parse (record objects included)", parse),
        (
            "  of which ParseState.start (lines, an empty Cable)",
            best(each_source(ParseState.start)),
        ),
        ("to_json_line", best(each(codec.to_json_line))),
        ("  orjson's dataclass path + rename", best(each(native))),
        ("  nested dicts in one call + orjson", best(each(tree))),
        ("  long strings escaped: orjson", best(escape_orjson)),
        ("  long strings escaped: json's C escaper + UTF-8", best(escape_json)),
        (
            "record objects as dataclasses",
            min(module.build_dataclasses(cables) for _ in range(args.rounds)),
        ),
        (
            "record objects as plain classes",
            min(module.build_plain(cables) for _ in range(args.rounds)),
        ),
    ]
    print(f"{n:,} cables; {rebuilt / n:.1f} record objects built again a cable")
    for name, seconds in rows:
        print(f"  {name:50s} {seconds / n * 1e6:7.1f} µs a cable")


if __name__ == "__main__":
    main()
