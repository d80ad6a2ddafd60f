"""Draw the cables of the gold set's `fresh` split (docs/entities.md, "The gold set").

    python tools/draw_gold_split.py --corpus ../shared/corpus/wikileaks-html/cable \
        --gold tests/data/entities_gold.jsonl [--seed 12] [--sample 40] [--take 18] \
        [--leave-out dev,test]

Prints the draw, one cable a line, with why each sampled cable was kept or passed over, so
the split can be drawn again and checked. The candidates are the corpus cables outside the
splits `--leave-out` names (`dev` and `test`, as `fresh` was drawn; `dev,test,fresh` for
`fresh2`: `--seed 2026 --sample 60 --take 15`), sorted by id; `random.Random(seed).sample(candidates, sample)` is
walked in order and a cable is kept when its paragraphs are mixed case, hold at least
1,500 characters, and its post has no cable kept yet (so posts vary), until `take` are kept.
Then every all-caps cable (by the test tools/build_entity_data.py uses: over 60% of the
paragraphs' letters upper case, or no letters) outside those splits is listed too.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

MIN_BODY = 1_500


def body_of(path: Path) -> tuple[str, str]:
    import cabledesk

    cable = cabledesk.parse_file(path)
    return "\n".join(p.text for p in cable.paragraphs), cable.station or cable.origin or ""


def all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return not letters or sum(c.isupper() for c in letters) > 0.6 * len(letters)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--take", type=int, default=18)
    parser.add_argument(
        "--leave-out", default="dev,test", help="the gold's splits whose cables are not candidates"
    )
    args = parser.parse_args()
    leave_out = set(args.leave_out.split(","))
    held = {
        item["id"]
        for item in map(json.loads, args.gold.read_text().splitlines())
        if item["split"] in leave_out
    }
    paths = {p.stem: p for p in args.corpus.rglob("*.html") if p.stem not in held}
    candidates = sorted(paths)
    kept: list[str] = []
    posts: set[str] = set()
    for reference_id in random.Random(args.seed).sample(candidates, args.sample):
        if len(kept) == args.take:
            break
        text, post = body_of(paths[reference_id])
        if all_caps(text):
            why = "passed: all caps"
        elif len(text) < MIN_BODY:
            why = f"passed: body of {len(text)} characters"
        elif post in posts:
            why = f"passed: a cable of {post} is kept already"
        else:
            why = "kept"
            kept.append(reference_id)
            posts.add(post)
        print(f"{reference_id}\t{post}\t{len(text)}\t{why}")
    print(f"# {len(kept)} mixed-case cables kept")
    for reference_id in candidates:
        text, post = body_of(paths[reference_id])
        if all_caps(text):
            print(f"{reference_id}\t{post}\t{len(text)}\tall caps")


if __name__ == "__main__":
    main()
